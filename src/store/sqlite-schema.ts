/**
 * Versioned migrations for the SQLite store. Append only: a released migration never changes.
 * Exactly-one-parent is a constraint here (unique post_parent per thread), not an in-memory check.
 */
export const sqliteMigrations: string[] = [
  `
  CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    processed_at INTEGER,
    result TEXT
  );
  -- The payload lives apart, so marking a notification processed rewrites a narrow row, not ~10 KB.
  CREATE TABLE notification_parts (
    id INTEGER PRIMARY KEY,
    part TEXT NOT NULL
  );
  CREATE INDEX notifications_pending ON notifications (id) WHERE processed_at IS NULL;

  CREATE TABLE threads (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    thread_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    channel TEXT NOT NULL,
    parent_ts TEXT,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    resolved_at INTEGER,
    previous_id TEXT,
    updated_at INTEGER NOT NULL,
    UNIQUE (kind, thread_key, seq)
  );
  CREATE INDEX threads_latest ON threads (thread_key, seq DESC);
  CREATE INDEX threads_status ON threads (status, opened_at DESC);

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL REFERENCES threads (id),
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    uncertain INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    claimed_at INTEGER
  );
  CREATE UNIQUE INDEX outbox_one_parent ON outbox (thread_id) WHERE kind = 'post_parent';
  CREATE INDEX outbox_open ON outbox (status, thread_id, id) WHERE status IN ('pending', 'inflight');

  CREATE TABLE messages (
    outbox_id INTEGER PRIMARY KEY,
    thread_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    blocks TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX messages_thread ON messages (thread_id, outbox_id);

  -- installation_id: marks our Slack messages, so a lost post is never mistaken for another
  -- installation's message with the same outbox id.
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // Slack interactivity: a thread's Ack / Silence state apart from the episode state the processor
  // rewrites; replay memory of signed requests; button presses recorded before they are answered.
  `
  ALTER TABLE threads ADD COLUMN interaction TEXT;
  CREATE TABLE seen_requests (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE slack_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    duration_ms INTEGER,
    response_url TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    created_at INTEGER NOT NULL,
    claimed_at INTEGER,
    finished_at INTEGER
  );
  CREATE INDEX slack_actions_open ON slack_actions (status, id) WHERE status IN ('pending', 'running');
  `,
  // 3: storm digest (demand per channel, one table row per collected group) and self-healing
  // threads (where a parent moved and why, so later edits keep saying so).
  `
  CREATE INDEX threads_channel_opened ON threads (channel, opened_at) WHERE kind = 'alert';
  CREATE TABLE digest_entries (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    digest_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    entry TEXT NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (digest_id, thread_id)
  );
  CREATE TABLE parent_moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    from_channel TEXT NOT NULL,
    from_ts TEXT,
    to_channel TEXT NOT NULL,
    to_ts TEXT NOT NULL,
    permalink TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX parent_moves_thread ON parent_moves (thread_id, id);
  `,
];
