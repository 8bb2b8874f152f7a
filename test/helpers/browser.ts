import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './process.js';
import { requireTool, runs } from './require-tool.js';

/**
 * Debian's Chromium driven by playwright-core (no browser download). The flags keep it from
 * talking to anything but the page under test (DESIGN.md: loopback only).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why Chromium cannot start here, or undefined; throws under CI (see requireTool). */
export function chromiumMissing(): string | undefined {
  return requireTool('chromium', { install: 'chromium', check: runs(CHROMIUM, '--version') });
}

/** playwright gives every launch a fresh temporary profile (its --user-data-dir). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Collects what a user would call a broken page: console errors, uncaught exceptions and CSP
 * violations (reported from inside the page by an init script, since Chromium only logs them).
 */
export async function watchProblems(page: Page): Promise<() => string[]> {
  const problems: string[] = [];
  // Strings, not functions: the project compiles without the DOM types.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', function (e) {
      console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + e.sourceFile);
    });`,
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return () => [...problems];
}

export const screenshotDir = join(repoRoot, 'test-results', 'dashboard');

/** Full-page screenshot under test-results/dashboard/ (gitignored) for people to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * What sticks out past the right edge of the viewport (a phone would scroll sideways): empty
 * when the page fits. Names the elements so a failure says what to fix.
 */
export function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(function () {
    var width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    var out = [];
    document.querySelectorAll('body *').forEach(function (e) {
      var r = e.getBoundingClientRect();
      if (r.right > width + 0.5) out.push(e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' right=' + Math.round(r.right));
    });
    return out.length ? out.slice(0, 10) : ['(document wider than the viewport)'];
  })()`);
}
