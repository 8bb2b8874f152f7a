import { describe, it, expect } from 'vitest';
import { ValidationError } from '../../errors.js';
import type { InstanceSpec, RunSpec } from '../types.js';
import { expandRun, expandTemplate, runTemplateProblems } from './template.js';

const vars = { instance: 'a', host: '10.0.0.5', port: '8081', version: 'v2', colour: 'blue' };

describe('expandTemplate', () => {
  it.each([
    ['a string without placeholders is unchanged', '/opt/app', '/opt/app'],
    [
      'every known placeholder is replaced',
      '{instance}@{host}:{port} {version} {colour}',
      'a@10.0.0.5:8081 v2 blue',
    ],
    ['a placeholder may repeat', '{port}-{port}', '8081-8081'],
    ['doubled braces are literal braces', '{{"port": {port}}}', '{"port": 8081}'],
    ['braces around something that is no name stay as they are', '{"a": 1} ${', '{"a": 1} ${'],
  ])('%s', (_name, template, expected) => {
    expect(expandTemplate(template, vars)).toBe(expected);
  });

  it('names every unknown placeholder and the field it is in', () => {
    const err = (() => {
      try {
        expandTemplate('--port {prot} --v {verison}', vars, 'run.command[2]');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toContain('run.command[2]: unknown placeholder {prot}');
    expect((err as ValidationError).message).toContain('unknown placeholder {verison}');
  });

  it('says when a known placeholder has no value (an instance without a colour)', () => {
    expect(() => expandTemplate('--colour {colour}', { ...vars, colour: undefined })).toThrow(
      /placeholder \{colour\} has no value/,
    );
  });
});

describe('expandRun', () => {
  const instance: InstanceSpec = { name: 'b', host: '127.0.0.1', port: 9002, tags: [] };
  const run: RunSpec = {
    command: ['node', 'service.mjs', '--port', '{port}', '--version-label', '{version}'],
    env: { NAME: '{instance}', STATIC: 'x' },
    workingDir: '/srv/{instance}',
    unit: 'alert-threader@{instance}',
  };

  it('expands the command, env, working dir and unit for one instance and version', () => {
    expect(expandRun(run, instance, 'v3')).toEqual({
      command: ['node', 'service.mjs', '--port', '9002', '--version-label', 'v3'],
      env: { NAME: 'b', STATIC: 'x' },
      workingDir: '/srv/b',
      unit: 'alert-threader@b',
    });
  });

  it('reports the problems of every field at once, with paths', () => {
    const bad: RunSpec = { command: ['{bin}'], env: { A: '{colour}' } };
    expect(() => expandRun(bad, instance, 'v1')).toThrow(
      /run\.command\[0\]: unknown placeholder \{bin\}.*run\.env\.A: placeholder \{colour\} has no value/,
    );
  });
});

describe('runTemplateProblems', () => {
  it('finds unknown placeholders at load time, before any instance is known', () => {
    expect(
      runTemplateProblems(
        { command: ['x', '{port}'], env: { A: '{nope}' }, unit: 'u@{instance}' },
        'environments.prod.run',
      ),
    ).toEqual([
      {
        field: 'environments.prod.run.env.A',
        problem: expect.stringContaining('unknown placeholder {nope}'),
      },
    ]);
  });
});
