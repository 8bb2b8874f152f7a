import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canaryDeploy, type CanaryFixture } from '../../src/dashboard/deploy-fixtures.test-suite.js';
import { DASHBOARD_CSP } from '../../src/dashboard/security.js';
import { openDeployStore } from '../../src/store/deploy-sqlite.js';
import type { DeployStoreWithControls } from '../../src/store/deploy-types.js';
import { createWebSlackClient } from '../../src/slack/web-client.js';
import { launchBrowser, overflowingElements, screenshot, watchProblems } from '../helpers/browser.js';
import { TEST_TOKEN, startThreader, type TestThreader } from '../helpers/threader.js';

/**
 * The deployments view in a real Chromium against a real `serve` app reading a deploy store that
 * this test writes as `threader deploy` would (another handle on the same SQLite file): canaries
 * with weights 10/50/100 % and analyses, one rolled back. The list, the detail (steps, traffic
 * chart, values against thresholds, rollback command, thread link), live arrival, phones,
 * keyboards, and no console errors or CSP violations.
 */

const MIN = 60_000;

describe('deployments in Chromium', () => {
  let t: TestThreader;
  let writer: DeployStoreWithControls;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: () => string[];
  let threadRef: string;
  const deployDb = join(mkdtempSync(join(tmpdir(), 'deploys-e2e-')), 'deploys.db');

  async function save(f: CanaryFixture): Promise<void> {
    await writer.create(f.record);
    for (const e of f.events) await writer.appendEvent(f.record.id, e.event, e.at);
  }

  beforeAll(async () => {
    t = await startThreader({ env: { THREADER_DEPLOY_DB: deployDb } });
    // The deploy's thread, posted for real so its permalink leads somewhere.
    const slack = createWebSlackClient({ token: TEST_TOKEN, slackApiUrl: t.emu.url, timeoutMs: 5_000 });
    const parent = await slack.postMessage({ channel: 'C_DEPLOYS', text: 'api 1.5.0 to production' });
    threadRef = `${parent.channel}:${parent.ts}`;
    writer = await openDeployStore(deployDb);
    const now = Date.now();
    await save(canaryDeploy({ id: 'dep_staging_ok', env: 'staging', start: now - 60 * MIN }));
    await save(
      canaryDeploy({
        id: 'dep_prod_rb',
        env: 'production',
        start: now - 20 * MIN,
        ending: 'rolled-back',
        by: 'slack:U0ALICE:alice',
        threadRef,
      }),
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await writer?.close();
    await t?.close();
  });

  async function open(viewport = { width: 1280, height: 900 }) {
    context = await browser.newContext({ viewport });
    page = await context.newPage();
    problems = await watchProblems(page);
  }
  afterEach(async () => {
    const seen = problems?.() ?? [];
    await context?.close();
    expect(seen).toEqual([]);
  });

  it('lists each deploy with env, versions, status in words, who, when, how long and its Slack thread', async () => {
    await open();
    const res = await page.goto(`${t.url}/deployments`);
    expect(res?.headers()['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(await page.title()).toBe('Deployments · Alert Threader');
    expect(await page.locator('nav a[aria-current="page"]').innerText()).toBe('Deployments');
    const prod = page.locator('tr[data-deploy="dep_prod_rb"]');
    expect(await prod.locator('td[data-label="Environment"]').innerText()).toBe('production');
    expect(await prod.locator('td[data-label="Versions"]').innerText()).toBe('1.4.0 → 1.5.0');
    expect(await prod.locator('td[data-label="Status"]').innerText()).toBe('rolled back');
    expect(await prod.locator('td[data-label="By"]').innerText()).toBe('@alice (Slack)');
    expect(await prod.locator('td[data-label="Started"]').innerText()).toMatch(/^2[01]m ago$/);
    expect(await prod.locator('td[data-label="Strategy"]').innerText()).toBe('canary');
    const thread = prod.getByRole('link', { name: /thread of deploy dep_prod_rb in Slack/ });
    const href = (await thread.getAttribute('href')) as string;
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/archives\/C_DEPLOYS\/p\d{16}$/);
    expect((await fetch(href)).status).toBe(200);
    expect(await page.locator('tr[data-deploy="dep_staging_ok"] td[data-label="Status"]').innerText()).toBe(
      'succeeded',
    );
    await screenshot(page, 'deployments-list');

    // Filtering by status narrows the list to the rollback.
    await page.selectOption('#f-status', 'rolled-back');
    await page.waitForURL(/status=rolled-back/);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('h1').innerText()).toBe('Deployments rolled back');
  });

  it('shows a rolled-back canary: steps with timings, traffic per version, values against thresholds, the rollback command', async () => {
    await open();
    await page.goto(`${t.url}/deployments`);
    await page.locator('tr[data-deploy="dep_prod_rb"] td.title a').click();
    await page.waitForURL(/\/deployments\/dep_prod_rb$/);
    expect(await page.title()).toBe('api 1.5.0 to production · Alert Threader');

    const steps = page.locator('table.steps tbody tr');
    expect(await steps.count()).toBe(11);
    expect(await steps.nth(1).locator('td[data-label="Took"]').innerText()).toBe('3s');
    expect(await steps.nth(5).locator('td[data-label="State"]').innerText()).toBe('failed');
    expect(await steps.nth(6).locator('td[data-label="State"]').innerText()).toBe('not run');

    const chart = page.getByRole('img', { name: 'Traffic weight per version over time' });
    expect(await chart.count()).toBe(1);
    expect(await page.locator('svg desc').textContent()).toMatch(
      /^1\.4\.0 from 90% to 100%, 1\.5\.0 from 10% to 0%/,
    );
    expect(await page.locator('svg path.series').count()).toBe(2);
    // The table fallback, opened from the keyboard.
    await page.locator('summary', { hasText: 'Traffic as a table' }).focus();
    await page.keyboard.press('Enter');
    const shares = page.locator('table.weights tbody tr');
    expect(await shares.count()).toBe(3);
    expect(await shares.nth(1).locator('td[data-label="1.5.0"]').innerText()).toBe('50%');

    const failed = page.locator('section.analysis').nth(1);
    const row = failed.locator('tbody tr', { hasText: 'http_5xx_ratio' });
    expect(await row.locator('td[data-label="Value"]').innerText()).toBe('4.2%');
    expect(await row.locator('td[data-label="Threshold"]').innerText()).toBe('<= 1%');
    expect(await row.locator('td[data-label="Outcome"] .badge').innerText()).toBe('Failed');
    expect(await row.locator('td[data-label="Query"]').innerText()).toMatch(
      /^sum\(rate\(threader_http_requests_total/,
    );
    expect(await page.locator('code.command').innerText()).toBe(
      'threader rollback --config deploy.yaml --env production --to 1.4.0',
    );
    const thread = page.getByRole('link', { name: 'Open the deploy thread in Slack' });
    expect(await thread.getAttribute('href')).toContain('/archives/C_DEPLOYS/p');
    await screenshot(page, 'deployment-detail');
  });

  it('shows a new deploy without a reload, and its detail follows it as events arrive', async () => {
    await open();
    await page.goto(`${t.url}/deployments`);
    await page.locator('#live-status', { hasText: 'Live' }).waitFor();
    await page.evaluate('window.__sameDocument = true');

    const live = canaryDeploy({
      id: 'dep_live',
      env: 'canary-live',
      start: Date.now() - 5 * MIN,
      ending: 'running',
    });
    await writer.create(live.record);
    const row = page.locator('tr[data-deploy="dep_live"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('td[data-label="Status"]').innerText()).toBe('running');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);

    await row.locator('td.title a').click();
    await page.waitForURL(/\/deployments\/dep_live$/);
    await page.getByText('No traffic changes were recorded.').waitFor();
    await page.locator('#live-status', { hasText: 'Live' }).waitFor();
    await page.evaluate('window.__sameDocument = true');
    for (const e of live.events) await writer.appendEvent('dep_live', e.event, e.at);
    await page.locator('section.analysis').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('svg path.series').count()).toBe(2);
    expect(
      await page.locator('table.steps tbody tr').nth(5).locator('td[data-label="State"]').innerText(),
    ).toBe('running');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await screenshot(page, 'deployment-running');
  });

  it('fits a phone without sideways scrolling, list and detail', async () => {
    await open({ width: 375, height: 740 });
    for (const [name, path] of [
      ['phone-deployments', '/deployments'],
      ['phone-deployment-detail', '/deployments/dep_prod_rb'],
    ] as const) {
      await page.goto(`${t.url}${path}`);
      expect(await overflowingElements(page), `${path} scrolls sideways`).toEqual([]);
      await screenshot(page, name);
    }
  });

  it('reaches the filters and every deploy link with the keyboard, and filters by environment from it', async () => {
    await open();
    await page.goto(`${t.url}/deployments`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const reached: string[] = [];
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate<string>(
          `(function (a) { return a.id ? '#' + a.id : (a.getAttribute('href') || a.tagName); })(document.activeElement)`,
        ),
      );
    }
    expect(reached.slice(0, 2)).toEqual(['#f-env', '#f-status']);
    expect(reached).toEqual(
      expect.arrayContaining(['/deployments/dep_prod_rb', '/deployments/dep_staging_ok']),
    );

    await page.focus('#f-env');
    await page.keyboard.press('ArrowDown');
    await page.waitForURL(/env=/);
    expect(await page.locator('tbody tr').count()).toBe(1);
  });
});

describe('deployments without deploy records, behind a token', () => {
  const TOKEN = 'dash-token-deploys-7c1f';
  let t: TestThreader;
  let browser: Browser;
  beforeAll(async () => {
    t = await startThreader({ env: { THREADER_DASHBOARD_TOKEN: TOKEN } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('asks for the token, then says how to enable the view (THREADER_DEPLOY_DB); a detail link is a 404 saying the same', async () => {
    for (const path of ['/deployments', '/deployments/dep_x'])
      expect((await fetch(`${t.url}${path}`)).status, path).toBe(401);
    const context = await browser.newContext({ httpCredentials: { username: 'oncall', password: TOKEN } });
    const page = await context.newPage();
    const problems = await watchProblems(page);
    await page.goto(`${t.url}/deployments`);
    await page.getByText('This threader does not read deploy records.').waitFor();
    expect(await page.locator('main').innerText()).toContain('THREADER_DEPLOY_DB');
    await screenshot(page, 'deployments-not-configured');
    const res = await page.goto(`${t.url}/deployments/dep_x`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('main').innerText()).toContain('THREADER_DEPLOY_DB');
    expect(await page.content()).not.toContain(TOKEN);
    await context.close();
    // Chromium logs the 404 itself as a console error; nothing else may appear.
    expect(problems().filter((p) => !/status of 404/.test(p))).toEqual([]);
  });
});
