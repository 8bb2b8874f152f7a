import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ignoreEpipe } from './main.js';

const failure = (code: string) => Object.assign(new Error(`write ${code}`), { code });

describe('output streams whose reader went away', () => {
  it('a closed pipe (EPIPE) on stdout or stderr does not end the process', () => {
    const stdout = new EventEmitter();
    const stderr = new EventEmitter();
    ignoreEpipe([stdout, stderr]);
    expect(() => stdout.emit('error', failure('EPIPE'))).not.toThrow();
    expect(() => stderr.emit('error', failure('EPIPE'))).not.toThrow();
  });

  it('any other stream error still surfaces', () => {
    const stdout = new EventEmitter();
    ignoreEpipe([stdout]);
    expect(() => stdout.emit('error', failure('EIO'))).toThrow('write EIO');
  });

  it('installing it twice adds one listener', () => {
    const stdout = new EventEmitter();
    ignoreEpipe([stdout]);
    ignoreEpipe([stdout]);
    expect(stdout.listenerCount('error')).toBe(1);
  });
});
