import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ConfigError, ValidationError, type FieldProblem } from '../errors.js';
import { configSchema, type Config } from './schema.js';

export type Env = Record<string, string | undefined>;

/** The embedded local Slack's default channel. */
export const EMBEDDED_CHANNEL = 'C0ALERTS';

/** A config with its secrets resolved to values (from env, `*_FILE` files or the file). */
export interface LoadedConfig extends Config {
  secrets: {
    slackToken?: string;
    webhookToken?: string;
    slackSigningSecret?: string;
    /** THREADER_DASHBOARD_TOKEN(_FILE): Bearer, or the password of basic auth, for the dashboard and /api. */
    dashboardToken?: string;
  };
}

/**
 * The default channel alerts go to. Only commands that post to it need it (`serve`), so a
 * pipeline that has a Slack token but no channel can still run `guard status`.
 */
export function defaultChannel(config: LoadedConfig): string {
  if (config.slack.channel) return config.slack.channel;
  throw new ValidationError(
    [
      {
        field: 'slack.channel',
        problem: 'is required with a Slack token: set SLACK_CHANNEL to a channel ID like C0123ABCDEF',
      },
    ],
    'config',
  );
}

/**
 * File, then env on top (env wins), then the strict schema. Errors name the path of the field
 * ("threads.reopenWindow: …"), never a secret's value.
 */
export async function loadConfig(opts: { configPath?: string; env?: Env } = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const raw = opts.configPath ? await readConfigFile(opts.configPath) : {};
  applyEnv(raw, env);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success)
    throw new ValidationError(
      zodProblems(parsed.error),
      `config${opts.configPath ? ` ${opts.configPath}` : ''}`,
    );
  const config = parsed.data;
  const slackToken = await secretValue('SLACK_BOT_TOKEN', env, config.slack.token);
  return {
    ...config,
    slack: { ...config.slack, channel: config.slack.channel ?? (slackToken ? undefined : EMBEDDED_CHANNEL) },
    secrets: {
      slackToken,
      webhookToken: await secretValue('THREADER_WEBHOOK_TOKEN', env, config.webhook.token),
      slackSigningSecret: await secretValue('SLACK_SIGNING_SECRET', env, config.slack.signingSecret),
      dashboardToken: await secretValue('THREADER_DASHBOARD_TOKEN', env, config.dashboard.token),
    },
  };
}

export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  try {
    const doc = parseYaml(text) ?? {};
    if (typeof doc !== 'object' || Array.isArray(doc))
      throw new ConfigError(`config file ${path}: top level must be a mapping`);
    return doc as Record<string, unknown>;
  } catch (err) {
    if (err instanceof YAMLParseError) throw new ConfigError(`config file ${path}: ${err.message}`);
    throw err;
  }
}

/** Env names the issue fixed as a contract; they override the file. */
function applyEnv(raw: Record<string, unknown>, env: Env): void {
  const set = (path: string[], value: string | undefined) => {
    if (value === undefined || value === '') return;
    let node = raw as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = value;
  };
  set(['server', 'port'], env.PORT);
  set(['server', 'host'], env.HOST);
  set(['store', 'db'], env.THREADER_DB);
  set(['slack', 'channel'], env.SLACK_CHANNEL);
  set(['slack', 'apiUrl'], env.SLACK_API_URL);
  set(['alertmanager', 'url'], env.ALERTMANAGER_URL);
  set(['log', 'level'], env.LOG_LEVEL);
  // The guard commands read the same variable (guard/paths.ts): serve shows the lock they take.
  set(['guard', 'lockFile'], env.THREADER_GUARD_FILE);
  set(['deploys', 'stateDb'], env.THREADER_DEPLOY_DB);
}

/** NAME, else NAME_FILE (trimmed), else the config file's {value|file}. */
async function secretValue(
  name: string,
  env: Env,
  fromFile?: { value?: string; file?: string },
): Promise<string | undefined> {
  if (env[name]) return env[name];
  const file = env[`${name}_FILE`] ?? fromFile?.file;
  if (file) {
    try {
      const v = (await readFile(file, 'utf8')).trim();
      if (!v) throw new ConfigError(`${name}_FILE ${file} is empty`);
      return v;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(
        `cannot read ${name}_FILE ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  return fromFile?.value;
}

export function zodProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((i) => ({
    field: i.path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n ? '.' : ''}${String(p)}`)).join(''),
    problem: i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}` : i.message,
  }));
}
