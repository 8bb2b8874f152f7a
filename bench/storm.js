/**
 * Figure 3, storm: 100 alert groups of 10 alerts each (1,000 alerts, one webhook per group) for
 * ONE channel. Every group needs one parent message, and Slack allows chat.postMessage about once
 * per second per channel with a small burst, so the drain time has a hard lower bound:
 *   T_min = (P - B) / r   (P parents to post, B the burst the bucket starts with, r posts per second)
 * The figure is the measured drain (first accepted webhook -> last parent posted) divided by T_min.
 */
import { setTimeout, clearTimeout } from 'node:timers';
import { DEFAULT_RATE_LIMITS } from '../dist/emulator/index.js';
import { jsonRequest, sendAll } from './lib/connection.js';
import { groupBodies } from './lib/payload.js';
import { spawnServer } from './lib/spawn-server.js';
import { round } from './lib/stats.js';

const PATH = '/webhook/alertmanager';

/** @param {{groups: number, alertsPerGroup: number, postRate?: number, keep?: boolean}} o */
export async function measureStorm(o) {
  const slackDefault = DEFAULT_RATE_LIMITS['chat.postMessage'];
  const scaled = o.postRate !== undefined && o.postRate !== slackDefault.ratePerSec;
  const limit = { ratePerSec: o.postRate ?? slackDefault.ratePerSec, burst: slackDefault.burst };
  const server = await spawnServer({
    kind: 'threader',
    probeFirstAccept: true,
    // One parent per group: this figure is the raw Slack bound; storm-digest.js measures the digest.
    storm: { enabled: false },
    keep: o.keep,
    // Emulator AND threader get the scaled limit, as a workspace with that limit would be configured.
    ...(scaled && { postLimit: limit }),
  });
  try {
    const before = (await server.call('slack')).stats.total;
    const bodies = groupBodies(o.groups, { alerts: o.alertsPerGroup, run: 'storm' }).map((b) =>
      jsonRequest(server.target.host, server.target.port, PATH, b),
    );
    const statuses = await sendAll(server.target, bodies, 10);
    const minMs = ((o.groups - limit.burst) / limit.ratePerSec) * 1000;
    const waited = await server.call('waitParents', {
      count: o.groups,
      timeoutMs: Math.max(30_000, 3 * minMs),
    });
    // Trailing calls (edits, retries) after the last parent count too; settle waits for them.
    let timer;
    await Promise.race([server.call('settle'), new Promise((r) => (timer = setTimeout(r, 30_000)))]);
    clearTimeout(timer);
    const slack = await server.call('slack');
    const calls = slack.stats.total - before;
    const lastParentAt = Math.max(...waited.postedAt);
    const drainMs = lastParentAt - waited.firstAcceptAt;
    const gaps = waited.postedAt
      .slice()
      .sort((a, b) => a - b)
      .map((t, i, all) => (i === 0 ? 0 : t - all[i - 1]));
    const details = {
      groups: o.groups,
      alertsPerGroup: o.alertsPerGroup,
      channel: 'C_BENCH',
      postLimit: { ...limit, scaledForQuickMode: scaled, slackDefault },
      formula: 'T_min = (parents - burst) / postsPerSecond',
      lowerBoundMs: round(minMs, 0),
      drainMs,
      webhookStatuses: statuses,
      parentsPosted: waited.parents,
      largestGapBetweenParentsMs: Math.max(...gaps),
      slackCalls: calls,
      slackCallsByMethod: slack.stats.by_method,
      ratelimited429: slack.stats.ratelimited,
      maxPostsInAnySecond: slack.maxPostsPerSecond,
    };
    const complete = waited.parents >= o.groups;
    return [
      {
        figure: `storm drain (${o.groups} groups, ${limit.ratePerSec} post/s${scaled ? ', scaled' : ''})`,
        unit: 's',
        value: complete ? round(drainMs / 1000, 2) : `incomplete ${waited.parents}/${o.groups}`,
        baseline: round(minMs / 1000, 2),
        ratio: complete ? round(drainMs / minMs, 3) : NaN,
        goal: { op: '<=', ratio: 1.15 },
        details,
      },
      {
        figure: 'Slack calls per notification',
        unit: 'calls',
        value: round(calls / o.groups, 3),
        baseline: 1,
        ratio: round(calls / o.groups, 3),
        goal: { op: '<=', value: 1.5 },
      },
    ];
  } finally {
    await server.close();
  }
}
