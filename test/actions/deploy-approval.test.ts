import Database from '../../src/store/sqlite-driver.js';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_IDS, DEPLOY_APPROVAL_BLOCK_ID } from '../../src/actions/button-ids.js';
import { systemClock } from '../../src/clock.js';
import { DeployExecutor } from '../../src/deploy/executor.js';
import type { DeployEvent, DeployRecord, Step } from '../../src/deploy/types.js';
import type { MessageView } from '../../src/emulator/index.js';
import { openNarration, type Narration } from '../../src/notify/deploy-slack.js';
import { LockFile } from '../../src/guard/lock-file.js';
import { policies } from '../../src/retry/policy.js';
import { signSlackRequest } from '../../src/slack/signature.js';
import { createWebSlackClient } from '../../src/slack/web-client.js';
import { openDeployStore } from '../../src/store/deploy-sqlite.js';
import type { DeployStoreWithControls } from '../../src/store/deploy-types.js';
import { FakeDriver, FakeRouter, testEnv, testRecord } from '../deploy/fakes.js';
import { waitFor } from '../helpers/process.js';
import { startThreader, TEST_TOKEN, type TestThreader } from '../helpers/threader.js';

/**
 * Approve / Reject from Slack, end to end over real HTTP: a deploy's executor waits at its
 * approval gate on a SQLite deploy database, narrated into the Slack emulator by the deploy
 * command's own narration (openNarration: thread store, thread engine, deploy renderer), `threader
 * serve` reads the same deploy database (THREADER_DEPLOY_DB), and the emulator clicks the buttons
 * of the approval request the narration posted and signs the request as Slack would. A press that is refused — bad signature, a replay, someone
 * not among the approvers, a finished deploy — writes nothing to the deploy database and leaves
 * the request's buttons; a press that is recorded replaces the request through response_url, so
 * the thread shows who answered and offers no buttons any more.
 */

const SECRET = 'test-signing-secret-deploys-4b1d';
const ALICE = { id: 'U0ALICE', name: 'alice' };
const MALLORY = { id: 'U0MALLORY', name: 'mallory' };
const stable = { a: 1, b: 1, c: 1, d: 1 };
const steps: Step[] = [
  { kind: 'approve', reason: 'deploy v2 to production' },
  { kind: 'set-weight', weights: { a: 3, b: 3, c: 3, d: 1 }, requestedPercent: 10, effectivePercent: 10 },
  { kind: 'set-weight', weights: { a: 0, b: 0, c: 0, d: 1 } },
];

interface Click {
  status: number;
  body: string;
  responseUrl: string;
  request: { headers: Record<string, string>; body: string };
}

/** One deploy driven by a real executor in this process; its approval request posted with buttons. */
interface Gated {
  id: string;
  channel: string;
  /** The first approval request's message. */
  ts: string;
  /** The k-th approval request's message, once the narration has posted it. */
  request(k: number): Promise<string>;
  configPath: string;
  router: FakeRouter;
  events: DeployEvent[];
  done: Promise<DeployRecord>;
}

describe('Approve / Reject a deploy from Slack (threader serve + deploy database + signed clicks)', () => {
  let t: TestThreader;
  let dir: string;
  let deploys: DeployStoreWithControls;
  let controls: Database.Database;
  let n = 0;
  const narrations: Narration[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-approval-'));
    const deployDb = join(dir, 'deploys.db');
    // The executor's connection; serve opens its own on the same file, as a separate process would.
    deploys = await openDeployStore(deployDb);
    controls = new Database(deployDb, { readonly: true });
    t = await startThreader({ env: { SLACK_SIGNING_SECRET: SECRET, THREADER_DEPLOY_DB: deployDb } });
    t.emu.interactivity.configure({ requestUrl: `${t.url}/slack/actions`, signingSecret: SECRET });
  });
  afterAll(async () => {
    await Promise.all(narrations.map((x) => x.close()));
    controls?.close();
    await t?.close();
    await deploys?.close();
  });

  const slack = () => createWebSlackClient({ token: TEST_TOKEN, slackApiUrl: t.emu.url, timeoutMs: 5_000 });
  const requestsOf = (id: string) =>
    (
      controls.prepare('SELECT count(*) AS n FROM deploy_controls WHERE deploy_id = ?').get(id) as {
        n: number;
      }
    ).n;

  const isRequest = (m: Pick<MessageView, 'blocks'>) =>
    (m.blocks ?? []).some((b) => b.type === 'actions' && b.block_id === DEPLOY_APPROVAL_BLOCK_ID);
  /** The approval requests in the deploy's thread, in order, as first posted (answered ones lose their buttons). */
  const requestsIn = (channel: string): MessageView[] =>
    t.emu.threads(channel).flatMap((th) => th.replies.filter((r) => isRequest(r.original)));

  /** Starts a deploy of its own environment and resolves once its approval request is in Slack. */
  async function gatedDeploy(opts: { approvers?: string[]; steps?: Step[] } = {}): Promise<Gated> {
    const { approvers } = opts;
    const said: string[] = [];
    n++;
    const env = `production-${n}`;
    const id = `d-20261126T12000${n}Z-a1b2c${n}`;
    // One channel per environment, as deploy configs have (and Slack's posting limit is per channel).
    const channel = `C_DEPLOYS_${n}`;
    const router = new FakeRouter();
    const configPath = join(dir, 'deploy.yaml');
    const environment = testEnv({
      name: env,
      approval: {
        required: true,
        timeout: 60_000,
        onTimeout: 'rollback',
        ...(approvers ? { approvers } : {}),
      },
      slack: { channel },
    });
    const guard = { file: new LockFile(join(dir, `guard-${n}`)), now: Date.now, actor: 'threader deploy' };
    const executor = new DeployExecutor({
      store: deploys,
      driver: new FakeDriver(),
      router,
      env: environment,
      clock: systemClock,
      guard,
      planRevert: () => [{ kind: 'set-weight', weights: stable }],
      fleetBefore: { versions: { a: 'v1', b: 'v1', c: 'v1', d: 'v1' }, weights: stable },
      configPath,
      owner: { pid: process.pid, host: hostname() },
      retryPolicy: policies.instant,
      controlPollMs: 50,
      heartbeatMs: 500,
    });
    const events: DeployEvent[] = [];
    executor.onEvent((e) => void events.push(e));
    const base = testRecord(opts.steps ?? steps, { id, env, by: 'ci' });
    const record: DeployRecord = {
      ...base,
      plan: { ...base.plan, env },
      createdAt: Date.now(),
      updatedAt: Date.now(),
    };
    await deploys.create(record);
    // The deploy command's narration, as `threader deploy` opens it: the approval request clicked
    // below is the reply it rendered and posted from the executor's event.
    const narration = await openNarration(
      {
        plan: { waitMs: 5_000, off: false },
        env: environment,
        deploys,
        guard,
        configPath,
        processEnv: {
          SLACK_BOT_TOKEN: TEST_TOKEN,
          SLACK_API_URL: t.emu.url,
          THREADER_DB: join(dir, `threader-${n}.db`),
          // The per-channel rate limit the emulator enforces is the engine's to handle, not news.
          LOG_LEVEL: 'error',
        },
        say: (line) => void said.push(line),
      },
      record,
    );
    if (!narration) throw new Error(`no narration: ${said.join('')}`);
    narrations.push(narration);
    executor.onEvent(narration.narrator.listener);
    const request = (k: number): Promise<string> =>
      waitFor(() => requestsIn(channel)[k]?.ts, {
        timeoutMs: 20_000,
        what: `approval request ${k + 1} of ${id} in Slack`,
      });
    const done = executor.run(id);
    done.catch(() => undefined);
    return { id, channel, ts: await request(0), request, configPath, router, events, done };
  }

  const click = async (d: Gated, body: Record<string, unknown>): Promise<Click> => {
    const res = await fetch(`${t.emu.baseUrl}_emulator/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: d.channel, ts: d.ts, user: ALICE, ...body }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Click;
  };
  const answered = (c: Click) => (JSON.parse(c.body) as { text: string }).text;
  /** The approval request as Slack shows it now (the emulator's inspection API). */
  const shown = async (d: Gated, ts = d.ts): Promise<MessageView> => {
    const res = await fetch(`${t.emu.baseUrl}_emulator/messages?channel=${d.channel}`);
    const found = ((await res.json()) as MessageView[]).find((m) => m.ts === ts);
    if (!found) throw new Error(`no message ${ts} in ${d.channel}`);
    return found;
  };
  type Shown = Pick<MessageView, 'blocks'>;
  const buttonsOf = (m: Shown) =>
    (m.blocks ?? [])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => (b.elements as Array<{ action_id: string }>).map((e) => e.action_id));
  const sectionTexts = (m: Shown) =>
    (m.blocks ?? []).flatMap((b) => (b.type === 'section' ? [(b.text as { text: string }).text] : []));
  const bothButtons = [ACTION_IDS.deployApprove, ACTION_IDS.deployReject];
  /** What the app sent to this click's response_url, once it has. */
  const toldThrough = (c: Click) =>
    t.emu.interactivity.responses.filter((r) => c.responseUrl.endsWith(`/${r.id}`));
  /**
   * The k-th approval request as first posted, buttons and all, posted again: what a client that had
   * not refreshed (or a forwarded copy) still shows after the request was answered.
   */
  const staleCopy = async (d: Gated, k: number): Promise<string> => {
    const { text, blocks } = requestsIn(d.channel)[k]!.original;
    return (await slack().postMessage({ channel: d.channel, text, ...(blocks ? { blocks } : {}) })).ts;
  };

  it('an approver presses Approve: the deploy goes on, the approval records who, the presser is told', async () => {
    const d = await gatedDeploy({ approvers: [ALICE.id] });
    expect((await deploys.get(d.id))?.status).toBe('waiting-approval');
    expect(d.router.applied).toEqual([]);

    const res = await click(d, { action_id: ACTION_IDS.deployApprove });
    expect(res.status).toBe(200);
    expect(answered(res)).toBe('Approved — the deploy continues.');

    const done = await d.done;
    expect(done.status).toBe('succeeded');
    expect(d.events.filter((e) => e.type === 'approved')).toEqual([
      { type: 'approved', deployId: d.id, by: 'slack:U0ALICE:alice' },
    ]);
    expect(d.router.applied.length).toBe(2);
    // The persisted log says so too (what `threader status`, the dashboard and the thread read).
    const logged = (await deploys.events(d.id)).map((e) => e.event);
    expect(logged).toContainEqual({ type: 'approved', deployId: d.id, by: 'slack:U0ALICE:alice' });
    // The narration tells the thread who approved, under the same parent as the request.
    await expect
      .poll(() => t.emu.threads(d.channel).flatMap((th) => th.replies.map((r) => r.text)), {
        timeout: 15_000,
      })
      .toContain(':white_check_mark: approved by <@U0ALICE>');
    // The request in the thread stops offering buttons and says who answered, for everyone.
    await expect.poll(async () => buttonsOf(await shown(d))).toEqual([]);
    const request = await shown(d);
    expect(sectionTexts(request)).toEqual([
      sectionTexts(request.original)[0],
      ':white_check_mark: Approved by <@U0ALICE> — the deploy continues',
    ]);
    expect(request.text).toBe(
      `${request.original.text} — :white_check_mark: Approved by <@U0ALICE> — the deploy continues`,
    );
    expect(request.edits).toHaveLength(1);
    expect(
      toldThrough(res).map((r) => [r.effect, (r.body as { replace_original: boolean }).replace_original]),
    ).toEqual([['replaced', true]]);
    // The rest of the request stays as it was: the fallback commands included.
    expect(JSON.stringify(request.blocks)).toContain(`threader approve ${d.id} --config ${d.configPath}`);

    // The deploy is over: a stale copy of the button says so and records nothing.
    const late = await click(d, { action_id: ACTION_IDS.deployApprove, ts: await staleCopy(d, 0) });
    expect(answered(late)).toBe(`Deploy ${d.id} has already finished (succeeded). Nothing was changed.`);
    expect(requestsOf(d.id)).toBe(1);
  });

  it('Reject stops the deploy: its changes are reverted, status aborted, the reason names the presser', async () => {
    const d = await gatedDeploy();
    const res = await click(d, { action_id: ACTION_IDS.deployReject });
    expect(answered(res)).toBe(
      `Rejected — deploy ${d.id} stops and its changes are reverted (status aborted).`,
    );

    const done = await d.done;
    expect(done.status).toBe('aborted');
    expect(done.failure).toMatchObject({
      kind: 'approve',
      message: 'aborted by slack:U0ALICE:alice: rejected in Slack by @alice',
      aborted: true,
    });
    expect(d.events.some((e) => e.type === 'approved')).toBe(false);
    // Only the revert touched traffic: back to the stable weights.
    expect(d.router.applied).toEqual([stable]);
    await expect.poll(async () => buttonsOf(await shown(d))).toEqual([]);
    expect(sectionTexts(await shown(d))).toContain(':no_entry: Rejected by <@U0ALICE> — reverting');
  });

  it('refuses a bad signature and a replayed click with 401, and neither writes to the deploy database', async () => {
    const d = await gatedDeploy();
    const forged = await click(d, { action_id: ACTION_IDS.deployApprove, signingSecret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const stale = await click(d, {
      action_id: ACTION_IDS.deployApprove,
      timestamp: Math.floor(Date.now() / 1000) - 301,
    });
    expect(stale.status).toBe(401);
    expect(requestsOf(d.id)).toBe(0);
    expect((await deploys.get(d.id))?.status).toBe('waiting-approval');

    const real = await click(d, { action_id: ACTION_IDS.deployReject });
    expect(real.status).toBe(200);
    const replay = await fetch(`${t.url}/slack/actions`, {
      method: 'POST',
      headers: real.request.headers,
      body: real.request.body,
    });
    expect(replay.status).toBe(401);
    expect(requestsOf(d.id)).toBe(1);
    expect((await d.done).status).toBe('aborted');
  });

  it('refuses someone not among the approvers, names who may answer, and records nothing', async () => {
    const d = await gatedDeploy({ approvers: [ALICE.id, 'U0BOB'] });
    const res = await click(d, { action_id: ACTION_IDS.deployApprove, user: MALLORY });
    expect(res.status).toBe(200);
    expect(answered(res)).toBe(
      `Only the approvers of production-4 may approve deploy ${d.id}: <@U0ALICE>, <@U0BOB>. Ask one of them, or run \`threader approve ${d.id} --config <deploy config>\` where the deploy records are. Nothing was changed.`,
    );
    const rejected = await click(d, { action_id: ACTION_IDS.deployReject, user: MALLORY });
    expect(answered(rejected)).toMatch(/^Only the approvers of production-4 may reject/);
    expect(requestsOf(d.id)).toBe(0);
    expect((await deploys.get(d.id))?.status).toBe('waiting-approval');
    // Mallory alone is told (ephemeral); the request keeps its buttons for the approvers.
    await expect
      .poll(() => [...toldThrough(res), ...toldThrough(rejected)].map((r) => r.effect))
      .toEqual(['ephemeral', 'ephemeral']);
    const request = await shown(d);
    expect(buttonsOf(request)).toEqual(bothButtons);
    expect(request.edits).toEqual([]);

    // An approver still can: the approval is Alice's, not Mallory's.
    await click(d, { action_id: ACTION_IDS.deployApprove });
    expect((await d.done).status).toBe('succeeded');
    expect(d.events.find((e) => e.type === 'approved')).toMatchObject({ by: 'slack:U0ALICE:alice' });
    await expect
      .poll(async () => sectionTexts(await shown(d)))
      .toContain(':white_check_mark: Approved by <@U0ALICE> — the deploy continues');
    expect(buttonsOf(await shown(d))).toEqual([]);
  });

  it("a press of an answered gate's button cannot approve the next gate: refused, nothing recorded", async () => {
    const twoGates: Step[] = [
      ...steps.slice(0, 2),
      { kind: 'approve', reason: 'switch production to v2' },
      steps[2] as Step,
    ];
    const d = await gatedDeploy({ steps: twoGates });
    await click(d, { action_id: ACTION_IDS.deployApprove });
    const second = await d.request(1);
    expect((await deploys.get(d.id))?.status).toBe('waiting-approval');

    // The first request shows no buttons any more; a copy of them (a client that had not refreshed) is refused.
    await expect.poll(async () => buttonsOf(await shown(d))).toEqual([]);
    const stale = await click(d, {
      action_id: ACTION_IDS.deployApprove,
      user: { id: 'U0BOB', name: 'bob' },
      ts: await staleCopy(d, 0),
    });
    expect(answered(stale)).toBe(
      `This approval request of deploy ${d.id} was already answered; the deploy now waits at a later approval (step 3): answer the newest request in the thread. Nothing was changed.`,
    );
    expect(requestsOf(d.id)).toBe(1);

    await click(d, { action_id: ACTION_IDS.deployApprove, ts: second });
    expect((await d.done).status).toBe('succeeded');
    expect(d.events.filter((e) => e.type === 'approved').map((e) => 'by' in e && e.by)).toEqual([
      'slack:U0ALICE:alice',
      'slack:U0ALICE:alice',
    ]);
  });

  it('a threader that does not read the deploy records says which setting to set', async () => {
    const bare = await startThreader({ env: { SLACK_SIGNING_SECRET: SECRET } });
    try {
      const payload = {
        type: 'block_actions',
        user: { id: ALICE.id, username: ALICE.name },
        actions: [
          { action_id: ACTION_IDS.deployApprove, value: 'd-20261126T120000Z-ffffff', type: 'button' },
        ],
      };
      const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
      const ts = String(Math.floor(Date.now() / 1000));
      const res = await fetch(`${bare.url}/slack/actions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': ts,
          'x-slack-signature': signSlackRequest(SECRET, ts, body),
        },
        body,
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { text: string }).text).toBe(
        'This threader does not read the deploy records: set deploys.stateDb (env THREADER_DEPLOY_DB) to the database `threader deploy` writes. Meanwhile: `threader approve d-20261126T120000Z-ffffff --config <deploy config>`. Nothing was changed.',
      );
    } finally {
      await bare.close();
    }
  });
});
