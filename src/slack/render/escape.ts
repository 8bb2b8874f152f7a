/**
 * Slack's control characters in text objects are `&`, `<` and `>` (protocol: "Formatting text",
 * https://api.slack.com/reference/surfaces/formatting#escaping). Only these three are entity-encoded;
 * Slack decodes exactly these and nothing else. With them escaped,
 * `<!channel>`, `<!here>`, `<@U123>`, `<#C1>` and `<http://evil|click>` written by a label or an
 * annotation display as literal text and can never become a mention or a link.
 */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** True for an absolute http(s) URL: the only schemes we ever turn into a clickable link. */
export function isHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The URL half of `<url|label>`: `|` would end the URL early and `<` / `>` would end the link, so
 * they are percent-encoded (the URL still resolves to the same resource); `&` is a control
 * character and is entity-encoded like in any other text.
 */
function linkTarget(url: string): string {
  return new URL(url).href
    .replace(/&/g, '&amp;')
    .replace(/\|/g, '%7C')
    .replace(/</g, '%3C')
    .replace(/>/g, '%3E');
}

/**
 * A mrkdwn link `<url|label>` when `url` is http(s); otherwise only the escaped label, so a
 * `javascript:` or `slack://` URL coming from an alert can never become clickable.
 * Newlines would break the link token, so the label is flattened to one line.
 */
export function link(url: string, label: string): string {
  const text = escapeText(label.replace(/\s+/g, ' ').trim());
  if (!isHttpUrl(url)) return text;
  return `<${linkTarget(url)}|${text || escapeText(new URL(url).href)}>`;
}
