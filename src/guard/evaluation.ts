import { judge, type Judgement } from '../metrics/evaluate.js';
import type { MetricCheck, MetricProvider } from '../metrics/types.js';

export interface SloResult extends Judgement {
  description?: string;
  unit?: MetricCheck['unit'];
}

/** One evaluation of every SLO. Healthy only when each one is Successful. */
export interface GuardEvaluation {
  at: number;
  healthy: boolean;
  results: SloResult[];
}

/**
 * Measures every check once and judges it. A provider failure becomes an Error result for that
 * check (never an exception, never a pass): the guard fails closed. No checks at all is not
 * healthy either — nothing was verified.
 */
export async function evaluateSlos(
  provider: MetricProvider,
  checks: readonly MetricCheck[],
  opts: { windowMs: number; now?: () => number; signal?: AbortSignal },
): Promise<GuardEvaluation> {
  const now = opts.now ?? Date.now;
  const results: SloResult[] = [];
  // One after another: the scrape provider shares one scrape between the checks of an evaluation.
  for (const check of checks) {
    let judgement: Judgement;
    try {
      const m = await provider.measure(check, { windowMs: opts.windowMs, signal: opts.signal });
      judgement = judge(check, m);
    } catch (err) {
      const query = (err as { details?: { query?: string } }).details?.query;
      judgement = judge(check, { error: (err as Error).message, at: now(), query });
    }
    results.push({ ...judgement, description: check.description, unit: check.unit });
  }
  return {
    at: now(),
    healthy: results.length > 0 && results.every((r) => r.outcome === 'Successful'),
    results,
  };
}
