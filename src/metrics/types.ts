/**
 * The MetricProvider seam and the shape of a metric check (an SLO, an analysis gate). Checks are
 * data: the guard builds them from config, deploy analysis builds them from a deploy spec, and
 * `evaluate.ts` judges what a provider measured without doing any I/O itself.
 */

export type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** What a measurement without data means. Never implicit: the original guards passed on no data. */
export type NoDataPolicy = 'fail' | 'pass' | 'inconclusive';

/** Argo Rollouts' analysis outcomes (DESIGN.md "Analysis gates"). */
export type Outcome = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** Counter series by metric name and label matchers; matcher values are anchored regexes, like PromQL `=~`. */
export interface SeriesSelector {
  metric: string;
  match?: Record<string, string>;
}

/** increase(numerator) / increase(denominator) over the window, each summed over all matching series. */
export interface CounterRatio {
  numerator: SeriesSelector;
  denominator: SeriesSelector;
}

export interface MetricCheck {
  name: string;
  description?: string;
  /** PromQL for the Prometheus provider; `{{window}}` becomes the window ("5m"). Derived from `ratio` when absent. */
  query?: string;
  /** Raw-counter definition, for providers that cannot run PromQL (direct /metrics scrape). */
  ratio?: CounterRatio;
  /**
   * Target-label matchers (job, env, instance…) added to every selector of a derived PromQL query.
   * A direct scrape ignores them: its list of targets is its scope.
   */
  scope?: Record<string, string>;
  comparator: Comparator;
  threshold: number;
  noData: NoDataPolicy;
  /** How to show values: ratios print as percentages. */
  unit?: 'ratio' | 'seconds' | 'number';
}

export interface Measurement {
  /** One value per result series; empty means no data. NaN (0/0, no traffic) also counts as no data. */
  values: number[];
  /** What was asked, for humans: the PromQL, or a description of the scrape computation. */
  query: string;
  at: number;
}

export interface MeasureContext {
  windowMs: number;
  signal?: AbortSignal;
}

export interface MetricProvider {
  readonly kind: string;
  /** Resolves with the values (possibly none); rejects with MetricProviderError when it cannot answer. */
  measure(check: MetricCheck, ctx: MeasureContext): Promise<Measurement>;
}
