/**
 * The SQLite schema, as numbered migrations. Each runs once, in its own transaction, and is recorded
 * in `schema_migrations`; reopening a store applies only the missing ones. Never edit a migration
 * that has shipped: add the next number.
 *
 * Storage choices: EUIs as 16 lowercase hex TEXT; instants as INTEGER milliseconds; uint64 counters
 * as 20-digit zero-padded decimal TEXT (SQLite integers are signed 64-bit, and padded text compares
 * in numeric order); bytes as BLOB; JSON as TEXT.
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema: SMI, RDP, users, counters, requests, outbox, audit, meta",
    sql: `
CREATE TABLE devices (
  eui TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  hub_eui TEXT,
  mpxn TEXT,
  region TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX devices_hub ON devices (hub_eui);
CREATE INDEX devices_mpxn ON devices (mpxn);

CREATE TABLE registrations (
  mpxn TEXT NOT NULL,
  role TEXT NOT NULL,
  party_eui TEXT NOT NULL,
  effective_from INTEGER NOT NULL,
  effective_to INTEGER,
  PRIMARY KEY (mpxn, role, effective_from)
);

CREATE TABLE users (
  eui TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  roles TEXT NOT NULL,
  receive_response_url TEXT
);

CREATE TABLE user_certificates (
  serial TEXT NOT NULL,
  issuer TEXT NOT NULL,
  user_eui TEXT NOT NULL REFERENCES users (eui) ON DELETE CASCADE,
  usage TEXT NOT NULL,
  pem TEXT,
  PRIMARY KEY (serial, issuer)
);
CREATE INDEX user_certificates_user ON user_certificates (user_eui);
CREATE INDEX user_certificates_serial ON user_certificates (serial);

CREATE TABLE counters (
  originator TEXT PRIMARY KEY,
  last TEXT NOT NULL
);

CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  originator TEXT NOT NULL,
  target TEXT NOT NULL,
  counter TEXT NOT NULL,
  srv TEXT NOT NULL,
  command_variant INTEGER NOT NULL,
  state TEXT NOT NULL,
  response_code TEXT,
  correlation TEXT UNIQUE,
  gbcs_command BLOB,
  gbcs_response BLOB,
  request_xml TEXT,
  error TEXT,
  execute_at INTEGER,
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX requests_request_id ON requests (request_id);
CREATE INDEX requests_state ON requests (state, received_at);

CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  user_eui TEXT NOT NULL,
  kind TEXT NOT NULL,
  request_id TEXT,
  body TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_user ON outbox (user_eui, created_at);
CREATE INDEX outbox_expiry ON outbox (expires_at);

CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT,
  request_id TEXT,
  detail TEXT NOT NULL
);
CREATE INDEX audit_request ON audit (request_id, seq);

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: "covering index for device counts by region, type and status",
    // /metrics and the dashboard count devices every few seconds; with this index SQLite counts
    // from the index alone (about five times faster on 500,000 devices).
    sql: "CREATE INDEX devices_counts ON devices (region, type, status);",
  },
  {
    version: 3,
    name: "request custody: owner node, lease expiry, answered",
    // Open work (answered = 0) is what a node's recovery and heartbeat look at, hence the partial
    // index. Requests already final were answered by the code that wrote them (the response right
    // after the state): they are recorded as answered, so an upgrade does not answer history again.
    // Open requests get no owner: the first node that starts takes them.
    sql: `
ALTER TABLE requests ADD COLUMN owner TEXT;
ALTER TABLE requests ADD COLUMN lease_expires_at INTEGER;
ALTER TABLE requests ADD COLUMN answered INTEGER NOT NULL DEFAULT 0;
UPDATE requests SET answered = 1 WHERE state IN ('responded', 'failed');
CREATE INDEX requests_open ON requests (owner, lease_expires_at) WHERE answered = 0;
`,
  },
  {
    version: 4,
    name: "delivery leases per user, and pending outbox entries by user",
    // Every POST is made under a per-user lease (one node works a user's queue at a time, so nothing
    // is sent twice and order holds across nodes); the partial index finds a user's queue head and
    // counts its pending entries (the per-user cap) without reading delivered rows.
    sql: `
CREATE TABLE delivery_leases (
  user_eui TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until INTEGER NOT NULL
);
CREATE INDEX outbox_pending_user ON outbox (user_eui, created_at, id) WHERE state = 'pending';
`,
  },
  {
    version: 5,
    name: "single-use user-API nonces; indexes for the retention purge",
    // user_api_nonces: a user-API signature's nonce, kept until its signed time leaves the window.
    // requests_final and audit_at let the periodic purge find old rows without a scan;
    // outbox_request lets it skip requests whose answer is still waiting for delivery.
    sql: `
CREATE TABLE user_api_nonces (
  user_eui TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (user_eui, nonce)
);
CREATE INDEX user_api_nonces_expiry ON user_api_nonces (expires_at);
CREATE INDEX requests_final ON requests (state, updated_at);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX outbox_request ON outbox (request_id);
`,
  },
  {
    version: 6,
    name: "one command in flight per device: unique sent request per target, queue index",
    // A device takes a command only when its counter is above the last one it took from that
    // originator, so two commands on the WAN at once to one device can overtake each other and the
    // earlier one is dropped. The unique partial index allows one 'sent' request per target, for
    // every node sharing the store. Data written before may hold several for one target (commands
    // that were on the WAN together when the DCC stopped): all but the first sent end as E21 first,
    // as recovery would have ended them, so that the index can be built.
    sql: `
UPDATE requests
SET state = 'failed', response_code = 'E21',
  error = 'another command to this device was on the WAN when the store was upgraded to one command in flight per device',
  updated_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
WHERE state = 'sent' AND EXISTS (
  SELECT 1 FROM requests k
  WHERE k.target = requests.target AND k.state = 'sent'
    AND (k.updated_at, k.rowid) < (requests.updated_at, requests.rowid)
);
CREATE UNIQUE INDEX requests_one_sent_per_target ON requests (target) WHERE state = 'sent';
CREATE INDEX requests_queue ON requests (target, state, received_at);
`,
  },
];
