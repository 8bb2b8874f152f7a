/**
 * Which Alertmanager a thread belongs to. A notification names its sender in `externalURL` (its
 * --web.external-url); `alertmanager.url` names one Alertmanager, with credentials if it needs
 * them. Several Alertmanagers (clusters, regions) may send to one threader, so a thread is only
 * checked against the configured one when it came from it.
 */

/** A base URL without credentials or trailing slashes: how base URLs are compared and shown. */
export function publicUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href.replace(/\/+$/, '');
  } catch {
    return url.replace(/\/+$/, '');
  }
}

/** Whether two base URLs name the same Alertmanager (credentials and trailing slashes aside). */
export function sameAlertmanager(a: string | undefined, b: string | undefined): boolean {
  return Boolean(a && b) && publicUrl(a as string) === publicUrl(b as string);
}

/**
 * The base URL to ask about a thread's alerts: the configured URL (which carries the credentials)
 * when the thread came from that Alertmanager, else the thread's own externalURL. Undefined when
 * the thread does not say where it came from: no Alertmanager can speak for it.
 */
export function alertmanagerOf(
  externalURL: string | undefined,
  configuredUrl: string | undefined,
): string | undefined {
  if (!externalURL) return undefined;
  return sameAlertmanager(externalURL, configuredUrl) ? configuredUrl : externalURL;
}

/**
 * The base URL to act on a silence created at `createdAt` (stored without credentials): the
 * configured URL when it names that same Alertmanager, so its credentials are used again.
 */
export function silenceAlertmanager(createdAt: string, configuredUrl: string | undefined): string {
  return sameAlertmanager(createdAt, configuredUrl) ? (configuredUrl as string) : createdAt;
}
