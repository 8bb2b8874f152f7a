import { describe, expect, it } from 'vitest';
import type { Notification } from '../core/types.js';
import { compileRoutes } from './route.js';

const n = (receiver: string, labels: Record<string, string>): Notification => ({
  version: '4',
  groupKey: '{}:{}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver,
  groupLabels: {},
  commonLabels: labels,
  commonAnnotations: {},
  externalURL: '',
  alerts: [],
});

describe('compileRoutes', () => {
  const route = compileRoutes(
    [
      { receiver: 'db-team', channel: 'C_DB' },
      { labels: { severity: 'critical', env: '/prod|production/' }, channel: 'C_PAGE' },
      { labels: { team: 'web' }, channel: 'C_WEB' },
    ],
    'C_DEFAULT',
  );

  it.each([
    ['a receiver rule matches by receiver name', n('db-team', { severity: 'critical', env: 'prod' }), 'C_DB'],
    [
      'label rules need every label to match',
      n('default', { severity: 'critical', env: 'production' }),
      'C_PAGE',
    ],
    ['a regex value is anchored', n('default', { severity: 'critical', env: 'preprod' }), 'C_DEFAULT'],
    ['a later rule matches when earlier ones do not', n('default', { team: 'web' }), 'C_WEB'],
    ['nothing matching goes to the default channel', n('default', {}), 'C_DEFAULT'],
  ])('%s', (_name, notification, channel) => {
    expect(route(notification)).toBe(channel);
  });
});
