import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack request signing (protocol: https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature` = `v0=` + hex HMAC-SHA256(signing secret, `v0:{X-Slack-Request-Timestamp}:{raw body}`).
 * Slack advises refusing timestamps more than five minutes from now, so a captured request cannot be
 * replayed later; replays inside that window are the caller's to refuse (see rememberOnce).
 */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export function signSlackRequest(secret: string, timestamp: string | number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature' };

export function verifySlackSignature(req: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string;
  /** Epoch ms. */
  now: number;
  toleranceSeconds?: number;
}): SignatureCheck {
  if (!req.timestamp || !req.signature) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(req.timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const age = Math.abs(Math.floor(req.now / 1000) - Number(req.timestamp));
  // Far-future timestamps are refused too: otherwise a forged clock would keep a request fresh.
  if (age > (req.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS))
    return { ok: false, reason: 'stale_timestamp' };
  const expected = Buffer.from(signSlackRequest(req.secret, req.timestamp, req.rawBody));
  const given = Buffer.from(req.signature);
  // timingSafeEqual needs equal lengths; a length mismatch reveals only that the format is wrong.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  return { ok: true };
}
