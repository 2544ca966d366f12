/**
 * The cluster store: PostgreSQL (15 or later) through node-postgres, behind the async port.
 *
 * - A pool of connections per store (per node). A single port call is one statement, or, where it
 *   needs several (a user and its certificates), one transaction on one pooled connection, so every
 *   call is atomic on its own across all nodes sharing the database.
 * - Races between nodes are settled by the database, never by this process: the counter advance is
 *   one INSERT … ON CONFLICT DO UPDATE … WHERE new > old, request transitions are guarded UPDATEs
 *   (READ COMMITTED re-checks the guard after waiting for a concurrent writer), and a user's delivery
 *   lease is taken with one INSERT … ON CONFLICT DO UPDATE … WHERE free, expired or ours.
 * - `transaction()` holds one pooled connection between BEGIN and COMMIT (ROLLBACK when the work
 *   throws). Unlike the SQLite adapter, calls outside it do not wait: they run on other connections
 *   and see the state before the commit. A statement that fails inside a transaction aborts it (the
 *   PostgreSQL rule), so let such errors end the transaction.
 * - Types: instants are BIGINT and uint64 counters NUMERIC(20, 0); node-postgres returns both as
 *   strings, read here as safe integers and as bigint, so no value is ever rounded. Bytes are BYTEA.
 * - Statements are named, so each connection parses and plans each one once.
 * - The schema is migrated when the store opens, under an advisory lock (see postgres-migrations.ts).
 */
import pg from "pg";
import { distinguishedNameKey } from "../smki/distinguished-name.js";
import type { Migration } from "./migrations.js";
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
  SendStart,
  Store,
  UserRepository,
} from "./port.js";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations.js";
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
  uint64,
} from "./rows.js";
import type {
  CertificateUsage,
  CspRegion,
  DeviceStatus,
  DeviceType,
  NewAuditRecord,
  NewOutboxRecord,
  OutboxState,
  RequestPatch,
  RequestState,
  UserCertificate,
  UserRecord,
  UserRole,
} from "./types.js";

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/database` (any form node-postgres accepts). */
  readonly url: string;
  /**
   * The password, when it is not in the URL (read from a file or the environment, so that it is not
   * on a command line). A password in the URL wins.
   */
  readonly password?: string;
  /**
   * The schema to use (every connection's search_path); default: the server's search_path (usually
   * `public`). It must exist. Tests give each run its own.
   */
  readonly schema?: string;
  /** Connections in the pool (default 10). */
  readonly maxConnections?: number;
  /** How long to wait for a connection, ms (default 5000). */
  readonly connectTimeoutMs?: number;
  /** Migrations to apply (default: the product's); tests pass their own to check versioning. */
  readonly migrations?: readonly Migration[];
  /** Clock for the migration records (ms since epoch). */
  readonly now?: () => number;
  /** An idle pooled connection failed (the pool drops it and opens another when needed). */
  readonly onError?: (error: Error) => void;
}

/** Opens a PostgreSQL store: connects, migrates the schema, and resolves once it answers. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new RangeError(`schema '${options.schema}': use lowercase letters, digits and _`);
  }
  const pool = new pg.Pool({
    connectionString: withPassword(options.url, options.password),
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  const onError = options.onError ?? (() => {});
  pool.on("error", (error) => onError(error));
  try {
    const schemaVersion = await migrate(
      pool,
      options.migrations ?? POSTGRES_MIGRATIONS,
      options.now ?? Date.now,
    );
    return new PostgresStore(pool, schemaVersion);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}

/**
 * The URL with the password put in, for node-postgres only (its URL's empty password would override a
 * separate `password` option). Nothing prints this string.
 */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.password !== "") return url;
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

interface Result {
  readonly rows: Row[];
  readonly rowCount: number;
}

/** Runs one statement (named, so it is prepared once per connection). */
type Run = (sql: string, params?: readonly unknown[]) => Promise<Result>;

/** Where the repositories send their statements: the pool, or one transaction's connection. */
interface Executor {
  readonly run: Run;
  /** Runs several statements as one atomic unit (a transaction, or the enclosing one). */
  atomically<T>(work: (run: Run) => Promise<T>): Promise<T>;
}

/** uint64 → decimal text for a NUMERIC(20, 0) parameter; refuses anything else (as SQLite does). */
function counterParam(value: bigint): string {
  return checkUint64(value).toString();
}

/** The certificates column of USER_SELECT: a JSON array node-postgres has parsed. */
function certificatesFromJson(value: unknown): UserCertificate[] {
  if (!Array.isArray(value)) throw new TypeError("user certificates: expected a JSON array");
  return value.map((item: unknown): UserCertificate => {
    if (typeof item !== "object" || item === null)
      throw new TypeError("user certificate: expected an object");
    const c = item as Row;
    const base = {
      serial: str(c, "serial"),
      issuer: str(c, "issuer"),
      usage: str(c, "usage") as CertificateUsage,
    };
    const pem = strOrNull(c, "pem");
    return pem === null ? base : { ...base, pem };
  });
}

function userFromRow(row: Row): UserRecord {
  const roles = row.roles;
  if (!Array.isArray(roles) || !roles.every((r): r is string => typeof r === "string")) {
    throw new TypeError("column roles: expected text[]");
  }
  return {
    eui: str(row, "eui"),
    name: str(row, "name"),
    roles: roles as UserRole[],
    receiveResponseUrl: strOrNull(row, "receive_response_url"),
    certificates: certificatesFromJson(row.certificates),
  };
}

/** A user row with its certificates, ordered as the SQLite adapter orders them, in one statement. */
const USER_SELECT = `SELECT u.eui, u.name, u.roles, u.receive_response_url,
  COALESCE((SELECT json_agg(json_build_object('serial', c.serial, 'issuer', c.issuer, 'usage', c.usage,
    'pem', c.pem) ORDER BY c.usage, c.serial) FROM user_certificates c WHERE c.user_eui = u.eui), '[]') AS certificates
  FROM users u`;

/** `SET col = $n, …` for a request patch, numbering parameters from `first`. */
function patchSets(patch: RequestPatch, first: number): { sets: string[]; values: unknown[] } {
  const { columns, values } = patchColumns(patch);
  return { sets: columns.map((c, i) => `${c} = $${first + i}`), values };
}

/** The last of each key: one multi-row upsert may not touch a row twice. */
function lastByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    byKey.delete(k);
    byKey.set(k, item);
  }
  return [...byKey.values()];
}

/** Advisory lock class for a device's send (`requests.startSending`); the object is the EUI's hash. */
const DEVICE_LOCK_CLASS = 0x6d77_0002;

/** Whether `error` is the unique index that allows one sent request per target refusing a second. */
function isOneSentPerTarget(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === "23505" &&
    (error as { constraint?: unknown }).constraint === "requests_one_sent_per_target"
  );
}

/** Rows of `table` by their `state` column (the requests and the outbox both keep one). */
async function stateCounts<S extends string>(
  run: Run,
  table: "requests" | "outbox",
): Promise<Partial<Record<S, number>>> {
  const out: Partial<Record<S, number>> = {};
  for (const row of (await run(`SELECT state, COUNT(*) AS n FROM ${table} GROUP BY state`)).rows) {
    out[str(row, "state") as S] = num(row, "n");
  }
  return out;
}

/** An outbox row's user lease is held by the holder in parameter `param` (the row is `outbox`). */
function heldBy(param: string): string {
  return `EXISTS (SELECT 1 FROM delivery_leases l WHERE l.user_eui = outbox.user_eui AND l.holder = ${param})`;
}

/** The repositories over an executor (the pool, or one transaction's connection). */
class PostgresRepositories implements Repositories {
  readonly devices: DeviceRepository;
  readonly registrations: RegistrationRepository;
  readonly users: UserRepository;
  readonly counters: CounterRepository;
  readonly requests: RequestRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly nonces: NonceRepository;
  readonly meta: MetaRepository;

  constructor(x: Executor) {
    const { run } = x;
    const row = async <T>(
      sql: string,
      params: readonly unknown[],
      map: (row: Row) => T,
    ): Promise<T | undefined> => {
      const first = (await run(sql, params)).rows[0];
      return first === undefined ? undefined : map(first);
    };
    const rows = async <T>(sql: string, params: readonly unknown[], map: (row: Row) => T): Promise<T[]> =>
      (await run(sql, params)).rows.map(map);
    const changed = async (sql: string, params: readonly unknown[]): Promise<number> =>
      (await run(sql, params)).rowCount;

    this.devices = {
      get: (eui) => row("SELECT * FROM devices WHERE eui = $1", [eui], deviceFromRow),
      // One statement over arrays: atomic, and one round trip for a whole provisioning batch.
      put: async (devices) => {
        const unique = lastByKey(devices, (d) => d.eui);
        if (unique.length === 0) return;
        await run(
          `INSERT INTO devices (eui, type, status, hub_eui, mpxn, region, updated_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
           ON CONFLICT (eui) DO UPDATE SET type = excluded.type, status = excluded.status,
             hub_eui = excluded.hub_eui, mpxn = excluded.mpxn, region = excluded.region,
             updated_at = excluded.updated_at`,
          [
            unique.map((d) => d.eui),
            unique.map((d) => d.type),
            unique.map((d) => d.status),
            unique.map((d) => d.hubEui),
            unique.map((d) => d.mpxn),
            unique.map((d) => d.region),
            unique.map((d) => d.updatedAt),
          ],
        );
      },
      setStatus: async (eui, status, at) =>
        (await changed("UPDATE devices SET status = $1, updated_at = $2 WHERE eui = $3", [
          status,
          at,
          eui,
        ])) === 1,
      byHub: (hubEui) =>
        rows("SELECT * FROM devices WHERE hub_eui = $1 ORDER BY eui", [hubEui], deviceFromRow),
      byMpxn: (mpxn) => rows("SELECT * FROM devices WHERE mpxn = $1 ORDER BY eui", [mpxn], deviceFromRow),
      list: (query: DeviceQuery = {}) => {
        const where: string[] = [];
        const params: unknown[] = [];
        const filters: Array<[string, string | undefined]> = [
          ["region", query.region],
          ["type", query.type],
          ["status", query.status],
        ];
        for (const [column, value] of filters) {
          if (value === undefined) continue;
          params.push(value);
          where.push(`${column} = $${params.length}`);
        }
        if (query.after !== undefined) {
          params.push(query.after);
          where.push(`eui > $${params.length}`);
        }
        params.push(query.limit ?? 1000);
        const clause = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
        return rows(
          `SELECT * FROM devices ${clause} ORDER BY eui LIMIT $${params.length}`,
          params,
          deviceFromRow,
        );
      },
      counts: () =>
        rows(
          "SELECT region, type, status, COUNT(*) AS n FROM devices GROUP BY region, type, status ORDER BY region, type, status",
          [],
          (r): DeviceCount => ({
            region: str(r, "region") as CspRegion,
            type: str(r, "type") as DeviceType,
            status: str(r, "status") as DeviceStatus,
            count: num(r, "n"),
          }),
        ),
    };

    this.registrations = {
      put: async (registrations) => {
        const unique = lastByKey(registrations, (r) => `${r.mpxn}\u0000${r.role}\u0000${r.effectiveFrom}`);
        if (unique.length === 0) return;
        await run(
          `INSERT INTO registrations (mpxn, role, party_eui, effective_from, effective_to)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
           ON CONFLICT (mpxn, role, effective_from) DO UPDATE SET party_eui = excluded.party_eui,
             effective_to = excluded.effective_to`,
          [
            unique.map((r) => r.mpxn),
            unique.map((r) => r.role),
            unique.map((r) => r.partyEui),
            unique.map((r) => r.effectiveFrom),
            unique.map((r) => r.effectiveTo),
          ],
        );
      },
      partyAt: (mpxn, role, at) =>
        row(
          `SELECT party_eui FROM registrations WHERE mpxn = $1 AND role = $2 AND effective_from <= $3
             AND (effective_to IS NULL OR effective_to > $3) ORDER BY effective_from DESC LIMIT 1`,
          [mpxn, role, at],
          (r) => str(r, "party_eui"),
        ),
      forMpxn: (mpxn) =>
        rows(
          "SELECT * FROM registrations WHERE mpxn = $1 ORDER BY role, effective_from",
          [mpxn],
          registrationFromRow,
        ),
      close: async (mpxn, role, at) =>
        (await changed(
          `UPDATE registrations SET effective_to = $1 WHERE mpxn = $2 AND role = $3
             AND effective_to IS NULL AND effective_from <= $1`,
          [at, mpxn, role],
        )) > 0,
    };

    this.users = {
      get: (eui) => row(`${USER_SELECT} WHERE u.eui = $1`, [eui], userFromRow),
      put: (user) =>
        x.atomically(async (tx) => {
          await tx(
            `INSERT INTO users (eui, name, roles, receive_response_url) VALUES ($1, $2, $3, $4)
             ON CONFLICT (eui) DO UPDATE SET name = excluded.name, roles = excluded.roles,
               receive_response_url = excluded.receive_response_url`,
            [user.eui, user.name, [...user.roles], user.receiveResponseUrl],
          );
          await tx("DELETE FROM user_certificates WHERE user_eui = $1", [user.eui]);
          for (const c of user.certificates) {
            await tx(
              `INSERT INTO user_certificates (serial, issuer, user_eui, usage, pem) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (serial, issuer) DO UPDATE SET user_eui = excluded.user_eui,
                 usage = excluded.usage, pem = excluded.pem`,
              [c.serial, c.issuer, user.eui, c.usage, c.pem ?? null],
            );
          }
        }),
      list: () => rows(`${USER_SELECT} ORDER BY u.eui`, [], userFromRow),
      // The serial narrows to a row or two (indexed); the issuer is then compared as a name.
      byCertificate: async (issuer, serial) => {
        const key = distinguishedNameKey(issuer);
        if (key === undefined) return undefined;
        const owner = (
          await rows(
            "SELECT user_eui, issuer FROM user_certificates WHERE serial = $1 ORDER BY user_eui",
            [serial],
            (c) => ({ user: str(c, "user_eui"), issuer: str(c, "issuer") }),
          )
        ).find((c) => distinguishedNameKey(c.issuer) === key);
        return owner && row(`${USER_SELECT} WHERE u.eui = $1`, [owner.user], userFromRow);
      },
    };

    this.counters = {
      get: (originator) =>
        row("SELECT last::text AS last FROM counters WHERE originator = $1", [originator], (r) =>
          uint64(r, "last"),
        ),
      // One statement: insert, or raise only when strictly greater. Concurrent inserts of a new
      // originator meet at the primary key; concurrent updates wait for each other's row lock and
      // then re-check the WHERE against the committed value, so exactly one wins each value, on
      // any number of nodes.
      advance: async (originator, counter) =>
        (await changed(
          `INSERT INTO counters (originator, last) VALUES ($1, $2::numeric)
           ON CONFLICT (originator) DO UPDATE SET last = excluded.last WHERE excluded.last > counters.last`,
          [originator, counterParam(counter)],
        )) === 1,
      compareAndSet: async (originator, expected, next) => {
        const nextParam = counterParam(next);
        if (expected === undefined) {
          return (
            (await changed(
              "INSERT INTO counters (originator, last) VALUES ($1, $2::numeric) ON CONFLICT (originator) DO NOTHING",
              [originator, nextParam],
            )) === 1
          );
        }
        return (
          (await changed(
            "UPDATE counters SET last = $1::numeric WHERE originator = $2 AND last = $3::numeric",
            [nextParam, originator, counterParam(expected)],
          )) === 1
        );
      },
    };

    this.requests = {
      insert: async (r, lease) => {
        const custody = requestCustodyParams(r, lease);
        await run(
          `INSERT INTO requests (${REQUEST_INSERT_COLUMNS}, ${REQUEST_CUSTODY_COLUMNS})
           VALUES ($1, $2, $3, $4, $5::numeric, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
             $18, $19, $20)`,
          [
            ...requestInsertParams(r, counterParam(r.counter)),
            custody.owner,
            custody.leaseExpiresAt,
            custody.answered,
          ],
        );
      },
      get: (id) => row("SELECT * FROM requests WHERE id = $1", [id], requestFromRow),
      byRequestId: (requestId) =>
        rows(
          "SELECT * FROM requests WHERE request_id = $1 ORDER BY received_at, ord",
          [requestId],
          requestFromRow,
        ),
      byCorrelation: (correlation) =>
        row("SELECT * FROM requests WHERE correlation = $1", [correlation], requestFromRow),
      transition: async (id, from, to, at, patch = {}, lease) => {
        if (from.length === 0) return false;
        const { sets, values } = patchSets(patch, 3);
        if (lease !== undefined) {
          sets.push(`owner = $${3 + values.length}`, `lease_expires_at = $${4 + values.length}`);
          values.push(lease.owner, lease.expiresAt);
        }
        const n = 3 + values.length;
        const sql = `UPDATE requests SET ${["state = $1", "updated_at = $2", ...sets].join(", ")}
          WHERE id = $${n} AND state = ANY($${n + 1}::text[])`;
        return (await changed(sql, [to, at, ...values, id, [...from]])) === 1;
      },
      // The device's lock (a transaction-scoped advisory lock on its EUI) puts the nodes that race
      // for one device in a row, so the guarded UPDATE of the second sees the first's commit and
      // answers "busy" rather than tripping the unique index (which would abort an enclosing
      // transaction). The index still backs it up, e.g. against a node of an older version.
      startSending: (id, at, lease) =>
        x.atomically(async (tx): Promise<SendStart> => {
          const locked = await tx(
            "SELECT pg_advisory_xact_lock($1, hashtext(target)) FROM requests WHERE id = $2",
            [DEVICE_LOCK_CLASS, id],
          );
          if (locked.rowCount === 0) return "gone";
          try {
            const moved = await tx(
              `UPDATE requests SET state = 'sent', updated_at = $1${lease === undefined ? "" : ", owner = $3, lease_expires_at = $4"}
               WHERE id = $2 AND state = 'acknowledged'
                 AND NOT EXISTS (SELECT 1 FROM requests s WHERE s.target = requests.target AND s.state = 'sent')
                 AND id = (${queueHeadSql({ target: "requests.target", at: "$1", insertion: "ord", columns: "r.id" })})`,
              lease === undefined ? [at, id] : [at, id, lease.owner, lease.expiresAt],
            );
            if (moved.rowCount === 1) return "sent";
          } catch (error) {
            if (isOneSentPerTarget(error)) return "busy";
            throw error;
          }
          const state = (await tx("SELECT state FROM requests WHERE id = $1", [id])).rows[0];
          return state !== undefined && str(state, "state") === "acknowledged" ? "busy" : "gone";
        }),
      nextQueued: (target, at) =>
        row(
          queueHeadSql({ target: "$1", at: "$2", insertion: "ord", columns: "r.*" }),
          [target, at],
          requestFromRow,
        ),
      update: async (id, at, patch) => {
        const { sets, values } = patchSets(patch, 2);
        const sql = `UPDATE requests SET ${["updated_at = $1", ...sets].join(", ")} WHERE id = $${2 + values.length}`;
        return (await changed(sql, [at, ...values, id])) === 1;
      },
      markAnswered: async (id) =>
        (await changed("UPDATE requests SET answered = true WHERE id = $1 AND NOT answered", [id])) === 1,
      custody: (id) =>
        row("SELECT owner, lease_expires_at, answered FROM requests WHERE id = $1", [id], custodyFromRow),
      renewLeases: (owner, expiresAt) =>
        changed("UPDATE requests SET lease_expires_at = $1 WHERE owner = $2 AND NOT answered", [
          expiresAt,
          owner,
        ]),
      // SKIP LOCKED: a row another node is taking right now is left to it; the outer WHERE re-checks
      // the row once locked, so a lease renewed meanwhile is not taken.
      takeOver: async (lease, now, { own, limit = 1000 }) => {
        const free = `NOT answered AND (owner IS NULL OR lease_expires_at < $3${own ? " OR owner = $1" : ""})`;
        const taken = await run(
          `UPDATE requests SET owner = $1, lease_expires_at = $2 WHERE id IN (
             SELECT id FROM requests WHERE ${free} ORDER BY received_at, ord LIMIT $4 FOR UPDATE SKIP LOCKED)
           AND ${free}
           RETURNING *`,
          [lease.owner, lease.expiresAt, now, limit],
        );
        return taken.rows
          .sort((a, b) => num(a, "received_at") - num(b, "received_at") || num(a, "ord") - num(b, "ord"))
          .map(requestFromRow);
      },
      inState: (state, limit = 1000) =>
        rows(
          "SELECT * FROM requests WHERE state = $1 ORDER BY received_at, ord LIMIT $2",
          [state, limit],
          requestFromRow,
        ),
      counts: () => stateCounts<RequestState>(run, "requests"),
      // SKIP LOCKED: nodes purging at once share the work instead of waiting on each other's rows.
      purgeFinished: (before, limit) =>
        changed(
          `DELETE FROM requests WHERE id IN (
             SELECT r.id FROM requests r
             WHERE r.state IN ('responded', 'failed') AND r.updated_at < $1
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.request_id
                 AND o.user_eui = r.originator AND o.state IN ('pending', 'failed'))
             LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          [before, limit],
        ),
    };

    this.outbox = {
      enqueue: async (item: NewOutboxRecord) => {
        await run(
          `INSERT INTO outbox (${OUTBOX_INSERT_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, NULL, NULL)`,
          outboxInsertParams(item),
        );
      },
      get: (id) => row("SELECT * FROM outbox WHERE id = $1", [id], outboxFromRow),
      dueUsers: (now, limit) =>
        rows(dueUsersSql({ now: "$1", limit: "$2" }), [now, limit], (r) => str(r, "user_eui")),
      // One upsert, settled by the database across nodes: the conflicting row is locked, and the
      // WHERE (re-checked on the locked row) takes it only when free, expired or already ours.
      acquireLease: async (userEui, holder, now, until) =>
        (await changed(
          `INSERT INTO delivery_leases (user_eui, holder, until) VALUES ($1, $2, $3)
           ON CONFLICT (user_eui) DO UPDATE SET holder = excluded.holder, until = excluded.until
           WHERE delivery_leases.until <= $4 OR delivery_leases.holder = excluded.holder`,
          [userEui, holder, until, now],
        )) === 1,
      renewLease: async (userEui, holder, until) =>
        (await changed("UPDATE delivery_leases SET until = $1 WHERE user_eui = $2 AND holder = $3", [
          until,
          userEui,
          holder,
        ])) === 1,
      releaseLease: async (userEui, holder) =>
        (await changed("DELETE FROM delivery_leases WHERE user_eui = $1 AND holder = $2", [
          userEui,
          holder,
        ])) === 1,
      markDelivered: async (id, holder, at) =>
        (await changed(
          `UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = $1, last_error = NULL
           WHERE id = $2 AND state = 'pending' AND ${heldBy("$3")}`,
          [at, id, holder],
        )) === 1,
      markAttemptFailed: async (id, holder, error, nextAttemptAt) =>
        (nextAttemptAt === null
          ? await changed(
              `UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = $1
               WHERE id = $2 AND state = 'pending' AND ${heldBy("$3")}`,
              [error, id, holder],
            )
          : await changed(
              `UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2
               WHERE id = $3 AND state = 'pending' AND ${heldBy("$4")}`,
              [error, nextAttemptAt, id, holder],
            )) === 1,
      countPending: async (userEui, upTo) =>
        (await row(
          `SELECT COUNT(*) AS n FROM (
             SELECT 1 FROM outbox WHERE user_eui = $1 AND state = 'pending' LIMIT $2) AS p`,
          [userEui, upTo],
          (r) => num(r, "n"),
        )) ?? 0,
      forUser: (userEui, limit = 100) =>
        rows(
          `SELECT * FROM outbox WHERE user_eui = $1 AND state IN ('pending', 'failed')
           ORDER BY created_at, id LIMIT $2`,
          [userEui, limit],
          outboxFromRow,
        ),
      remove: async (id) => (await changed("DELETE FROM outbox WHERE id = $1", [id])) === 1,
      purgeExpired: (now) =>
        x.atomically(async (tx) => {
          await tx("DELETE FROM delivery_leases WHERE until <= $1", [now]);
          return (await tx("DELETE FROM outbox WHERE expires_at <= $1", [now])).rowCount;
        }),
      counts: () => stateCounts<OutboxState>(run, "outbox"),
    };

    this.audit = {
      append: async (record: NewAuditRecord) => {
        const seq = await row(
          "INSERT INTO audit (at, kind, actor, request_id, detail) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING seq",
          [record.at, record.kind, record.actor, record.requestId, JSON.stringify(record.detail ?? null)],
          (r) => num(r, "seq"),
        );
        if (seq === undefined) throw new Error("audit: INSERT returned no sequence number");
        return seq;
      },
      list: (query = {}) => {
        const params: unknown[] = [query.afterSeq ?? 0];
        let sql = "SELECT * FROM audit WHERE seq > $1";
        if (query.requestId !== undefined) {
          params.push(query.requestId);
          sql += ` AND request_id = $${params.length}`;
        }
        params.push(query.limit ?? 1000);
        sql += ` ORDER BY seq LIMIT $${params.length}`;
        return rows(sql, params, (row) => auditFromRow(row, row.detail as unknown));
      },
      purgeBefore: (before, limit) =>
        changed(
          `DELETE FROM audit WHERE seq IN (
             SELECT seq FROM audit WHERE at < $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          [before, limit],
        ),
    };

    this.nonces = {
      // One statement: a new nonce is inserted; a known one is taken again only once expired. Two
      // nodes inserting one nonce meet at the primary key: the second re-checks the WHERE against
      // the committed row and changes nothing.
      use: async (user, nonce, expiresAt, now) =>
        (await changed(
          `INSERT INTO user_api_nonces (user_eui, nonce, expires_at) VALUES ($1, $2, $3)
           ON CONFLICT (user_eui, nonce) DO UPDATE SET expires_at = excluded.expires_at
           WHERE user_api_nonces.expires_at <= $4`,
          [user, nonce, expiresAt, now],
        )) === 1,
      purgeExpired: (now, limit) =>
        changed(
          `DELETE FROM user_api_nonces WHERE (user_eui, nonce) IN (
             SELECT user_eui, nonce FROM user_api_nonces WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          [now, limit],
        ),
    };

    this.meta = {
      get: (key) => row("SELECT value FROM meta WHERE key = $1", [key], (r) => str(r, "value")),
      set: async (key, value) => {
        await run(
          "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          [key, value],
        );
      },
      delete: async (key) => (await changed("DELETE FROM meta WHERE key = $1", [key])) === 1,
    };
  }
}

/** Something that runs a query config: the pool or one client. */
interface Queryable {
  query(config: pg.QueryConfig<unknown[]>): Promise<pg.QueryResult<Row>>;
}

/** Runs BEGIN … COMMIT on one pooled connection, ROLLBACK when `work` throws. */
async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    try {
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        // The connection is in an unknown state: drop it from the pool rather than reuse it.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

/** The PostgreSQL store. Build it with `openPostgresStore`. */
export class PostgresStore implements Store {
  readonly kind = "postgres";
  readonly devices: DeviceRepository;
  readonly registrations: RegistrationRepository;
  readonly users: UserRepository;
  readonly counters: CounterRepository;
  readonly requests: RequestRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly nonces: NonceRepository;
  readonly meta: MetaRepository;

  private closed = false;
  /** Statement text → prepared-statement name, per store (names are per connection on the server). */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly pool: pg.Pool,
    /** The schema version after opening. */
    readonly schemaVersion: number,
  ) {
    const repositories = new PostgresRepositories({
      run: async (sql, params) => {
        this.checkOpen();
        return this.query(this.pool, sql, params);
      },
      atomically: async (work) => {
        this.checkOpen();
        return inTransaction(this.pool, (client) => work((sql, params) => this.query(client, sql, params)));
      },
    });
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

  private checkOpen(): void {
    if (this.closed) throw new Error("store is closed");
  }

  private async query(on: Queryable, sql: string, params: readonly unknown[] = []): Promise<Result> {
    let name = this.names.get(sql);
    if (name === undefined) {
      name = `mw${this.names.size + 1}`;
      this.names.set(sql, name);
    }
    const result = await on.query({ name, text: sql, values: [...params] });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    this.checkOpen();
    return inTransaction(this.pool, async (client) => {
      let open = true;
      const run: Run = async (sql, params) => {
        if (!open)
          throw new Error("transaction has ended: use the store, not the transaction's repositories");
        return this.query(client, sql, params);
      };
      try {
        // Inside, a call needing several statements is already atomic: the transaction holds them.
        return await work(new PostgresRepositories({ run, atomically: (w) => w(run) }));
      } finally {
        open = false;
      }
    });
  }

  async ping(): Promise<void> {
    this.checkOpen();
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** Advisory lock class for migrations; the object is the schema, so schemas migrate independently. */
const MIGRATION_LOCK_CLASS = 0x6d77_0001;

/**
 * Applies the migrations not yet recorded; returns the resulting version. Holds a session advisory
 * lock throughout, so that of several nodes starting at once one migrates and the others wait and
 * then find the work done.
 */
async function migrate(pool: pg.Pool, migrations: readonly Migration[], now: () => number): Promise<number> {
  const client = await pool.connect();
  try {
    const lock = [MIGRATION_LOCK_CLASS];
    await client.query("SELECT pg_advisory_lock($1, hashtext(coalesce(current_schema(), '')))", lock);
    try {
      await client.query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
      );
      const applied = new Set(
        (await client.query<Row>("SELECT version FROM schema_migrations")).rows.map((r) => num(r, "version")),
      );
      const known = new Set(migrations.map((m) => m.version));
      const unknown = [...applied].filter((v) => !known.has(v));
      if (unknown.length > 0) {
        throw new Error(
          `store schema has migration(s) ${unknown.join(", ")} this version of meterway does not know: it was written by a newer version`,
        );
      }
      const ordered = [...migrations].sort((a, b) => a.version - b.version);
      for (const migration of ordered) {
        if (applied.has(migration.version)) continue;
        await client.query("BEGIN");
        try {
          await client.query(migration.sql);
          await client.query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            [migration.version, migration.name, now()],
          );
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw error;
        }
      }
      return ordered.length === 0 ? 0 : ordered[ordered.length - 1]!.version;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1, hashtext(coalesce(current_schema(), '')))", lock);
    }
  } finally {
    client.release();
  }
}
