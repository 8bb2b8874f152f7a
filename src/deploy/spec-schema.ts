import { z } from 'zod';
import { guardConfigSchema } from '../config/guard.js';
import { channelId } from '../config/slack-ids.js';
import { durationMs } from '../config/zod-duration.js';
import { HOST_PATTERN } from '../traffic/nginx-render.js';
import type { IntOrPercent } from './types.js';

/**
 * The deploy config's field-by-field schema (docs/deploy.md): strict, so unknown keys fail with
 * their path; defaults here. spec.ts turns its output into a DeploySpec and adds the cross-field rules.
 */

const duration = (dflt: string) => durationMs().prefault(dflt);
/** Timeouts, intervals and deadlines: 0 would mean "fail at once" or "poll in a busy loop" (review R2 #12). */
const positiveMs = () => durationMs().refine((ms) => ms > 0, 'a duration above 0');
const positive = (dflt: string) => positiveMs().prefault(dflt);
const argv = z.array(z.string().min(1)).min(1);
const slackUserId = z
  .string()
  .regex(
    /^[UW][A-Z0-9]{2,30}$/,
    'a Slack user ID like U0123ABCDEF (profile → ⋮ → Copy member ID), not a name or @handle',
  );
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "_" and "-"');

const intOrPercent = z.union([
  z.int().min(0),
  z
    .string()
    .regex(/^\d+(\.\d+)?%$/, 'an absolute count or a percentage like "25%"')
    .refine((s) => Number(s.slice(0, -1)) <= 100, 'a percentage of at most 100%'),
]) as z.ZodType<IntOrPercent, number | string>;

const instance = z.strictObject({
  name,
  // The renderer's own rule, so check-config finds a host nginx cannot take before a deploy does.
  host: z.string().regex(HOST_PATTERN, 'a host name or IP address (nginx writes it into `server`)'),
  port: z.int().min(1).max(65_535),
  colour: z.enum(['blue', 'green']).optional(),
  tags: z.array(z.string().min(1)).default([]),
});

const driver = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('process'),
    stateDir: z.string().min(1).default('.threader/run'),
    stopTimeout: positive('10s'),
  }),
  z.strictObject({
    type: z.literal('systemd'),
    sudo: z.boolean().default(false),
    stopTimeout: positive('30s'),
    /** Where the per-instance env files (the unit's EnvironmentFile) live; default /etc/alert-threader. */
    envDir: z.string().startsWith('/', 'an absolute path').optional(),
  }),
  z.strictObject({
    type: z.literal('ssh'),
    user: z.string().min(1).optional(),
    port: z.int().min(1).max(65_535).optional(),
    identityFile: z.string().min(1).optional(),
    knownHostsFile: z.string().min(1).optional(),
    remote: z.enum(['process', 'systemd']).default('systemd'),
    stateDir: z.string().min(1).default('/var/lib/threader/run'),
    connectTimeout: positive('10s'),
    stopTimeout: positive('30s'),
    /** remote: systemd — systemctl and the env file write through `sudo -n` (a deploy user without root). */
    sudo: z.boolean().default(false),
    /** remote: systemd — the env file directory on the host; default /etc/alert-threader. */
    envDir: z.string().startsWith('/', 'an absolute path').optional(),
  }),
]);

const canaryStep = z.union([
  z.strictObject({ setWeight: z.int().min(0, 'a weight of 0..100').max(100, 'a weight of 0..100') }),
  z.strictObject({ pause: z.strictObject({ duration: durationMs().optional() }) }),
  z.strictObject({
    analysis: z.strictObject({ count: z.int().min(1).optional(), interval: positiveMs().optional() }),
  }),
]);

const strategy = z.strictObject({
  /** Absent: blue-green when the instances have colours, else rolling. */
  default: z.enum(['rolling', 'canary', 'blue-green']).optional(),
  rolling: z
    .strictObject({
      maxSurge: intOrPercent.default('25%'),
      maxUnavailable: intOrPercent.default('25%'),
      drainDelay: duration('5s'),
    })
    .prefault({}),
  canary: z
    .strictObject({
      instances: z.array(z.string().min(1)).default([]),
      tags: z.array(z.string().min(1)).default([]),
      /** Absent: 10 % → analysis → 50 % → analysis (1-minute pauses when the environment has no analysis). */
      steps: z.array(canaryStep).min(1).optional(),
      drainDelay: duration('5s'),
    })
    .prefault({}),
  blueGreen: z
    .strictObject({
      prePromotionAnalysis: z.boolean().default(false),
      postPromotionAnalysis: z.boolean().default(false),
      scaleDownDelay: duration('30s'),
      drainDelay: duration('5s'),
      manualPromotion: z.boolean().default(false),
    })
    .prefault({}),
});

const analysis = z.strictObject({
  provider: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('prometheus'), url: z.url(), timeout: positive('10s') }),
    z.strictObject({ type: z.literal('scrape'), timeout: positive('5s') }),
  ]),
  /** The guard's SLO shape: built-in names (override fields or `enabled: false`) plus custom ones. */
  slos: guardConfigSchema.shape.slos,
  /** Target labels added to every built-in query (job, env…). */
  scope: guardConfigSchema.shape.scope,
  window: positive('1m'),
  interval: positive('1m'),
  count: z.int().min(1).default(5),
  failureLimit: z.int().min(0).default(0),
  consecutiveErrorLimit: z.int().min(0).default(4),
  inconclusiveLimit: z.int().min(0).default(0),
  /** For SLOs that do not set their own: what a measurement without data means. Never a silent pass. */
  noData: z.enum(['fail', 'pass', 'inconclusive']).default('fail'),
  /**
   * The target label holding `host:port`: canary and blue-green analyses match it to measure only
   * the new version's instances. Prometheus sets `instance`; name yours if you relabel it.
   */
  instanceLabel: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name')
    .default('instance'),
});

export const environmentSchema = z.strictObject({
  instances: z.array(instance).min(1),
  driver,
  run: z.strictObject({
    command: z.array(z.string().min(1)).default([]),
    env: z.record(z.string(), z.string()).default({}),
    workingDir: z.string().min(1).optional(),
    unit: z.string().min(1).optional(),
  }),
  healthCheck: z
    .strictObject({
      path: z.string().startsWith('/').default('/healthz'),
      expectStatus: z.int().min(100).max(599).default(200),
      successes: z.int().min(1).default(3),
      interval: positive('1s'),
      timeout: positive('2s'),
      deadline: positive('60s'),
    })
    .prefault({}),
  traffic: z.strictObject({
    type: z.literal('nginx').default('nginx'),
    configFile: z.string().min(1),
    upstream: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'an nginx upstream name'),
    testCommand: argv.default(['nginx', '-t']),
    reloadCommand: argv.default(['nginx', '-s', 'reload']),
  }),
  strategy: strategy.prefault({}),
  analysis: analysis.optional(),
  approval: z
    .strictObject({
      /** Default: required for an environment named production / prod. */
      required: z.boolean().optional(),
      timeout: positive('1h'),
      onTimeout: z.enum(['rollback', 'abort']).default('rollback'),
      /** Slack user IDs who may press Approve / Reject (IDs: a display name can be changed by its owner). */
      approvers: z.array(slackUserId).optional(),
    })
    .prefault({}),
  guard: z
    .strictObject({
      lockFile: z.string().min(1).optional(),
      lockDuration: duration('30m'),
      /** threader.yaml whose guard: section gives the lock file and release criteria; default $THREADER_CONFIG. */
      config: z.string().min(1).optional(),
    })
    .prefault({}),
  slack: z.strictObject({ channel: channelId() }).optional(),
});

export const deploySpecSchema = z.strictObject({
  service: name,
  stateDb: z.string().min(1).optional(),
  environments: z
    .record(name, environmentSchema)
    .refine((e) => Object.keys(e).length > 0, 'at least one environment'),
});

export type DeploySpecInput = z.input<typeof deploySpecSchema>;
export type RawEnvironment = z.output<typeof environmentSchema>;
