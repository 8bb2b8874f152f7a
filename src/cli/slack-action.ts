import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import { deployRenderer } from '../notify/deploy-renderer.js';
import { backfillPosted } from '../notify/thread-backfill.js';
import { BLOCKED_SLACK_ERRORS } from '../slack/classify.js';
import { noteRenderer } from '../slack/note-renderer.js';
import type { Delivery, SessionOptions, SlackSession } from '../slack/session.js';
import { formatThreadRef } from '../slack/thread-ref.js';
import { displayStore } from '../store/open.js';
import {
  ciKey,
  dotenvLine,
  githubOutputLine,
  openKey,
  parseChannel,
  parseLink,
  parseStatus,
  parseTimeout,
  replyKey,
  requireText,
  resolveThread,
  stageReply,
  THREAD_ENV,
} from './slack-args.js';
import type { NotifyFlags, SlackCommonFlags, ThreadOpenFlags, ThreadReplyFlags } from './slack.js';

/** Calls still in flight when a command gives up get this long to record their result. */
const DRAIN_MS = 2_000;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`threader: ${line}\n`);

export async function threadOpen(flags: ThreadOpenFlags): Promise<void> {
  const env = process.env;
  const title = requireText('--title', flags.title);
  const timeoutMs = parseTimeout(flags.timeout);
  const config = await setup(flags);
  const channel = parseChannel('--channel', flags.channel ?? config.slack.channel);
  // The channel is part of the key: one run may open a thread per environment's channel.
  const key =
    flags.key !== undefined ? `${channel}:${flags.key}` : (openKey(channel, title, env) ?? randomUUID());
  await withSession(config, {}, async (session) => {
    const threadId = await session.open(channel, title, key);
    const opened = (await session.store.getThread<{ title?: string }>(threadId))?.state.title;
    if (opened !== undefined && opened !== title)
      err(
        `--key ${flags.key}: a thread was opened with this key before, titled "${opened}"; replying into that one (its title stays)`,
      );
    const delivery = await session.deliver([{ threadId }], timeoutMs);
    if (delivery.state !== 'delivered') return report(config, delivery, flags, timeoutMs);
    const thread = await session.store.getThread(threadId);
    const ref = formatThreadRef({ channel: thread?.channel ?? channel, ts: thread?.parentTs as string });
    if (env.GITHUB_OUTPUT) await appendFile(env.GITHUB_OUTPUT, githubOutputLine(ref));
    if (flags.dotenv) await writeDotenv(flags.dotenv, ref);
    out(flags.json ? JSON.stringify({ state: 'delivered', thread: ref, ...splitRef(ref) }) : ref);
  });
}

export async function threadReply(flags: ThreadReplyFlags): Promise<void> {
  const ref = resolveThread(flags.thread, process.env);
  const reply = stageReply({
    stage: requireText('--stage', flags.stage),
    status: parseStatus(flags.status),
    text: flags.text,
    rollbackCommand: flags.rollbackCommand,
    links: (flags.link ?? []).map(parseLink),
  });
  const timeoutMs = parseTimeout(flags.timeout);
  const config = await setup(flags);
  const run = ciKey(process.env);
  const key = replyKey(ref, reply, run);
  await withSession(config, {}, async (session) => {
    const threadId = await session.adopt(ref);
    // Outside CI a delivered reply may be said again on purpose; within a run it is the same step.
    const outboxId = await session.replyOnce(
      threadId,
      { ...reply, key },
      { reuseDelivered: run !== undefined },
    );
    const delivery = await session.deliver([{ threadId, outboxId }], timeoutMs);
    if (delivery.state !== 'delivered') return report(config, delivery, flags, timeoutMs);
    const ts = (await session.store.messages(threadId)).find((m) => m.outboxId === outboxId)?.ts;
    const thread = formatThreadRef(ref);
    if (flags.json) out(JSON.stringify({ state: 'delivered', thread, ts }));
  });
}

export async function notify(flags: NotifyFlags): Promise<void> {
  const text = requireText('--text', flags.text);
  const links = (flags.link ?? []).map(parseLink);
  const timeoutMs = parseTimeout(flags.timeout);
  const config = await setup(flags);
  const channel = parseChannel('--channel', flags.channel ?? config.slack.channel);
  // A step retried in the same CI run posts its summary once; outside CI every run posts.
  const run = ciKey(process.env);
  const key = `${channel}:notify:${run ? `${run}:${createHash('sha256').update(text).digest('hex')}` : randomUUID()}`;
  await withSession(config, {}, async (session) => {
    const threadId = await session.open(channel, text, key, links.length ? { links } : {});
    const delivery = await session.deliver([{ threadId }], timeoutMs);
    if (delivery.state !== 'delivered') return report(config, delivery, flags, timeoutMs);
    const thread = await session.store.getThread(threadId);
    const ref = formatThreadRef({ channel: thread?.channel ?? channel, ts: thread?.parentTs as string });
    out(flags.json ? JSON.stringify({ state: 'delivered', thread: ref, ...splitRef(ref) }) : ref);
  });
}

/** Delivers what earlier commands left queued: CI note threads and deploy threads alike. */
export async function flush(flags: SlackCommonFlags): Promise<void> {
  const timeoutMs = parseTimeout(flags.timeout);
  const config = await setup(flags);
  const renderers: SessionOptions['renderers'] = (store) => ({
    note: noteRenderer,
    deploy: deployRenderer(store),
  });
  await withSession(config, { renderers }, async (session) => {
    const delivery = await session.deliverAll(timeoutMs);
    await linkDeployThreads(config, session);
    if (delivery.state !== 'delivered') return report(config, delivery, flags, timeoutMs);
    out(flags.json ? JSON.stringify({ state: 'delivered' }) : 'nothing left queued for Slack');
  });
}

/**
 * With the deploy records at hand (THREADER_DEPLOY_DB), deploy threads whose parent only now
 * reached Slack are written onto their records, so the dashboard links them at once. A failure here
 * is no Slack failure: said, and the exit code stays the delivery's.
 */
async function linkDeployThreads(config: LoadedConfig, session: SlackSession): Promise<void> {
  if (!config.deploys.stateDb) return;
  if (!existsSync(config.deploys.stateDb)) {
    err(`no deploy records at ${config.deploys.stateDb} (THREADER_DEPLOY_DB): no deploy thread linked`);
    return;
  }
  try {
    const { openDeployStore } = await import('../store/deploy-sqlite.js');
    const deploys = await openDeployStore(config.deploys.stateDb);
    try {
      const written = await backfillPosted(session.store, deploys);
      if (written > 0) err(`linked ${written} deploy record(s) to their Slack thread`);
    } finally {
      await deploys.close();
    }
  } catch (e) {
    err(`could not link deploy threads in ${config.deploys.stateDb}: ${(e as Error).message}`);
  }
}

async function setup(flags: SlackCommonFlags): Promise<LoadedConfig> {
  const env = process.env;
  const config = await loadConfig({ configPath: flags.config ?? (env.THREADER_CONFIG || undefined), env });
  // Before the channel: without a token loadConfig falls back to the embedded local Slack's channel.
  if (!config.secrets.slackToken)
    throw new UsageError(
      'posting to Slack needs SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE (SLACK_API_URL for an emulator)',
    );
  return config;
}

async function withSession(
  config: LoadedConfig,
  opts: SessionOptions,
  run: (session: SlackSession) => Promise<void>,
): Promise<void> {
  // The Slack client and the store load only here, after every flag was checked.
  const { SlackSession } = await import('../slack/session.js');
  const session = await SlackSession.open(config, opts);
  try {
    await run(session);
  } finally {
    await session.close(DRAIN_MS);
  }
}

/** Exit 1 (still queued) or 3 (refused), saying what a person can do about it. Never a secret. */
function report(config: LoadedConfig, d: Delivery, flags: SlackCommonFlags, timeoutMs: number): void {
  if (d.state === 'delivered') return;
  if (flags.json) out(JSON.stringify(d.state === 'queued' ? d : { state: d.state, ...d.refusal }));
  if (d.state === 'refused') {
    const where = d.refusal.channel ? ` (channel ${d.refusal.channel})` : '';
    err(
      BLOCKED_SLACK_ERRORS.has(d.refusal.error)
        ? `Slack refused: ${d.refusal.error}${where}. Retrying will not help until a person fixes it ` +
            '(the token, its scopes, the bot invited to the channel, the channel ID); the message stays ' +
            'queued and the next command on this store sends it once that is done.'
        : `Slack refused the message itself: ${d.refusal.error}${where}; it is not sent again.`,
    );
    process.exitCode = 3;
    return;
  }
  const why = d.lastError ? ` (last error: ${d.lastError})` : '';
  err(
    `not delivered to Slack within ${timeoutMs / 1000}s${why}; still queued in ${displayStore(config.store.db)}: ` +
      '`threader slack flush` (or the next threader slack command on this store) sends it.',
  );
  process.exitCode = 1;
}

/** GitLab reads the dotenv artifact as KEY=VALUE lines: one line for the thread, the newest. */
async function writeDotenv(file: string, ref: string): Promise<void> {
  let before = '';
  try {
    before = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const kept = before
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith(`${THREAD_ENV}=`))
    .map((l) => `${l}\n`)
    .join('');
  await writeFile(file, kept + dotenvLine(ref));
}

function splitRef(ref: string): { channel: string; ts: string } {
  const i = ref.lastIndexOf(':');
  return { channel: ref.slice(0, i), ts: ref.slice(i + 1) };
}
