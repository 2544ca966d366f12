/**
 * Rows to records, and record values to statement parameters, for both SQL adapters (SQLite and
 * PostgreSQL keep the same tables and columns). Every value read is checked for its type, so a
 * column that does not hold what the schema says is a clear error, never a wrong record.
 */
import type {
  AuditRecord,
  CspRegion,
  DeviceRecord,
  DeviceStatus,
  DeviceType,
  NewOutboxRecord,
  OutboxKind,
  OutboxRecord,
  OutboxState,
  RegistrationRecord,
  RegistrationRole,
  RequestCustody,
  RequestLease,
  RequestPatch,
  RequestRecord,
  RequestState,
} from "./types.js";

/** A raw row: column name → the driver's value. */
export type Row = Record<string, unknown>;

export const UINT64_MAX = (1n << 64n) - 1n;

/** Refuses a counter that is not a uint64 (both stores keep it as decimal text). */
export function checkUint64(value: bigint): bigint {
  if (value < 0n || value > UINT64_MAX) throw new RangeError(`counter ${value} is not a uint64`);
  return value;
}

export function str(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== "string") throw new TypeError(`column ${column}: expected text, got ${typeof v}`);
  return v;
}

export function strOrNull(row: Row, column: string): string | null {
  const v = row[column];
  return v === null || v === undefined ? null : str(row, column);
}

/**
 * An integer column: SQLite gives a number (or a bigint), PostgreSQL gives INTEGER as a number and
 * BIGINT or COUNT(*) as decimal text. Whatever the form, it must be a safe integer.
 */
export function num(row: Row, column: string): number {
  const v = row[column];
  const n =
    typeof v === "number" ? v : typeof v === "bigint" || typeof v === "string" ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new TypeError(`column ${column}: expected a safe integer, got ${String(v)}`);
  }
  return n;
}

export function numOrNull(row: Row, column: string): number | null {
  const v = row[column];
  return v === null || v === undefined ? null : num(row, column);
}

/** A counter kept as decimal text (zero-padded to 20 digits in SQLite, NUMERIC(20, 0) in PostgreSQL). */
export function uint64(row: Row, column: string): bigint {
  const v = str(row, column);
  if (!/^[0-9]{1,20}$/.test(v)) throw new TypeError(`column ${column}: expected a uint64, got ${v}`);
  return checkUint64(BigInt(v));
}

export function bytesOrNull(row: Row, column: string): Uint8Array | null {
  const v = row[column];
  if (v === null || v === undefined) return null;
  if (!(v instanceof Uint8Array)) throw new TypeError(`column ${column}: expected bytes`);
  // A plain Uint8Array copy, not a Buffer, so that records compare equal to what was stored.
  return new Uint8Array(v);
}

/** Bytes as a statement parameter (a BLOB, a bytea): a Buffer over the same memory. */
export function bytesParam(value: Uint8Array | null | undefined): Buffer | null {
  return value == null ? null : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** A request patch's value as a statement parameter. */
function patchValue(key: keyof RequestPatch, patch: RequestPatch): unknown {
  const v = patch[key];
  if (key === "gbcsCommand" || key === "gbcsResponse") return bytesParam(v as Uint8Array | null | undefined);
  return v ?? null;
}

/** Patch field → column, for requests. */
const REQUEST_PATCH_COLUMNS: Record<keyof RequestPatch, string> = {
  responseCode: "response_code",
  correlation: "correlation",
  gbcsCommand: "gbcs_command",
  gbcsResponse: "gbcs_response",
  error: "error",
  executeAt: "execute_at",
  requestXml: "request_xml",
};

/** The columns a request patch sets and their parameters, in the same order (placeholders are the store's). */
export function patchColumns(patch: RequestPatch): { columns: string[]; values: unknown[] } {
  const keys = (Object.keys(patch) as (keyof RequestPatch)[]).filter((k) => k in REQUEST_PATCH_COLUMNS);
  return {
    columns: keys.map((k) => REQUEST_PATCH_COLUMNS[k]),
    values: keys.map((k) => patchValue(k, patch)),
  };
}

/** The columns of a request INSERT, in the order of `requestInsertParams`. */
export const REQUEST_INSERT_COLUMNS = `id, request_id, originator, target, counter, srv, command_variant, state,
  response_code, correlation, gbcs_command, gbcs_response, request_xml, error, execute_at, received_at, updated_at`;

/** A request's INSERT parameters; `counter` already in the store's own encoding. */
export function requestInsertParams(r: RequestRecord, counter: string): unknown[] {
  return [
    r.id,
    r.requestId,
    r.originator,
    r.target,
    counter,
    r.srv,
    r.commandVariant,
    r.state,
    r.responseCode,
    r.correlation,
    bytesParam(r.gbcsCommand),
    bytesParam(r.gbcsResponse),
    r.requestXml,
    r.error,
    r.executeAt,
    r.receivedAt,
    r.updatedAt,
  ];
}

/** The custody columns a request INSERT adds after `REQUEST_INSERT_COLUMNS`. */
export const REQUEST_CUSTODY_COLUMNS = "owner, lease_expires_at, answered";

/**
 * A new request's custody: recorded in a final state it was answered synchronously (HTTP); otherwise
 * it is open work under `lease` (or none).
 */
export function requestCustodyParams(
  r: RequestRecord,
  lease: RequestLease | undefined,
): { owner: string | null; leaseExpiresAt: number | null; answered: boolean } {
  const answered = r.state === "responded" || r.state === "failed";
  return { owner: lease?.owner ?? null, leaseExpiresAt: lease?.expiresAt ?? null, answered };
}

/** A request's custody from its row (answered: an INTEGER 0/1 in SQLite, a BOOLEAN in PostgreSQL). */
export function custodyFromRow(row: Row): RequestCustody {
  const answered = row.answered;
  if (typeof answered !== "boolean" && answered !== 0 && answered !== 1) {
    throw new TypeError(`column answered: expected a boolean, got ${String(answered)}`);
  }
  return {
    owner: strOrNull(row, "owner"),
    leaseExpiresAt: numOrNull(row, "lease_expires_at"),
    answered: answered === true || answered === 1,
  };
}

/**
 * The columns of an outbox INSERT: those of `outboxInsertParams`, then state, attempts, last_error and
 * delivered_at, which a new message always starts with as 'pending', 0, NULL, NULL.
 */
/**
 * The head of a device's queue (`RequestRepository.nextQueued`), as one SELECT for both adapters:
 * `target` and `at` are the placeholders for the device and the instant, `insertion` the column that
 * keeps insertion order (SQLite's rowid, PostgreSQL's ord), `columns` what to select of `r`.
 */
export function queueHeadSql(p: {
  readonly target: string;
  readonly at: string;
  readonly insertion: "rowid" | "ord";
  readonly columns: "r.*" | "r.id";
}): string {
  const waiting = (t: string) =>
    `${t}.state = 'acknowledged' AND ${t}.gbcs_command IS NOT NULL AND (${t}.execute_at IS NULL OR ${t}.execute_at <= ${p.at})`;
  return `SELECT ${p.columns} FROM requests r
    WHERE r.target = ${p.target} AND ${waiting("r")}
      AND NOT EXISTS (SELECT 1 FROM requests o
        WHERE o.target = r.target AND o.originator = r.originator AND o.counter < r.counter AND ${waiting("o")})
    ORDER BY r.received_at, r.counter, r.${p.insertion} LIMIT 1`;
}

export const OUTBOX_INSERT_COLUMNS =
  "id, user_eui, kind, request_id, body, next_attempt_at, created_at, expires_at, state, attempts, last_error, delivered_at";

/** A new outbox message's INSERT parameters. */
export function outboxInsertParams(item: NewOutboxRecord): unknown[] {
  return [
    item.id,
    item.userEui,
    item.kind,
    item.requestId,
    item.body,
    item.nextAttemptAt,
    item.createdAt,
    item.expiresAt,
  ];
}

export function deviceFromRow(row: Row): DeviceRecord {
  return {
    eui: str(row, "eui"),
    type: str(row, "type") as DeviceType,
    status: str(row, "status") as DeviceStatus,
    hubEui: strOrNull(row, "hub_eui"),
    mpxn: strOrNull(row, "mpxn"),
    region: str(row, "region") as CspRegion,
    updatedAt: num(row, "updated_at"),
  };
}

export function registrationFromRow(row: Row): RegistrationRecord {
  return {
    mpxn: str(row, "mpxn"),
    role: str(row, "role") as RegistrationRole,
    partyEui: str(row, "party_eui"),
    effectiveFrom: num(row, "effective_from"),
    effectiveTo: numOrNull(row, "effective_to"),
  };
}

export function requestFromRow(row: Row): RequestRecord {
  return {
    id: str(row, "id"),
    requestId: str(row, "request_id"),
    originator: str(row, "originator"),
    target: str(row, "target"),
    counter: uint64(row, "counter"),
    srv: str(row, "srv"),
    commandVariant: num(row, "command_variant"),
    state: str(row, "state") as RequestState,
    responseCode: strOrNull(row, "response_code"),
    correlation: strOrNull(row, "correlation"),
    gbcsCommand: bytesOrNull(row, "gbcs_command"),
    gbcsResponse: bytesOrNull(row, "gbcs_response"),
    requestXml: strOrNull(row, "request_xml"),
    error: strOrNull(row, "error"),
    executeAt: numOrNull(row, "execute_at"),
    receivedAt: num(row, "received_at"),
    updatedAt: num(row, "updated_at"),
  };
}

export function outboxFromRow(row: Row): OutboxRecord {
  return {
    id: str(row, "id"),
    userEui: str(row, "user_eui"),
    kind: str(row, "kind") as OutboxKind,
    requestId: strOrNull(row, "request_id"),
    body: str(row, "body"),
    state: str(row, "state") as OutboxState,
    attempts: num(row, "attempts"),
    nextAttemptAt: num(row, "next_attempt_at"),
    lastError: strOrNull(row, "last_error"),
    createdAt: num(row, "created_at"),
    expiresAt: num(row, "expires_at"),
    deliveredAt: numOrNull(row, "delivered_at"),
  };
}

/** An audit row; `detail` is decoded by the adapter (JSON text in SQLite, JSONB in PostgreSQL). */
export function auditFromRow(row: Row, detail: unknown): AuditRecord {
  return {
    seq: num(row, "seq"),
    at: num(row, "at"),
    kind: str(row, "kind"),
    actor: strOrNull(row, "actor"),
    requestId: strOrNull(row, "request_id"),
    detail,
  };
}

/**
 * Users whose queue head is due, for both SQL stores (`now` and `limit` are their placeholders):
 * each user's oldest pending entry, kept when it is a first attempt or its retry time has come, the
 * user has a receive URL, and no live lease is held on the user.
 */
export function dueUsersSql(p: { readonly now: string; readonly limit: string }): string {
  return `SELECT o.user_eui FROM outbox o
  JOIN users u ON u.eui = o.user_eui AND u.receive_response_url IS NOT NULL
  WHERE o.id IN (
    SELECT (SELECT h.id FROM outbox h WHERE h.user_eui = p.user_eui AND h.state = 'pending'
            ORDER BY h.created_at, h.id LIMIT 1)
    FROM (SELECT DISTINCT user_eui FROM outbox WHERE state = 'pending') p)
  AND (o.attempts = 0 OR o.next_attempt_at <= ${p.now})
  AND NOT EXISTS (SELECT 1 FROM delivery_leases l WHERE l.user_eui = o.user_eui AND l.until > ${p.now})
  ORDER BY o.next_attempt_at, o.created_at, o.id LIMIT ${p.limit}`;
}
