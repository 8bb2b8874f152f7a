import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeployRecord, DeployStatus } from '../deploy/types.js';
import { FINAL_STATUSES, type DeployStore } from '../store/deploy-types.js';

/**
 * Deploy metrics, read from the deploy records `threader deploy` writes (deploys.stateDb) at
 * scrape time: the records are the truth, so the numbers are the same on every replica and
 * survive restarts — a counter derived from them never resets. Names in docs/metrics.md.
 */

/** What the metrics need of one record (kept per record between scrapes). */
export interface DeploySummary {
  id: string;
  env: string;
  strategy: string;
  status: DeployStatus;
  /** A `threader rollback` record. */
  rollbackOf: boolean;
  /**
   * The executor reverted it after a failed step, and the revert finished (not after an abort by a
   * person). A revert that failed is DeployRevertFailed's case (status `failed`), not a rollback.
   */
  reverted: boolean;
  createdAt: number;
  finishedAt: number | null;
}

type Sample<L extends string> = { labels: Record<L, string>; value: number };

export interface DeploySeries {
  deploys: Sample<'env' | 'strategy' | 'status'>[];
  rollbacks: Sample<'env' | 'trigger'>[];
  inProgress: Sample<'env'>[];
  lastSuccess: Sample<'env'>[];
  lastDuration: Sample<'env'>[];
  lastFinished: Sample<'env' | 'status'>[];
}

const isFinal = (s: DeployStatus) => FINAL_STATUSES.includes(s);
const ACTIVE: readonly DeployStatus[] = ['running', 'paused', 'waiting-approval', 'rolling-back'];

export function summarize(r: DeployRecord): DeploySummary {
  return {
    id: r.id,
    env: r.env,
    strategy: r.strategy,
    status: r.status,
    rollbackOf: Boolean(r.rollbackOf),
    // Only the final `rolled-back`: counted from `rolling-back` on, a revert that then failed would
    // take the counter back down, which Prometheus reads as a reset (a spurious increase()).
    reverted: r.status === 'rolled-back' && r.failure !== undefined && !r.failure.aborted,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}

/** The samples of every deploy family. Pure. */
export function deploySeries(summaries: Iterable<DeploySummary>): DeploySeries {
  const counts = new Map<string, Sample<'env' | 'strategy' | 'status'>>();
  const perEnv = new Map<
    string,
    { automatic: number; manual: number; active: boolean; success?: number; last?: DeploySummary }
  >();
  for (const s of summaries) {
    const key = `${s.env}\0${s.strategy}\0${s.status}`;
    const c = counts.get(key) ?? { labels: { env: s.env, strategy: s.strategy, status: s.status }, value: 0 };
    c.value++;
    counts.set(key, c);
    const e = perEnv.get(s.env) ?? { automatic: 0, manual: 0, active: false };
    if (s.reverted) e.automatic++;
    if (s.rollbackOf) e.manual++;
    if (!isFinal(s.status)) e.active = true;
    if (isFinal(s.status) && s.finishedAt !== null) {
      if (s.status === 'succeeded' && s.finishedAt > (e.success ?? -Infinity)) e.success = s.finishedAt;
      if (!e.last || s.finishedAt > (e.last.finishedAt as number)) e.last = s;
    }
    perEnv.set(s.env, e);
  }
  const envs = [...perEnv.entries()].sort(([a], [b]) => a.localeCompare(b));
  return {
    deploys: [...counts.values()],
    // Both triggers from the first record on: increase() only sees a rollback that a 0 came before.
    rollbacks: envs.flatMap(([env, e]) => [
      { labels: { env, trigger: 'automatic' }, value: e.automatic },
      { labels: { env, trigger: 'manual' }, value: e.manual },
    ]),
    inProgress: envs.map(([env, e]) => ({ labels: { env }, value: e.active ? 1 : 0 })),
    lastSuccess: envs.flatMap(([env, e]) =>
      e.success !== undefined ? [{ labels: { env }, value: e.success / 1000 }] : [],
    ),
    lastDuration: envs.flatMap(([env, e]) =>
      e.last ? [{ labels: { env }, value: ((e.last.finishedAt as number) - e.last.createdAt) / 1000 }] : [],
    ),
    lastFinished: envs.flatMap(([env, e]) =>
      e.last ? [{ labels: { env, status: e.last.status }, value: (e.last.finishedAt as number) / 1000 }] : [],
    ),
  };
}

/** Records read once are kept as summaries; a scrape asks only for the newest and the active ones. */
const RECENT = 50;
const ALL = 1_000_000;

export class DeploySummaryIndex {
  private readonly byId = new Map<string, DeploySummary>();
  private seeded = false;

  constructor(private readonly store: Pick<DeployStore, 'list' | 'get'>) {}

  async refresh(): Promise<DeploySummary[]> {
    if (!this.seeded) {
      for (const r of await this.store.list({ limit: ALL })) this.byId.set(r.id, summarize(r));
      this.seeded = true;
      return [...this.byId.values()];
    }
    const lists = await Promise.all([
      this.store.list({ limit: RECENT }),
      ...ACTIVE.map((status) => this.store.list({ status, limit: ALL })),
    ]);
    const seen = new Set<string>();
    for (const r of lists.flat()) {
      seen.add(r.id);
      this.byId.set(r.id, summarize(r));
    }
    // Active when last seen, in neither list now: it finished since (or was removed).
    for (const s of [...this.byId.values()]) {
      if (isFinal(s.status) || seen.has(s.id)) continue;
      const r = await this.store.get(s.id);
      if (r) this.byId.set(r.id, summarize(r));
      else this.byId.delete(s.id);
    }
    return [...this.byId.values()];
  }
}

export interface DeployMetrics {
  /** Starts exporting from `store` (serve with deploys.stateDb); without it the families stay empty. */
  watch(store: Pick<DeployStore, 'list' | 'get'>): void;
}

/** Registers the deploy families on `registry`; their values come from the store at each scrape. */
export function createDeployMetrics(registry: Registry): DeployMetrics {
  let index: DeploySummaryIndex | undefined;
  let last: DeploySeries | undefined;
  let pending: Promise<DeploySeries | undefined> | undefined;
  // Every family's collect() runs in the same scrape: one read of the store serves them all.
  const snapshot = () =>
    (pending ??= (async () => {
      try {
        if (index) last = deploySeries(await index.refresh());
      } catch {
        // The deploy store is another process's file: a failed read keeps the previous values.
      }
      return last;
    })().finally(() => (pending = undefined)));

  function gauge<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    pick: (s: DeploySeries) => Sample<L>[],
  ) {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        for (const x of s ? pick(s) : []) this.set(x.labels as never, x.value);
      },
    });
  }
  gauge(
    'threader_deploys',
    'Deploy records by environment, strategy and current status.',
    ['env', 'strategy', 'status'],
    (s) => s.deploys,
  );
  new Counter<'env' | 'trigger'>({
    name: 'threader_deploy_rollbacks_total',
    help: 'Rollbacks by environment and trigger: automatic (the executor reverted a deploy after a failed step) or manual (threader rollback).',
    labelNames: ['env', 'trigger'],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const x of s?.rollbacks ?? []) this.inc(x.labels, x.value);
    },
  });
  gauge(
    'threader_deploy_in_progress',
    '1 while the environment has an active deploy (running, paused, waiting for approval, rolling back).',
    ['env'],
    (s) => s.inProgress,
  );
  gauge(
    'threader_deploy_last_success_timestamp_seconds',
    'When the newest successful deploy of the environment finished (Unix seconds).',
    ['env'],
    (s) => s.lastSuccess,
  );
  gauge(
    'threader_deploy_last_duration_seconds',
    'How long the newest finished deploy of the environment took, start to finish.',
    ['env'],
    (s) => s.lastDuration,
  );
  gauge(
    'threader_deploy_last_finished_timestamp_seconds',
    'When the newest finished deploy of the environment ended (Unix seconds), labelled with how it ended.',
    ['env', 'status'],
    (s) => s.lastFinished,
  );
  return {
    watch(store) {
      index = new DeploySummaryIndex(store);
    },
  };
}
