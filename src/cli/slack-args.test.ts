import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import {
  ciKey,
  dotenvLine,
  githubOutputLine,
  parseChannel,
  parseLink,
  parseStatus,
  parseTimeout,
  openKey,
  replyKey,
  resolveThread,
  stageReply,
} from './slack-args.js';

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('the thread reference of thread-reply', () => {
  it.each([
    [
      'a --thread flag is read as CHANNEL:TS',
      'C123:1700000000.000100',
      {},
      { channel: 'C123', ts: '1700000000.000100' },
    ],
    [
      'without --thread, $THREADER_SLACK_THREAD is used (the GitLab dotenv artifact)',
      undefined,
      { THREADER_SLACK_THREAD: 'G0PRIV:1700000001.000200\n' },
      { channel: 'G0PRIV', ts: '1700000001.000200' },
    ],
    [
      'the flag wins over the environment',
      'C1:1700000000.000100',
      { THREADER_SLACK_THREAD: 'C2:1700000000.000100' },
      { channel: 'C1', ts: '1700000000.000100' },
    ],
  ])('%s', (_name, flag, env, ref) => {
    expect(resolveThread(flag, env)).toEqual(ref);
  });

  it.each([
    ['a channel name instead of an ID names --thread', '#deploys:1700000000.000100', {}, '--thread'],
    ['a ts without its microseconds names --thread', 'C123:1700000000', {}, '--thread'],
    [
      'a bad environment value names the variable',
      undefined,
      { THREADER_SLACK_THREAD: 'nope' },
      '$THREADER_SLACK_THREAD',
    ],
    [
      'nothing at all says what to pass',
      undefined,
      {},
      '--thread is required (or set $THREADER_SLACK_THREAD)',
    ],
  ])('%s', (_name, flag, env, named) => {
    expect(usage(() => resolveThread(flag, env))).toContain(named);
  });
});

describe('flag values', () => {
  it.each([
    ['a channel ID is taken as it is', 'C0DEPLOYS', 'C0DEPLOYS'],
    ['a private channel ID (G…) is taken', 'G0PRIVATE', 'G0PRIVATE'],
    ['surrounding blanks are dropped', ' C0DEPLOYS ', 'C0DEPLOYS'],
  ])('%s', (_name, text, channel) => {
    expect(parseChannel('--channel', text)).toBe(channel);
  });

  it.each([
    ['a channel name is refused with the reason IDs are needed', '#deploys', 'not a name'],
    ['a missing channel mentions $SLACK_CHANNEL', undefined, '$SLACK_CHANNEL'],
  ])('%s', (_name, text, said) => {
    expect(usage(() => parseChannel('--channel', text))).toContain(said);
  });

  it.each([
    ['success', 'success'],
    ['FAILURE', 'failure'],
    ['cancelled', 'cancelled'],
    ['skipped', 'skipped'],
  ])('status %s is accepted (case does not matter)', (text, status) => {
    expect(parseStatus(text)).toBe(status);
  });

  it('an unknown status lists the four there are', () => {
    expect(usage(() => parseStatus('failed'))).toBe(
      '--status: "failed" must be one of success, failure, cancelled, skipped',
    );
  });

  it.each([
    [
      'NAME=URL becomes a link',
      'Logs=https://ci.example/run/1',
      { name: 'Logs', url: 'https://ci.example/run/1' },
    ],
    [
      'a URL with its own = signs is split at the first one only',
      'Run=https://ci.example/?a=1&b=2',
      { name: 'Run', url: 'https://ci.example/?a=1&b=2' },
    ],
  ])('%s', (_name, text, link) => {
    expect(parseLink(text)).toEqual(link);
  });

  it.each([
    ['a link without a name is refused', '=https://ci.example', 'is not NAME=URL'],
    ['a link without = is refused', 'https://ci.example', 'is not NAME=URL'],
    ['a javascript: URL is refused', 'x=javascript:alert(1)', 'is not an http(s) URL'],
    ['a relative URL is refused', 'x=/runs/1', 'is not an http(s) URL'],
  ])('%s', (_name, text, said) => {
    expect(usage(() => parseLink(text))).toContain(said);
  });

  it.each([
    ['no --timeout waits 30 s', undefined, 30_000],
    ['a duration is read as one', '2m', 120_000],
    ['a bare number is seconds', '5', 5_000],
  ])('%s', (_name, text, ms) => {
    expect(parseTimeout(text)).toBe(ms);
  });

  it('a timeout of zero is refused', () => {
    expect(usage(() => parseTimeout('0s'))).toContain('--timeout');
  });
});

describe('the key that makes a retried step reuse its thread', () => {
  it.each([
    [
      'GitHub Actions: repository, run and attempt',
      { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/api', GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '2' },
      'github:acme/api:42:2',
    ],
    [
      'GitLab CI: project and pipeline',
      { GITLAB_CI: 'true', CI_PROJECT_ID: '7', CI_PIPELINE_ID: '99' },
      'gitlab:7:99',
    ],
    ['outside CI there is none (every run opens its own thread)', { USER: 'alice' }, undefined],
    ['a GITHUB_RUN_ID outside GitHub Actions is not trusted', { GITHUB_RUN_ID: '42' }, undefined],
  ])('%s', (_name, env, key) => {
    expect(ciKey(env)).toBe(key);
  });
});

describe('a stage result as a reply', () => {
  it.each([
    ['success', ':white_check_mark: *build* succeeded', false],
    ['failure', ':x: *build* failed', true],
    ['cancelled', ':no_entry_sign: *build* was cancelled', false],
    ['skipped', ':fast_forward: *build* was skipped', false],
  ] as const)('%s shows its emoji, and only a failure is broadcast', (status, head, broadcast) => {
    const reply = stageReply({ stage: 'build', status });
    expect(reply.text).toBe(head);
    expect(reply.broadcast === true).toBe(broadcast);
  });

  it('carries the text, the rollback command as code and the links', () => {
    expect(
      stageReply({
        stage: 'deploy production',
        status: 'failure',
        text: 'canary failed',
        rollbackCommand: ' threader rollback --config deploy.yaml --env production ',
        links: [{ name: 'Run', url: 'https://ci.example/1' }],
      }),
    ).toEqual({
      text: ':x: *deploy production* failed\ncanary failed\nRoll back with:',
      code: 'threader rollback --config deploy.yaml --env production',
      links: [{ name: 'Run', url: 'https://ci.example/1' }],
      broadcast: true,
    });
  });

  it('leaves escaping to the renderer, so text is never escaped twice', () => {
    expect(stageReply({ stage: '<!channel> & co', status: 'success' }).text).toContain('<!channel> & co');
  });
});

describe('what thread-open writes for later jobs', () => {
  it('is thread=REF for $GITHUB_OUTPUT and THREADER_SLACK_THREAD=REF for a dotenv file', () => {
    expect(githubOutputLine('C1:1700000000.000100')).toBe('thread=C1:1700000000.000100\n');
    expect(dotenvLine('C1:1700000000.000100')).toBe('THREADER_SLACK_THREAD=C1:1700000000.000100\n');
  });
});

describe('what makes a second call the same thread or the same reply', () => {
  const gh = {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/api',
    GITHUB_RUN_ID: '7',
    GITHUB_RUN_ATTEMPT: '1',
  };
  const ref = { channel: 'C0PIPE', ts: '1700000000.000100' };
  const reply = stageReply({ stage: 'build', status: 'success', text: 'v2' });

  it('thread-open retried in the same run with the same title finds its thread', () => {
    expect(openKey('C0PIPE', 'Deploy v2', gh)).toBe(openKey('C0PIPE', 'Deploy v2', { ...gh }));
  });

  it('a second thread-open of the run with another title opens its own thread', () => {
    expect(openKey('C0PIPE', 'Deploy v2', gh)).not.toBe(openKey('C0PIPE', 'Nightly report', gh));
  });

  it('the same title in another channel is another thread', () => {
    expect(openKey('C0PIPE', 'Deploy v2', gh)).not.toBe(openKey('C0OTHER', 'Deploy v2', gh));
  });

  it('outside CI there is no run to find a thread by', () => {
    expect(openKey('C0PIPE', 'Deploy v2', {})).toBeUndefined();
  });

  it.each([
    ['the same reply in the same thread and run is the same', reply, ref, 'run-1', true],
    [
      'another status is another reply',
      stageReply({ stage: 'build', status: 'failure', text: 'v2' }),
      ref,
      'run-1',
      false,
    ],
    [
      'another text is another reply',
      stageReply({ stage: 'build', status: 'success', text: 'v3' }),
      ref,
      'run-1',
      false,
    ],
    [
      'another rollback command is another reply',
      stageReply({ stage: 'build', status: 'success', text: 'v2', rollbackCommand: 'threader rollback' }),
      ref,
      'run-1',
      false,
    ],
    [
      'another link is another reply',
      stageReply({
        stage: 'build',
        status: 'success',
        text: 'v2',
        links: [{ name: 'Run', url: 'https://ci.example/2' }],
      }),
      ref,
      'run-1',
      false,
    ],
    ['another thread is another reply', reply, { ...ref, ts: '1700000000.000200' }, 'run-1', false],
    ['another run is another reply', reply, ref, 'run-2', false],
  ] as const)('%s', (_case, other, otherRef, run, same) => {
    expect(replyKey(ref, reply, 'run-1') === replyKey(otherRef, other, run)).toBe(same);
  });
});
