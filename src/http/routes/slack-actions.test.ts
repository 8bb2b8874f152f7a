import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { DeployRecord } from '../../deploy/types.js';
import { signSlackRequest } from '../../slack/signature.js';
import { errorHandler } from '../errors.js';
import { registerSlackActionRoutes, type SlackActionsDeps } from './slack-actions.js';

const SECRET = 'unit-signing-secret';
const ID = 'd-20261126T120000Z-a1b2c3';

function signed(now: number) {
  const payload = {
    type: 'block_actions',
    user: { id: 'U0ALICE', username: 'alice' },
    response_url: 'https://hooks.slack.com/actions/T1/1/abc',
    actions: [{ action_id: 'threader_deploy_approve', value: ID, type: 'button' }],
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const ts = String(Math.floor(now / 1000));
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': signSlackRequest(SECRET, ts, body),
    },
  };
}

/** The route with deploy records whose first read waits for `release()`. */
/** `answerWithinMs`: how long the route waits for the decision before answering Slack empty. */
function route(answerWithinMs = 20) {
  const told: string[] = [];
  let release = () => undefined as void;
  const slowRead = new Promise<void>((r) => (release = r));
  const now = Date.now();
  const deps: SlackActionsDeps = {
    signingSecret: SECRET,
    now: () => now,
    onQueued: () => undefined,
    store: {
      rememberOnce: async () => true,
      getThread: async () => null,
      queueSlackAction: async () => {
        throw new Error('a deploy press is never queued for the alert worker');
      },
    },
    deployPresses: {
      host: 'serve-1',
      deploys: {
        get: async () => {
          await slowRead;
          return { id: ID, env: 'production', status: 'succeeded', stepIndex: 3 } as DeployRecord;
        },
        events: async () => [],
        requestControl: async () => {
          throw new Error('a refused press writes nothing');
        },
      },
    },
    answerWithinMs,
    respond: async (_url, text) => {
      told.push(text);
      return true;
    },
  };
  const app = Fastify();
  app.setErrorHandler(errorHandler());
  registerSlackActionRoutes(app, deps);
  return { app, told, release, now };
}

describe('POST /slack/actions with a deploy press', () => {
  it('answers Slack in time when the deploy records are slow, and tells the presser through response_url once they answer', async () => {
    const r = route();
    const req = signed(r.now);
    const res = await r.app.inject({ method: 'POST', url: '/slack/actions', ...req });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(r.told).toEqual([]);
    r.release();
    await expect
      .poll(() => r.told)
      .toEqual([`Deploy ${ID} has already finished (succeeded). Nothing was changed.`]);
    await r.app.close();
  });

  it('answers in the response itself when the decision is quick, and through response_url too', async () => {
    // Generous: the read is released before the press, so the decision is immediate; a busy CI
    // runner must not turn it into a "slow" one.
    const r = route(10_000);
    r.release();
    const res = await r.app.inject({ method: 'POST', url: '/slack/actions', ...signed(r.now) });
    expect(res.statusCode).toBe(200);
    const text = `Deploy ${ID} has already finished (succeeded). Nothing was changed.`;
    expect(res.json()).toEqual({ response_type: 'ephemeral', replace_original: false, text });
    await expect.poll(() => r.told).toEqual([text]);
    await r.app.close();
  });
});
