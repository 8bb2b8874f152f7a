import type { DeployFailure } from '../deploy/types.js';
import { weightChart, weightTable } from './deploy-chart.js';
import type { AnalysisView, DeployDetail, StepView } from './deploy-detail.js';
import type { DeployRow } from './deploy-row.js';
import { statusBadge, versions } from './deploys-page.js';
import { formatAge, formatTime, isoTime } from './format.js';
import { markup, type Html } from './markup.js';
import { page } from './layout.js';

export interface DeployPageModel {
  deploy: DeployRow;
  detail: DeployDetail;
  failure?: DeployFailure;
  now: number;
  version: string;
}

const STEP_STATE: Record<StepView['state'], string> = {
  done: 'done',
  running: 'running',
  failed: 'failed',
  pending: 'to do',
  'not-run': 'not run',
};

const time = (ms: number) => markup`<time datetime="${isoTime(ms)}">${formatTime(ms).slice(11, 19)}</time>`;

function stepsTable(steps: StepView[]): Html {
  return markup`<table class="steps">
    <caption class="visually-hidden">Plan steps with their timings</caption>
    <thead>
      <tr>
        <th scope="col" class="num">#</th>
        <th scope="col">Step</th>
        <th scope="col">State</th>
        <th scope="col">Started</th>
        <th scope="col">Took</th>
      </tr>
    </thead>
    <tbody>
      ${steps.map(
        (s) => markup`<tr class="step-${s.state}">
          <td data-label="#" class="num">${s.index + 1}</td>
          <td data-label="Step">${s.text}${s.detail ? markup`<br /><span class="muted">${s.detail}</span>` : ''}</td>
          <td data-label="State"><span class="step-state">${STEP_STATE[s.state]}</span></td>
          <td data-label="Started">${s.startedAt !== undefined ? time(s.startedAt) : markup`<span class="muted">—</span>`}</td>
          <td data-label="Took">
            ${s.durationMs !== undefined ? formatAge(s.durationMs) : markup`<span class="muted">—</span>`}${s.state === 'running' ? ' so far' : ''}
          </td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

function analysis(a: AnalysisView, n: number): Html {
  return markup`<section class="analysis" aria-labelledby="analysis-${n}">
    <h3 id="analysis-${n}">
      Step ${a.step + 1} · <span class="badge outcome-${a.outcome.toLowerCase()}">${a.outcome}</span>
      <small class="muted">${time(a.at)}${a.instances ? ` · measured ${a.instances.join(', ')}` : ''}</small>
    </h3>
    <table class="judgements">
      <caption class="visually-hidden">Analysis values against thresholds</caption>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Value</th>
          <th scope="col">Threshold</th>
          <th scope="col">Outcome</th>
          <th scope="col">Query</th>
        </tr>
      </thead>
      <tbody>
        ${a.judgements.map(
          (j) => markup`<tr>
            <td data-label="Check"><strong>${j.check}</strong></td>
            <td data-label="Value">${j.value}</td>
            <td data-label="Threshold">${j.threshold}</td>
            <td data-label="Outcome">
              <span class="badge outcome-${j.outcome.toLowerCase()}">${j.outcome}</span>
              ${j.outcome === 'Successful' ? '' : markup`<br /><span class="muted">${j.message}</span>`}
            </td>
            <td data-label="Query">${j.query ? markup`<code>${j.query}</code>` : markup`<span class="muted">—</span>`}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function outcome(m: DeployPageModel): Html | string {
  const d = m.deploy;
  const f = m.failure;
  if (!f && !m.detail.rollbackCommand) return '';
  return markup`<section class="failure" aria-labelledby="failure-h">
    <h2 id="failure-h">${f?.aborted ? 'Aborted' : 'Failure'}</h2>
    ${f ? markup`<p>Step ${f.step + 1} (${f.kind}): ${f.message}</p>` : ''}
    ${m.detail.guardLocked ? markup`<p>The rollback locked the <a href="/guard">QoS guard window</a>.</p>` : ''}
    ${
      m.detail.rollbackCommand
        ? markup`<p>
            To roll back ${d.env} by hand:
            <code class="command">${m.detail.rollbackCommand}</code>
          </p>`
        : ''
    }
  </section>`;
}

/** One deploy: facts, steps with timings, traffic per version, analyses, outcome, link to the thread. */
export function renderDeployPage(m: DeployPageModel): string {
  const d = m.deploy;
  const det = m.detail;
  const title = `${d.service} ${d.toVersion} to ${d.env}`;
  const body = markup`<p class="crumbs"><a href="/deployments">Deployments</a> › ${d.env}</p>
    <div id="live" data-events="deploy">
      <h1>${title}</h1>
      <dl class="facts">
        <div><dt>Status</dt><dd>${statusBadge(d)}</dd></div>
        <div><dt>Versions</dt><dd>${versions(d)}</dd></div>
        <div><dt>Strategy</dt><dd>${d.strategy}</dd></div>
        <div><dt>By</dt><dd>${d.by}${d.reason ? markup`<br /><span class="muted">${d.reason}</span>` : ''}</dd></div>
        <div>
          <dt>Started</dt>
          <dd><time datetime="${isoTime(d.startedAt)}">${formatTime(d.startedAt)}</time> (${formatAge(m.now - d.startedAt)} ago)</dd>
        </div>
        <div><dt>Duration</dt><dd>${formatAge(d.durationMs)}${d.finishedAt === null ? ' so far' : ''}</dd></div>
        ${d.rollbackOf ? markup`<div><dt>Rolls back</dt><dd><a href="/deployments/${encodeURIComponent(d.rollbackOf)}">${d.rollbackOf}</a></dd></div>` : ''}
        <div>
          <dt>Slack</dt>
          <dd>${d.threadLink ? markup`<a href="${d.threadLink}" rel="noopener noreferrer">Open the deploy thread in Slack</a>` : 'no thread'}</dd>
        </div>
        <div><dt>Deploy id</dt><dd><code>${d.id}</code></dd></div>
      </dl>
      ${outcome(m)}
      ${
        det.people.length
          ? markup`<ul class="people">${det.people.map((p) => markup`<li>${time(p.at)} ${p.text}</li>`)}</ul>`
          : ''
      }
      <h2>Steps</h2>
      ${stepsTable(det.steps)}
      <h2>Traffic</h2>
      ${weightChart(det.weights, det.versions, det.endAt)}
      ${
        det.weights.length
          ? markup`<details>
              <summary>Traffic as a table</summary>
              ${weightTable(det.weights, det.versions)}
            </details>`
          : ''
      }
      <h2>Analysis</h2>
      ${
        det.analyses.length
          ? det.analyses.map((a, i) => analysis(a, i + 1))
          : markup`<p class="empty">No analysis has run${d.finishedAt === null ? ' yet' : ''}.</p>`
      }
      <details class="log">
        <summary>Event log (${det.log.length})</summary>
        <ol>
          ${det.log.map((e) => markup`<li>${time(e.at)} ${e.lines.join(' · ')}</li>`)}
        </ol>
      </details>
    </div>`;
  return page({ title, view: 'deployments', body, version: m.version });
}
