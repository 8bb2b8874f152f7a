import { MetricProviderError } from '../errors.js';
import { sleep as realSleep } from '../retry/retry.js';
import { pickBaseline, pruneHistory, ratioBetween, type Scrape } from './counter-window.js';
import { parseExposition } from './exposition.js';
import { selectorText } from './promql.js';
import type { Measurement, MeasureContext, MetricCheck, MetricProvider } from './types.js';
import { formatDuration } from '../config/duration.js';

export interface ScrapeProviderOptions {
  /** `/metrics` URLs of the instances (the scope of every check). */
  targets: string[];
  timeoutMs?: number;
  /**
   * With no earlier scrape to compare against, scrape, wait this long and scrape again: a
   * one-shot `guard check` needs two scrapes to see any increase at all.
   */
  warmupMs?: number;
  /** Scrapes younger than this are reused, so the checks of one evaluation share one scrape. */
  reuseMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

function safeUrl(target: string): string {
  try {
    const u = new URL(target);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Reads instances' `/metrics` directly (no Prometheus) and computes ratios from counter
 * increases over the window, keeping a short history of scrapes per target. Any target that
 * cannot be scraped makes the measurement an error: a fleet half-seen is not a healthy fleet.
 */
export function createScrapeProvider(opts: ScrapeProviderOptions): MetricProvider {
  if (opts.targets.length === 0)
    throw new MetricProviderError('the scrape provider needs at least one target');
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const wait = opts.sleep ?? realSleep;
  const histories = new Map<string, Scrape[]>(opts.targets.map((t) => [t, []]));

  async function scrapeTarget(target: string, signal?: AbortSignal): Promise<Scrape> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 5_000);
    let text: string;
    try {
      const res = await doFetch(target, {
        headers: { accept: 'text/plain' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw new MetricProviderError(`cannot scrape ${safeUrl(target)} (${e.cause?.code ?? e.message})`);
    }
    try {
      return { at: now(), samples: parseExposition(text) };
    } catch (err) {
      throw new MetricProviderError(`bad metrics from ${safeUrl(target)}: ${(err as Error).message}`);
    }
  }

  async function scrapeAll(signal?: AbortSignal): Promise<void> {
    const fresh = await Promise.all(opts.targets.map((t) => scrapeTarget(t, signal)));
    fresh.forEach((s, i) => {
      const t = opts.targets[i] as string;
      histories.set(t, [...(histories.get(t) ?? []), s]);
    });
  }

  function latestAge(): number {
    const ats = [...histories.values()].map((h) => h.at(-1)?.at ?? -Infinity);
    return now() - Math.min(...ats);
  }

  /**
   * Brings the histories up to date for one evaluation and returns each target's baseline/latest
   * pair. Scrape times jitter with fetch latency and timers, so a scrape a few percent short of
   * the window still counts as a window old (else the one before it, a window further back, would
   * be picked and the window doubled).
   */
  async function refresh(windowMs: number, signal?: AbortSignal): Promise<Array<[Scrape, Scrape]>> {
    const reach = windowMs - Math.min(windowMs * 0.05, 1_000);
    if (latestAge() > (opts.reuseMs ?? 500)) await scrapeAll(signal);
    const noBaseline = () => opts.targets.some((target) => !pickBaseline(histories.get(target) ?? [], reach));
    if (noBaseline()) {
      await wait(opts.warmupMs ?? Math.min(windowMs, 10_000), signal);
      await scrapeAll(signal);
    }
    return opts.targets.map((target) => {
      const h = pruneHistory(histories.get(target) ?? [], reach);
      histories.set(target, h);
      const latest = h.at(-1) as Scrape;
      return [pickBaseline(h, reach) ?? latest, latest];
    });
  }

  // Analysis measures its checks concurrently: unserialised, each saw an empty history, scraped,
  // and the second compared its scrape with the first one's, a millisecond apart (no data). One
  // at a time, a check finds the scrape (and warm-up) of the one before it and reuses them.
  let queue: Promise<unknown> = Promise.resolve();
  function serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    kind: 'scrape',
    async measure(check: MetricCheck, ctx: MeasureContext): Promise<Measurement> {
      const ratio = check.ratio;
      if (!ratio) {
        throw new MetricProviderError(
          `check "${check.name}" has no counter ratio; a direct scrape cannot run PromQL`,
        );
      }
      const pairs = await serially(() => refresh(ctx.windowMs, ctx.signal));
      const value = ratioBetween(pairs, ratio);
      const span = Math.max(...pairs.map(([b, l]) => l.at - b.at));
      const query =
        `increase of ${selectorText(ratio.numerator)} / ${selectorText(ratio.denominator)}` +
        ` over ${formatDuration(span)} across ${opts.targets.length} target(s)`;
      return { values: value === undefined ? [] : [value], query, at: now() };
    },
  };
}
