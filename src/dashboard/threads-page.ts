import { filterQuery, MAX_LIMIT, type ThreadFilter } from './filters.js';
import { formatAge, formatTime, isoTime } from './format.js';
import { markup, type Html } from './markup.js';
import { page } from './layout.js';
import type { ThreadRow } from './thread-row.js';

export interface ThreadsPageModel {
  rows: ThreadRow[];
  filter: ThreadFilter;
  /** Query parameters that were dropped (bad values). */
  ignored: string[];
  /** Channels to offer in the filter. */
  channels: string[];
  /** More threads match than are shown. */
  hasMore: boolean;
  now: number;
  version: string;
}

function filters(m: ThreadsPageModel): Html {
  const opt = (value: string, label: string) =>
    markup`<option value="${value}" ${(m.filter.state ?? '') === value ? markup` selected` : ''}>
      ${label}
    </option>`;
  return markup`<form class="filters" method="get" action="/" data-autosubmit>
    <div class="field">
      <label for="f-state">State</label>
      <select id="f-state" name="state">
        ${[opt('', 'All'), opt('firing', 'Firing'), opt('resolved', 'Resolved')]}
      </select>
    </div>
    <div class="field">
      <label for="f-channel">Channel</label>
      <input
        id="f-channel"
        name="channel"
        list="f-channels"
        value="${m.filter.channel ?? ''}"
        placeholder="any channel"
        autocomplete="off"
        spellcheck="false"
      />
      <datalist id="f-channels">${m.channels.map((c) => markup`<option value="${c}"></option>`)}</datalist>
    </div>
    ${m.filter.limit !== 50 ? markup`<input type="hidden" name="limit" value="${m.filter.limit}" />` : ''}
    <div class="field actions"><button type="submit">Apply</button> <a href="/">Clear</a></div>
  </form>`;
}

function row(r: ThreadRow, now: number): Html {
  return markup`<tr data-thread="${r.id}">
    <td data-label="State"><span class="badge state-${r.state}">${r.state}</span></td>
    <td data-label="Severity"><span class="sev sev-${r.severity}">${r.severity}</span></td>
    <td data-label="Alert" class="title"><a href="/threads/${encodeURIComponent(r.id)}">${r.title}</a></td>
    <td data-label="Firing" class="num">${r.firing}</td>
    <td data-label="Resolved" class="num">${r.resolved}</td>
    <td data-label="Age">
      <time datetime="${isoTime(r.openedAt)}" title="opened ${formatTime(r.openedAt)}"
        >${formatAge(now - r.openedAt)}</time
      >
    </td>
    <td data-label="Channel">
      <a href="/?channel=${encodeURIComponent(r.channel)}" aria-label="only channel ${r.channel}"
        >${r.channel}</a
      >
    </td>
    <td data-label="Slack">
      ${r.permalink ? markup`<a href="${r.permalink}" rel="noopener noreferrer" aria-label="open ${r.title} in Slack">Open in Slack</a>` : markup`<span class="muted">not posted yet</span>`}
    </td>
  </tr>`;
}

/** The threads list: newest first, filtered by state and channel, live (dashboard.js). */
export function renderThreadsPage(m: ThreadsPageModel): string {
  const what = [m.filter.state, m.filter.channel && `in ${m.filter.channel}`].filter(Boolean).join(' ');
  const more = { ...m.filter, limit: Math.min(m.filter.limit * 2, MAX_LIMIT) };
  const body = markup`<h1>Threads${what ? markup` <small>${what}</small>` : ''}</h1>
    ${filters(m)}
    ${m.ignored.length ? markup`<p class="notice" role="alert">Ignored a bad value for: ${m.ignored.join(', ')}.</p>` : ''}
    <div id="live" data-events="thread message threads">
      ${
        m.rows.length === 0
          ? markup`<p class="empty">
              No
              threads${what ? ' match these filters' : ' yet: they appear here when Alertmanager sends a webhook'}.
            </p>`
          : markup`<table class="threads">
              <caption class="visually-hidden">
                Alert threads, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Alert</th>
                  <th scope="col" class="num">Firing</th>
                  <th scope="col" class="num">Resolved</th>
                  <th scope="col">Age</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Slack</th>
                </tr>
              </thead>
              <tbody>
                ${m.rows.map((r) => row(r, m.now))}
              </tbody>
            </table>`
      }
      <p class="count">
        Showing ${m.rows.length}
        thread${m.rows.length === 1 ? '' : 's'}${m.hasMore && m.filter.limit < MAX_LIMIT ? markup` · <a href="/${filterQuery(more)}">Show more</a>` : ''}
      </p>
    </div>`;
  return page({ title: 'Threads', view: 'threads', body, version: m.version });
}
