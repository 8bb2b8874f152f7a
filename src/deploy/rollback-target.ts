import type { DeployRecord } from './types.js';

/**
 * Where `threader rollback` goes without `--to` (pure, over the environment's succeeded deploys):
 * the newest known-good version that is neither the one running now nor one a rollback already
 * undid. A rollback's own fromVersion is the bad version it left, so following "the last deploy's
 * fromVersion" would roll a second rollback forward onto it (review R2 #3); a rollback record is
 * therefore never a target, and the deploy it undid (`rollbackOf`) is never one either.
 */
export interface RollbackTarget {
  /** The version to go back to; null when history holds no earlier known-good one. */
  to: string | null;
  /** The deploy this rollback undoes: the newest forward deploy that brought the current version. */
  rollbackOf?: string;
  /** The version running now (the newest succeeded deploy's), for messages. */
  current: string | null;
}

export function rollbackTarget(succeeded: readonly DeployRecord[]): RollbackTarget {
  const newestFirst = [...succeeded]
    .filter((r) => r.status === 'succeeded')
    .sort(
      (a, b) => (b.finishedAt ?? b.updatedAt) - (a.finishedAt ?? a.updatedAt) || b.createdAt - a.createdAt,
    );
  const current = newestFirst[0]?.toVersion ?? null;
  const isRollback = (r: DeployRecord) => !!r.rollbackOf || !!r.rollback;
  const undone = new Set(
    newestFirst.flatMap((r, i) => {
      if (r.rollbackOf) return [r.rollbackOf];
      if (!r.rollback) return [];
      // A rollback that names nothing it undid undid the newest older deploy that brought its fromVersion.
      const older = newestFirst.slice(i + 1).find((o) => !isRollback(o) && o.toVersion === r.fromVersion);
      return older ? [older.id] : [];
    }),
  );
  const forward = newestFirst.filter((r) => !isRollback(r) && !undone.has(r.id));
  const undoing = forward.find((r) => r.toVersion === current);
  const target = forward.find((r) => r.toVersion !== current);
  return { to: target?.toVersion ?? null, current, ...(undoing ? { rollbackOf: undoing.id } : {}) };
}
