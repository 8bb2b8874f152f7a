import { describe, expect, it } from 'vitest';
import type { StoredDeployEvent } from '../deploy/types.js';
import { deployDetail } from './deploy-detail.js';
import { canaryDeploy } from './deploy-fixtures.test-suite.js';
import { renderDeployPage } from './deploy-page.js';
import { deployRow, threadLink } from './deploy-row.js';
import { renderDeploysPage } from './deploys-page.js';

const WORKSPACE = 'https://acme.slack.com/';

describe('deployRow', () => {
  it('links the deploy thread CHANNEL:TS to its Slack permalink', () => {
    expect(threadLink('C0DEPLOYS:1700000000.000100', WORKSPACE)).toBe(
      'https://acme.slack.com/archives/C0DEPLOYS/p1700000000000100',
    );
  });

  const cases: Array<[string, string | undefined]> = [
    ['no thread yet gives no link', undefined],
    ['a malformed reference gives no link rather than a wrong one', 'javascript:alert(1)'],
  ];
  it.each(cases)('%s', (_name, ref) => {
    expect(threadLink(ref, WORKSPACE)).toBeUndefined();
  });

  it('times a running deploy up to now and names a Slack user as @name', () => {
    const { record } = canaryDeploy({ ending: 'running', by: 'slack:U0ALICE:alice' });
    const row = deployRow(record, record.createdAt + 90_000, WORKSPACE);
    expect(row).toMatchObject({
      durationMs: 90_000,
      by: '@alice (Slack)',
      statusText: 'running',
      tone: 'active',
    });
  });
});

describe('the deployments pages', () => {
  const base = { filter: { limit: 50 }, ignored: [], envs: [], hasMore: false, now: 0, version: '0.0.0' };

  it('say how to enable the view when serve reads no deploy records', () => {
    const html = renderDeploysPage(base);
    expect(html).toContain('THREADER_DEPLOY_DB');
    expect(html).not.toContain('id="live"');
  });

  it('show a rolled-back deploy with its status in words, never markup from its fields', () => {
    const { record } = canaryDeploy({ ending: 'rolled-back', threadRef: 'C0DEPLOYS:1700000000.000100' });
    const evil = { ...record, service: '<img src=x onerror=alert(1)>', reason: '<script>x</script>' };
    const row = deployRow(evil, record.finishedAt as number, WORKSPACE);
    const list = renderDeploysPage({ ...base, rows: [row], envs: ['production'] });
    expect(list).toContain('<span class="badge deploy-bad">rolled back</span>');
    expect(list).toContain('href="https://acme.slack.com/archives/C0DEPLOYS/p1700000000000100"');
    expect(list).not.toMatch(/<img|<script>x/);
    const events: StoredDeployEvent[] = canaryDeploy({ ending: 'rolled-back' }).events.map((e, i) => ({
      deployId: record.id,
      seq: i + 1,
      ...e,
    }));
    const detail = renderDeployPage({
      deploy: row,
      detail: deployDetail(evil, events, 0),
      failure: record.failure,
      now: record.finishedAt as number,
      version: '0.0.0',
    });
    expect(detail).not.toMatch(/<img|<script>x/);
    expect(detail).toContain('threader rollback --config deploy.yaml --env production --to 1.4.0');
    expect(detail).toContain('<td data-label="Value">4.2%</td>');
    expect(detail).toContain('Open the deploy thread in Slack');
  });
});
