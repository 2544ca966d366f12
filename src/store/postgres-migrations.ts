/**
 * The PostgreSQL schema, as numbered migrations: the same tables, columns and indexes as the SQLite
 * schema (migrations.ts), version for version, in PostgreSQL's types. Each runs once, in its own
 * transaction, and is recorded in `schema_migrations`; the store takes an advisory lock while
 * migrating so that nodes starting together apply each migration once. Never edit a migration that
 * has shipped: add the next number, here and in the SQLite list.
 *
 * Storage choices: EUIs and keys as TEXT with the "C" collation (bytewise order, as SQLite sorts, so
 * keyset paging and ORDER BY agree across adapters); instants as BIGINT milliseconds; uint64
 * counters as NUMERIC(20, 0) checked to 0..2^64-1 (BIGINT is signed and stops at 2^63-1); bytes as
 * BYTEA; roles as TEXT[]; audit detail as JSONB. `requests.ord` stands in for SQLite's rowid: the
 * insertion order that breaks ties between requests received in the same millisecond.
 */
import type { Migration } from "./migrations.js";

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema: SMI, RDP, users, counters, requests, outbox, audit, meta",
    sql: `
CREATE TABLE devices (
  eui TEXT COLLATE "C" PRIMARY KEY,
  type TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  hub_eui TEXT COLLATE "C",
  mpxn TEXT COLLATE "C",
  region TEXT COLLATE "C" NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX devices_hub ON devices (hub_eui);
CREATE INDEX devices_mpxn ON devices (mpxn);

CREATE TABLE registrations (
  mpxn TEXT COLLATE "C" NOT NULL,
  role TEXT COLLATE "C" NOT NULL,
  party_eui TEXT COLLATE "C" NOT NULL,
  effective_from BIGINT NOT NULL,
  effective_to BIGINT,
  PRIMARY KEY (mpxn, role, effective_from)
);

CREATE TABLE users (
  eui TEXT COLLATE "C" PRIMARY KEY,
  name TEXT NOT NULL,
  roles TEXT[] NOT NULL,
  receive_response_url TEXT
);

CREATE TABLE user_certificates (
  serial TEXT COLLATE "C" NOT NULL,
  issuer TEXT COLLATE "C" NOT NULL,
  user_eui TEXT COLLATE "C" NOT NULL REFERENCES users (eui) ON DELETE CASCADE,
  usage TEXT COLLATE "C" NOT NULL,
  pem TEXT,
  PRIMARY KEY (serial, issuer)
);
CREATE INDEX user_certificates_user ON user_certificates (user_eui);
CREATE INDEX user_certificates_serial ON user_certificates (serial);

CREATE TABLE counters (
  originator TEXT COLLATE "C" PRIMARY KEY,
  last NUMERIC(20, 0) NOT NULL CHECK (last >= 0 AND last <= 18446744073709551615)
);

CREATE TABLE requests (
  id TEXT COLLATE "C" PRIMARY KEY,
  ord BIGINT GENERATED ALWAYS AS IDENTITY,
  request_id TEXT COLLATE "C" NOT NULL,
  originator TEXT COLLATE "C" NOT NULL,
  target TEXT COLLATE "C" NOT NULL,
  counter NUMERIC(20, 0) NOT NULL CHECK (counter >= 0 AND counter <= 18446744073709551615),
  srv TEXT NOT NULL,
  command_variant INTEGER NOT NULL,
  state TEXT COLLATE "C" NOT NULL,
  response_code TEXT,
  correlation TEXT COLLATE "C" UNIQUE,
  gbcs_command BYTEA,
  gbcs_response BYTEA,
  request_xml TEXT,
  error TEXT,
  execute_at BIGINT,
  received_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX requests_request_id ON requests (request_id);
CREATE INDEX requests_state ON requests (state, received_at);

CREATE TABLE outbox (
  id TEXT COLLATE "C" PRIMARY KEY,
  user_eui TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  request_id TEXT COLLATE "C",
  body TEXT NOT NULL,
  state TEXT COLLATE "C" NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_user ON outbox (user_eui, created_at);
CREATE INDEX outbox_expiry ON outbox (expires_at);

CREATE TABLE audit (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at BIGINT NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  actor TEXT COLLATE "C",
  request_id TEXT COLLATE "C",
  detail JSONB NOT NULL
);
CREATE INDEX audit_request ON audit (request_id, seq);

CREATE TABLE meta (
  key TEXT COLLATE "C" PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: "covering index for device counts by region, type and status",
    // The SQLite schema's version 2: /metrics and the dashboard count devices every few seconds,
    // and PostgreSQL can answer the GROUP BY from this index (an index-only scan once vacuumed).
    sql: "CREATE INDEX devices_counts ON devices (region, type, status);",
  },
  {
    version: 3,
    name: "request custody: owner node, lease expiry, answered",
    // The SQLite schema's version 3 (see there for why final requests count as answered).
    sql: `
ALTER TABLE requests ADD COLUMN owner TEXT COLLATE "C";
ALTER TABLE requests ADD COLUMN lease_expires_at BIGINT;
ALTER TABLE requests ADD COLUMN answered BOOLEAN NOT NULL DEFAULT false;
UPDATE requests SET answered = true WHERE state IN ('responded', 'failed');
CREATE INDEX requests_open ON requests (owner, lease_expires_at) WHERE NOT answered;
`,
  },
  {
    version: 4,
    name: "delivery leases per user, and pending outbox entries by user",
    // The SQLite schema's version 4: per-user delivery leases taken with one INSERT … ON CONFLICT,
    // and a partial index for queue heads and the per-user pending count.
    sql: `
CREATE TABLE delivery_leases (
  user_eui TEXT COLLATE "C" PRIMARY KEY,
  holder TEXT COLLATE "C" NOT NULL,
  until BIGINT NOT NULL
);
CREATE INDEX outbox_pending_user ON outbox (user_eui, created_at, id) WHERE state = 'pending';
`,
  },
  {
    version: 5,
    name: "single-use user-API nonces; indexes for the retention purge",
    // The SQLite schema's version 5. The (user, nonce) key is what makes a nonce single-use across
    // every node sharing the database.
    sql: `
CREATE TABLE user_api_nonces (
  user_eui TEXT COLLATE "C" NOT NULL,
  nonce TEXT COLLATE "C" NOT NULL,
  expires_at BIGINT NOT NULL,
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
    // The SQLite schema's version 6 (see there why). The table lock keeps nodes of an older version
    // that are still running from sending a second command to a device between the UPDATE that ends
    // the extra ones and the index build (they wait; afterwards the index refuses them).
    sql: `
LOCK TABLE requests IN SHARE ROW EXCLUSIVE MODE;
UPDATE requests
SET state = 'failed', response_code = 'E21',
  error = 'another command to this device was on the WAN when the store was upgraded to one command in flight per device',
  updated_at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint
WHERE state = 'sent' AND EXISTS (
  SELECT 1 FROM requests k
  WHERE k.target = requests.target AND k.state = 'sent'
    AND (k.updated_at, k.ord) < (requests.updated_at, requests.ord)
);
CREATE UNIQUE INDEX requests_one_sent_per_target ON requests (target) WHERE state = 'sent';
CREATE INDEX requests_queue ON requests (target, state, received_at);
`,
  },
];
