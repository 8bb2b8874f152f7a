import { describe, expect, it } from 'vitest';
import { defaultLockFile, resolveLockFile, RUN_LOCK_FILE } from './paths.js';

describe('lock file path', () => {
  it.each([
    ['root (or anyone who can write /run) uses /run', true, false, RUN_LOCK_FILE],
    ['a user who cannot write /run still reads a lock root took there', false, true, RUN_LOCK_FILE],
    [
      'a user with no /run lock falls back to the state directory',
      false,
      false,
      '/home/ci/.state/threader/qos.guard',
    ],
  ])('%s', (_name, canWrite, exists, expected) => {
    expect(
      defaultLockFile(
        { XDG_STATE_HOME: '/home/ci/.state' },
        () => canWrite,
        () => exists,
      ),
    ).toBe(expected);
  });

  it('prefers --lock-file, then THREADER_GUARD_FILE, then the config', () => {
    const env = { THREADER_GUARD_FILE: '/env/guard' };
    expect(resolveLockFile({ flag: '/flag/guard', env, config: '/cfg/guard' })).toBe('/flag/guard');
    expect(resolveLockFile({ env, config: '/cfg/guard' })).toBe('/env/guard');
    expect(resolveLockFile({ env: {}, config: '/cfg/guard' })).toBe('/cfg/guard');
  });
});
