import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { guardStatus } from '../guard/guard.js';
import { ScriptedProvider, testEnv } from '../../test/deploy/fakes.js';
import { canarySteps, setup, stable } from './executor-fixtures.test-suite.js';
import type { Step } from './types.js';

describe('the deploy executor', () => {
  it('runs every step in order, saves progress after each one and ends succeeded', async () => {
    const t = setup(canarySteps);
    const done = await t.run();
    expect(done.status).toBe('succeeded');
    expect(done.stepIndex).toBe(canarySteps.length);
    expect(t.driver.calls).toEqual(['start d v2']);
    expect(t.router.applied).toEqual([{ a: 1, b: 1, c: 1 }, { a: 3, b: 3, c: 3, d: 1 }, stable]);
    const progress = t.store.updates.map((u) => u.patch.stepIndex).filter((i) => i !== undefined);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(t.store.eventTypes('d-1')[0]).toBe('deploy-started');
    expect(t.store.eventTypes('d-1').at(-1)).toBe('deploy-finished');
    expect(t.events.map((e) => e.type)).toEqual(t.store.eventTypes('d-1'));
  });

  it('reports which versions serve traffic each time the weights change', async () => {
    const t = setup(canarySteps);
    await t.run();
    const canary = t.events.find((e) => e.type === 'weights-set' && e.effectivePercent === 10);
    expect(canary).toMatchObject({ versions: { a: 'v1', d: 'v2' }, requestedPercent: 10 });
  });

  it('measures the canary, not the fleet: every check narrowed to the canary instance', async () => {
    const provider = new ScriptedProvider([0]);
    const ratio = {
      numerator: { metric: 'threader_http_requests_total', match: { code: '5..' } },
      denominator: { metric: 'threader_http_requests_total' },
    };
    const base = testEnv().analysis!;
    const t = setup(canarySteps, {
      provider,
      env: { analysis: { ...base, checks: [{ ...base.checks[0]!, query: undefined, ratio }] } },
    });
    await t.run();
    expect(provider.asked).toHaveLength(3);
    for (const check of provider.asked) {
      expect(check.ratio?.numerator.match).toEqual({ code: '5..', instance: '127\\.0\\.0\\.1:9004' });
      expect(check.ratio?.denominator.match).toEqual({ instance: '127\\.0\\.0\\.1:9004' });
    }
    expect(t.events.find((e) => e.type === 'analysis')).toMatchObject({ instances: ['d'] });
  });

  it('matches the canary on the label the config names when targets are relabelled', async () => {
    const provider = new ScriptedProvider([0]);
    const ratio = {
      numerator: { metric: 'threader_http_requests_total', match: { code: '5..' } },
      denominator: { metric: 'threader_http_requests_total' },
    };
    const base = testEnv().analysis!;
    const check = { ...base.checks[0]!, query: undefined, ratio };
    const t = setup(canarySteps, {
      provider,
      env: { analysis: { ...base, checks: [check], instanceLabel: 'target' } },
    });
    await t.run();
    expect(provider.asked[0]!.ratio?.denominator.match).toEqual({ target: '127\\.0\\.0\\.1:9004' });
  });

  it('asks a provider scoped to the canary when the provider is a direct scrape of its targets', async () => {
    const scoped = new ScriptedProvider([0]);
    const t = setup(canarySteps);
    const askedFor: string[][] = [];
    t.deps.providerFor = (instances) => {
      askedFor.push(instances.map((i) => i.name));
      return scoped;
    };
    await t.run();
    expect(askedFor).toEqual([['d']]);
    expect(scoped.measured).toBe(3);
  });

  it('rolls back, locks the guard with the reason and reports the failing value when the analysis fails', async () => {
    const t = setup(canarySteps, { provider: new ScriptedProvider([0.2]) });
    const done = await t.run();
    expect(done.status).toBe('rolled-back');
    expect(done.failure).toMatchObject({ step: 5, kind: 'analyse', outcome: 'Failed' });
    expect(done.failure?.judgements?.[0]).toMatchObject({
      value: 0.2,
      threshold: 0.01,
      query: 'q(http_5xx_ratio)',
    });
    expect(done.failure?.message).toContain('20% <= 1% does not hold');
    expect(t.router.weights).toEqual(stable);
    expect(t.driver.calls).toEqual(['start d v2', 'start d v1']);
    const failed = t.events.find((e) => e.type === 'deploy-failed');
    expect(failed).toMatchObject({
      rollbackCommand: 'threader rollback --config /etc/threader/deploy.yaml --env production --to v1',
    });
    expect(t.events.find((e) => e.type === 'rollback-finished')).toMatchObject({ guardLocked: true });
    const guard = await guardStatus({ file: t.lockFile, now: () => t.clock.now(), actor: 'x' });
    expect(guard.locked).toBe(true);
    expect(guard.lock?.reason).toContain('deploy d-1 (svc v2 to production) rolled back');
    expect(guard.lock?.reason).toContain('20%');
    expect(guard.lock?.release).toMatchObject({ mode: 'slo', healthyEvaluations: 3 });
  });

  it('locks the guard on the release terms of the guard config when there is one', async () => {
    const t = setup(canarySteps, { provider: new ScriptedProvider([0.2]) });
    t.deps.guardRelease = { mode: 'slo', healthyEvaluations: 5, maxLockDurationMs: 7_200_000 };
    await t.run();
    const guard = await guardStatus({ file: t.lockFile, now: () => t.clock.now(), actor: 'x' });
    expect(guard.lock?.release).toMatchObject({ mode: 'slo', healthyEvaluations: 5 });
    const lockedAt = Date.parse(guard.lock!.lockedAt);
    expect(Date.parse(guard.lock!.release.expiresAt!) - lockedAt).toBe(7_200_000);
  });

  it('stops a failing analysis after failureLimit + 1 bad measurements instead of taking all of them', async () => {
    const provider = new ScriptedProvider([0.2]);
    const t = setup(canarySteps, { provider });
    await t.run();
    expect(provider.measured).toBe(1);
  });

  it('fails the health gate of an instance that never answers 200 and rolls back', async () => {
    const t = setup(canarySteps, { unhealthy: new Set([9004]) });
    const done = await t.run();
    expect(done.status).toBe('failed');
    expect(done.failure?.kind).toBe('health-gate');
    expect(done.failure?.message).toContain('d failed its health gate: 0/2 consecutive 200');
    expect(done.failure?.message).toContain('answered 503');
    // The revert's own health gate of d cannot pass either: the deploy needs a human.
    expect(done.failure?.message).toContain('revert step 3 (health-gate) failed');
    expect(t.router.weights).toEqual({ a: 1, b: 1, c: 1 });
  });

  it('fails a health gate that an old process answers while the one just started died: the driver confirms what it started', async () => {
    const t = setup(canarySteps);
    t.driver.diesOnStart.add('d');
    const done = await t.run();
    expect(done.status).not.toBe('succeeded');
    expect(done.failure).toMatchObject({ kind: 'health-gate', gate: true });
    expect(done.failure?.message).toMatch(
      /d: 127\.0\.0\.1:9004 answers its health check, but what the process driver started there is not running/,
    );
    expect(t.router.applied).not.toContainEqual({ a: 3, b: 3, c: 3, d: 1 });
  });

  it('fails a health gate when the driver reports another version than the plan started', async () => {
    const t = setup(canarySteps);
    const start = t.driver.start.bind(t.driver);
    t.driver.start = async (i, v) => start(i, v === 'v2' ? 'v1' : v);
    const done = await t.run();
    expect(done.failure?.message).toContain('the process driver reports v1 running, not v2');
  });

  it('gives a health gate until its deadline, probing once per interval', async () => {
    const t = setup([{ kind: 'health-gate', instances: ['d'] }], { unhealthy: new Set([9004]) });
    t.deps.planRevert = () => [];
    const started = t.clock.now();
    await t.run();
    const failedAt = t.store.log.find((e) => e.event.type === 'deploy-failed')?.at ?? 0;
    expect(failedAt - started).toBeGreaterThanOrEqual(9_000);
    expect(failedAt - started).toBeLessThanOrEqual(10_500);
    expect(t.probed.length).toBeGreaterThanOrEqual(9);
    expect(t.probed.length).toBeLessThanOrEqual(11);
  });

  it('retries a flaky driver command with the retry policy', async () => {
    const t = setup([{ kind: 'start', instances: ['d'], version: 'v2' }]);
    t.driver.failStarts.set('d', 2);
    const done = await t.run();
    expect(done.status).toBe('succeeded');
    expect(t.driver.calls).toEqual(['start-failed d', 'start-failed d', 'start d v2']);
  });

  it('never retries a start the driver refuses as invalid: one attempt, then the revert', async () => {
    const t = setup([{ kind: 'start', instances: ['d'], version: 'v2' }]);
    const attempts: string[] = [];
    t.driver.start = async (_instance, version) => {
      attempts.push(version);
      if (version === 'v2') throw new ValidationError([{ field: 'version', problem: 'bad' }], 'version');
    };
    const done = await t.run();
    // v2 once; v1 is the revert's start.
    expect(attempts).toEqual(['v2', 'v1']);
    expect(done.failure?.message).toContain('not retried');
  });

  it('waits at the approval step until someone approves from another process', async () => {
    const steps: Step[] = [{ kind: 'approve', reason: 'production' }, ...canarySteps.slice(0, 1)];
    const t = setup(steps);
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(30_000);
    expect((await t.store.get('d-1'))?.status).toBe('waiting-approval');
    expect(t.router.applied).toEqual([]);
    await t.store.requestControl('d-1', { action: 'approve', by: 'bob' });
    const done = await t.drive(running);
    expect(done.status).toBe('succeeded');
    expect(t.events.find((e) => e.type === 'approved')).toMatchObject({ by: 'bob' });
  });

  it('drops an approval given before its gate asked for one: an early approve never pre-approves a later gate', async () => {
    const steps: Step[] = [
      { kind: 'pause', duration: 10_000, reason: 'bake' },
      { kind: 'approve', reason: 'production' },
      ...canarySteps.slice(0, 1),
    ];
    const t = setup(steps);
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(2_000);
    await t.store.requestControl('d-1', { action: 'approve', by: 'early' });
    await t.clock.advance(30_000);
    expect((await t.store.get('d-1'))?.status).toBe('waiting-approval');
    expect(t.router.applied).toEqual([]);
    await t.store.requestControl('d-1', { action: 'approve', by: 'bob' });
    const done = await t.drive(running);
    expect(done.status).toBe('succeeded');
    expect(t.events.filter((e) => e.type === 'approved')).toEqual([
      { type: 'approved', deployId: 'd-1', by: 'bob' },
    ]);
  });

  it('keeps an approval given while its gate waited and no executor ran (a resumed deploy)', async () => {
    const steps: Step[] = [{ kind: 'approve', reason: 'production' }, ...canarySteps.slice(0, 1)];
    const t = setup(steps, { record: { status: 'waiting-approval' } });
    await t.store.create(t.record);
    await t.store.appendEvent('d-1', { type: 'step-started', deployId: 'd-1', index: 0, step: steps[0]! }, 0);
    await t.store.appendEvent(
      'd-1',
      { type: 'approval-requested', deployId: 'd-1', reason: 'production', timeoutAt: 3_600_000 },
      0,
    );
    await t.store.requestControl('d-1', { action: 'approve', by: 'bob' });
    const done = await t.drive(t.executor.run('d-1'));
    expect(done.status).toBe('succeeded');
    expect(t.events.find((e) => e.type === 'approved')).toMatchObject({ by: 'bob' });
  });

  it('an abort that came before a traffic step stops the deploy before it: no step runs after an abort', async () => {
    const t = setup(canarySteps);
    t.deps.planRevert = () => [];
    await t.store.create(t.record);
    await t.store.requestControl('d-1', { action: 'abort', by: 'alice' });
    const done = await t.drive(t.executor.run('d-1'));
    expect(done.status).toBe('aborted');
    expect(t.events.filter((e) => e.type === 'step-started')).toEqual([]);
    expect(t.router.applied).toEqual([]);
  });

  it('rolls back without locking the guard when nobody approves in time', async () => {
    const t = setup([{ kind: 'approve', reason: 'production' }]);
    const done = await t.run();
    expect(done.status).toBe('rolled-back');
    expect(done.failure?.message).toBe('no approval within 60 s');
    expect(t.events.find((e) => e.type === 'rollback-finished')).toMatchObject({ guardLocked: false });
  });

  it('aborts on request: traffic goes back to stable, status aborted, guard untouched', async () => {
    const steps: Step[] = [...canarySteps.slice(0, 5), { kind: 'pause', reason: 'look at the canary' }];
    const t = setup(steps);
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(20_000);
    expect((await t.store.get('d-1'))?.status).toBe('paused');
    await t.store.requestControl('d-1', { action: 'abort', by: 'carol', reason: 'wrong build' });
    const done = await t.drive(running);
    expect(done.status).toBe('aborted');
    expect(done.failure).toMatchObject({ message: 'aborted by carol: wrong build', aborted: true });
    expect(t.router.weights).toEqual(stable);
    expect(t.events.some((e) => e.type === 'deploy-failed')).toBe(false);
    const guard = await guardStatus({ file: t.lockFile, now: () => t.clock.now(), actor: 'x' });
    expect(guard.locked).toBe(false);
  });

  it('pauses between steps when asked and goes on after resume', async () => {
    const steps: Step[] = [
      { kind: 'drain', instances: ['d'], delay: 5_000 },
      { kind: 'stop', instances: ['d'] },
    ];
    const t = setup(steps);
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(1_000);
    await t.store.requestControl('d-1', { action: 'pause', by: 'dave' });
    await t.clock.advance(60_000);
    expect((await t.store.get('d-1'))?.status).toBe('paused');
    expect(t.driver.calls).toEqual([]);
    await t.store.requestControl('d-1', { action: 'resume', by: 'dave' });
    const done = await t.drive(running);
    expect(done.status).toBe('succeeded');
    expect(t.driver.calls).toEqual(['stop d']);
    expect(t.store.eventTypes('d-1')).toContain('resumed');
  });

  it('a deploy paused by a user before its executor crashed stays paused when resumed with --resume, until someone resumes it', async () => {
    const steps: Step[] = [
      { kind: 'drain', instances: ['d'], delay: 5_000 },
      { kind: 'stop', instances: ['d'] },
    ];
    // The crashed executor had honoured the pause (its request is taken) and saved the step index.
    const t = setup(steps, {
      record: { stepIndex: 1, status: 'paused', owner: { pid: 4242, host: 'ci-1', heartbeatAt: 0 } },
    });
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(60_000);
    expect((await t.store.get('d-1'))?.status).toBe('paused');
    expect(t.driver.calls).toEqual([]);
    await t.store.requestControl('d-1', { action: 'resume', by: 'dave' });
    const done = await t.drive(running);
    expect(done.status).toBe('succeeded');
    expect(t.driver.calls).toEqual(['stop d']);
    expect(t.events.find((e) => e.type === 'resumed')).toMatchObject({ by: 'dave' });
  });

  it('a resume given while the paused deploy had no executor is kept: the resumed executor goes on at once', async () => {
    const steps: Step[] = [{ kind: 'stop', instances: ['d'] }];
    const t = setup(steps, {
      record: { status: 'paused', owner: { pid: 4242, host: 'ci-1', heartbeatAt: 0 } },
    });
    await t.store.create(t.record);
    await t.store.requestControl('d-1', { action: 'resume', by: 'erin' });
    const done = await t.drive(t.executor.run('d-1'));
    expect(done.status).toBe('succeeded');
    expect(t.driver.calls).toEqual(['stop d']);
    expect(t.events.find((e) => e.type === 'resumed')).toMatchObject({ by: 'erin' });
  });

  it('a plan pause step the crash interrupted ends with the resume given meanwhile, and is not waited twice', async () => {
    const steps: Step[] = [
      { kind: 'pause', reason: 'look' },
      { kind: 'stop', instances: ['d'] },
    ];
    const t = setup(steps, {
      record: { status: 'paused', owner: { pid: 4242, host: 'ci-1', heartbeatAt: 0 } },
    });
    await t.store.create(t.record);
    await t.store.appendEvent('d-1', { type: 'step-started', deployId: 'd-1', index: 0, step: steps[0]! }, 0);
    await t.store.requestControl('d-1', { action: 'resume', by: 'erin' });
    const done = await t.drive(t.executor.run('d-1'));
    expect(done.status).toBe('succeeded');
    expect(t.driver.calls).toEqual(['stop d']);
    expect(t.events.filter((e) => e.type === 'resumed')).toHaveLength(1);
  });

  it('pauses for a human when the analysis is inconclusive', async () => {
    const t = setup(canarySteps, {
      provider: new ScriptedProvider(['none']),
      env: {
        analysis: {
          ...testEnv().analysis!,
          checks: [{ ...testEnv().analysis!.checks[0]!, noData: 'inconclusive' }],
        },
      },
    });
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(30_000);
    expect((await t.store.get('d-1'))?.status).toBe('paused');
    await t.store.requestControl('d-1', { action: 'resume', by: 'erin' });
    const done = await t.drive(running);
    expect(done.status).toBe('succeeded');
  });

  it('resumes a crashed deploy at the saved step without repeating finished ones', async () => {
    const t = setup(canarySteps, {
      // takeOver has already put this executor in the lease of the dead one.
      record: { stepIndex: 4, owner: { pid: 4242, host: 'ci-1', heartbeatAt: 0 } },
    });
    const done = await t.run();
    expect(done.status).toBe('succeeded');
    expect(t.driver.calls).toEqual([]);
    expect(t.router.applied).toEqual([{ a: 3, b: 3, c: 3, d: 1 }, stable]);
    expect(done.owner).toMatchObject({ pid: 4242, host: 'ci-1' });
    const canary = t.events.find((e) => e.type === 'weights-set');
    expect(canary).toMatchObject({ versions: { d: 'v2' } });
  });

  it('finishes the revert of a deploy that crashed while rolling back', async () => {
    const t = setup(canarySteps, {
      record: {
        stepIndex: 5,
        status: 'rolling-back',
        failure: { step: 5, kind: 'analyse', message: 'analysis Failed', outcome: 'Failed', gate: true },
      },
    });
    const done = await t.run();
    expect(done.status).toBe('rolled-back');
    expect(t.router.weights).toEqual(stable);
    const guard = await guardStatus({ file: t.lockFile, now: () => t.clock.now(), actor: 'x' });
    expect(guard.locked).toBe(true);
  });

  it('finishes the revert of an aborted deploy that crashed as aborted, guard untouched, whatever its message says', async () => {
    const t = setup(canarySteps, {
      record: {
        stepIndex: 5,
        status: 'rolling-back',
        failure: { step: 5, kind: 'analyse', message: 'wrong build (carol)', aborted: true },
      },
    });
    const done = await t.run();
    expect(done.status).toBe('aborted');
    expect(t.router.weights).toEqual(stable);
    const guard = await guardStatus({ file: t.lockFile, now: () => t.clock.now(), actor: 'x' });
    expect(guard.locked).toBe(false);
  });

  it('keeps the heartbeat fresh while it waits', async () => {
    const t = setup([{ kind: 'pause', duration: 30_000, reason: 'bake' }]);
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(20_000);
    const beat = (await t.store.get('d-1'))?.owner?.heartbeatAt ?? 0;
    expect(t.clock.now() - beat).toBeLessThanOrEqual(2_000);
    await t.drive(running);
  });
});
