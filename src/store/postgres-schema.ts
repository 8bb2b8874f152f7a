/**
 * Versioned migrations for the PostgreSQL store. Append only: a released migration never changes.
 * The tables mirror the SQLite store's (so both pass one contract suite), plus what replicas
 * sharing one database need: leases and the replicas' heartbeats.
 *
 * Timestamps are epoch milliseconds (BIGINT, read back as numbers); payloads are JSON text, as in
 * SQLite, so a row reads back byte for byte what was written.
 */
export const postgresMigrations: string[] = [
  `
  CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    thread_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    processed_at BIGINT,
    result TEXT
  );
  -- The payload lives apart, so marking a notification processed rewrites a narrow row, not ~10 KB.
  CREATE TABLE notification_parts (
    id BIGINT PRIMARY KEY,
    part TEXT NOT NULL
  );
  CREATE INDEX notifications_pending ON notifications (id) WHERE processed_at IS NULL;
  CREATE INDEX notifications_pending_key ON notifications (thread_key, id) WHERE processed_at IS NULL;

  CREATE TABLE threads (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    thread_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    channel TEXT NOT NULL,
    parent_ts TEXT,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    resolved_at BIGINT,
    previous_id TEXT,
    updated_at BIGINT NOT NULL,
    UNIQUE (kind, thread_key, seq)
  );
  -- One live alert thread per key, whichever replica decided it: a second one is a conflict.
  CREATE UNIQUE INDEX threads_one_firing ON threads (thread_key) WHERE kind = 'alert' AND status = 'firing';
  CREATE INDEX threads_latest ON threads (thread_key, seq DESC);
  CREATE INDEX threads_status ON threads (status, opened_at DESC);

  CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    thread_id TEXT NOT NULL REFERENCES threads (id),
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    uncertain INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    claimed_at BIGINT,
    claimed_by TEXT
  );
  -- Exactly one parent per episode, enforced here and not by a check-then-act in some replica.
  CREATE UNIQUE INDEX outbox_one_parent ON outbox (thread_id) WHERE kind = 'post_parent';
  CREATE INDEX outbox_open ON outbox (status, thread_id, id) WHERE status IN ('pending', 'inflight');
  CREATE INDEX outbox_thread ON outbox (thread_id, id);

  CREATE TABLE messages (
    outbox_id BIGINT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    ts TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    blocks TEXT,
    at BIGINT NOT NULL
  );
  CREATE INDEX messages_thread ON messages (thread_id, outbox_id);

  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  -- Named leases with an expiry: 'key:<thread key>' (who decides that key's notifications),
  -- 'post:<channel>' (who posts to that channel) and 'update' (who calls chat.update).
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX leases_owner ON leases (owner);

  -- Each replica's last sign of life: rows in flight of a silent replica are taken back.
  CREATE TABLE replicas (
    owner TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
  );
  `,
  // Slack interactivity (as sqlite-schema.ts): a thread's Ack / Silence state apart from the episode
  // state the processor rewrites; replay memory of signed requests; durable button presses.
  `
  ALTER TABLE threads ADD COLUMN interaction TEXT;
  CREATE TABLE seen_requests (
    key TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
  );
  CREATE TABLE slack_actions (
    id BIGSERIAL PRIMARY KEY,
    thread_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    duration_ms BIGINT,
    response_url TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    created_at BIGINT NOT NULL,
    claimed_at BIGINT,
    finished_at BIGINT
  );
  CREATE INDEX slack_actions_open ON slack_actions (status, id) WHERE status IN ('pending', 'running');
  `,
  // Storm digest and self-healing threads (as sqlite-schema.ts): the digest's table rows, and where
  // a thread's parent moved and why.
  `
  CREATE INDEX threads_channel_opened ON threads (channel, opened_at) WHERE kind = 'alert';
  -- One running digest per channel, whichever replica opened it.
  CREATE UNIQUE INDEX threads_one_storm ON threads (thread_key) WHERE kind = 'digest' AND status = 'storm';
  CREATE TABLE digest_entries (
    n BIGSERIAL PRIMARY KEY,
    digest_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    entry TEXT NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (digest_id, thread_id)
  );
  CREATE TABLE parent_moves (
    id BIGSERIAL PRIMARY KEY,
    thread_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    from_channel TEXT NOT NULL,
    from_ts TEXT,
    to_channel TEXT NOT NULL,
    to_ts TEXT NOT NULL,
    permalink TEXT,
    at BIGINT NOT NULL
  );
  CREATE INDEX parent_moves_thread ON parent_moves (thread_id, id);
  `,
];
