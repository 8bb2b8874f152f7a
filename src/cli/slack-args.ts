import { createHash } from 'node:crypto';
import { parseDuration } from '../config/duration.js';
import { CHANNEL_ID, CHANNEL_ID_PROBLEM } from '../config/channel-id.js';
import { UsageError } from '../errors.js';
import type { NoteReply } from '../slack/note-renderer.js';
import { isHttpUrl } from '../slack/render/escape.js';
import { parseThreadRef, type ThreadRef } from '../slack/thread-ref.js';

/** What `threader slack …` flags mean, checked before anything is opened: pure, table-tested. */

export const STAGE_STATUSES = ['success', 'failure', 'cancelled', 'skipped'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** The env a pipeline passes the thread reference in (GitLab: from the dotenv artifact). */
export const THREAD_ENV = 'THREADER_SLACK_THREAD';

export const DEFAULT_TIMEOUT_MS = 30_000;

export type Env = Record<string, string | undefined>;

export interface Link {
  name: string;
  url: string;
}

export function parseChannel(flag: string, text: string | undefined): string {
  const channel = text?.trim();
  if (!channel)
    throw new UsageError(`${flag} is required (or set $SLACK_CHANNEL): a Slack channel ID like C0123ABCDEF`);
  if (!CHANNEL_ID.test(channel)) throw new UsageError(`${flag}: "${channel}" ${CHANNEL_ID_PROBLEM}`);
  return channel;
}

/** `--thread REF`, else $THREADER_SLACK_THREAD; the error names whichever was given. */
export function resolveThread(flag: string | undefined, env: Env): ThreadRef {
  if (flag !== undefined) return parseThreadRef(flag, '--thread');
  const fromEnv = env[THREAD_ENV]?.trim();
  if (fromEnv) return parseThreadRef(fromEnv, `$${THREAD_ENV}`);
  throw new UsageError(
    `--thread is required (or set $${THREAD_ENV}): the CHANNEL:TS that \`threader slack thread-open\` printed`,
  );
}

export function parseStatus(text: string | undefined): StageStatus {
  const status = (STAGE_STATUSES as readonly string[]).find((s) => s === text?.trim().toLowerCase());
  if (!status) throw new UsageError(`--status: "${text ?? ''}" must be one of ${STAGE_STATUSES.join(', ')}`);
  return status as StageStatus;
}

/** `NAME=URL` (split at the first `=`: URLs carry their own). Only http(s) ever becomes a link. */
export function parseLink(text: string): Link {
  const i = text.indexOf('=');
  const name = text.slice(0, i).trim();
  const url = text.slice(i + 1).trim();
  if (i <= 0 || !name)
    throw new UsageError(`--link: "${text}" is not NAME=URL (like Logs=https://ci.example/1)`);
  if (!isHttpUrl(url)) throw new UsageError(`--link ${name}: "${url}" is not an http(s) URL`);
  return { name, url };
}

export function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`--timeout: "${text}" is not a duration (e.g. 30s, 2m)`);
  return ms;
}

export function requireText(flag: string, text: string | undefined): string {
  if (!text?.trim()) throw new UsageError(`${flag} is required and must not be empty`);
  return text;
}

/**
 * The run a thread belongs to, from the CI's own variables: a step retried in the same run gets
 * the same key and so the same thread. A re-run of a GitHub workflow is a new attempt: a new thread.
 */
export function ciKey(env: Env): string | undefined {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_RUN_ID)
    return `github:${env.GITHUB_REPOSITORY ?? ''}:${env.GITHUB_RUN_ID}:${env.GITHUB_RUN_ATTEMPT ?? '1'}`;
  if (env.GITLAB_CI === 'true' && env.CI_PIPELINE_ID)
    return `gitlab:${env.CI_PROJECT_ID ?? ''}:${env.CI_PIPELINE_ID}`;
  return undefined;
}

const EMOJI: Record<StageStatus, string> = {
  success: ':white_check_mark:',
  failure: ':x:',
  cancelled: ':no_entry_sign:',
  skipped: ':fast_forward:',
};

const WORD: Record<StageStatus, string> = {
  success: 'succeeded',
  failure: 'failed',
  cancelled: 'was cancelled',
  skipped: 'was skipped',
};

/**
 * A stage result as a note reply. Text stays plain here: the note renderer escapes it at send time,
 * so a stage named `<!channel>` mentions nobody. A failure is also shown in the channel.
 */
export function stageReply(r: {
  stage: string;
  status: StageStatus;
  text?: string;
  rollbackCommand?: string;
  links?: Link[];
}): NoteReply {
  const head = `${EMOJI[r.status]} *${r.stage.trim()}* ${WORD[r.status]}`;
  const rollback = r.rollbackCommand?.trim();
  const lines = [head, r.text?.trim(), rollback && 'Roll back with:'].filter(Boolean);
  return {
    text: lines.join('\n'),
    ...(rollback && { code: rollback }),
    ...(r.links?.length && { links: r.links }),
    ...(r.status === 'failure' && { broadcast: true }),
  };
}

/** The line `thread-open` appends to $GITHUB_OUTPUT (steps.<id>.outputs.thread). */
export function githubOutputLine(ref: string): string {
  return `thread=${ref}\n`;
}

/** The line `--dotenv FILE` appends: GitLab's dotenv artifact makes it a variable of later jobs. */
export function dotenvLine(ref: string): string {
  return `${THREAD_ENV}=${ref}\n`;
}

const digest = (parts: unknown[]): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);

/**
 * The key of a `thread-open` without --key: the CI run, the channel (one run may open a thread per
 * environment's channel) and the title, so a step retried in the run finds its thread and a second
 * thread-open with another title opens its own. Outside CI there is no run: undefined (a new thread).
 */
export function openKey(channel: string, title: string, env: Env): string | undefined {
  const run = ciKey(env);
  return run ? `${channel}:${run}:title:${digest([title])}` : undefined;
}

/**
 * What makes two `thread-reply` calls the same reply: the thread, the CI run (when there is one)
 * and everything the reply says (stage, status, text, rollback command, links).
 */
export function replyKey(ref: ThreadRef, reply: NoteReply, run: string | undefined): string {
  return `reply:${digest([ref.channel, ref.ts, run ?? '', reply.text, reply.code ?? '', reply.links ?? [], !!reply.broadcast])}`;
}
