import { COLORS } from '../slack/render/style.js';
import { markup, safeHref, trusted, type Html } from './markup.js';

/**
 * Slack messages as the dashboard shows them: mrkdwn and Block Kit turned into escaped HTML that
 * looks like Slack. Slack entity-encodes only `& < >` in text (protocol: "Formatting text"), so
 * those are decoded first and everything is escaped again for HTML; only http(s) links become
 * clickable, and buttons are shown, never pressable (the dashboard is read-only).
 */

const decodeSlack = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** `<url|label>`, `<!here>`, `<@U1>`, `<#C1|name>`: Slack's angle-bracket tokens. */
function token(inner: string): Html {
  const [target = '', label] = inner.split('|', 2);
  if (target.startsWith('!')) return markup`<span class="sl-mention">@${label ?? target.slice(1)}</span>`;
  if (target.startsWith('@')) return markup`<span class="sl-mention">@${label ?? target.slice(1)}</span>`;
  if (target.startsWith('#')) return markup`<span class="sl-mention">#${label ?? target.slice(1)}</span>`;
  // Only absolute URLs are links; anything else in brackets is shown as written.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) return markup`${decodeSlack(`<${inner}>`)}`;
  const href = safeHref(decodeSlack(target));
  const text = decodeSlack(label ?? target);
  return href ? markup`<a href="${href}" rel="noopener noreferrer">${styled(text)}</a>` : markup`${text}`;
}

/** *bold*, _italic_, ~strike~ at word boundaries, as Slack reads them; on already decoded text. */
function styled(text: string): Html {
  const parts = text.split(/(`[^`\n]+`)/);
  return trusted(
    parts
      .map((p, i) => {
        if (i % 2 === 1) return markup`<code>${p.slice(1, -1)}</code>`.value;
        return markup`${p}`.value
          .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, '$1<strong>$2</strong>')
          .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, '$1<em>$2</em>')
          .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/g, '$1<del>$2</del>');
      })
      .join(''),
  );
}

/** One mrkdwn string (Slack-escaped) as HTML; newlines are kept by the stylesheet (pre-wrap). */
export function mrkdwn(text: string): Html {
  const pieces = text.split(/<([^<>\n]+)>/);
  return markup`${pieces.map((p, i) => (i % 2 === 1 ? token(p) : styled(decodeSlack(p))))}`;
}

type TextObject = { type?: string; text?: string };

function textObject(t: unknown): Html {
  const o = t as TextObject | undefined;
  if (!o || typeof o.text !== 'string') return markup``;
  // Our renderer escapes plain_text too (escapeText), so both kinds are decoded.
  return o.type === 'mrkdwn' ? mrkdwn(o.text) : markup`${decodeSlack(o.text)}`;
}

function block(b: Record<string, unknown>): Html {
  switch (b.type) {
    case 'header':
      return markup`<p class="sl-header">${textObject(b.text)}</p>`;
    case 'section': {
      const fields = Array.isArray(b.fields) ? b.fields : [];
      return markup`<div class="sl-section">
        ${b.text ? markup`<div class="sl-text">${textObject(b.text)}</div>` : ''}${
          fields.length
            ? markup`<div class="sl-fields">
                ${fields.map((f) => markup`<div class="sl-text">${textObject(f)}</div>`)}
              </div>`
            : ''
        }
      </div>`;
    }
    case 'context': {
      const elements = Array.isArray(b.elements) ? b.elements : [];
      return markup`<p class="sl-context">
        ${elements.map((e, i) => markup`${i ? ' ' : ''}<span class="sl-text">${textObject(e)}</span>`)}
      </p>`;
    }
    case 'divider':
      return markup`<hr class="sl-divider" />`;
    case 'actions': {
      const elements = Array.isArray(b.elements) ? (b.elements as Array<Record<string, unknown>>) : [];
      const labels = elements.map(
        (e) => (e.text as TextObject | undefined)?.text ?? (e.placeholder as TextObject | undefined)?.text,
      );
      return markup`<p class="sl-actions">
        ${labels.filter(Boolean).map((l) => markup`<span class="sl-button">${l}</span> `)}
      </p>`;
    }
    default:
      return markup``;
  }
}

const COLOR_CLASS: Record<string, string> = {
  [COLORS.danger.toLowerCase()]: 'danger',
  [COLORS.warning.toLowerCase()]: 'warning',
  [COLORS.good.toLowerCase()]: 'good',
  [COLORS.info.toLowerCase()]: 'info',
};

function attachment(a: Record<string, unknown>, text: string): Html {
  const cls = COLOR_CLASS[String(a.color ?? '').toLowerCase()] ?? 'neutral';
  const inner = Array.isArray(a.blocks) ? (a.blocks as Array<Record<string, unknown>>) : [];
  return markup`<div class="sl-attachment sl-${cls}">
    ${inner.length ? inner.map(block) : markup`<div class="sl-text">${mrkdwn(String(a.fallback ?? text))}</div>`}
  </div>`;
}

const isAttachment = (b: Record<string, unknown>) =>
  b.type === undefined && (Array.isArray(b.blocks) || typeof b.color === 'string');

/**
 * A recorded message: Block Kit blocks and attachments (colour bar + blocks), in one array or as
 * `{blocks, attachments}`. The colour becomes a class: inline styles would break the CSP. When
 * what was recorded has no body (only a header and buttons), the text fallback stands in for it.
 */
export function slackMessage(text: string, recorded: unknown): Html {
  const r = recorded as { blocks?: unknown; attachments?: unknown } | unknown[] | null;
  const items = (
    Array.isArray(r)
      ? r
      : r && typeof r === 'object'
        ? [
            ...(Array.isArray(r.blocks) ? r.blocks : []),
            ...(Array.isArray(r.attachments) ? r.attachments : []),
          ]
        : []
  ).filter((b): b is Record<string, unknown> => typeof b === 'object' && b !== null);
  const hasBody = items.some((b) => isAttachment(b) || b.type === 'section' || b.type === 'context');
  return markup`${items.map((b) => (isAttachment(b) ? attachment(b, text) : block(b)))}${
    hasBody ? '' : markup`<div class="sl-text">${mrkdwn(text)}</div>`
  }`;
}
