/**
 * Versioned migrations of the SQLite deploy store. Append only: a released migration never changes.
 * Its own migrations table, so deploy records may share a file with the thread store.
 *
 * One deploy per environment is a constraint, not a check: the partial unique index admits one
 * row per env whose status is not final. Its status list must equal FINAL_STATUSES (a unit test
 * holds them together).
 */
export const DEPLOY_MIGRATIONS_TABLE = 'deploy_schema_migrations';

export const deploySqliteMigrations: string[] = [
  `
  CREATE TABLE deploys (
    id TEXT PRIMARY KEY,
    env TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    -- The whole DeployRecord (plan, failure, owner…) as JSON; the columns above are what queries filter on.
    record TEXT NOT NULL
  );
  CREATE UNIQUE INDEX deploys_one_active_per_env ON deploys (env)
    WHERE status NOT IN ('succeeded', 'failed', 'rolled-back', 'aborted');
  CREATE INDEX deploys_env_created ON deploys (env, created_at DESC);
  CREATE INDEX deploys_env_succeeded ON deploys (env, finished_at DESC) WHERE status = 'succeeded';

  CREATE TABLE deploy_events (
    deploy_id TEXT NOT NULL REFERENCES deploys (id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (deploy_id, seq)
  );

  CREATE TABLE deploy_controls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    deploy_id TEXT NOT NULL REFERENCES deploys (id),
    action TEXT NOT NULL,
    by TEXT NOT NULL,
    reason TEXT,
    at INTEGER NOT NULL,
    taken_at INTEGER
  );
  CREATE INDEX deploy_controls_pending ON deploy_controls (deploy_id, seq) WHERE taken_at IS NULL;
  `,
  // The approval gate a request answers (a Slack press names it), and why the executor ignored one.
  `
  ALTER TABLE deploy_controls ADD COLUMN step INTEGER;
  ALTER TABLE deploy_controls ADD COLUMN refused TEXT;
  `,
];
