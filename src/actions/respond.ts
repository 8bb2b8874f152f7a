/**
 * Messages to a presser through the payload's response_url (protocol: valid for 30 minutes, up to
 * 5 uses; https://api.slack.com/interactivity/handling#message_responses). Best effort: the thread's
 * parent is the durable record.
 */
export interface RespondOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Tells the person who pressed a button what happened, visible only to them. */
export async function respondEphemeral(
  responseUrl: string | undefined,
  text: string,
  opts: RespondOptions = {},
): Promise<boolean> {
  return postResponse(responseUrl, { response_type: 'ephemeral', replace_original: false, text }, opts);
}

/**
 * Replaces the message the button was on, for everyone in the channel (`replace_original: true`):
 * e.g. an answered approval request that must stop offering its buttons. The new `text` and
 * `blocks` take the old ones' place entirely.
 */
export async function respondReplacing(
  responseUrl: string | undefined,
  message: { text: string; blocks?: Array<Record<string, unknown>> },
  opts: RespondOptions = {},
): Promise<boolean> {
  return postResponse(responseUrl, { replace_original: true, ...message }, opts);
}

async function postResponse(
  responseUrl: string | undefined,
  body: Record<string, unknown>,
  opts: RespondOptions,
): Promise<boolean> {
  if (!responseUrl) return false;
  try {
    const res = await (opts.fetch ?? fetch)(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
