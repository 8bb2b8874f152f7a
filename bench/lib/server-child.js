/**
 * The server under test, in its own process: either the real `threader serve` app (SQLite file,
 * an in-process Slack emulator, default logger and metrics) or a bare fastify route. The parent
 * drives it over IPC (see spawn-server.js); log lines go to a file, as under systemd/journald.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const opts = JSON.parse(process.argv[2]);
const TOKEN = 'xoxb-bench-0000';
const LOOP_SAMPLE_MS = 5;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
loopDelay.enable();

async function startBare() {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  // Same framework, same JSON body parser; nothing is validated or stored.
  app.post('/webhook/alertmanager', async (req, reply) =>
    reply.status(200).send({ status: 'accepted', parts: Array.isArray(req.body?.alerts) ? 1 : 0 }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${app.server.address().port}`, commands: {}, close: () => app.close() };
}

async function startThreader() {
  const { createApp } = await import('../../dist/app.js');
  const { loadConfig } = await import('../../dist/config/load.js');
  const { startSlackEmulator } = await import('../../dist/emulator/index.js');
  const { createWebSlackClient } = await import('../../dist/slack/web-client.js');

  const post = opts.postLimit; // { ratePerSec, burst } when the storm scales Slack's limit
  const emu = await startSlackEmulator({
    token: TOKEN,
    ...(post && { rateLimits: { 'chat.postMessage': { perChannel: true, ...post } } }),
  });
  const configPath = join(opts.dir, 'threader.yaml');
  // The threader is told the same rate, as a user would configure it, and keeps its own default
  // burst (one below Slack's); an investigation can override its side (opts.delivery).
  const delivery = {
    ...(post && { postsPerSecond: post.ratePerSec }),
    ...opts.delivery,
  };
  const yaml = Object.entries(delivery).map(([k, v]) => `  ${k}: ${v}\n`);
  // Storm digest settings (opts.storm): the raw storm figure turns it off, the digest figure on.
  const storm = Object.entries(opts.storm ?? {}).map(([k, v]) => `  ${k}: ${v}\n`);
  writeFileSync(
    configPath,
    `# written by bench/lib/server-child.js\n${yaml.length ? `delivery:\n${yaml.join('')}` : ''}${storm.length ? `storm:\n${storm.join('')}` : ''}`,
  );
  const config = await loadConfig({
    configPath,
    env: {
      THREADER_DB: join(opts.dir, 'threader.db'),
      SLACK_CHANNEL: opts.channel,
      HOST: '127.0.0.1',
      PORT: '0',
      // Investigation knobs (e.g. LOG_LEVEL=warn, THREADER_DB on tmpfs); the figures use none.
      ...opts.env,
    },
  });
  const app = await createApp(config, {
    slack: createWebSlackClient({ token: TOKEN, slackApiUrl: emu.url, timeoutMs: 10_000 }),
  });
  let firstAcceptAt;
  if (opts.probeFirstAccept) {
    app.http.addHook('onResponse', async (req, reply) => {
      if (firstAcceptAt === undefined && req.method === 'POST' && reply.statusCode === 200)
        firstAcceptAt = Date.now();
    });
  }
  const { url } = await app.listen();
  const parents = () => emu.messages(opts.channel).filter((m) => !m.thread_ts);
  const commands = {
    store: () => app.store.stats(Date.now()),
    slack: () => ({
      stats: emu.stats(),
      maxPostsPerSecond: emu.maxRateObserved('chat.postMessage', opts.channel, 1000),
    }),
    calls: ({ method }) => emu.calls({ method }),
    /** Every message of the channel with its edits (the storm digest figure reads its timeline). */
    messages: () => emu.messages(opts.channel),
    settle: () => app.settle(),
    /** Polls the emulator until `count` parents exist in the channel (10 ms resolution, exact times). */
    waitParents: async ({ count, timeoutMs }) => {
      const deadline = Date.now() + timeoutMs;
      let seen = parents();
      while (seen.length < count && Date.now() < deadline) {
        await sleep(10);
        seen = parents();
      }
      return {
        firstAcceptAt,
        parents: seen.length,
        postedAt: seen.map((m) => m.posted_at_ms),
      };
    },
  };
  return {
    url,
    commands,
    close: async () => {
      await app.close();
      await emu.close();
    },
  };
}

const server = opts.kind === 'bare' ? await startBare() : await startThreader();
let mark = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
const commands = {
  ...server.commands,
  markUsage: () => {
    mark = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
    loopDelay.reset();
  },
  /** CPU (fraction of one core) and event-loop blocking since markUsage. */
  usage: () => {
    const cpu = process.cpuUsage(mark.cpu);
    const wallUs = Number(process.hrtime.bigint() - mark.at) / 1000;
    // The histogram records whole sampling intervals; an idle loop reads LOOP_SAMPLE_MS.
    const ms = (ns) => Number(Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS).toFixed(2));
    return {
      cpu: Number(((cpu.user + cpu.system) / wallUs).toFixed(3)),
      loopDelayMs: {
        p50: ms(loopDelay.percentile(50)),
        p99: ms(loopDelay.percentile(99)),
        max: ms(loopDelay.max),
      },
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
  },
  close: async () => {
    await server.close();
    setTimeout(() => process.exit(0), 50);
  },
};

process.on('message', async ({ id, cmd, args }) => {
  try {
    const result = await commands[cmd](args ?? {});
    process.send({ id, result });
  } catch (err) {
    process.send({ id, error: String(err?.stack ?? err) });
  }
});
process.send({ ready: true, url: server.url });
