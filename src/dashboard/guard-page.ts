import type { GuardState, RecordedResult } from '../guard/read-state.js';
import { formatValue } from '../metrics/evaluate.js';
import type { MetricCheck } from '../metrics/types.js';
import { formatAge, formatTime, isoTime } from './format.js';
import { markup, type Html } from './markup.js';
import { page } from './layout.js';

export interface GuardPageModel {
  state: GuardState;
  /** The configured SLOs (guard/slos.ts), so thresholds show even before any evaluation. */
  checks: readonly MetricCheck[];
  now: number;
  version: string;
}

const PHASE: Record<string, string> = {
  minimum: 'Minimum duration running',
  awaiting_slo: 'Waiting for healthy SLO evaluations (is `threader guard watch` running?)',
  releasable: 'Release criteria hold: the next watch tick releases it',
};

interface SloRow {
  name: string;
  description?: string;
  target: string;
  value?: string;
  outcome?: string;
  message?: string;
}

function sloRows(checks: readonly MetricCheck[], results: RecordedResult[]): SloRow[] {
  const byName = new Map(results.map((r) => [r.check, r]));
  const rows: SloRow[] = checks.map((c) => {
    const r = byName.get(c.name);
    byName.delete(c.name);
    return {
      name: c.name,
      description: c.description,
      target: `${c.comparator} ${formatValue(c, c.threshold)}`,
      value: r?.value !== undefined ? formatValue(c, r.value) : undefined,
      outcome: r?.outcome,
      message: r?.message,
    };
  });
  // Results of SLOs this serve's config does not know (the watcher's config differs): still shown.
  for (const r of byName.values()) {
    rows.push({
      name: r.check,
      target: `${r.comparator} ${formatValue(r, r.threshold)}`,
      value: r.value !== undefined ? formatValue(r, r.value) : undefined,
      outcome: r.outcome,
      message: r.message,
    });
  }
  return rows;
}

function evaluationNote(m: GuardPageModel, evaluatedAt?: number): Html {
  return evaluatedAt
    ? markup`Latest evaluation
        <time datetime="${isoTime(evaluatedAt)}">${formatTime(evaluatedAt)}</time>
        (${formatAge(m.now - evaluatedAt)} ago).`
    : markup`No evaluation recorded for this lock yet: values appear once
        <code>threader guard watch</code> evaluates.`;
}

function sloTable(m: GuardPageModel, results: RecordedResult[], note: Html): Html {
  const rows = sloRows(m.checks, results);
  if (rows.length === 0) return markup`<p class="empty">No SLOs configured.</p>`;
  return markup`<h2>SLOs</h2>
    <p>${note}</p>
    <table class="slos">
      <thead>
        <tr>
          <th scope="col">SLO</th>
          <th scope="col">Latest value</th>
          <th scope="col">Threshold</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            markup`<tr>
              <td data-label="SLO">
                <strong>${r.name}</strong
                >${r.description ? markup`<br /><span class="muted">${r.description}</span>` : ''}
              </td>
              <td data-label="Latest value">
                ${r.value ?? markup`<span class="muted">${r.message || 'no value yet'}</span>`}
              </td>
              <td data-label="Threshold">${r.target}</td>
              <td data-label="Outcome">
                ${r.outcome ? markup`<span class="badge outcome-${r.outcome.toLowerCase()}">${r.outcome}</span>` : markup`<span class="muted">—</span>`}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function content(m: GuardPageModel): Html {
  const s = m.state;
  if (!s.configured)
    return markup`<p class="big">No guard is configured.</p>
      <p>
        Set <code>THREADER_GUARD_FILE</code> or <code>guard.lockFile</code> (and <code>guard.provider</code>)
        so this page can show the QoS guard window; <code>threader guard lock</code> takes a lock.
      </p>`;
  const where = markup`<p class="muted">Lock file <code>${s.file}</code></p>`;
  if (!s.locked)
    return markup`<p class="big"><span class="badge guard-unlocked">Unlocked</span> Deploys may proceed.</p>
      ${s.expired ? markup`<p>The last lock (${s.expired.reason}, by ${s.expired.by}) ran out at ${formatTime(Date.parse(s.expired.until))}; the next guard command removes it.</p>` : ''}
      ${where}${sloTable(m, [], markup`What the guard checks while a lock waits for its release.`)}`;
  if ('corrupt' in s)
    return markup`<p class="big">
        <span class="badge guard-locked">Locked</span> The lock file cannot be read (${s.corrupt}).
      </p>
      <p>
        The guard fails closed: deploys wait until someone fixes the file or runs
        <code>threader guard unlock --force --reason …</code>.
      </p>
      ${where}`;
  const l = s.lock;
  const slo = l.release.mode === 'slo';
  const k = l.release.healthyStreak;
  const K = l.release.healthyEvaluations;
  return markup`<p class="big"><span class="badge guard-locked">Locked</span> ${l.reason}</p>
    <dl class="facts">
      <div>
        <dt>By</dt>
        <dd>${l.by}</dd>
      </div>
      <div>
        <dt>Since</dt>
        <dd><time datetime="${l.lockedAt}">${formatTime(Date.parse(l.lockedAt))}</time></dd>
      </div>
      <div>
        <dt>Minimum until</dt>
        <dd>
          <time datetime="${l.until}">${formatTime(Date.parse(l.until))}</time
          >${s.remainingMs > 0 ? markup` (<span data-until="${l.until}">${formatAge(s.remainingMs)}</span> left)` : ' (over)'}
        </dd>
      </div>
      <div>
        <dt>State</dt>
        <dd>${PHASE[s.phase] ?? s.phase}</dd>
      </div>
      <div>
        <dt>Release</dt>
        <dd>
          ${
            slo
              ? markup`<label for="release-progress">${k} of ${K} healthy evaluations</label>
                  <progress id="release-progress" max="${K}" value="${Math.min(k, K)}">
                    ${k} of ${K}
                  </progress>`
              : 'expires at the end of the minimum duration'
          }${l.release.expiresAt ? markup`<br />expires regardless at ${formatTime(Date.parse(l.release.expiresAt))}` : ''}
        </dd>
      </div>
      ${
        l.legacy
          ? markup`<div>
              <dt>Format</dt>
              <dd>legacy qos_guard.sh lock</dd>
            </div>`
          : ''
      }
    </dl>
    ${where} ${slo ? sloTable(m, s.evaluation?.results ?? [], evaluationNote(m, s.evaluation?.at)) : ''}`;
}

/** The QoS guard window: locked or not, why, by whom, time left, SLOs against thresholds, k of K. */
export function renderGuardPage(m: GuardPageModel): string {
  const body = markup`<h1>QoS guard</h1>
    <div id="live" data-events="guard">${content(m)}</div>`;
  return page({ title: 'Guard', view: 'guard', body, version: m.version });
}
