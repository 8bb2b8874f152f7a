import { z } from 'zod';
import { channelId } from './slack-ids.js';
import { durationMs } from './zod-duration.js';
import { SLO_NAMES } from '../metrics/conventions.js';

/**
 * The `guard:` section of threader.yaml: the QoS guard window's lock file, release criteria,
 * SLOs and metric provider. Strict (unknown keys fail, naming their path); defaults live here.
 * Durations are text ("5m") or seconds, parsed to milliseconds.
 */

const duration = durationMs;

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a Prometheus label name');
const selector = z.strictObject({
  metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'not a Prometheus metric name'),
  /** Label → anchored regex, as PromQL `=~` reads it. */
  match: z.record(labelName, z.string()).optional(),
});

const slo = z.strictObject({
  enabled: z.boolean().default(true),
  description: z.string().optional(),
  /** PromQL; `{{window}}` becomes the window. Replaces the query derived from `ratio`. */
  query: z.string().min(1).optional(),
  /** Counter ratio; required for custom SLOs under the scrape provider. */
  ratio: z.strictObject({ numerator: selector, denominator: selector }).optional(),
  comparator: z.enum(['<', '<=', '>', '>=', '==', '!=']).optional(),
  threshold: z.number().optional(),
  /** What an empty result means. Built-in SLOs fail on no data (fail closed). */
  noData: z.enum(['fail', 'pass', 'inconclusive']).optional(),
  unit: z.enum(['ratio', 'seconds', 'number']).optional(),
});

const prometheus = z.strictObject({
  type: z.literal('prometheus'),
  url: z.url(),
  timeout: duration().prefault('10s'),
});

const scrape = z.strictObject({
  type: z.literal('scrape'),
  /** `/metrics` URLs of every instance of the fleet. */
  targets: z.array(z.url()).min(1),
  timeout: duration().prefault('5s'),
  /** For a one-shot check: gap between the two scrapes whose difference is measured. */
  warmup: duration().prefault('10s'),
});

export const guardConfigSchema = z
  .strictObject({
    /** Lock file path; default /run/threader.qos.guard when writable, else the user's state dir. */
    lockFile: z.string().min(1).optional(),
    /** `guard lock` without a DURATION. */
    defaultDuration: duration().prefault('15m'),
    release: z
      .strictObject({
        /** slo: minimum duration AND K healthy evaluations; time: expires at `until` (the original script). */
        mode: z.enum(['slo', 'time']).default('slo'),
        /** K: consecutive evaluations with every SLO Successful. */
        healthyEvaluations: z.int().min(1).default(3),
        /** Hard cap for slo-mode locks (expire even without healthy evaluations); unset = never. */
        maxLockDuration: duration().optional(),
      })
      .prefault({}),
    /** How often `guard watch` evaluates. */
    evaluationInterval: duration().prefault('1m'),
    /** Range of every SLI ([5m] in PromQL; counter increases over it for the scrape provider). */
    window: duration().prefault('5m'),
    /** Target labels (job, env…) added to every built-in query, so the guard looks at the right fleet. */
    scope: z.record(labelName, z.string()).default({}),
    provider: z.discriminatedUnion('type', [prometheus, scrape]).optional(),
    /** `guard watch` posts a status reply to Slack every `every` while locked. */
    briefing: z
      .strictObject({
        /** Open a briefing thread here when `--slack-thread` is not given. */
        channel: channelId().optional(),
        every: duration().prefault('5m'),
      })
      .prefault({}),
    /** Built-in SLOs by name (override any field, or `enabled: false`) plus custom ones. */
    slos: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'use snake_case names'), slo).default({}),
  })
  .superRefine((g, ctx) => {
    for (const [name, s] of Object.entries(g.slos)) {
      if ((SLO_NAMES as readonly string[]).includes(name) || !s.enabled) continue;
      const missing = [
        !s.query && !s.ratio && 'query or ratio',
        !s.comparator && 'comparator',
        s.threshold === undefined && 'threshold',
      ].filter(Boolean);
      if (missing.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['slos', name],
          message: `custom SLO needs ${missing.join(', ')} (built-in ones: ${SLO_NAMES.join(', ')})`,
        });
      }
    }
  });

export type GuardConfigInput = z.input<typeof guardConfigSchema>;
export type GuardConfig = z.output<typeof guardConfigSchema>;

/** Defaults only, for commands run without a config file. */
export function defaultGuardConfig(): GuardConfig {
  return guardConfigSchema.parse({});
}
