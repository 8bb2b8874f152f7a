import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { repoRoot, runProcess } from '../helpers/process.js';

const unitsDir = join(repoRoot, 'examples', 'systemd');
const unitFiles = readdirSync(unitsDir).filter((f) => /\.(service|timer)$/.test(f));

function hasSystemdAnalyze(): boolean {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const analyze = hasSystemdAnalyze();
if (!analyze)
  console.warn(
    'examples/systemd: systemd-analyze not found (Debian package systemd), verify and security skipped',
  );

/** Every `Key=value` of a unit, in order (a key may repeat). */
function directives(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}
const serve = directives(readFileSync(join(unitsDir, 'threader.service'), 'utf8'));
const values = (key: string) => serve.filter(([k]) => k === key).map(([, v]) => v);
const seconds = (v: string) => Number(/^(\d+)s$/.exec(v)?.[1] ?? NaN);

/**
 * The units as installed, in a temp dir. A template is verified as one instance. The one change:
 * this machine has no global install, so serve's /usr/local/bin/threader becomes the repo's own
 * launcher (verify checks that ExecStart exists and is executable).
 */
function installed(): string {
  const dir = mkdtempSync(join(tmpdir(), 'threader-units-'));
  for (const f of unitFiles) {
    const text = readFileSync(join(unitsDir, f), 'utf8').replaceAll(
      '/usr/local/bin/threader',
      join(repoRoot, 'bin', 'threader.js'),
    );
    writeFileSync(join(dir, f.replace('@.', '@a.')), text);
  }
  return dir;
}

describe('examples/systemd/threader.service', () => {
  it('loads the Slack and webhook tokens as credentials, by path, never as values', () => {
    expect(values('LoadCredential')).toEqual(
      expect.arrayContaining([
        'slack-bot-token:/etc/alert-threader/credentials/slack-bot-token',
        'webhook-token:/etc/alert-threader/credentials/webhook-token',
      ]),
    );
    expect(values('Environment')).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN_FILE=%d/slack-bot-token',
        'THREADER_WEBHOOK_TOKEN_FILE=%d/webhook-token',
      ]),
    );
    expect(
      values('Environment').filter((e) =>
        /^(SLACK_BOT_TOKEN|THREADER_WEBHOOK_TOKEN|SLACK_SIGNING_SECRET)=/.test(e),
      ),
    ).toEqual([]);
  });

  it('gives serve longer to stop than its graceful drain of Slack calls in flight', () => {
    const drainSeconds = configSchema.parse({}).slack.timeout / 1000;
    expect(seconds(values('TimeoutStopSec')[0] ?? '')).toBeGreaterThan(drainSeconds + 5);
    expect(values('Restart')).toEqual(['on-failure']);
    expect(values('ExecStart')[0]).toMatch(/\/threader serve$/);
  });

  it('runs as a dynamic user in a locked-down sandbox with its own state directory', () => {
    const has = (k: string, v: string) => expect(values(k), k).toContain(v);
    has('DynamicUser', 'yes');
    has('StateDirectory', 'alert-threader-serve');
    expect(values('Environment')).toContain('THREADER_DB=%S/alert-threader-serve/threader.db');
    has('NoNewPrivileges', 'yes');
    has('ProtectSystem', 'strict');
    has('ProtectHome', 'yes');
    has('PrivateTmp', 'yes');
    has('PrivateDevices', 'yes');
    has('ProtectKernelTunables', 'yes');
    has('ProtectKernelModules', 'yes');
    has('ProtectKernelLogs', 'yes');
    has('RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX');
    has('SystemCallFilter', '@system-service');
    has('CapabilityBoundingSet', '');
  });
});

describe.skipIf(!analyze)('examples/systemd with systemd-analyze', () => {
  it('has units that systemd-analyze verify accepts without a single warning', async () => {
    const dir = installed();
    for (const f of readdirSync(dir).filter((n) => /\.(service|timer)$/.test(n))) {
      const r = await runProcess('systemd-analyze', ['verify', '--man=no', join(dir, f)]);
      // verify exits 0 on unknown keys and bad values (it only warns), so its output must be empty.
      expect(`${r.stdout}${r.stderr}`, f).toBe('');
      expect(r.code, f).toBe(0);
    }
  });

  it('rates every service unit "OK" in systemd-analyze security (exposure below 2)', async () => {
    const dir = installed();
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.service'))) {
      const r = await runProcess('systemd-analyze', [
        'security',
        '--offline=yes',
        '--no-pager',
        join(dir, f),
      ]);
      const level = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
      expect(
        level,
        `${f}\n${r.stdout
          .split('\n')
          .filter((l) => l.startsWith('✗'))
          .join('\n')}`,
      ).toBeLessThan(2);
    }
  });
});

describe('serve memory flags', () => {
  it('are the same in the systemd unit and in `npm start`, so what the bench measures is what ships', () => {
    const unit = readFileSync(join(repoRoot, 'examples/systemd/threader.service'), 'utf8');
    const fromUnit = /^Environment="NODE_OPTIONS=([^"]*)"/m.exec(unit)?.[1];
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const fromStart = /node ((?:--[\w-]+=\S+ ?)+) ?bin\/threader\.js serve/.exec(
      pkg.scripts.start ?? '',
    )?.[1];
    expect(fromUnit).toMatch(/--max-old-space-size=\d+/);
    expect(fromStart?.trim()).toBe(fromUnit);
  });
});
