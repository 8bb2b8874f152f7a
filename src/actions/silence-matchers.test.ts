import { describe, expect, it } from 'vitest';
import { silenceMatchers } from './silence-matchers.js';

describe('silenceMatchers', () => {
  it('matches every label the group shares, by equality, sorted by name', () => {
    expect(
      silenceMatchers({
        groupLabels: { alertname: 'Down' },
        commonLabels: { alertname: 'Down', severity: 'page', service: 'api' },
      }),
    ).toEqual([
      { name: 'alertname', value: 'Down', isRegex: false, isEqual: true },
      { name: 'service', value: 'api', isRegex: false, isEqual: true },
      { name: 'severity', value: 'page', isRegex: false, isEqual: true },
    ]);
  });

  it('keeps the group labels even when a sender left them out of commonLabels', () => {
    expect(silenceMatchers({ groupLabels: { cluster: 'eu' }, commonLabels: {} })).toEqual([
      { name: 'cluster', value: 'eu', isRegex: false, isEqual: true },
    ]);
  });

  it('gives nothing for a group that shares no label, so no silence can match everything', () => {
    expect(silenceMatchers({ groupLabels: {}, commonLabels: {} })).toEqual([]);
  });
});
