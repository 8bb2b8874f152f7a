import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startSlackEmulator, type SlackEmulator } from '../../src/emulator/index.js';
import { startTestService, startTraffic, type TestService } from '../fixtures/test-service-client.js';
import { runThreader, spawnThreader, stopAll } from '../helpers/process.js';

// `guard watch --slack-thread`: the briefing goes through the project's Slack thread engine into a
// thread a CI pipeline opened, against the emulator.

const TOKEN = 'xoxb-guard-briefing';
const dir = mkdtempSync(join(tmpdir(), 'guard-brief-'));
let emu: SlackEmulator;
let service: TestService;
let stopTraffic: (() => void) | undefined;
let cfg: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emu = await startSlackEmulator({ token: TOKEN });
  service = await startTestService({ errorRatio: 0.5, name: 'svc' });
  stopTraffic = startTraffic(service.url);
  cfg = join(dir, 'threader.yaml');
  writeFileSync(
    cfg,
    stringify({
      store: { db: join(dir, 'threader.db') },
      guard: {
        lockFile: join(dir, 'qos.guard'),
        window: '3s',
        evaluationInterval: '500ms',
        provider: { type: 'scrape', targets: [`${service.url}/metrics`], warmup: '500ms', timeout: '2s' },
      },
    }),
  );
  env = { ...process.env, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: emu.url, THREADER_CONFIG: cfg };
});

afterAll(async () => {
  stopTraffic?.();
  await stopAll();
  await emu.close();
});

describe('guard watch briefings in Slack', () => {
  it('posts the lock state and SLO values into the thread, then the release', async () => {
    const parentTs = (await fetch(`${emu.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C_DEPLOYS', text: 'Deploy api v2 → production' }),
    }).then((r) => r.json())) as { ts: string };
    expect(
      (await runThreader(['guard', 'lock', '1s', '--reason', 'canary rollback <!channel>'], { env })).code,
    ).toBe(0);

    const watch = spawnThreader(
      [
        'guard',
        'watch',
        '--exit-when-unlocked',
        '--brief-every',
        '1h',
        '--slack-thread',
        `C_DEPLOYS:${parentTs.ts}`,
      ],
      { env },
    );
    // Bad for a while, then recovered: the first briefing shows the failing value.
    await watch.waitForLine(/NOT healthy/, 20_000);
    await service.setState({ errorRatio: 0, healthy: true });
    expect((await watch.exited).code).toBe(0);

    const [thread] = emu.threads('C_DEPLOYS');
    const replies = thread?.replies.map((r) => r.text) ?? [];
    // One briefing per hour at most while locked, and always the release: exactly two here.
    expect(replies).toHaveLength(2);
    expect(replies[0]).toMatch(/^QoS guard: LOCKED \(canary rollback &lt;!channel&gt;\)/);
    expect(replies[0]).toMatch(/http_5xx_ratio: Failed — \d+(\.\d+)?% &lt;= 1% does not hold/);
    expect(replies[1]).toMatch(/^QoS guard released/);
    expect(JSON.stringify(emu.messages('C_DEPLOYS'))).not.toContain('<!channel>');
  });

  it('keeps to --brief-every across separate runs (a timer starts a new process each tick)', async () => {
    await service.setState({ errorRatio: 0.5, healthy: true });
    const parent = (await fetch(`${emu.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C_TIMER', text: 'Deploy api v3' }),
    }).then((r) => r.json())) as { ts: string };
    expect((await runThreader(['guard', 'lock', '1h', '--reason', 'timer test'], { env })).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const once = await runThreader(
        ['guard', 'watch', '--once', '--brief-every', '1h', '--slack-thread', `C_TIMER:${parent.ts}`],
        { env },
      );
      expect(once.code).toBe(1);
    }
    const [thread] = emu.threads('C_TIMER');
    expect(thread?.replies.map((r) => r.text)).toEqual([
      expect.stringMatching(/^QoS guard: LOCKED \(timer test\)/),
    ]);
    await runThreader(['guard', 'unlock', '--force', '--reason', 'test over'], { env });
  });

  it('refuses to brief without a Slack token, naming what is missing', async () => {
    const r = await runThreader(['guard', 'watch', '--once', '--slack-thread', 'C1:1700000000.000100'], {
      env: { ...env, SLACK_BOT_TOKEN: '' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE');
  });
});
