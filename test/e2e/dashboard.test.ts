import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP } from '../../src/dashboard/security.js';
import { LockFile } from '../../src/guard/lock-file.js';
import { newLock, type GuardLock } from '../../src/guard/lock.js';
import { alert, webhookBody } from '../helpers/builders.js';
import { launchBrowser, overflowingElements, screenshot, watchProblems } from '../helpers/browser.js';
import { startThreader, type TestThreader } from '../helpers/threader.js';

/**
 * The dashboard in a real Chromium against a real `serve` app and the Slack emulator: a webhook
 * shows up live, the detail shows what Slack got, the guard lock is visible, phones and keyboards
 * work, and no page logs an error or trips the CSP.
 */

const firing = webhookBody({
  groupLabels: { alertname: 'DiskFull', cluster: 'eu1' },
  commonLabels: { alertname: 'DiskFull', severity: 'warning' },
  groupKey: '{}:{alertname="DiskFull"}',
  alerts: [
    alert({ labels: { alertname: 'DiskFull', severity: 'warning', instance: 'db-1' } }),
    alert({ labels: { alertname: 'DiskFull', severity: 'warning', instance: 'db-2' } }),
  ],
});
const oneResolved = webhookBody({
  ...firing,
  alerts: [
    alert({
      labels: { alertname: 'DiskFull', severity: 'warning', instance: 'db-1' },
      status: 'resolved',
      endsAt: '2026-11-26T12:05:00Z',
    }),
    alert({ labels: { alertname: 'DiskFull', severity: 'warning', instance: 'db-2' } }),
  ],
});

describe('dashboard in Chromium', () => {
  let t: TestThreader;
  /** Already holds one thread (two alerts, one resolved), for the tests that need a thread to look at. */
  let seeded: TestThreader;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: () => string[];
  const guardFile = join(mkdtempSync(join(tmpdir(), 'dash-e2e-')), 'qos.guard');

  beforeAll(async () => {
    t = await startThreader({ env: { THREADER_GUARD_FILE: guardFile } });
    seeded = await startThreader({
      env: { THREADER_GUARD_FILE: join(mkdtempSync(join(tmpdir(), 'dash-e2e-')), 'qos.guard') },
    });
    expect((await seeded.post(firing)).status).toBe(200);
    expect((await seeded.post(oneResolved)).status).toBe(200);
    await seeded.app.settle();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await seeded?.close();
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

  it('a webhook appears live in the list, and its detail shows the parent, the reply and the edit', async () => {
    await open();
    const res = await page.goto(t.url);
    expect(res?.headers()['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(res?.headers()['x-content-type-options']).toBe('nosniff');
    expect(await page.title()).toBe('Threads · Alert Threader');
    await page.getByText('No threads yet').waitFor();
    await page.evaluate('window.__sameDocument = true');

    expect((await t.post(firing)).status).toBe(200);
    const row = page.locator('tr', { hasText: 'DiskFull' });
    await row.waitFor();
    // The parent reached Slack: the row links to it, still without a reload.
    const slackLink = row.getByRole('link', { name: /in Slack/ });
    await slackLink.waitFor();
    expect(await row.locator('td[data-label="Firing"]').innerText()).toBe('2');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(await slackLink.getAttribute('href')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/archives\/C_ALERTS\/p\d{16}$/,
    );
    expect((await fetch((await slackLink.getAttribute('href')) as string)).status).toBe(200);

    expect((await t.post(oneResolved)).status).toBe(200);
    // Locators, not waitForFunction: a string predicate is eval'd in the page, which the CSP forbids.
    await row.locator('td[data-label="Resolved"]', { hasText: /^1$/ }).waitFor();
    await t.app.settle();
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await screenshot(page, 'threads-list');

    await row.locator('td.title a').click();
    await page.waitForURL(/\/threads\/ep_/);
    expect(await page.title()).toMatch(/^DiskFull — cluster=eu1 · Alert Threader$/);
    const timeline = page.locator('ol.timeline');
    await timeline.locator('li.msg-parent').waitFor();
    await timeline.locator('li.msg-reply').first().waitFor();
    await timeline.locator('li.msg-edit').first().waitFor();
    expect(await timeline.locator('li.msg-parent').count()).toBe(1);
    // The parent's details live in its attachment (the colour bar): the timeline shows them too.
    expect(await timeline.locator('li.msg-parent').textContent()).toContain('db-2');
    expect(await timeline.locator('li.msg-reply').first().textContent()).toMatch(/resolved/i);
    await screenshot(page, 'thread-detail');
  });

  it('shows "no lock" and then, live, a guard lock with who, why, time left and k of K', async () => {
    await open();
    await page.goto(`${t.url}/guard`);
    expect(await page.title()).toBe('Guard · Alert Threader');
    await page.getByText('Deploys may proceed').waitFor();

    const now = Date.now();
    const lock = newLock(
      {
        id: 'l1',
        durationMs: 15 * 60_000,
        reason: 'canary api v2 failed its analysis',
        by: 'ci-bot',
        mode: 'slo',
        healthyEvaluations: 3,
      },
      now,
    );
    const recorded = {
      ...lock,
      release: { ...lock.release, healthyStreak: 1, lastEvaluationAt: new Date(now).toISOString() },
      lastEvaluation: {
        at: new Date(now).toISOString(),
        healthy: false,
        results: [
          {
            check: 'http_5xx_ratio',
            outcome: 'Failed',
            value: 0.042,
            comparator: '<=',
            threshold: 0.01,
            unit: 'ratio',
            message: '4.2% <= 1% does not hold',
          },
        ],
      },
    } as GuardLock;
    await new LockFile(guardFile).write(recorded);

    await page.getByText('canary api v2 failed its analysis').waitFor({ timeout: 15_000 });
    expect(await page.locator('dl.facts').textContent()).toContain('ci-bot');
    expect(await page.getByText('1 of 3 healthy evaluations').count()).toBe(1);
    const slo = page.locator('tr', { hasText: 'http_5xx_ratio' });
    expect(await slo.locator('td[data-label="Latest value"]').innerText()).toBe('4.2%');
    expect(await slo.locator('td[data-label="Threshold"]').innerText()).toBe('<= 1%');
    expect(await page.locator('[data-until]').textContent()).toMatch(/^1[45]m/);
    await screenshot(page, 'guard-locked');
  });

  it('fits a phone without sideways scrolling on every page', async () => {
    await open({ width: 375, height: 740 });
    const pages = [
      ['phone-threads', '/'],
      ['phone-guard', '/guard'],
    ];
    await page.goto(seeded.url);
    const detail = await page.locator('td.title a').first().getAttribute('href');
    pages.push(['phone-thread-detail', detail as string]);
    for (const [name, path] of pages) {
      await page.goto(`${seeded.url}${path}`);
      expect(await overflowingElements(page), `${path} scrolls sideways`).toEqual([]);
      await screenshot(page, name as string);
    }
  });

  it('reaches the skip link, the filters and the thread links with the keyboard alone', async () => {
    await open();
    await page.goto(seeded.url);
    // The first Tab lands on the skip link, and it takes focus past the nav to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.className')).toBe('skip-link');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('main');

    await page.goto(seeded.url);
    const reached: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate<string>(
          `(function (a) { return a.id ? '#' + a.id : (a.getAttribute('href') || a.tagName); })(document.activeElement)`,
        ),
      );
    }
    expect(reached[0]).toBe('#main');
    expect(reached).toEqual(expect.arrayContaining(['#f-state', '#f-channel']));
    expect(reached.some((r) => r.startsWith('/threads/ep_'))).toBe(true);
    expect(reached.indexOf('#f-state')).toBeLessThan(reached.findIndex((r) => r.startsWith('/threads/')));

    // The state filter works from the keyboard: choosing "Resolved" narrows the list.
    await page.focus('#f-state');
    await page.selectOption('#f-state', 'resolved');
    await page.waitForURL(/state=resolved/);
    await page.getByText('No threads match these filters').waitFor();
  });
});

describe('dashboard with a token', () => {
  const TOKEN = 'dash-token-5b2e91';
  let t: TestThreader;
  let browser: Browser;

  beforeAll(async () => {
    t = await startThreader({
      env: { THREADER_DASHBOARD_TOKEN: TOKEN, THREADER_GUARD_FILE: join(tmpdir(), 'no-such-dir-e2e', 'g') },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('asks for the token (basic auth) on pages, assets, events and the API, and not on health or the webhook', async () => {
    for (const path of ['/', '/guard', '/assets/dashboard.js', '/events', '/api/threads']) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toMatch(/^Basic realm=/);
    }
    expect((await fetch(`${t.url}/?token=${TOKEN}`)).status).toBe(401);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    // The dashboard token guards people's views, not Alertmanager's pushes (no webhook token here).
    const pushed = webhookBody({
      groupLabels: { alertname: 'NoCredentials' },
      commonLabels: { alertname: 'NoCredentials' },
      groupKey: '{}:{alertname="NoCredentials"}',
      alerts: [alert({ labels: { alertname: 'NoCredentials' } })],
    });
    const webhook = await fetch(`${t.url}/webhook/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pushed),
    });
    expect(webhook.status).toBe(200);
    expect(
      (await fetch(`${t.url}/api/threads`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(200);
  });

  it('shows the pages, live, to a browser that gives the token as password — and never shows the token', async () => {
    // Headless Chromium cannot prompt: without credentials it gives up on the Basic challenge.
    const anonymous = await browser.newContext();
    await expect((await anonymous.newPage()).goto(t.url)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await anonymous.close();

    const context = await browser.newContext({ httpCredentials: { username: 'oncall', password: TOKEN } });
    const page = await context.newPage();
    const problems = await watchProblems(page);
    const res = await page.goto(t.url);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.locator('tr', { hasText: 'DiskFull' }).count()).toBe(0);
    expect((await t.post(firing)).status).toBe(200);
    // Live updates need the events stream, which is behind the token too.
    await page.locator('tr', { hasText: 'DiskFull' }).waitFor();
    expect(await page.content()).not.toContain(TOKEN);
    await screenshot(page, 'threads-with-token');
    await context.close();
    expect(problems()).toEqual([]);
  });
});
