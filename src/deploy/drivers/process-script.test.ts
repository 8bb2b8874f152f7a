import { execFileSync } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import { parseState } from './process-driver.js';
import { startScript, stateScript, stopScript } from './process-script.js';

const target = { stateDir: "/var/lib/threader's state", instance: 'a', stopTimeoutMs: 3_000 };
const launch = {
  command: ['node', 'svc.mjs', '--label', '$(touch /tmp/pwned)'],
  env: { TOKEN: "x'; rm -rf / #", PORT: '8081' },
  workingDir: '/srv/my app',
  version: 'v1.2.3',
  startedAt: 1_700_000_000_000,
};

/** `sh -n`: parses the script without running it. */
const parses = (script: string) => execFileSync('sh', ['-n'], { input: script, encoding: 'utf8' }) === '';

describe('process scripts', () => {
  it('are valid POSIX sh for every operation', () => {
    expect(parses(startScript(target, launch))).toBe(true);
    expect(parses(stopScript(target))).toBe(true);
    expect(parses(stateScript(target))).toBe(true);
  });

  it('carry hostile values only as quoted words', () => {
    const script = startScript(target, launch);
    expect(script).toContain(`dir='/var/lib/threader'\\''s state'`);
    expect(script).toContain(`export TOKEN='x'\\''; rm -rf / #'`);
    expect(script).toContain(`set -- node svc.mjs --label '$(touch /tmp/pwned)'`);
    expect(script).toContain(`cd '/srv/my app'`);
  });

  it('turn the stop timeout into centiseconds for the /proc/uptime clock', () => {
    expect(stopScript({ ...target, stopTimeoutMs: 2_345 })).toContain('stop_cs=235');
  });
});

describe('parseState', () => {
  it.each([
    ['a stopped instance is not running', ['stopped'], { running: false }],
    [
      'a running instance reports its pid and recorded version',
      ['running 42', '{"version":"v2","pid":42,"startTime":9,"startedAt":1}'],
      { running: true, pid: 42, version: 'v2' },
    ],
    [
      'a stale pid file note before "stopped" still means stopped',
      ['stale pid file: pid 42 is another program now', 'stopped', '{"version":"v2"}'],
      { running: false },
    ],
    ['a torn state file leaves the version unknown', ['running 7', '{"vers'], { running: true, pid: 7 }],
  ])('%s', (_name, lines, expected) => {
    expect(parseState(lines)).toEqual(expected);
  });
});
