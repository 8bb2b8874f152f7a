import { MAX_LIMIT } from './filters.js';
import { DEPLOY_STATUSES, deployFilterQuery, type DeployFilter } from './deploy-filters.js';
import { statusText, type DeployRow } from './deploy-row.js';
import { formatAge, formatTime, isoTime } from './format.js';
import { markup, type Html } from './markup.js';
import { page } from './layout.js';

export interface DeploysPageModel {
  /** Absent when serve was not told where the deploy records are (THREADER_DEPLOY_DB). */
  rows?: DeployRow[];
  filter: DeployFilter;
  ignored: string[];
  /** Environments to offer in the filter. */
  envs: string[];
  hasMore: boolean;
  now: number;
  version: string;
}

/** Status as a badge: the word always, the colour (tone) only as a second signal. */
export function statusBadge(r: Pick<DeployRow, 'status' | 'tone'>): Html {
  return markup`<span class="badge deploy-${r.tone}">${statusText(r.status)}</span>`;
}

export function versions(r: Pick<DeployRow, 'fromVersion' | 'toVersion'>): Html {
  return markup`<span class="versions"
    >${r.fromVersion ?? markup`<span class="muted">nothing</span>`} → <strong>${r.toVersion}</strong></span
  >`;
}

/** How to enable the view, for a serve without the deploy records. */
export const NOT_CONFIGURED = markup`<p class="big">This threader does not read deploy records.</p>
  <p>
    Set <code>THREADER_DEPLOY_DB</code> (or <code>deploys.stateDb</code> in the config) to the SQLite file
    <code>threader deploy</code> writes (the deploy config's <code>stateDb</code>) and restart
    <code>threader serve</code>: deployments then show here, live, and in <code>/metrics</code>.
  </p>`;

function filters(m: DeploysPageModel): Html {
  const statusOpt = (value: string, label: string) =>
    markup`<option value="${value}" ${(m.filter.status ?? '') === value ? markup` selected` : ''}>${label}</option>`;
  const envOpt = (value: string, label: string) =>
    markup`<option value="${value}" ${(m.filter.env ?? '') === value ? markup` selected` : ''}>${label}</option>`;
  const envs = [...new Set([...m.envs, ...(m.filter.env ? [m.filter.env] : [])])].sort();
  return markup`<form class="filters" method="get" action="/deployments" data-autosubmit>
    <div class="field">
      <label for="f-env">Environment</label>
      <select id="f-env" name="env">
        ${[envOpt('', 'All'), ...envs.map((e) => envOpt(e, e))]}
      </select>
    </div>
    <div class="field">
      <label for="f-status">Status</label>
      <select id="f-status" name="status">
        ${[statusOpt('', 'All'), ...DEPLOY_STATUSES.map((s) => statusOpt(s, statusText(s)))]}
      </select>
    </div>
    ${m.filter.limit !== 50 ? markup`<input type="hidden" name="limit" value="${m.filter.limit}" />` : ''}
    <div class="field actions"><button type="submit">Apply</button> <a href="/deployments">Clear</a></div>
  </form>`;
}

function row(r: DeployRow, now: number): Html {
  const running = r.finishedAt === null;
  return markup`<tr data-deploy="${r.id}">
    <td data-label="Environment">
      <a href="/deployments?env=${encodeURIComponent(r.env)}" aria-label="only environment ${r.env}">${r.env}</a>
    </td>
    <td data-label="Service" class="title">
      <a href="/deployments/${encodeURIComponent(r.id)}">${r.service}</a
      >${r.rollbackOf ? markup` <span class="muted">(rollback)</span>` : ''}
    </td>
    <td data-label="Strategy">${r.strategy}</td>
    <td data-label="Versions">${versions(r)}</td>
    <td data-label="Status">${statusBadge(r)}</td>
    <td data-label="By">${r.by}</td>
    <td data-label="Started">
      <time datetime="${isoTime(r.startedAt)}" title="${formatTime(r.startedAt)}">${formatAge(now - r.startedAt)} ago</time>
    </td>
    <td data-label="Duration">${formatAge(r.durationMs)}${running ? markup` <span class="muted">so far</span>` : ''}</td>
    <td data-label="Slack">
      ${r.threadLink ? markup`<a href="${r.threadLink}" rel="noopener noreferrer" aria-label="open the thread of deploy ${r.id} in Slack">Thread</a>` : markup`<span class="muted">no thread</span>`}
    </td>
  </tr>`;
}

/** The deployments list: newest first, filtered by environment and status, live (dashboard.js). */
export function renderDeploysPage(m: DeploysPageModel): string {
  const what = [m.filter.status && statusText(m.filter.status), m.filter.env && `in ${m.filter.env}`]
    .filter(Boolean)
    .join(' ');
  const more = { ...m.filter, limit: Math.min(m.filter.limit * 2, MAX_LIMIT) };
  const rows = m.rows;
  const body =
    rows === undefined
      ? markup`<h1>Deployments</h1>${NOT_CONFIGURED}`
      : markup`<h1>Deployments${what ? markup` <small>${what}</small>` : ''}</h1>
          ${filters(m)}
          ${m.ignored.length ? markup`<p class="notice" role="alert">Ignored a bad value for: ${m.ignored.join(', ')}.</p>` : ''}
          <div id="live" data-events="deploy">
            ${
              rows.length === 0
                ? markup`<p class="empty">
                    No deployments${what ? ' match these filters' : ' yet: they appear here when threader deploy runs'}.
                  </p>`
                : markup`<table class="deploys">
                    <caption class="visually-hidden">Deployments, newest first</caption>
                    <thead>
                      <tr>
                        <th scope="col">Environment</th>
                        <th scope="col">Service</th>
                        <th scope="col">Strategy</th>
                        <th scope="col">Versions</th>
                        <th scope="col">Status</th>
                        <th scope="col">By</th>
                        <th scope="col">Started</th>
                        <th scope="col">Duration</th>
                        <th scope="col">Slack</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${rows.map((r) => row(r, m.now))}
                    </tbody>
                  </table>`
            }
            <p class="count">
              Showing ${rows.length}
              deployment${rows.length === 1 ? '' : 's'}${m.hasMore && m.filter.limit < MAX_LIMIT ? markup` · <a href="/deployments${deployFilterQuery(more)}">Show more</a>` : ''}
            </p>
          </div>`;
  return page({ title: 'Deployments', view: 'deployments', body, version: m.version });
}
