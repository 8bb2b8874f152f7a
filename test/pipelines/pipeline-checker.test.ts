import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOnly } from '../../src/cli/main.js';
import { assignmentsFor, SAMPLE_REF } from './ci-values.js';
import { workflowDir } from './pipeline-files.js';
import { threaderInvocations } from './shell-words.js';

/** The static pipeline check's own parts: finding the commands in a script, and the CI values tried. */

describe('finding threader commands in a script', () => {
  it.each([
    ['a plain line', 'threader guard status', [['guard', 'status']]],
    [
      'quoted variables, one word each',
      'threader deploy --env "$E" "v$V"',
      [['deploy', '--env', 'VALUE', 'vVALUE']],
    ],
    [
      'a continued line',
      'threader slack thread-reply \\\n  --stage build',
      [['slack', 'thread-reply', '--stage', 'build']],
    ],
    [
      'one inside $(…), and its pipe left out',
      'x="$(threader status --json | jq .)"',
      [['status', '--json']],
    ],
    [
      'a retried threader command, both parsed',
      'threader retry 3 5 -- threader rollback --to v1',
      [
        ['retry', '3', '5', '--', 'threader', 'rollback', '--to', 'v1'],
        ['rollback', '--to', 'v1'],
      ],
    ],
    [
      'behind if and before ||',
      'if [ -n "$T" ]; then threader slack flush || true; fi',
      [['slack', 'flush']],
    ],
    ['not a word inside another command', 'echo "run threader deploy later"', []],
  ])('%s', (_case, script, expected) => {
    expect(threaderInvocations(script).map((i) => i.argv)).toEqual(expected);
  });

  it('an invalid command in a script is caught by the parse', async () => {
    const [inv] = threaderInvocations(
      'threader deploy --config c.yaml --env staging --slak-thread "$REF" v2',
    );
    expect(await parseOnly(inv?.argv ?? [])).toMatchObject({
      ok: false,
      error: expect.stringContaining('--slak-thread'),
    });
  });
});

describe('the static check with CI values', () => {
  const reply = (script: string, env: Record<string, string> = {}) =>
    assignmentsFor({ where: 't', script, system: 'gitlab', file: '', env }).map((a) =>
      threaderInvocations(script, (n) => a[n]).map((i) => i.argv),
    );

  it('GitLab’s CI_JOB_STATUS passed straight to --status is caught: "failed" and "canceled" are refused', async () => {
    const results = await Promise.all(
      reply('threader slack thread-reply --stage "$CI_JOB_NAME" --status "$CI_JOB_STATUS"')
        .flat()
        .map((argv) => parseOnly(argv)),
    );
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, error: expect.stringContaining('"failed"') },
      { ok: false, error: expect.stringContaining('"canceled"') },
    ]);
  });

  it('a status mapped by a case statement takes the values bash gives it', () => {
    const script =
      'case "$CI_JOB_STATUS" in failed) status=failure ;; *) status="$CI_JOB_STATUS" ;; esac\n' +
      'threader slack thread-reply --stage x --status "$status"';
    const statuses = new Set(reply(script).flatMap((lines) => lines.map((argv) => argv.at(-1))));
    expect([...statuses].sort()).toEqual(['canceled', 'failure', 'success']);
  });

  it('GitHub’s ${{ job.status }} and a dispatch input’s options are tried one by one', () => {
    const sets = assignmentsFor({
      where: 't',
      script:
        'threader deploy --strategy "$STRATEGY" --slack-thread "$THREADER_SLACK_THREAD"; echo "$STATUS"',
      system: 'github',
      file: join(workflowDir, 'deploy.yml'),
      env: { STATUS: '${{ job.status }}', STRATEGY: '${{ inputs.strategy }}' },
    });
    expect(new Set(sets.map((a) => a.STATUS))).toEqual(new Set(['success', 'failure', 'cancelled']));
    expect(new Set(sets.map((a) => a.STRATEGY))).toEqual(new Set(['rolling', 'canary', 'blue-green']));
    expect(new Set(sets.map((a) => a.THREADER_SLACK_THREAD))).toEqual(new Set([SAMPLE_REF, '']));
    expect(sets).toHaveLength(3 * 3 * 2);
  });
});
