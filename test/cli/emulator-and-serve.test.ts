import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { webhookBody } from '../helpers/builders.js';
import { freePort, spawnThreader, stopAll, waitFor, waitForHttp } from '../helpers/process.js';

// What a user does to try the real Slack integration locally: `threader slack-emulator` in one
// terminal, `threader serve` pointed at it with SLACK_API_URL in another.
afterAll(stopAll);

describe('threader slack-emulator + threader serve, as two processes', () => {
  it('threads a webhook into the standalone emulator, and the banner says which Slack is used', async () => {
    const emulator = spawnThreader(['slack-emulator', '--port', '0', '--token', 'xoxb-local-demo']);
    const apiUrl = (await emulator.waitForLine(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/, 15_000)).trim();
    const port = await freePort();
    const serve = spawnThreader(['serve', '--port', String(port), '--host', '127.0.0.1'], {
      env: {
        ...process.env,
        SLACK_BOT_TOKEN: 'xoxb-local-demo',
        SLACK_API_URL: apiUrl,
        SLACK_CHANNEL: 'C_DEMO',
        THREADER_DB: join(mkdtempSync(join(tmpdir(), 'two-proc-')), 'threader.db'),
        LOG_LEVEL: 'warn',
      },
    });
    await waitForHttp(`http://127.0.0.1:${port}/readyz`);
    expect(serve.stderr()).toContain('slack:    Slack Web API, default channel C_DEMO');
    expect(serve.stderr()).not.toContain('xoxb-local-demo');

    const res = await fetch(`http://127.0.0.1:${port}/webhook/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(webhookBody()),
    });
    expect(res.status).toBe(200);
    const base = apiUrl.replace(/api\/$/, '');
    const threads = await waitFor(async () => {
      const t = (await (await fetch(`${base}_emulator/threads?channel=C_DEMO`)).json()) as Array<{
        parent: { text: string };
      }>;
      return t.length === 1 ? t : undefined;
    });
    expect(threads[0]?.parent.text).toMatch(/FIRING \[critical\] HighErrorRate/);
  });
});
