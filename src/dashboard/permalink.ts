/**
 * Links to a Slack message. Slack's permalink form (protocol, as chat.getPermalink returns it):
 * `<workspace URL>archives/<channel>/p<ts without the dot>`, and for a reply
 * `?thread_ts=<parent ts>&cid=<channel>`. The workspace URL is auth.test's `url`, so the embedded
 * local Slack links to its own pages; without it, slack.com redirects to the right workspace.
 */
export const FALLBACK_WORKSPACE_URL = 'https://slack.com/';

export function slackPermalink(
  workspaceUrl: string | undefined,
  channel: string,
  ts: string,
  threadTs?: string,
): string {
  const base = (workspaceUrl || FALLBACK_WORKSPACE_URL).replace(/\/?$/, '/');
  const url = `${base}archives/${encodeURIComponent(channel)}/p${ts.replace('.', '')}`;
  return threadTs && threadTs !== ts
    ? `${url}?thread_ts=${encodeURIComponent(threadTs)}&cid=${encodeURIComponent(channel)}`
    : url;
}

/**
 * auth.test's workspace URL, asked once and remembered; a failure is retried after `retryMs`
 * (pages fall back to slack.com meanwhile) so a Slack outage does not slow every page down.
 */
export function workspaceUrlCache(
  authTest: () => Promise<{ url: string }>,
  now: () => number,
  retryMs = 60_000,
): () => Promise<string | undefined> {
  let url: string | undefined;
  let failedAt: number | undefined;
  return async () => {
    if (url !== undefined) return url;
    if (failedAt !== undefined && now() - failedAt < retryMs) return undefined;
    try {
      const res = await authTest();
      if (/^https?:\/\//.test(res.url)) url = res.url;
      return url;
    } catch {
      failedAt = now();
      return undefined;
    }
  };
}
