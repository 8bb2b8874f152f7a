import type { Severity } from '../../core/summary.js';
import type { AlertStatus } from '../../core/types.js';

export interface Style {
  emoji: string;
  /** Attachment colour bar; Slack's brand palette, as the original service used (feature 9). */
  color: string;
}

export const COLORS = {
  danger: '#E01E5A',
  warning: '#ECB22E',
  good: '#2EB67D',
  info: '#36C5F0',
} as const;

/** Severity emoji and colour (original features 8 and 9); an alert without a severity is treated as a warning. */
export const SEVERITY_STYLE: Record<Severity, Style> = {
  critical: { emoji: '🚨', color: COLORS.danger },
  error: { emoji: '❗', color: COLORS.danger },
  warning: { emoji: '⚠️', color: COLORS.warning },
  info: { emoji: 'ℹ️', color: COLORS.info },
  unknown: { emoji: '🔔', color: COLORS.warning },
};

export const RESOLVED_STYLE: Style = { emoji: '✅', color: COLORS.good };

export const STATUS_EMOJI: Record<AlertStatus, string> = { firing: '🔥', resolved: '✅' };

export function styleOf(status: AlertStatus, severity: Severity): Style {
  return status === 'resolved' ? RESOLVED_STYLE : SEVERITY_STYLE[severity];
}
