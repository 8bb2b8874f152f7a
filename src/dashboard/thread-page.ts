import type { MessageRecord, OutboxItem } from '../store/types.js';
import { formatAge, formatTime, isoTime } from './format.js';
import { markup, safeHref, type Html } from './markup.js';
import { page } from './layout.js';
import { slackPermalink } from './permalink.js';
import { slackMessage } from './slack-text.js';
import type { ThreadRow } from './thread-row.js';

export interface ThreadPageModel {
  thread: ThreadRow & { parentTs: string | null; resolvedAt: number | null; alertmanagerUrl?: string };
  messages: MessageRecord[];
  /** Outbox rows that will not be delivered (dead): shown so nobody thinks Slack has them. */
  failed: Pick<OutboxItem, 'id' | 'kind' | 'lastError' | 'createdAt'>[];
  previousId: string | null;
  nextId: string | null;
  workspaceUrl: string | undefined;
  now: number;
  version: string;
}

const KIND_LABEL: Record<MessageRecord['kind'], string> = {
  parent: 'posted the parent',
  reply: 'replied in the thread',
  edit: 'edited the parent',
};

function entry(m: MessageRecord, model: ThreadPageModel): Html {
  const parentTs = model.thread.parentTs ?? undefined;
  const link = slackPermalink(model.workspaceUrl, m.channel, m.ts, m.kind === 'reply' ? parentTs : undefined);
  const head = markup`<p class="msg-head">
    <span class="avatar" aria-hidden="true">T</span><strong>threader</strong>
    <span class="msg-kind">${KIND_LABEL[m.kind]}</span>
    <a class="msg-time" href="${link}" rel="noopener noreferrer"
      ><time datetime="${isoTime(m.at)}">${formatTime(m.at)}</time></a
    >
  </p>`;
  const body = markup`<div class="msg-body">${slackMessage(m.text, m.blocks)}</div>`;
  if (m.kind === 'edit') {
    return markup`<li class="msg msg-edit">
      ${head}
      <details>
        <summary>Show the parent as edited</summary>
        ${body}
      </details>
    </li>`;
  }
  return markup`<li class="msg msg-${m.kind}">${head}${body}</li>`;
}

function episodeNav(m: ThreadPageModel): Html {
  const prev = m.previousId
    ? markup`<a rel="prev" href="/threads/${encodeURIComponent(m.previousId)}">← Previous episode</a>`
    : markup`<span class="muted">First episode</span>`;
  const next = m.nextId
    ? markup`<a rel="next" href="/threads/${encodeURIComponent(m.nextId)}">Next episode →</a>`
    : markup`<span class="muted">Latest episode</span>`;
  return markup`<nav class="episodes" aria-label="Episodes of this alert group">${prev} ${next}</nav>`;
}

/** One thread: its facts, then every message posted and edit made, oldest first, like Slack. */
export function renderThreadPage(m: ThreadPageModel): string {
  const t = m.thread;
  const am = safeHref(t.alertmanagerUrl);
  const body = markup`<p class="crumbs"><a href="/">Threads</a> › ${t.channel}</p>
    <div id="live" data-events="thread message threads" data-thread="${t.id}">
      <h1>${t.title}</h1>
      <dl class="facts">
        <div>
          <dt>State</dt>
          <dd><span class="badge state-${t.state}">${t.state}</span></dd>
        </div>
        <div>
          <dt>Severity</dt>
          <dd><span class="sev sev-${t.severity}">${t.severity}</span></dd>
        </div>
        <div>
          <dt>Alerts</dt>
          <dd>${t.firing} firing, ${t.resolved} resolved</dd>
        </div>
        <div>
          <dt>Opened</dt>
          <dd>
            <time datetime="${isoTime(t.openedAt)}">${formatTime(t.openedAt)}</time>
            (${formatAge(m.now - t.openedAt)} ago)
          </dd>
        </div>
        ${
          t.resolvedAt
            ? markup`<div>
                <dt>Resolved</dt>
                <dd><time datetime="${isoTime(t.resolvedAt)}">${formatTime(t.resolvedAt)}</time></dd>
              </div>`
            : ''
        }
        <div>
          <dt>Channel</dt>
          <dd>${t.channel}</dd>
        </div>
        <div>
          <dt>Slack</dt>
          <dd>
            ${t.permalink ? markup`<a href="${t.permalink}" rel="noopener noreferrer">Open the thread in Slack</a>` : 'not posted yet'}
          </dd>
        </div>
        ${
          am
            ? markup`<div>
                <dt>Alertmanager</dt>
                <dd><a href="${am}" rel="noopener noreferrer">${am}</a></dd>
              </div>`
            : ''
        }
      </dl>
      ${episodeNav(m)}
      <h2>Timeline</h2>
      ${
        m.messages.length
          ? markup`<ol class="timeline">
              ${m.messages.map((msg) => entry(msg, m))}
            </ol>`
          : markup`<p class="empty">Nothing posted to Slack yet.</p>`
      }
      ${
        m.failed.length
          ? markup`<h2>Not delivered</h2>
              <ul class="failed">
                ${m.failed.map(
                  (f) =>
                    markup`<li>${f.kind} queued ${formatTime(f.createdAt)}: ${f.lastError ?? 'failed'}</li>`,
                )}
              </ul>`
          : ''
      }
    </div>`;
  return page({ title: t.title, view: 'threads', body, version: m.version });
}
