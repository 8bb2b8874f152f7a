/**
 * Figure 4, storm with the digest on: the same storm as figure 3 (N groups for ONE channel, one
 * webhook each) with the default budget (10 new threads per 60 s). The first groups get their own
 * parents; the rest are rows in one digest parent, edited in place, with their details as replies.
 *
 * Baseline: the Slack rate-limit bound for giving every group its own parent,
 *   T_min = (N - B) / r   (B the burst the bucket starts with, r posts per second).
 * Figures:
 *   - visible: first accepted webhook -> every group shown in Slack (its own parent, or its row in
 *     a digest edit Slack accepted), as a ratio to T_min (the digest's point: far below 1);
 *   - full drain: -> the last message of the storm (every detail reply), as a ratio to the bound of
 *     the posts the digest needs, (P - B) / r with P = own parents + digest parent + replies.
 */
import { setTimeout, clearTimeout } from 'node:timers';
import { DEFAULT_RATE_LIMITS } from '../dist/emulator/index.js';
import { jsonRequest, sendAll } from './lib/connection.js';
import { groupBodies } from './lib/payload.js';
import { spawnServer } from './lib/spawn-server.js';
import { round } from './lib/stats.js';

const PATH = '/webhook/alertmanager';
const DIGEST = /^Storm (digest|over): (\d+) groups? collected/;

/** @param {{groups: number, alertsPerGroup: number, postRate?: number, keep?: boolean}} o */
export async function measureStormDigest(o) {
  const slackDefault = DEFAULT_RATE_LIMITS['chat.postMessage'];
  const scaled = o.postRate !== undefined && o.postRate !== slackDefault.ratePerSec;
  const limit = { ratePerSec: o.postRate ?? slackDefault.ratePerSec, burst: slackDefault.burst };
  const server = await spawnServer({
    kind: 'threader',
    probeFirstAccept: true,
    keep: o.keep,
    storm: { enabled: true },
    ...(scaled && { postLimit: limit }),
  });
  try {
    const bodies = groupBodies(o.groups, { alerts: o.alertsPerGroup, run: 'storm-digest' }).map((b) =>
      jsonRequest(server.target.host, server.target.port, PATH, b),
    );
    const statuses = await sendAll(server.target, bodies, 10);
    const { firstAcceptAt } = await server.call('waitParents', { count: 0, timeoutMs: 0 });
    const boundMs = ((o.groups - limit.burst) / limit.ratePerSec) * 1000;
    // Every post the digest needs goes at r per second: wait up to 3× that bound.
    let timer;
    await Promise.race([
      server.call('settle'),
      new Promise((r) => (timer = setTimeout(r, Math.max(30_000, 3 * boundMs + 30_000)))),
    ]);
    clearTimeout(timer);
    const messages = await server.call('messages');
    const slack = await server.call('slack');

    const parents = messages.filter((m) => !m.thread_ts);
    const digest = parents.find((m) => DIGEST.test(m.original.text));
    const own = parents.filter((m) => m !== digest);
    // When was every group visible: own parents posted, and a digest version listing the rest.
    const inDigest = o.groups - own.length;
    const versions = digest
      ? [{ at_ms: digest.posted_at_ms, text: digest.original.text }, ...digest.edits]
      : [];
    const complete = versions.find((v) => Number(DIGEST.exec(v.text)?.[2] ?? -1) >= inDigest);
    const lastOwn = Math.max(0, ...own.map((m) => m.posted_at_ms));
    const visibleAt = inDigest === 0 ? lastOwn : complete && Math.max(lastOwn, complete.at_ms);
    const lastMessageAt = Math.max(...messages.map((m) => m.posted_at_ms));
    const posts = messages.length;
    const postsBoundMs = ((posts - limit.burst) / limit.ratePerSec) * 1000;
    const visibleMs = visibleAt ? visibleAt - firstAcceptAt : NaN;
    const drainMs = lastMessageAt - firstAcceptAt;
    const details = {
      groups: o.groups,
      channel: 'C_BENCH',
      postLimit: { ...limit, scaledForQuickMode: scaled, slackDefault },
      webhookStatuses: statuses,
      ownParents: own.length,
      digestRows: inDigest,
      digestEdits: digest?.edits.length ?? 0,
      postsInChannel: posts,
      visibleMs,
      drainMs,
      boundOwnParentsMs: round(boundMs, 0),
      boundDigestPostsMs: round(postsBoundMs, 0),
      ratelimited429: slack.stats.ratelimited,
      maxPostsInAnySecond: slack.maxPostsPerSecond,
    };
    const label = `${o.groups} groups, ${limit.ratePerSec} post/s${scaled ? ', scaled' : ''}`;
    return [
      {
        figure: `storm visible with digest (${label})`,
        unit: 's',
        value: Number.isFinite(visibleMs) ? round(visibleMs / 1000, 2) : 'incomplete',
        baseline: round(boundMs / 1000, 2),
        ratio: Number.isFinite(visibleMs) ? round(visibleMs / boundMs, 3) : NaN,
        goal: { op: '<=', ratio: 0.25 },
        details,
      },
      {
        figure: `storm drain with digest (${label})`,
        unit: 's',
        value: round(drainMs / 1000, 2),
        baseline: round(postsBoundMs / 1000, 2),
        ratio: round(drainMs / postsBoundMs, 3),
        goal: { op: '<=', ratio: 1.15 },
      },
    ];
  } finally {
    await server.close();
  }
}
