import { describe, expect, it } from 'vitest';
import { formatThreadRef, noteThreadId, parseThreadRef } from './thread-ref.js';

describe('thread references', () => {
  it.each([
    ['a channel id and a ts', 'C123:1700000000.000100', { channel: 'C123', ts: '1700000000.000100' }],
    [
      'a private channel id',
      'G0DEPLOYS:1700000000.000100',
      { channel: 'G0DEPLOYS', ts: '1700000000.000100' },
    ],
  ])('parses %s', (_name, text, ref) => {
    expect(parseThreadRef(text)).toEqual(ref);
    expect(formatThreadRef(ref)).toBe(text);
  });

  it.each([
    ['no channel', ':1700000000.000100'],
    ['no ts', 'C123:'],
    ['a ts without microseconds', 'C123:1700000000'],
    ['no separator', 'C1231700000000.000100'],
    ['a channel name instead of its id', '#deploys:1700000000.000100'],
  ])('refuses %s, naming the flag', (_name, text) => {
    expect(() => parseThreadRef(text, '--thread')).toThrow(
      /--thread: .* is not a thread reference CHANNEL_ID:TS/,
    );
  });

  it('gives the same note id to the same thread, another to another', () => {
    expect(noteThreadId('C1:1.000001')).toBe(noteThreadId('C1:1.000001'));
    expect(noteThreadId('C1:1.000001')).not.toBe(noteThreadId('C1:1.000002'));
  });
});
