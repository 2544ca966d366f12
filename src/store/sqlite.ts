/**
 * The embedded store: SQLite through better-sqlite3 (synchronous, in process), behind the async port.
 *
 * - WAL journal, so readers never block the writer. Durability is chosen by `synchronous`:
 *   NORMAL (the default) makes each commit reach the WAL file before the call returns, so a
 *   committed write (an acknowledged request) survives the process dying, which is what the design
 *   promises; only an operating-system crash or power loss can undo the last commits. FULL also
 *   fsyncs every commit and survives power loss, at a large cost in commits per second (see
 *   bench/results/platform.md); choose it with `--store sqlite:FILE?synchronous=full`.
 * - Every statement is prepared once per store instance and reused.
 * - One connection per store. A single call is atomic because better-sqlite3 runs it to completion
 *   before returning; `transaction()` holds a BEGIN IMMEDIATE across awaits and makes every other
 *   call on this store wait until it ends. Two processes on one file serialise on SQLite's lock.
 */
import { chmodSync, closeSync, existsSync, openSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { distinguishedNameKey } from "../smki/distinguished-name.js";
import { type Migration, SQLITE_MIGRATIONS } from "./migrations.js";
import type {
  AuditRepository,
  CounterRepository,
  DeviceCount,
  DeviceQuery,
  DeviceRepository,
  MetaRepository,
  NonceRepository,
  OutboxRepository,
  RegistrationRepository,
  Repositories,
  RequestRepository,
  Store,
  UserRepository,
} from "./port.js";
import {
  auditFromRow,
  checkUint64,
  custodyFromRow,
  deviceFromRow,
  dueUsersSql,
  num,
  OUTBOX_INSERT_COLUMNS,
  outboxFromRow,
  outboxInsertParams,
  patchColumns,
  queueHeadSql,
  REQUEST_CUSTODY_COLUMNS,
  REQUEST_INSERT_COLUMNS,
  type Row,
  registrationFromRow,
  requestCustodyParams,
  requestFromRow,
  requestInsertParams,
  str,
  strOrNull,
} from "./rows.js";
import type {
  CertificateUsage,
  CspRegion,
  DeviceStatus,
  DeviceType,
  NewAuditRecord,
  NewOutboxRecord,
  OutboxState,
  RequestState,
  UserCertificate,
  UserRecord,
  UserRole,
} from "./types.js";

export interface SqliteStoreOptions {
  /** Database file, or `:memory:` for a throwaway store. */
  readonly file: string;
  /** NORMAL (default): a commit survives the process dying. FULL: it also survives power loss (slower). */
  readonly synchronous?: "FULL" | "NORMAL";
  /** Migrations to apply (default: the product's); tests pass their own to check versioning. */
  readonly migrations?: readonly Migration[];
  /** How long to wait for another process's write lock, ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** Clock for the migration records (ms since epoch). */
  readonly now?: () => number;
}

/** Opens (creating if needed) and migrates a SQLite store. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}

/** uint64 → 20-digit zero-padded decimal text, which SQLite compares in numeric order. */
function counterText(value: bigint): string {
  return checkUint64(value).toString().padStart(20, "0");
}

/**
 * Runs a synchronous database call when the store may be used: outside a transaction it waits for
 * any running transaction; inside, it checks the transaction is still open.
 */
type Gate = <T>(work: () => T) => Promise<T>;

/** An outbox row's user lease is held by the `?` holder (the outbox row is `outbox`). */
const HELD_BY_SQL =
  "EXISTS (SELECT 1 FROM delivery_leases l WHERE l.user_eui = outbox.user_eui AND l.holder = ?)";

/** Users whose queue head is due (parameters: now, now, limit); see `dueUsersSql`. */
const DUE_USERS_SQL = dueUsersSql({ now: "?", limit: "?" });

/** The repositories over one connection, each call going through `gate`. */
class SqliteRepositories implements Repositories {
  readonly devices: DeviceRepository;
  readonly registrations: RegistrationRepository;
  readonly users: UserRepository;
  readonly counters: CounterRepository;
  readonly requests: RequestRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly nonces: NonceRepository;
  readonly meta: MetaRepository;

  constructor(s: Statements, gate: Gate) {
    this.devices = {
      get: (eui) => gate(() => s.row("SELECT * FROM devices WHERE eui = ?", eui, deviceFromRow)),
      put: (devices) =>
        gate(() => {
          const insert = s.prepare(
            `INSERT INTO devices (eui, type, status, hub_eui, mpxn, region, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (eui) DO UPDATE SET type = excluded.type, status = excluded.status,
               hub_eui = excluded.hub_eui, mpxn = excluded.mpxn, region = excluded.region,
               updated_at = excluded.updated_at`,
          );
          s.atomically(() => {
            for (const d of devices)
              insert.run(d.eui, d.type, d.status, d.hubEui, d.mpxn, d.region, d.updatedAt);
          });
        }),
      setStatus: (eui, status, at) =>
        gate(
          () =>
            s.prepare("UPDATE devices SET status = ?, updated_at = ? WHERE eui = ?").run(status, at, eui)
              .changes === 1,
        ),
      byHub: (hubEui) =>
        gate(() => s.rows("SELECT * FROM devices WHERE hub_eui = ? ORDER BY eui", [hubEui], deviceFromRow)),
      byMpxn: (mpxn) =>
        gate(() => s.rows("SELECT * FROM devices WHERE mpxn = ? ORDER BY eui", [mpxn], deviceFromRow)),
      list: (query: DeviceQuery = {}) =>
        gate(() => {
          const where: string[] = [];
          const params: unknown[] = [];
          const filters: Array<[string, string | undefined]> = [
            ["region = ?", query.region],
            ["type = ?", query.type],
            ["status = ?", query.status],
            ["eui > ?", query.after],
          ];
          for (const [condition, value] of filters) {
            if (value === undefined) continue;
            where.push(condition);
            params.push(value);
          }
          params.push(query.limit ?? 1000);
          const clause = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
          return s.rows(`SELECT * FROM devices ${clause} ORDER BY eui LIMIT ?`, params, deviceFromRow);
        }),
      counts: () =>
        gate(() =>
          s.rows(
            "SELECT region, type, status, COUNT(*) AS n FROM devices GROUP BY region, type, status ORDER BY region, type, status",
            [],
            (row): DeviceCount => ({
              region: str(row, "region") as CspRegion,
              type: str(row, "type") as DeviceType,
              status: str(row, "status") as DeviceStatus,
              count: num(row, "n"),
            }),
          ),
        ),
    };

    this.registrations = {
      put: (registrations) =>
        gate(() => {
          const insert = s.prepare(
            `INSERT INTO registrations (mpxn, role, party_eui, effective_from, effective_to) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (mpxn, role, effective_from) DO UPDATE SET party_eui = excluded.party_eui,
               effective_to = excluded.effective_to`,
          );
          s.atomically(() => {
            for (const r of registrations) {
              insert.run(r.mpxn, r.role, r.partyEui, r.effectiveFrom, r.effectiveTo);
            }
          });
        }),
      partyAt: (mpxn, role, at) =>
        gate(() =>
          s.row(
            `SELECT party_eui FROM registrations WHERE mpxn = ? AND role = ? AND effective_from <= ?
               AND (effective_to IS NULL OR effective_to > ?) ORDER BY effective_from DESC LIMIT 1`,
            [mpxn, role, at, at],
            (row) => str(row, "party_eui"),
          ),
        ),
      forMpxn: (mpxn) =>
        gate(() =>
          s.rows(
            "SELECT * FROM registrations WHERE mpxn = ? ORDER BY role, effective_from",
            [mpxn],
            registrationFromRow,
          ),
        ),
      close: (mpxn, role, at) =>
        gate(
          () =>
            s
              .prepare(
                `UPDATE registrations SET effective_to = ? WHERE mpxn = ? AND role = ?
                   AND effective_to IS NULL AND effective_from <= ?`,
              )
              .run(at, mpxn, role, at).changes > 0,
        ),
    };

    const userFromRow = (row: Row): UserRecord => {
      const eui = str(row, "eui");
      const roles = JSON.parse(str(row, "roles")) as UserRole[];
      const certificates = s.rows(
        "SELECT * FROM user_certificates WHERE user_eui = ? ORDER BY usage, serial",
        [eui],
        (c): UserCertificate => {
          const pem = strOrNull(c, "pem");
          const base = {
            serial: str(c, "serial"),
            issuer: str(c, "issuer"),
            usage: str(c, "usage") as CertificateUsage,
          };
          return pem === null ? base : { ...base, pem };
        },
      );
      return {
        eui,
        name: str(row, "name"),
        roles,
        receiveResponseUrl: strOrNull(row, "receive_response_url"),
        certificates,
      };
    };
    this.users = {
      get: (eui) => gate(() => s.row("SELECT * FROM users WHERE eui = ?", [eui], userFromRow)),
      put: (user) =>
        gate(() =>
          s.atomically(() => {
            s.prepare(
              `INSERT INTO users (eui, name, roles, receive_response_url) VALUES (?, ?, ?, ?)
               ON CONFLICT (eui) DO UPDATE SET name = excluded.name, roles = excluded.roles,
                 receive_response_url = excluded.receive_response_url`,
            ).run(user.eui, user.name, JSON.stringify(user.roles), user.receiveResponseUrl);
            s.prepare("DELETE FROM user_certificates WHERE user_eui = ?").run(user.eui);
            const insert = s.prepare(
              `INSERT INTO user_certificates (serial, issuer, user_eui, usage, pem) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (serial, issuer) DO UPDATE SET user_eui = excluded.user_eui,
                 usage = excluded.usage, pem = excluded.pem`,
            );
            for (const c of user.certificates)
              insert.run(c.serial, c.issuer, user.eui, c.usage, c.pem ?? null);
          }),
        ),
      list: () => gate(() => s.rows("SELECT * FROM users ORDER BY eui", [], userFromRow)),
      // The serial narrows to a row or two (indexed); the issuer is then compared as a name.
      byCertificate: (issuer, serial) =>
        gate(() => {
          const key = distinguishedNameKey(issuer);
          if (key === undefined) return undefined;
          const owner = s
            .rows(
              "SELECT user_eui, issuer FROM user_certificates WHERE serial = ? ORDER BY user_eui",
              [serial],
              (c) => ({ user: str(c, "user_eui"), issuer: str(c, "issuer") }),
            )
            .find((c) => distinguishedNameKey(c.issuer) === key);
          return owner && s.row("SELECT * FROM users WHERE eui = ?", [owner.user], userFromRow);
        }),
    };

    this.counters = {
      get: (originator) =>
        gate(() =>
          s.row("SELECT last FROM counters WHERE originator = ?", [originator], (row) =>
            BigInt(str(row, "last")),
          ),
        ),
      // One statement: insert, or raise only when strictly greater. SQLite runs it under its write
      // lock, so concurrent callers (in this process or another) cannot both succeed.
      advance: (originator, counter) =>
        gate(
          () =>
            s
              .prepare(
                `INSERT INTO counters (originator, last) VALUES (?, ?)
                 ON CONFLICT (originator) DO UPDATE SET last = excluded.last WHERE excluded.last > counters.last`,
              )
              .run(originator, counterText(counter)).changes === 1,
        ),
      compareAndSet: (originator, expected, next) =>
        gate(() => {
          const nextText = counterText(next);
          if (expected === undefined) {
            return (
              s
                .prepare(
                  "INSERT INTO counters (originator, last) VALUES (?, ?) ON CONFLICT (originator) DO NOTHING",
                )
                .run(originator, nextText).changes === 1
            );
          }
          return (
            s
              .prepare("UPDATE counters SET last = ? WHERE originator = ? AND last = ?")
              .run(nextText, originator, counterText(expected)).changes === 1
          );
        }),
    };

    this.requests = {
      insert: (r, lease) =>
        gate(() => {
          const custody = requestCustodyParams(r, lease);
          s.prepare(
            `INSERT INTO requests (${REQUEST_INSERT_COLUMNS}, ${REQUEST_CUSTODY_COLUMNS})
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            ...requestInsertParams(r, counterText(r.counter)),
            custody.owner,
            custody.leaseExpiresAt,
            custody.answered ? 1 : 0,
          );
        }),
      get: (id) => gate(() => s.row("SELECT * FROM requests WHERE id = ?", [id], requestFromRow)),
      byRequestId: (requestId) =>
        gate(() =>
          s.rows(
            "SELECT * FROM requests WHERE request_id = ? ORDER BY received_at, rowid",
            [requestId],
            requestFromRow,
          ),
        ),
      byCorrelation: (correlation) =>
        gate(() => s.row("SELECT * FROM requests WHERE correlation = ?", [correlation], requestFromRow)),
      transition: (id, from, to, at, patch = {}, lease) =>
        gate(() => {
          if (from.length === 0) return false;
          const { columns, values } = patchColumns(patch);
          if (lease !== undefined) {
            columns.push("owner", "lease_expires_at");
            values.push(lease.owner, lease.expiresAt);
          }
          const sets = ["state = ?", "updated_at = ?", ...columns.map((c) => `${c} = ?`)];
          const sql = `UPDATE requests SET ${sets.join(", ")} WHERE id = ? AND state IN (${from.map(() => "?").join(", ")})`;
          const params = [to, at, ...values, id, ...from];
          return s.prepare(sql).run(...params).changes === 1;
        }),
      // One statement under SQLite's write lock: the device has nothing in flight and this request
      // heads its queue. The unique index on (target) WHERE state = 'sent' backs it up.
      startSending: (id, at, lease) =>
        gate(() => {
          const moved = s
            .prepare(
              `UPDATE requests SET state = 'sent', updated_at = @at${lease === undefined ? "" : ", owner = @owner, lease_expires_at = @until"}
               WHERE id = @id AND state = 'acknowledged'
                 AND NOT EXISTS (SELECT 1 FROM requests s WHERE s.target = requests.target AND s.state = 'sent')
                 AND id = (${queueHeadSql({ target: "requests.target", at: "@at", insertion: "rowid", columns: "r.id" })})`,
            )
            .run(
              lease === undefined ? { id, at } : { id, at, owner: lease.owner, until: lease.expiresAt },
            ).changes;
          if (moved === 1) return "sent";
          const state = s.row("SELECT state FROM requests WHERE id = ?", [id], (row) => str(row, "state"));
          return state === "acknowledged" ? "busy" : "gone";
        }),
      nextQueued: (target, at) =>
        gate(() =>
          s.row(
            queueHeadSql({ target: "@target", at: "@at", insertion: "rowid", columns: "r.*" }),
            { target, at },
            requestFromRow,
          ),
        ),
      markAnswered: (id) =>
        gate(
          () =>
            s.prepare("UPDATE requests SET answered = 1 WHERE id = ? AND answered = 0").run(id).changes === 1,
        ),
      custody: (id) =>
        gate(() =>
          s.row("SELECT owner, lease_expires_at, answered FROM requests WHERE id = ?", [id], custodyFromRow),
        ),
      renewLeases: (owner, expiresAt) =>
        gate(
          () =>
            s
              .prepare("UPDATE requests SET lease_expires_at = ? WHERE owner = ? AND answered = 0")
              .run(expiresAt, owner).changes,
        ),
      takeOver: (lease, now, { own, limit = 1000 }) =>
        gate(() => {
          // One statement: the rows chosen are the rows updated, so two processes never both take one.
          const mine = own ? " OR owner = ?" : "";
          const sql = `UPDATE requests SET owner = ?, lease_expires_at = ? WHERE rowid IN (
              SELECT rowid FROM requests
              WHERE answered = 0 AND (owner IS NULL OR lease_expires_at < ?${mine})
              ORDER BY received_at, rowid LIMIT ?)
            RETURNING *, rowid AS ord`;
          const params = [lease.owner, lease.expiresAt, now, ...(own ? [lease.owner] : []), limit];
          const rows = s.prepare(sql).all(...params) as Row[];
          return rows
            .sort((a, b) => num(a, "received_at") - num(b, "received_at") || num(a, "ord") - num(b, "ord"))
            .map(requestFromRow);
        }),
      update: (id, at, patch) =>
        gate(() => {
          const { columns, values } = patchColumns(patch);
          const sets = ["updated_at = ?", ...columns.map((c) => `${c} = ?`)];
          const sql = `UPDATE requests SET ${sets.join(", ")} WHERE id = ?`;
          return s.prepare(sql).run(at, ...values, id).changes === 1;
        }),
      inState: (state, limit = 1000) =>
        gate(() =>
          s.rows(
            "SELECT * FROM requests WHERE state = ? ORDER BY received_at, rowid LIMIT ?",
            [state, limit],
            requestFromRow,
          ),
        ),
      counts: () => gate(() => stateCounts<RequestState>(s, "requests")),
      purgeFinished: (before, limit) =>
        gate(
          () =>
            s
              .prepare(
                `DELETE FROM requests WHERE rowid IN (
                   SELECT r.rowid FROM requests r
                   WHERE r.state IN ('responded', 'failed') AND r.updated_at < ?
                     AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.request_id
                       AND o.user_eui = r.originator AND o.state IN ('pending', 'failed'))
                   LIMIT ?)`,
              )
              .run(before, limit).changes,
        ),
    };

    this.outbox = {
      enqueue: (item: NewOutboxRecord) =>
        gate(() => {
          s.prepare(
            `INSERT INTO outbox (${OUTBOX_INSERT_COLUMNS})
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, NULL, NULL)`,
          ).run(...outboxInsertParams(item));
        }),
      get: (id) => gate(() => s.row("SELECT * FROM outbox WHERE id = ?", [id], outboxFromRow)),
      dueUsers: (now, limit) =>
        gate(() => s.rows(DUE_USERS_SQL, [now, now, limit], (row) => str(row, "user_eui"))),
      // One upsert: a free, expired or own lease is taken; another holder's live lease is left
      // alone (the WHERE makes the update a no-op, so no row changes).
      acquireLease: (userEui, holder, now, until) =>
        gate(
          () =>
            s
              .prepare(
                `INSERT INTO delivery_leases (user_eui, holder, until) VALUES (?, ?, ?)
                 ON CONFLICT (user_eui) DO UPDATE SET holder = excluded.holder, until = excluded.until
                 WHERE delivery_leases.until <= ? OR delivery_leases.holder = excluded.holder`,
              )
              .run(userEui, holder, until, now).changes === 1,
        ),
      renewLease: (userEui, holder, until) =>
        gate(
          () =>
            s
              .prepare("UPDATE delivery_leases SET until = ? WHERE user_eui = ? AND holder = ?")
              .run(until, userEui, holder).changes === 1,
        ),
      releaseLease: (userEui, holder) =>
        gate(
          () =>
            s.prepare("DELETE FROM delivery_leases WHERE user_eui = ? AND holder = ?").run(userEui, holder)
              .changes === 1,
        ),
      markDelivered: (id, holder, at) =>
        gate(
          () =>
            s
              .prepare(
                `UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL
                 WHERE id = ? AND state = 'pending' AND ${HELD_BY_SQL}`,
              )
              .run(at, id, holder).changes === 1,
        ),
      markAttemptFailed: (id, holder, error, nextAttemptAt) =>
        gate(() => {
          const sql =
            nextAttemptAt === null
              ? `UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?
                 WHERE id = ? AND state = 'pending' AND ${HELD_BY_SQL}`
              : `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
                 WHERE id = ? AND state = 'pending' AND ${HELD_BY_SQL}`;
          const params = nextAttemptAt === null ? [error, id, holder] : [error, nextAttemptAt, id, holder];
          return s.prepare(sql).run(...params).changes === 1;
        }),
      countPending: (userEui, upTo) =>
        gate(
          () =>
            s.row(
              `SELECT COUNT(*) AS n FROM (
                 SELECT 1 FROM outbox WHERE user_eui = ? AND state = 'pending' LIMIT ?) AS p`,
              [userEui, upTo],
              (row) => num(row, "n"),
            ) ?? 0,
        ),
      forUser: (userEui, limit = 100) =>
        gate(() =>
          s.rows(
            `SELECT * FROM outbox WHERE user_eui = ? AND state IN ('pending', 'failed')
             ORDER BY created_at, id LIMIT ?`,
            [userEui, limit],
            outboxFromRow,
          ),
        ),
      remove: (id) => gate(() => s.prepare("DELETE FROM outbox WHERE id = ?").run(id).changes === 1),
      purgeExpired: (now) =>
        gate(() =>
          s.atomically(() => {
            s.prepare("DELETE FROM delivery_leases WHERE until <= ?").run(now);
            return s.prepare("DELETE FROM outbox WHERE expires_at <= ?").run(now).changes;
          }),
        ),
      counts: () => gate(() => stateCounts<OutboxState>(s, "outbox")),
    };

    this.audit = {
      append: (record: NewAuditRecord) =>
        gate(() =>
          Number(
            s
              .prepare("INSERT INTO audit (at, kind, actor, request_id, detail) VALUES (?, ?, ?, ?, ?)")
              .run(
                record.at,
                record.kind,
                record.actor,
                record.requestId,
                JSON.stringify(record.detail ?? null),
              ).lastInsertRowid,
          ),
        ),
      list: (query = {}) =>
        gate(() => {
          const params: unknown[] = [query.afterSeq ?? 0];
          let sql = "SELECT * FROM audit WHERE seq > ?";
          if (query.requestId !== undefined) {
            sql += " AND request_id = ?";
            params.push(query.requestId);
          }
          sql += " ORDER BY seq LIMIT ?";
          params.push(query.limit ?? 1000);
          return s.rows(sql, params, (row) => auditFromRow(row, JSON.parse(str(row, "detail")) as unknown));
        }),
      purgeBefore: (before, limit) =>
        gate(
          () =>
            s
              .prepare(
                "DELETE FROM audit WHERE seq IN (SELECT seq FROM audit WHERE at < ? ORDER BY seq LIMIT ?)",
              )
              .run(before, limit).changes,
        ),
    };

    this.nonces = {
      // One statement: a new nonce is inserted; a known one is taken again only once expired.
      use: (user, nonce, expiresAt, now) =>
        gate(
          () =>
            s
              .prepare(
                `INSERT INTO user_api_nonces (user_eui, nonce, expires_at) VALUES (?, ?, ?)
                 ON CONFLICT (user_eui, nonce) DO UPDATE SET expires_at = excluded.expires_at
                 WHERE user_api_nonces.expires_at <= ?`,
              )
              .run(user, nonce, expiresAt, now).changes === 1,
        ),
      purgeExpired: (now, limit) =>
        gate(
          () =>
            s
              .prepare(
                `DELETE FROM user_api_nonces WHERE rowid IN (
                   SELECT rowid FROM user_api_nonces WHERE expires_at <= ? LIMIT ?)`,
              )
              .run(now, limit).changes,
        ),
    };

    this.meta = {
      get: (key) =>
        gate(() => s.row("SELECT value FROM meta WHERE key = ?", [key], (row) => str(row, "value"))),
      set: (key, value) =>
        gate(() => {
          s.prepare(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          ).run(key, value);
        }),
      delete: (key) => gate(() => s.prepare("DELETE FROM meta WHERE key = ?").run(key).changes === 1),
    };
  }
}

/** Prepared statements cached by SQL text, and small helpers over them. */
class Statements {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  prepare(sql: string): Database.Statement {
    let statement = this.cache.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
  row<T>(sql: string, params: unknown, map: (row: Row) => T): T | undefined {
    const args = Array.isArray(params) ? params : [params];
    const row = this.prepare(sql).get(...args) as Row | undefined;
    return row === undefined ? undefined : map(row);
  }
  rows<T>(sql: string, params: readonly unknown[], map: (row: Row) => T): T[] {
    return (this.prepare(sql).all(...params) as Row[]).map(map);
  }
  /** Runs `work` in one transaction (a savepoint when one is already open). */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}

/** The SQLite store. Build it with `openSqliteStore`. */

/** Rows of `table` by their `state` column (the requests and the outbox both keep one). */
function stateCounts<S extends string>(
  s: Statements,
  table: "requests" | "outbox",
): Partial<Record<S, number>> {
  const out: Partial<Record<S, number>> = {};
  for (const [state, n] of s.rows(
    `SELECT state, COUNT(*) AS n FROM ${table} GROUP BY state`,
    [],
    (row) => [str(row, "state") as S, num(row, "n")] as const,
  )) {
    out[state] = n;
  }
  return out;
}

export class SqliteStore implements Store {
  readonly kind = "sqlite";
  readonly devices: DeviceRepository;
  readonly registrations: RegistrationRepository;
  readonly users: UserRepository;
  readonly counters: CounterRepository;
  readonly requests: RequestRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly nonces: NonceRepository;
  readonly meta: MetaRepository;
  /** The schema version after opening. */
  readonly schemaVersion: number;

  private readonly db: Database.Database;
  private readonly statements: Statements;
  private closed = false;
  /** Settles when the running transaction ends; null when none runs. */
  private running: Promise<void> | null = null;

  constructor(options: SqliteStoreOptions) {
    const onDisk = options.file !== ":memory:" && options.file !== "";
    if (onDisk) keepPrivate(options.file, true);
    this.db = new Database(options.file);
    try {
      if (onDisk) {
        this.db.pragma("journal_mode = WAL");
        // SQLite gives the WAL and shared-memory files the database file's mode when it creates
        // them; ones left by an older version may be looser.
        keepPrivate(`${options.file}-wal`, false);
        keepPrivate(`${options.file}-shm`, false);
      }
      this.db.pragma(`synchronous = ${options.synchronous ?? "NORMAL"}`);
      this.db.pragma("foreign_keys = ON");
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      this.schemaVersion = migrate(this.db, options.migrations ?? SQLITE_MIGRATIONS, options.now ?? Date.now);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.statements = new Statements(this.db);
    const repositories = new SqliteRepositories(this.statements, this.gate);
    this.devices = repositories.devices;
    this.registrations = repositories.registrations;
    this.users = repositories.users;
    this.counters = repositories.counters;
    this.requests = repositories.requests;
    this.outbox = repositories.outbox;
    this.audit = repositories.audit;
    this.nonces = repositories.nonces;
    this.meta = repositories.meta;
  }

  private readonly gate: Gate = async (work) => {
    while (this.running !== null) await this.running;
    if (this.closed) throw new Error("store is closed");
    return work();
  };

  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    while (this.running !== null) await this.running;
    if (this.closed) throw new Error("store is closed");
    let end!: () => void;
    this.running = new Promise<void>((resolve) => {
      end = resolve;
    });
    let open = true;
    const txGate: Gate = async (w) => {
      if (!open) throw new Error("transaction has ended: use the store, not the transaction's repositories");
      return w();
    };
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(new SqliteRepositories(this.statements, txGate));
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw error;
      }
    } finally {
      open = false;
      this.running = null;
      end();
    }
  }

  async ping(): Promise<void> {
    await this.gate(() => this.db.prepare("SELECT 1").get());
  }

  async close(): Promise<void> {
    while (this.running !== null) await this.running;
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/**
 * The store holds requests, certificates and audit lines: its files are for the DCC's own user only
 * (0600). Creates the file so (when `create`), and tightens an existing one that is looser.
 */
function keepPrivate(file: string, create: boolean): void {
  if (!existsSync(file)) {
    if (create) closeSync(openSync(file, "a", 0o600));
    return;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}

/** Applies the migrations not yet recorded; returns the resulting version. */
function migrate(db: Database.Database, migrations: readonly Migration[], now: () => number): number {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as Row[]).map((r) => num(r, "version")),
  );
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new Error(
      `store schema has migration(s) ${unknown.join(", ")} this version of meterway does not know: it was written by a newer version`,
    );
  }
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  for (const migration of ordered) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now());
    }).immediate();
  }
  return ordered.length === 0 ? 0 : ordered[ordered.length - 1]!.version;
}
