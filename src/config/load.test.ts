import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { defaultChannel, loadConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'threader-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('loadConfig', () => {
  it('gives the documented defaults with no file and no env', async () => {
    const c = await loadConfig({ env: {} });
    expect(c.server).toEqual({ host: '0.0.0.0', port: 9009, bodyLimit: 1048576 });
    expect(c.store).toMatchObject({
      db: './data/threader.db',
      keepNotifications: 7 * 86_400_000,
      keepThreads: 30 * 86_400_000,
    });
    expect(c.threads.key).toBe('group');
    expect(c.threads.duplicateWindow).toBe(300_000);
    expect(c.secrets).toEqual({ slackToken: undefined, webhookToken: undefined });
  });

  it('env overrides the file', async () => {
    const p = file('a.yaml', 'server:\n  port: 8000\nslack:\n  channel: C_FILE\n');
    const c = await loadConfig({ configPath: p, env: { PORT: '9100', SLACK_CHANNEL: 'C_ENV' } });
    expect(c.server.port).toBe(9100);
    expect(c.slack.channel).toBe('C_ENV');
  });

  it('reads secrets from *_FILE paths, trimmed', async () => {
    const tokenFile = file('token', 'xoxb-from-file\n');
    const c = await loadConfig({
      env: { SLACK_BOT_TOKEN_FILE: tokenFile, THREADER_WEBHOOK_TOKEN: 'hook', SLACK_CHANNEL: 'C0123' },
    });
    expect(c.secrets).toEqual({ slackToken: 'xoxb-from-file', webhookToken: 'hook' });
  });

  it('with a Slack token, the default channel must be given (for serve), as an ID', async () => {
    const noChannel = await loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1' } });
    expect(() => defaultChannel(noChannel)).toThrow(
      'slack.channel: is required with a Slack token: set SLACK_CHANNEL to a channel ID like C0123ABCDEF',
    );
    await expect(
      loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CHANNEL: '#alerts' } }),
    ).rejects.toThrow(/slack\.channel: must be a Slack channel ID like C0123ABCDEF, not a name/);
    expect(defaultChannel(await loadConfig({ env: {} }))).toBe('C0ALERTS');
  });

  it('rejects unknown keys, naming their path', async () => {
    const p = file('b.yaml', 'threads:\n  keyy: group\n');
    await expect(loadConfig({ configPath: p, env: {} })).rejects.toThrow(/threads: unknown key\(s\) keyy/);
  });

  it('names the field of a bad duration and a bad enum', async () => {
    const p = file('c.yaml', 'threads:\n  reopenWindow: soon\n  key: everything\n');
    const err = await loadConfig({ configPath: p, env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((x) => x.field).sort()).toEqual([
      'threads.key',
      'threads.reopenWindow',
    ]);
  });

  it('a missing secret file is a clear error that does not print any secret', async () => {
    await expect(loadConfig({ env: { SLACK_BOT_TOKEN_FILE: join(dir, 'nope') } })).rejects.toThrow(
      /cannot read SLACK_BOT_TOKEN_FILE .*nope: ENOENT/,
    );
  });

  it('a bad PORT says what a port is and where it came from', async () => {
    await expect(loadConfig({ env: { PORT: 'abc' } })).rejects.toThrow(
      'server.port: must be a port number from 0 to 65535 (PORT)',
    );
  });
});
