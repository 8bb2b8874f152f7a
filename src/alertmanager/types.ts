/**
 * The slice of Alertmanager's API v2 the threader uses (protocol: prometheus/alertmanager
 * api/v2/openapi.yaml). Field names are Alertmanager's own.
 */

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** Since 0.22; older servers ignore it and treat every matcher as equal. */
  isEqual: boolean;
}

/** `POST /api/v2/silences` body (postableSilence). */
export interface PostableSilence {
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface Silence extends PostableSilence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  updatedAt: string;
}

/** One alert of `GET /api/v2/alerts` (gettableAlert). */
export interface AmAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface AlertmanagerClient {
  /** Base URL without credentials, for messages and links. */
  readonly url: string;
  /** Every alert Alertmanager holds, silenced and inhibited ones included. */
  alerts(): Promise<AmAlert[]>;
  /** Creates a silence; returns its id. */
  createSilence(silence: PostableSilence): Promise<string>;
  getSilence(id: string): Promise<Silence>;
  /**
   * How long this Alertmanager has been running (`GET /api/v2/status`, `uptime` = its start):
   * a restarted Alertmanager knows no alerts until Prometheus sends them again.
   */
  uptimeMs(): Promise<number>;
  /** Expires a silence (`DELETE /api/v2/silence/{id}`). */
  expireSilence(id: string): Promise<void>;
}
