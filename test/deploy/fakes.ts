import { ConflictError } from '../../src/errors.js';
import type { InstanceDriver } from '../../src/deploy/drivers/types.js';
import type { ControlRequest, ExecutorStore } from '../../src/deploy/executor-types.js';
import type {
  DeployEvent,
  DeployRecord,
  DeployStatus,
  EnvironmentSpec,
  Plan,
  Step,
  StoredDeployEvent,
} from '../../src/deploy/types.js';
import { FINAL_STATUSES } from '../../src/store/deploy-types.js';
import type { Measurement, MetricCheck, MetricProvider } from '../../src/metrics/types.js';
import type { TrafficRouter, UpstreamServer } from '../../src/traffic/types.js';

/** In-memory fakes of the deploy seams, for the executor's unit tests. */

export class MemoryDeployStore implements ExecutorStore {
  records = new Map<string, DeployRecord>();
  log: StoredDeployEvent[] = [];
  controls = new Map<string, ControlRequest[]>();
  /** Every update, in order (to check progress is saved after each step). */
  updates: Array<{ id: string; patch: Partial<DeployRecord> }> = [];

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async create(record: DeployRecord): Promise<void> {
    const holder = await this.active(record.env);
    if (holder) throw new ConflictError(`deploy ${holder.id} by ${holder.by} holds ${record.env}`);
    this.records.set(record.id, structuredClone(record));
  }
  async get(id: string): Promise<DeployRecord | null> {
    const r = this.records.get(id);
    return r ? structuredClone(r) : null;
  }
  async update(id: string, patch: Partial<DeployRecord>): Promise<DeployRecord> {
    const r = this.records.get(id);
    if (!r) throw new Error(`no deploy ${id}`);
    this.updates.push({ id, patch: structuredClone(patch) });
    const next = { ...r, ...structuredClone(patch) };
    this.records.set(id, next);
    return structuredClone(next);
  }
  async active(env: string): Promise<DeployRecord | null> {
    return (
      [...this.records.values()].find((r) => r.env === env && !FINAL_STATUSES.includes(r.status)) ?? null
    );
  }
  async list(filter: { env?: string; status?: DeployStatus; limit?: number }): Promise<DeployRecord[]> {
    return [...this.records.values()]
      .filter((r) => (!filter.env || r.env === filter.env) && (!filter.status || r.status === filter.status))
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, filter.limit ?? 100);
  }
  async lastSucceeded(env: string): Promise<DeployRecord | null> {
    return (await this.list({ env, status: 'succeeded' }))[0] ?? null;
  }
  async appendEvent(deployId: string, event: DeployEvent, at: number): Promise<StoredDeployEvent> {
    const stored = { deployId, seq: this.log.length + 1, at, event: structuredClone(event) };
    this.log.push(stored);
    return stored;
  }
  async events(deployId: string, afterSeq = 0): Promise<StoredDeployEvent[]> {
    return this.log.filter((e) => e.deployId === deployId && e.seq > afterSeq);
  }
  async requestControl(id: string, request: ControlRequest): Promise<void> {
    this.controls.set(id, [...(this.controls.get(id) ?? []), request]);
  }
  async takeControls(id: string): Promise<ControlRequest[]> {
    const pending = this.controls.get(id) ?? [];
    this.controls.delete(id);
    return pending;
  }
  async claimOwner(
    id: string,
    owner: NonNullable<DeployRecord['owner']>,
    expected: DeployRecord['owner'] | null,
  ): Promise<DeployRecord | null> {
    const r = this.records.get(id);
    if (!r) throw new Error(`no deploy ${id}`);
    const now = r.owner ?? null;
    const same =
      now === null
        ? expected == null
        : expected != null &&
          now.pid === expected.pid &&
          now.host === expected.host &&
          now.heartbeatAt === expected.heartbeatAt;
    if (!same) return null;
    return this.update(id, { owner });
  }
  eventTypes(id: string): string[] {
    return this.log.filter((e) => e.deployId === id).map((e) => e.event.type);
  }
}

export class FakeDriver implements InstanceDriver {
  readonly kind = 'process' as const;
  calls: string[] = [];
  running = new Map<string, string>();
  /** Instance names whose start fails this many more times. */
  failStarts = new Map<string, number>();
  /** Instance names whose started process dies at once (e.g. EADDRINUSE behind an old one). */
  diesOnStart = new Set<string>();
  async start(instance: { name: string }, version: string): Promise<void> {
    const left = this.failStarts.get(instance.name) ?? 0;
    if (left > 0) {
      this.failStarts.set(instance.name, left - 1);
      this.calls.push(`start-failed ${instance.name}`);
      throw new Error(`cannot start ${instance.name}`);
    }
    this.calls.push(`start ${instance.name} ${version}`);
    if (this.diesOnStart.has(instance.name)) this.running.delete(instance.name);
    else this.running.set(instance.name, version);
  }
  async stop(instance: { name: string }): Promise<void> {
    this.calls.push(`stop ${instance.name}`);
    this.running.delete(instance.name);
  }
  async state(instance: { name: string }) {
    const version = this.running.get(instance.name);
    return version ? { running: true, version } : { running: false };
  }
}

export class FakeRouter implements TrafficRouter {
  readonly kind = 'fake';
  applied: Array<Record<string, number>> = [];
  servers: UpstreamServer[] = [];
  async apply(servers: UpstreamServer[]) {
    const changed = JSON.stringify(servers) !== JSON.stringify(this.servers);
    this.servers = servers;
    this.applied.push(Object.fromEntries(servers.map((s) => [s.name, s.weight])));
    return { changed, config: JSON.stringify(servers) };
  }
  async current() {
    return this.servers;
  }
  get weights(): Record<string, number> {
    return Object.fromEntries(this.servers.map((s) => [s.name, s.weight]));
  }
}

/** Answers each check with the next scripted value (number, 'none' for no data, 'error'). */
export class ScriptedProvider implements MetricProvider {
  readonly kind = 'scripted';
  measured = 0;
  /** Every check asked for, as asked (to see what an analysis was scoped to). */
  asked: MetricCheck[] = [];
  constructor(private readonly script: Array<number | 'none' | 'error'>) {}
  async measure(check: MetricCheck): Promise<Measurement> {
    this.asked.push(structuredClone(check));
    const next = this.script[Math.min(this.measured, this.script.length - 1)];
    this.measured++;
    if (next === 'error') throw new Error('prometheus unreachable');
    return { values: next === 'none' ? [] : [next as number], query: `q(${check.name})`, at: 0 };
  }
}

export function testEnv(overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  const instances = ['a', 'b', 'c', 'd'].map((name, i) => ({
    name,
    host: '127.0.0.1',
    port: 9001 + i,
    tags: name === 'd' ? ['canary'] : [],
  }));
  return {
    name: 'production',
    instances,
    driver: { type: 'process', stateDir: '/tmp/x', stopTimeout: 1_000 },
    run: { command: ['svc'], env: {} },
    healthCheck: {
      path: '/healthz',
      expectStatus: 200,
      successes: 2,
      interval: 1_000,
      timeout: 500,
      deadline: 10_000,
    },
    traffic: {
      type: 'nginx',
      configFile: '/tmp/up.conf',
      upstream: 'app',
      testCommand: [],
      reloadCommand: [],
    },
    strategy: {
      default: 'rolling',
      rolling: { maxSurge: '25%', maxUnavailable: '25%', drainDelay: 1_000 },
      canary: { instances: ['d'], tags: [], steps: [], drainDelay: 0 },
      blueGreen: {
        prePromotionAnalysis: false,
        postPromotionAnalysis: false,
        scaleDownDelay: 0,
        drainDelay: 0,
        manualPromotion: false,
      },
    },
    analysis: {
      provider: { type: 'scrape', timeout: 1_000 },
      checks: [
        {
          name: 'http_5xx_ratio',
          query: 'sum(rate(x[1m]))',
          comparator: '<=',
          threshold: 0.01,
          noData: 'fail',
          unit: 'ratio',
        },
      ],
      window: 60_000,
      interval: 2_000,
      count: 3,
      failureLimit: 0,
      consecutiveErrorLimit: 4,
      inconclusiveLimit: 0,
      noData: 'fail',
    },
    approval: { required: false, timeout: 60_000, onTimeout: 'rollback' },
    guard: { lockDuration: 600_000 },
    ...overrides,
  };
}

export function testRecord(steps: Step[], over: Partial<DeployRecord> = {}): DeployRecord {
  const plan: Plan = {
    env: 'production',
    strategy: 'canary',
    fromVersion: 'v1',
    toVersion: 'v2',
    steps,
    mandatedWaitMs: 0,
    worstCaseMs: 0,
    noop: false,
  };
  return {
    id: 'd-1',
    env: 'production',
    service: 'svc',
    strategy: 'canary',
    fromVersion: 'v1',
    toVersion: 'v2',
    by: 'alice',
    status: 'running',
    plan,
    stepIndex: 0,
    createdAt: 0,
    updatedAt: 0,
    finishedAt: null,
    ...over,
  };
}
