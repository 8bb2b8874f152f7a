/**
 * Tells the person who pressed a button what happened, visible only to them (protocol: a POST of
 * `{response_type: "ephemeral", replace_original: false, text}` to the payload's response_url,
 * valid for 30 minutes). Best effort: the thread's parent is the durable record.
 */
export async function respondEphemeral(
  responseUrl: string | undefined,
  text: string,
  opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<boolean> {
  if (!responseUrl) return false;
  try {
    const res = await (opts.fetch ?? fetch)(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
