import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess } from './process.js';
import { anyMissing, requireTool, runs } from './require-tool.js';

/**
 * A real OpenSSH server (/usr/sbin/sshd) on a loopback port, for the ssh driver's tests. Everything
 * it needs lives in a temp dir: a fresh ed25519 host key, a client key pair whose public half is
 * the only authorized key, and a known_hosts file that trusts exactly this host key for
 * [127.0.0.1]:PORT. It runs in the foreground (-D) logging to stderr (-e), as the current user.
 */
export interface Sshd {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  dir: string;
  /** sshd's log so far (stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';

/** Why the ssh suites cannot run here, or undefined; throws under CI. ssh-keygen ships with ssh. */
export function sshdMissing(): string | undefined {
  return anyMissing(
    requireTool('sshd', { install: 'openssh-server', check: runs(SSHD, '-V') }),
    requireTool('ssh', { install: 'openssh-client', check: runs('ssh', '-V') }),
  );
}

function keygen(path: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], {
    stdio: 'ignore',
  });
}

/** A known_hosts line trusting `pubKeyFile` for host:port (the bracketed form ssh uses for a non-22 port). */
export function knownHostsLine(host: string, port: number, pubKeyFile: string): string {
  const [type, key] = readFileSync(pubKeyFile, 'utf8').trim().split(/\s+/);
  return `[${host}]:${port} ${type} ${key}\n`;
}

export async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'threader-sshd-'));
  const host = '127.0.0.1';
  const user = userInfo().username;
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const identityFile = join(dir, 'id_ed25519');
  const knownHostsFile = join(dir, 'known_hosts');
  keygen(hostKey, 'threader-test-host');
  keygen(identityFile, 'threader-test-client');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`));
  // sshd running as root insists on its privilege-separation directory (a compile-time path).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  // Another process may take the port between freePort() and sshd's bind: then try a new one.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        `ListenAddress ${host}`,
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        // The temp dir's modes are the test's business, not a multi-user host's.
        'StrictModes no',
        'UsePAM no',
        'X11Forwarding no',
        'AllowTcpForwarding no',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    writeFileSync(knownHostsFile, knownHostsLine(host, port, `${hostKey}.pub`));
    const proc = startProcess(SSHD, ['-D', '-e', '-f', config], { name: 'sshd' });
    const ready = await new Promise<boolean>((resolve) => {
      const check = () => {
        if (proc.stderr().includes(`Server listening on ${host} port ${port}`)) done(true);
        else if (/Address already in use/.test(proc.stderr())) done(false);
      };
      const done = (ok: boolean) => {
        proc.child.stderr?.off('data', check);
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), 10_000);
      proc.child.stderr?.on('data', check);
      void proc.exited.then(() => done(false));
      check();
    });
    if (!ready) {
      await proc.stop(1_000);
      if (attempt < 3 && /Address already in use/.test(proc.stderr())) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start on ${host}:${port}:\n${proc.stderr()}`);
    }
    return {
      host,
      port,
      user,
      identityFile,
      knownHostsFile,
      dir,
      log: () => proc.stderr(),
      stop: async () => {
        await proc.stop(2_000);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
