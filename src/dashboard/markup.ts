/**
 * HTML built from tagged templates: every interpolated value is escaped unless it is already
 * `Html` (produced by this module). Pages never concatenate strings into markup by hand, so a
 * label, an annotation or a Slack text can never become markup.
 */

const HTML = Symbol('html');

export interface Html {
  readonly [HTML]: true;
  readonly value: string;
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Markup this module vouches for; only for strings built here or constants. */
export function trusted(value: string): Html {
  return { [HTML]: true, value };
}

export function isHtml(v: unknown): v is Html {
  return typeof v === 'object' && v !== null && (v as Html)[HTML] === true;
}

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (isHtml(v)) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function markup(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return trusted(out);
}

/** A link target: only http(s) and same-site paths are ever put in an href. */
export function safeHref(url: string | undefined | null): string | undefined {
  if (!url) return undefined;
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
