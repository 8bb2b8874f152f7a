import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp, type App, type AppDeps } from '../../src/app.js';
import { loadConfig, type Env } from '../../src/config/load.js';
import {
  startSlackEmulator,
  type SlackEmulator,
  type SlackEmulatorOptions,
} from '../../src/emulator/index.js';
import { policies } from '../../src/retry/policy.js';
import { createWebSlackClient } from '../../src/slack/web-client.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';

export const TEST_TOKEN = 'xoxb-test-token-0000';

export interface TestThreader {
  app: App;
  emu: SlackEmulator;
  url: string;
  dbPath: string;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  post(
    body: unknown,
    opts?: { path?: string; headers?: Record<string, string>; raw?: string },
  ): Promise<Response>;
  json<T = unknown>(path: string): Promise<T>;
  close(): Promise<void>;
}

/**
 * A real `threader serve` app in this process on port 0, talking over HTTP to a real emulator.
 * Logs are captured so tests can assert that secrets never appear in them.
 */
export async function startThreader(
  opts: { env?: Env; emulator?: SlackEmulatorOptions; deps?: AppDeps; configPath?: string } = {},
): Promise<TestThreader> {
  const emu = await startSlackEmulator({ token: TEST_TOKEN, ...opts.emulator });
  const dbPath = join(mkdtempSync(join(tmpdir(), 'threader-test-')), 'threader.db');
  const config = await loadConfig({
    configPath: opts.configPath,
    env: {
      THREADER_DB: dbPath,
      SLACK_CHANNEL: 'C_ALERTS',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'debug',
      ...opts.env,
    },
  });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      cb();
    },
  });
  const metrics = createMetrics({ defaultMetrics: false });
  const app = await createApp(config, {
    metrics,
    logger: createLogger({ level: 'debug', metrics, destination: sink }),
    slack: createWebSlackClient({ token: TEST_TOKEN, slackApiUrl: emu.url, timeoutMs: 5_000 }),
    slackPolicy: policies.instant,
    ...opts.deps,
  });
  const { url } = await app.listen();
  return {
    app,
    emu,
    url,
    dbPath,
    logs,
    post: (body, o = {}) =>
      fetch(`${url}${o.path ?? '/webhook/alertmanager'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...o.headers },
        body: o.raw ?? JSON.stringify(body),
      }),
    json: async (path) => (await (await fetch(`${url}${path}`)).json()) as never,
    close: async () => {
      await app.close();
      await emu.close();
    },
  };
}
