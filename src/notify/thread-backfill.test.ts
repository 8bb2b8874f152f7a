import { describe, expect, it } from 'vitest';
import { MemoryDeployStore, testRecord } from '../../test/deploy/fakes.js';
import { canarySteps } from '../deploy/executor-fixtures.test-suite.js';
import type { ThreadRef } from '../slack/thread-ref.js';
import type { ThreadRecord } from '../store/types.js';
import { backfillPosted, backfillThreadRefs, localThreadRefs, refsToBackfill } from './thread-backfill.js';

const posted: ThreadRef = { channel: 'C0DEPLOY', ts: '1700000000.000100' };

describe('refsToBackfill', () => {
  const cases: Array<
    [string, Array<{ id: string; threadRef?: string }>, Array<[string, ThreadRef]>, unknown]
  > = [
    [
      'a record without a thread gets the one the local store posted for it',
      [{ id: 'd-1' }],
      [['d-1', posted]],
      [{ id: 'd-1', threadRef: 'C0DEPLOY:1700000000.000100' }],
    ],
    [
      'a record that names its thread keeps it',
      [{ id: 'd-1', threadRef: 'C9:1.000001' }],
      [['d-1', posted]],
      [],
    ],
    ['a record whose thread is not posted (or not in this store) is left alone', [{ id: 'd-1' }], [], []],
    [
      'a record listed twice is written once',
      [{ id: 'd-1' }, { id: 'd-1' }],
      [['d-1', posted]],
      [{ id: 'd-1', threadRef: 'C0DEPLOY:1700000000.000100' }],
    ],
  ];
  it.each(cases)('%s', (_name, records, local, expected) => {
    expect(refsToBackfill(records, new Map(local))).toEqual(expected);
  });
});

/** A thread store holding deploy threads: id → parent ts (null = parent still queued). */
function threadsOf(parents: Record<string, string | null>) {
  const asked: string[] = [];
  return {
    asked,
    getThread: async <S>(id: string) => {
      asked.push(id);
      if (!(id in parents)) return null;
      return { id, channel: 'C0DEPLOY', parentTs: parents[id] ?? null } as unknown as ThreadRecord<S>;
    },
  };
}

describe('localThreadRefs', () => {
  it('finds the posted deploy threads of this store by `deploy:<id>`; a queued parent has no ts to give', async () => {
    const threads = threadsOf({ 'deploy:d-1': posted.ts, 'deploy:d-2': null });
    const found = await localThreadRefs(threads, ['d-1', 'd-2', 'd-3', 'd-1']);
    expect([...found]).toEqual([['d-1', posted]]);
    expect(threads.asked).toEqual(['deploy:d-1', 'deploy:d-2', 'deploy:d-3']);
  });
});

describe('backfillThreadRefs', () => {
  it('writes the thread flush posted onto the deploy record that never got it, and onto nothing else', async () => {
    const deploys = new MemoryDeployStore();
    const down = testRecord(canarySteps, { id: 'd-down', status: 'succeeded', finishedAt: 1 });
    const named = testRecord(canarySteps, { id: 'd-named', threadRef: 'C9:1.000001', status: 'succeeded' });
    const other = testRecord(canarySteps, { id: 'd-other', env: 'staging', status: 'succeeded' });
    for (const r of [down, named, other]) deploys.records.set(r.id, r);
    const threads = threadsOf({
      'deploy:d-down': posted.ts,
      'deploy:d-named': '2.000002',
      'deploy:d-other': '3.000003',
    });
    const local = await backfillThreadRefs(threads, deploys, 'production');
    expect(deploys.records.get('d-down')?.threadRef).toBe('C0DEPLOY:1700000000.000100');
    expect(deploys.records.get('d-named')?.threadRef).toBe('C9:1.000001');
    expect(deploys.records.get('d-other')?.threadRef).toBeUndefined();
    expect(deploys.updates).toEqual([{ id: 'd-down', patch: { threadRef: 'C0DEPLOY:1700000000.000100' } }]);
    expect([...local.keys()]).toEqual(['d-down']);
  });

  it('looks up the deploys a rollback may undo even when they are older than the records it lists', async () => {
    const deploys = new MemoryDeployStore();
    const old = testRecord(canarySteps, { id: 'd-old', status: 'succeeded' });
    deploys.records.set(old.id, old);
    deploys.list = async () => [];
    const local = await backfillThreadRefs(threadsOf({ 'deploy:d-old': posted.ts }), deploys, 'production', [
      { id: 'd-old' },
    ]);
    expect(local.get('d-old')).toEqual(posted);
    expect(deploys.records.get('d-old')?.threadRef).toBe('C0DEPLOY:1700000000.000100');
  });
});

describe('backfillPosted', () => {
  it('writes every posted deploy thread of the store onto its record when the record lacks one', async () => {
    const deploys = new MemoryDeployStore();
    const down = testRecord(canarySteps, { id: 'd-down', status: 'succeeded' });
    const named = testRecord(canarySteps, { id: 'd-named', threadRef: 'C9:1.000001', status: 'succeeded' });
    for (const r of [down, named]) deploys.records.set(r.id, r);
    const thread = (id: string, parentTs: string | null) =>
      ({ id, channel: 'C0DEPLOY', parentTs }) as unknown as ThreadRecord;
    const threads = {
      listThreads: async () => [
        thread('deploy:d-down', posted.ts),
        thread('deploy:d-named', '2.000002'),
        thread('deploy:d-queued', null),
        thread('deploy:d-unknown', '3.000003'),
      ],
    };
    expect(await backfillPosted(threads, deploys)).toBe(1);
    expect(deploys.updates).toEqual([{ id: 'd-down', patch: { threadRef: 'C0DEPLOY:1700000000.000100' } }]);
  });
});
