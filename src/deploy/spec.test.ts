import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ValidationError } from '../errors.js';
import { loadDeploySpec, parseDeploySpec } from './spec.js';

/** A minimal valid environment; cases override parts of it. */
function env(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    instances: [
      { name: 'a', host: '127.0.0.1', port: 9101, tags: ['canary'] },
      { name: 'b', host: '127.0.0.1', port: 9102 },
      { name: 'c', host: '127.0.0.1', port: 9103 },
    ],
    driver: { type: 'process' },
    run: { command: ['node', 'svc.mjs'] },
    traffic: { configFile: 'up.conf', upstream: 'svc' },
    ...over,
  };
}
const doc = (e: Record<string, unknown>, name = 'staging') => ({
  service: 'svc',
  environments: { [name]: e },
});

function problems(d: unknown): string[] {
  try {
    parseDeploySpec(d);
  } catch (err) {
    if (err instanceof ValidationError) return err.problems.map((p) => `${p.field}: ${p.problem}`);
    throw err;
  }
  return [];
}

const analysis = { provider: { type: 'prometheus', url: 'http://127.0.0.1:9090' }, slos: {} };
const coloured = [
  { name: 'a', host: 'h', port: 1, colour: 'blue' },
  { name: 'b', host: 'h', port: 2, colour: 'green' },
];

describe('deploy config defaults', () => {
  it('a minimal environment gets the documented defaults in milliseconds', () => {
    const s = parseDeploySpec(doc(env()));
    const e = s.environments.staging!;
    expect(e.name).toBe('staging');
    expect(e.strategy.default).toBe('rolling');
    expect(e.strategy.rolling).toEqual({ maxSurge: '25%', maxUnavailable: '25%', drainDelay: 5_000 });
    expect(e.healthCheck).toEqual({
      path: '/healthz',
      expectStatus: 200,
      successes: 3,
      interval: 1_000,
      timeout: 2_000,
      deadline: 60_000,
    });
    expect(e.traffic.testCommand).toEqual(['nginx', '-t']);
    expect(e.approval).toEqual({ required: false, timeout: 3_600_000, onTimeout: 'rollback' });
    expect(e.guard.lockDuration).toBe(1_800_000);
    expect(e.analysis).toBeUndefined();
  });

  it('coloured instances make blue-green the default strategy', () => {
    expect(parseDeploySpec(doc(env({ instances: coloured }))).environments.staging!.strategy.default).toBe(
      'blue-green',
    );
  });

  it('an environment named production requires approval unless it says otherwise', () => {
    expect(parseDeploySpec(doc(env(), 'production')).environments.production!.approval.required).toBe(true);
    const off = parseDeploySpec(doc(env({ approval: { required: false } }), 'production'));
    expect(off.environments.production!.approval.required).toBe(false);
  });

  it('without an analysis section the default canary steps pause instead of analysing', () => {
    const steps = parseDeploySpec(doc(env())).environments.staging!.strategy.canary.steps;
    expect(steps).toEqual([
      { setWeight: 10 },
      { pause: { duration: 60_000 } },
      { setWeight: 50 },
      { pause: { duration: 60_000 } },
    ]);
  });

  it('analysis checks are the guard SLOs with the environment no-data policy and scope', () => {
    const e = parseDeploySpec(
      doc(
        env({
          analysis: {
            ...analysis,
            noData: 'inconclusive',
            scope: { job: 'svc' },
            slos: {
              error_log_ratio: { enabled: false },
              http_5xx_ratio: { threshold: 0.05, noData: 'fail' },
            },
          },
        }),
      ),
    ).environments.staging!;
    const checks = e.analysis!.checks;
    expect(checks.map((c) => [c.name, c.threshold, c.noData])).toEqual([
      ['http_5xx_ratio', 0.05, 'fail'],
      ['health_check_success_ratio', 0.995, 'inconclusive'],
    ]);
    expect(checks[0]!.scope).toEqual({ job: 'svc' });
    expect(e.analysis!).toMatchObject({
      interval: 60_000,
      count: 5,
      failureLimit: 0,
      consecutiveErrorLimit: 4,
    });
  });
  it('analyses match instances on the label `instance` unless the config names a relabelled one', () => {
    const plain = parseDeploySpec(doc(env({ analysis })));
    expect(plain.environments.staging!.analysis!.instanceLabel).toBe('instance');
    const relabelled = parseDeploySpec(doc(env({ analysis: { ...analysis, instanceLabel: 'target' } })));
    expect(relabelled.environments.staging!.analysis!.instanceLabel).toBe('target');
  });
});

describe('instance drivers', () => {
  it('an ssh driver running systemd units can use sudo and its own env dir, as the production example does', () => {
    const d = doc(
      env({
        driver: { type: 'ssh', user: 'deploy', remote: 'systemd', sudo: true, envDir: '/etc/svc' },
        run: { unit: 'svc@{instance}' },
      }),
    );
    expect(parseDeploySpec(d).environments.staging!.driver).toMatchObject({
      type: 'ssh',
      sudo: true,
      envDir: '/etc/svc',
    });
  });

  it('the systemd driver takes an env dir; sudo is off unless asked for', () => {
    const d = doc(env({ driver: { type: 'systemd', envDir: '/etc/svc' }, run: { unit: 'svc@{instance}' } }));
    expect(parseDeploySpec(d).environments.staging!.driver).toMatchObject({
      sudo: false,
      envDir: '/etc/svc',
    });
  });

  it('an env dir must be absolute', () => {
    const d = doc(env({ driver: { type: 'systemd', envDir: 'etc/svc' }, run: { unit: 'svc@{instance}' } }));
    expect(problems(d).join('\n')).toContain('environments.staging.driver.envDir: an absolute path');
  });
});

describe('deploy config problems name their path', () => {
  const cases: Array<{ name: string; doc: unknown; problem: string }> = [
    {
      name: 'an unknown key is refused',
      doc: doc(env({ colour: 'red' })),
      problem: 'environments.staging: unknown key(s) colour',
    },
    {
      name: 'a nested unknown key is refused',
      doc: doc(env({ healthCheck: { paht: '/x' } })),
      problem: 'environments.staging.healthCheck: unknown key(s) paht',
    },
    {
      name: 'a duplicate instance name is refused',
      doc: doc(
        env({
          instances: [
            { name: 'a', host: 'h', port: 1 },
            { name: 'a', host: 'h', port: 2 },
          ],
        }),
      ),
      problem: `environments.staging.instances[1].name: "a" is also instances[0]'s name`,
    },
    {
      name: 'two instances on one address are refused',
      doc: doc(
        env({
          instances: [
            { name: 'a', host: 'h', port: 1 },
            { name: 'b', host: 'h', port: 1 },
          ],
        }),
      ),
      problem: `environments.staging.instances[1].port: h:1 is also instances[0]'s address`,
    },
    {
      name: 'maxSurge and maxUnavailable both 0 are refused',
      doc: doc(env({ strategy: { rolling: { maxSurge: 0, maxUnavailable: '0%' } } })),
      problem: 'environments.staging.strategy.rolling: maxSurge and maxUnavailable cannot both be 0',
    },
    {
      name: 'a percentage over 100 is refused',
      doc: doc(env({ strategy: { rolling: { maxSurge: '150%' } } })),
      problem: 'environments.staging.strategy.rolling.maxSurge',
    },
    {
      name: 'a canary weight over 100 is refused',
      doc: doc(env({ strategy: { canary: { tags: ['canary'], steps: [{ setWeight: 120 }] } } })),
      problem: 'environments.staging.strategy.canary.steps[0]',
    },
    {
      name: 'a canary selector matching nothing is refused',
      doc: doc(env({ strategy: { canary: { tags: ['nope'] } } })),
      problem:
        'environments.staging.strategy.canary: the canary selector (instances, tags) matches no instance',
    },
    {
      name: 'a canary selector matching every instance is refused',
      doc: doc(env({ strategy: { canary: { instances: ['a', 'b', 'c'] } } })),
      problem: 'matches every instance',
    },
    {
      name: 'a default canary strategy needs a selector',
      doc: doc(env({ strategy: { default: 'canary' } })),
      problem: 'matches no instance',
    },
    {
      name: 'a canary naming an unknown instance is refused',
      doc: doc(env({ strategy: { canary: { instances: ['a', 'zz'] } } })),
      problem: 'environments.staging.strategy.canary.instances: no instance named zz',
    },
    {
      name: 'blue-green without a green instance is refused',
      doc: doc(
        env({
          instances: [{ name: 'a', host: 'h', port: 1, colour: 'blue' }],
          strategy: { default: 'blue-green' },
        }),
      ),
      problem: 'environments.staging.instances: blue-green needs at least one instance with colour: green',
    },
    {
      name: 'a coloured fleet with a rolling default is refused',
      doc: doc(env({ instances: coloured, strategy: { default: 'rolling' } })),
      problem:
        'environments.staging.strategy.default: instances have colours: the strategy is blue-green, not rolling',
    },
    {
      name: 'a half-coloured fleet is refused',
      doc: doc(env({ instances: [...coloured, { name: 'c', host: 'h', port: 3 }] })),
      problem: 'needs a colour on every instance (missing: c)',
    },
    {
      name: 'a canary analysis step without an analysis section is refused',
      doc: doc(
        env({ strategy: { canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }] } } }),
      ),
      problem:
        "environments.staging.strategy.canary.steps[1]: an analysis needs the environment's analysis: section",
    },
    {
      name: 'post-promotion analysis without an analysis section is refused',
      doc: doc(env({ instances: coloured, strategy: { blueGreen: { postPromotionAnalysis: true } } })),
      problem: 'strategy.blueGreen.postPromotionAnalysis',
    },
    {
      name: 'a channel name instead of an ID is refused',
      doc: doc(env({ slack: { channel: '#deploys' } })),
      problem: 'environments.staging.slack.channel: must be a Slack channel ID',
    },
    {
      name: 'a bad duration names its field',
      doc: doc(env({ healthCheck: { interval: 'soon' } })),
      problem: 'environments.staging.healthCheck.interval: "soon" is not a duration',
    },
    {
      name: 'the systemd driver needs a unit',
      doc: doc(env({ driver: { type: 'systemd' } })),
      problem: 'environments.staging.run.unit',
    },
    {
      name: 'an incomplete custom SLO is refused',
      doc: doc(env({ analysis: { ...analysis, slos: { p99: { query: 'x' } } } })),
      problem: 'environments.staging.analysis.slos.p99: custom SLO needs comparator, threshold',
    },
    {
      name: 'an instance label that is not a Prometheus label name is refused',
      doc: doc(env({ analysis: { ...analysis, instanceLabel: 'host-port' } })),
      problem: 'environments.staging.analysis.instanceLabel: a Prometheus label name',
    },
    {
      name: 'more canaries than maxUnavailable lets out of service at once are refused (2 of 3 at 25 %)',
      doc: doc(env({ strategy: { canary: { instances: ['a', 'b'] } } })),
      problem:
        'environments.staging.strategy.canary: 2 canaries leave nginx together, but strategy.rolling.maxUnavailable allows 1 of 3 out of service',
    },
    {
      name: 'a host nginx cannot take is refused by check-config, not found mid-deploy',
      doc: doc(env({ instances: [{ name: 'a', host: 'h; include /etc/passwd', port: 1 }] })),
      problem: 'environments.staging.instances[0].host: a host name or IP address',
    },
    {
      name: 'a health-check timeout of 0 is refused',
      doc: doc(env({ healthCheck: { timeout: 0 } })),
      problem: 'environments.staging.healthCheck.timeout: a duration above 0',
    },
    {
      name: 'a health-check deadline too short for its successes at its interval is refused',
      doc: doc(env({ healthCheck: { successes: 3, interval: '10s', deadline: '15s' } })),
      problem:
        'environments.staging.healthCheck.deadline: 15000 ms cannot fit 3 successes 10000 ms apart (at least 20000 ms)',
    },
    {
      name: 'an approval timeout of 0 is refused',
      doc: doc(env({ approval: { timeout: '0s' } })),
      problem: 'environments.staging.approval.timeout: a duration above 0',
    },
    {
      name: 'an analysis interval of 0 is refused',
      doc: doc(env({ analysis: { ...analysis, interval: 0 } })),
      problem: 'environments.staging.analysis.interval: a duration above 0',
    },
    {
      name: "a canary analysis step's own interval of 0 is refused",
      doc: doc(
        env({
          analysis,
          strategy: { canary: { tags: ['canary'], steps: [{ analysis: { interval: '0s' } }] } },
        }),
      ),
      problem: 'environments.staging.strategy.canary.steps[0]',
    },
    {
      name: 'a config without environments is refused',
      doc: { service: 'svc', environments: {} },
      problem: 'environments: at least one environment',
    },
  ];
  it.each(cases)('$name', ({ doc: d, problem }) => {
    expect(problems(d).join('\n')).toContain(problem);
  });

  it('a deadline exactly long enough for the successes at the interval is accepted', () => {
    expect(problems(doc(env({ healthCheck: { successes: 3, interval: '10s', deadline: '20s' } })))).toEqual(
      [],
    );
  });
});

describe('loading a deploy config file', () => {
  it('the shipped example is valid, with paths taken from its folder', async () => {
    const s = await loadDeploySpec('examples/deploy/deploy.yaml');
    expect(Object.keys(s.environments)).toEqual(['staging', 'production']);
    expect(s.stateDb).toMatch(/examples\/deploy\/state\/deploys\.db$/);
    expect(s.environments.staging!.traffic.configFile).toMatch(
      /^\/.*examples\/deploy\/nginx\/threader-upstream\.conf$/,
    );
    expect(s.environments.production!.approval.required).toBe(true);
    expect(s.environments.production!.driver).toMatchObject({ type: 'ssh', remote: 'systemd', sudo: true });
  });

  it('a missing file and broken YAML are config errors naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spec-'));
    await expect(loadDeploySpec(join(dir, 'none.yaml'))).rejects.toThrow(
      /cannot read deploy config .*none\.yaml: ENOENT/,
    );
    await writeFile(join(dir, 'bad.yaml'), 'service: [\n');
    await expect(loadDeploySpec(join(dir, 'bad.yaml'))).rejects.toBeInstanceOf(ConfigError);
  });

  it('a default state database sits beside the config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spec-'));
    await writeFile(join(dir, 'd.yaml'), JSON.stringify(doc(env())));
    expect((await loadDeploySpec(join(dir, 'd.yaml'))).stateDb).toBe(join(dir, 'svc.deploys.db'));
  });
});
