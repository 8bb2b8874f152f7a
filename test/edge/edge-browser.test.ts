import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alert, webhookBody } from '../helpers/builders.js';
import { chromiumMissing, launchBrowser, screenshot, watchProblems } from '../helpers/browser.js';
import { stopAll } from '../helpers/process.js';
import { startThreader, type TestThreader } from '../helpers/threader.js';
import { anyMissing, suiteTitle } from '../helpers/require-tool.js';
import { edgeToolsMissing, startEdge, type Edge } from './edge-nginx.js';
import { httpsRequest } from './https-client.js';

/**
 * The dashboard as users reach it in production: Chromium → the nginx edge template (TLS, the
 * edge's CSP, unbuffered /events) → `threader serve`. Every page loads and updates live with no
 * console error and no CSP violation; screenshots go to test-results/dashboard/edge-*.png.
 */
const missing = anyMissing(edgeToolsMissing(), chromiumMissing());

describe.skipIf(missing !== undefined)(
  suiteTitle('the dashboard through the nginx edge in Chromium', missing),
  () => {
    let threader: TestThreader;
    let edge: Edge;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let problems: () => string[];

    beforeAll(async () => {
      threader = await startThreader();
      edge = await startEdge({ replicas: [new URL(threader.url).host], hsts: 'on' });
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await edge?.stop();
      await threader?.close();
      await stopAll();
    });
    afterEach(async () => {
      const seen = problems?.() ?? [];
      await context?.close();
      expect(seen).toEqual([]);
    });

    async function open() {
      // The test's certificate is self-signed; trusting it is all this option does here.
      context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      problems = await watchProblems(page);
    }

    const post = (body: unknown) =>
      httpsRequest(`${edge.origin}/webhook/alertmanager`, {
        ca: edge.certificate.pem,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('shows a webhook posted through the edge live in the list, under the edge’s CSP, without a reload', async () => {
      await open();
      const res = await page.goto(`${edge.origin}/`);
      expect(res?.status()).toBe(200);
      const headers = res?.headers() ?? {};
      expect(headers['content-security-policy']).toContain("script-src 'self'");
      expect(headers['content-security-policy']).toContain("connect-src 'self'");
      expect(headers['strict-transport-security']).toContain('max-age=');
      await page.evaluate('window.__sameDocument = true');

      const body = webhookBody({
        groupLabels: { alertname: 'EdgeDiskFull' },
        commonLabels: { alertname: 'EdgeDiskFull', severity: 'warning' },
        groupKey: '{}:{alertname="EdgeDiskFull"}',
        alerts: [alert({ labels: { alertname: 'EdgeDiskFull', severity: 'warning', instance: 'db-1' } })],
      });
      expect((await post(body)).status).toBe(200);
      const row = page.locator('tr', { hasText: 'EdgeDiskFull' });
      // Arrives over /events through the edge: a buffering proxy would leave the list unchanged.
      await row.getByRole('link', { name: /in Slack/ }).waitFor({ timeout: 15_000 });
      expect(await page.evaluate('window.__sameDocument')).toBe(true);
      await screenshot(page, 'edge-threads-list');

      await row.locator('td.title a').click();
      await page.waitForURL(/\/threads\/ep_/);
      expect(page.url().startsWith(edge.origin)).toBe(true);
      await page.locator('ol.timeline li.msg-parent').waitFor();
      await screenshot(page, 'edge-thread-detail');
    });

    it('shows the guard page through the edge', async () => {
      await open();
      const res = await page.goto(`${edge.origin}/guard`);
      expect(res?.status()).toBe(200);
      expect(await page.title()).toBe('Guard · Alert Threader');
      await screenshot(page, 'edge-guard');
    });
  },
);
