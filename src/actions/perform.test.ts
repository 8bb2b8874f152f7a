import { describe, expect, it } from 'vitest';
import type { AlertmanagerClient, PostableSilence } from '../alertmanager/types.js';
import { AlertmanagerApiError } from '../errors.js';
import { episode } from '../../test/helpers/builders.js';
import type { EpisodeState } from '../core/types.js';
import type { SlackActionRecord, ThreadInteraction, ThreadRecord } from '../store/types.js';
import { perform, type PerformDeps } from './perform.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const ANA = { id: 'U0ANA', name: 'ana' };
const HOUR = 3_600_000;

function thread(
  interaction: ThreadInteraction | null = null,
  over: Partial<EpisodeState> = {},
): ThreadRecord<EpisodeState> {
  const state = episode({ id: 'ep_1', ...over });
  return {
    id: 'ep_1',
    kind: 'alert',
    threadKey: state.threadKey,
    seq: 1,
    channel: 'C1',
    parentTs: '1.000100',
    status: state.status,
    state,
    openedAt: 0,
    resolvedAt: null,
    previousId: null,
    updatedAt: 0,
    interaction,
  };
}

const press = (kind: SlackActionRecord['kind'], durationMs?: number): SlackActionRecord => ({
  id: 1,
  threadId: 'ep_1',
  kind,
  actor: ANA,
  durationMs,
  now: NOW,
  status: 'running',
  error: null,
});

function fakeAm(fail?: Error) {
  const created: PostableSilence[] = [];
  const expired: string[] = [];
  const client: AlertmanagerClient = {
    url: 'http://am.test:9093',
    alerts: async () => [],
    createSilence: async (s) => {
      if (fail) throw fail;
      created.push(s);
      return 'sil-1';
    },
    getSilence: async () => {
      throw new Error('unused');
    },
    expireSilence: async (id) => {
      if (fail) throw fail;
      expired.push(id);
    },
    uptimeMs: async () => 0,
  };
  const asked: Array<string | undefined> = [];
  const deps: PerformDeps = {
    slack: { getPermalink: async (c, ts) => `https://slack.test/archives/${c}/p${ts.replace('.', '')}` },
    alertmanagerFor: (url) => {
      asked.push(url);
      return client;
    },
  };
  return { deps, created, expired, asked };
}

/** The interaction state a press leaves, applied to the state as stored when it finishes. */
const after = (out: { change?: (c: ThreadInteraction) => ThreadInteraction | undefined }, stored = {}) =>
  out.change?.(stored);

describe('perform', () => {
  it('an Ack records who and when', async () => {
    const out = await perform(press('ack'), thread(), NOW, fakeAm().deps);
    expect(out.message).toBe('Acknowledged.');
    expect(after(out)).toEqual({ ack: { by: ANA, at: NOW } });
  });

  it('a second Ack keeps the first one', async () => {
    const first = { ack: { by: { id: 'U0BOB', name: 'bob' }, at: NOW - 1 } };
    const out = await perform(press('ack'), thread(first), NOW, fakeAm().deps);
    expect(out.change).toBeUndefined();
    expect(out.message).toBe('Already acknowledged by bob.');
  });

  it("a silence goes to the thread's externalURL with the group's labels, the presser and the permalink", async () => {
    const am = fakeAm();
    const out = await perform(press('silence', 4 * HOUR), thread(), NOW, am.deps);
    expect(am.asked).toEqual(['http://alertmanager.local:9093']);
    expect(am.created).toEqual([
      {
        matchers: [
          { name: 'alertname', value: 'HighErrorRate', isRegex: false, isEqual: true },
          { name: 'severity', value: 'critical', isRegex: false, isEqual: true },
        ],
        startsAt: new Date(NOW).toISOString(),
        endsAt: new Date(NOW + 4 * HOUR).toISOString(),
        createdBy: 'ana (Slack U0ANA)',
        comment: 'Silenced from the Slack thread https://slack.test/archives/C1/p1000100',
      },
    ]);
    expect(after(out)?.silence).toEqual({
      id: 'sil-1',
      by: ANA,
      at: NOW,
      endsAt: NOW + 4 * HOUR,
      alertmanagerUrl: 'http://am.test:9093',
      matchers: 'alertname="HighErrorRate", severity="critical"',
    });
    expect(out.message).toContain('alertname="HighErrorRate", severity="critical"');
  });

  it('a configured Alertmanager URL wins over externalURL', async () => {
    const am = fakeAm();
    await perform(press('silence', HOUR), thread(), NOW, {
      ...am.deps,
      configuredUrl: 'http://am.internal:9093',
    });
    expect(am.asked).toEqual(['http://am.internal:9093']);
  });

  it('an Alertmanager failure is told to the presser and changes nothing', async () => {
    const am = fakeAm(
      new AlertmanagerApiError(
        'unreachable',
        'create silence',
        'Alertmanager http://am.test: create silence failed: cannot connect',
      ),
    );
    const out = await perform(press('silence', HOUR), thread(), NOW, am.deps);
    expect(out.change).toBeUndefined();
    expect(out).toMatchObject({
      error: 'alertmanager_api_error',
      message: expect.stringMatching(/^Could not silence: .*cannot connect/),
    });
  });

  it('a group sharing no label is never silenced (a silence without matchers would match everything)', async () => {
    const am = fakeAm();
    const out = await perform(
      press('silence', HOUR),
      thread(null, { groupLabels: {}, commonLabels: {} }),
      NOW,
      am.deps,
    );
    expect(am.created).toEqual([]);
    expect(out.error).toBe('no_matchers');
  });

  it('Unsilence expires the silence where it was created and remembers who did', async () => {
    const am = fakeAm();
    const silence = {
      id: 'sil-1',
      by: ANA,
      at: NOW - HOUR,
      endsAt: NOW + HOUR,
      alertmanagerUrl: 'http://am.test:9093',
    };
    const bob = { id: 'U0BOB', name: 'bob' };
    const out = await perform({ ...press('unsilence'), actor: bob }, thread({ silence }), NOW, am.deps);
    expect(am.asked).toEqual(['http://am.test:9093']);
    expect(am.expired).toEqual(['sil-1']);
    expect(after(out, { silence })).toEqual({ unsilenced: { id: 'sil-1', by: bob, at: NOW } });
  });

  it('Unsilence of a silence that already ended only updates the thread', async () => {
    const am = fakeAm();
    const silence = {
      id: 'sil-1',
      by: ANA,
      at: NOW - 2 * HOUR,
      endsAt: NOW - HOUR,
      alertmanagerUrl: 'http://am.test:9093',
    };
    const out = await perform(press('unsilence'), thread({ silence }), NOW, am.deps);
    expect(am.expired).toEqual([]);
    expect(after(out, { silence })?.unsilenced?.id).toBe('sil-1');
  });

  it('an Ack made meanwhile elsewhere survives a Silence: the change applies to the state as stored', async () => {
    const out = await perform(press('silence', HOUR), thread(), NOW, fakeAm().deps);
    const bob = { ack: { by: { id: 'U0BOB', name: 'bob' }, at: NOW - 5 } };
    expect(after(out, bob)).toMatchObject({ ...bob, silence: { id: 'sil-1' } });
  });

  it('a Silence that finds another one recorded meanwhile changes nothing and says so', async () => {
    const out = await perform(press('silence', HOUR), thread(), NOW, fakeAm().deps);
    const other = {
      silence: { id: 'sil-0', by: ANA, at: NOW - 1, endsAt: NOW + HOUR, alertmanagerUrl: 'http://am' },
    };
    expect(after(out, other)).toBeUndefined();
    expect(out.unchanged?.(other)).toMatch(/^Already silenced until .* \(silence sil-0\)\.$/);
    expect(out.created?.id).toBe('sil-1');
  });

  const generic: Array<[string, Record<string, string>, boolean]> = [
    [
      'a group sharing only severity is not silenced: that would silence every critical alert',
      { severity: 'critical' },
      false,
    ],
    ['a group sharing only a cluster label is not silenced', { cluster: 'eu-1' }, false],
    ['a group sharing its alertname alone is silenced', { alertname: 'Down' }, true],
    [
      'a group sharing two labels without an alertname is silenced',
      { service: 'api', cluster: 'eu-1' },
      true,
    ],
  ];
  it.each(generic)('%s', async (_name, labels, silenced) => {
    const am = fakeAm();
    const out = await perform(
      press('silence', HOUR),
      thread(null, { groupLabels: {}, commonLabels: labels }),
      NOW,
      am.deps,
    );
    expect(am.created).toHaveLength(silenced ? 1 : 0);
    if (!silenced) {
      expect(out.error).toBe('no_matchers');
      expect(out.message).toContain(
        Object.entries(labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(', '),
      );
    }
  });

  it('Unsilence uses the configured URL, credentials included, when the silence was created there', async () => {
    const am = fakeAm();
    const silence = {
      id: 'sil-1',
      by: ANA,
      at: NOW - HOUR,
      endsAt: NOW + HOUR,
      alertmanagerUrl: 'http://am.test:9093',
    };
    await perform(press('unsilence'), thread({ silence }), NOW, {
      ...am.deps,
      configuredUrl: 'http://ops:s3cret@am.test:9093/',
    });
    expect(am.asked).toEqual(['http://ops:s3cret@am.test:9093/']);
  });

  it('Unsilence of a silence made at another Alertmanager goes there, never to the configured one', async () => {
    const am = fakeAm();
    const silence = {
      id: 'sil-1',
      by: ANA,
      at: NOW - HOUR,
      endsAt: NOW + HOUR,
      alertmanagerUrl: 'http://am-eu:9093',
    };
    await perform(press('unsilence'), thread({ silence }), NOW, {
      ...am.deps,
      configuredUrl: 'http://ops:s3cret@am-us:9093',
    });
    expect(am.asked).toEqual(['http://am-eu:9093']);
  });
});
