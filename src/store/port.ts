/**
 * The storage port: the smallest interfaces the DCC's services need, one repository per kind of fact.
 *
 * Every method is async even though the embedded adapter (better-sqlite3) is synchronous, so that a
 * networked adapter (PostgreSQL) slots in behind the same interface. Each single method call is
 * atomic on its own. `Store.transaction` groups several calls into one atomic unit; inside it use
 * only the repositories passed to the callback.
 *
 * Durability: a method's promise resolves only after the change is committed, so the pipeline may
 * acknowledge (I99) a request once `requests.insert`/`transition` has resolved: nothing acknowledged
 * is lost when the process dies afterwards. Each call is its own commit; group the writes of one
 * step in `transaction` when commits per second matter (one commit instead of several).
 */
import type {
  AuditRecord,
  CspRegion,
  DeviceRecord,
  DeviceStatus,
  DeviceType,
  NewAuditRecord,
  NewOutboxRecord,
  OutboxRecord,
  RegistrationRecord,
  RegistrationRole,
  RequestCustody,
  RequestLease,
  RequestPatch,
  RequestRecord,
  RequestState,
  UserRecord,
} from "./types.js";

/** SMI: the device inventory. */
export interface DeviceRepository {
  get(eui: string): Promise<DeviceRecord | undefined>;
  /** Inserts or replaces devices by EUI, in one atomic write. */
  put(devices: readonly DeviceRecord[]): Promise<void>;
  /** Changes a device's status; false when the device is unknown. */
  setStatus(eui: string, status: DeviceStatus, at: number): Promise<boolean>;
  /** The devices joined to a hub (the CHF included), ordered by EUI. */
  byHub(hubEui: string): Promise<DeviceRecord[]>;
  /** The devices serving a meter point, ordered by EUI. */
  byMpxn(mpxn: string): Promise<DeviceRecord[]>;
  /** A page of devices ordered by EUI, after `after` (exclusive), filtered when given. */
  list(query?: DeviceQuery): Promise<DeviceRecord[]>;
  /** Device counts grouped by region, type and status (for metrics and startup output). */
  counts(): Promise<DeviceCount[]>;
}

export interface DeviceQuery {
  readonly region?: CspRegion;
  readonly type?: DeviceType;
  readonly status?: DeviceStatus;
  /** Resume after this EUI (keyset paging). */
  readonly after?: string;
  /** At most this many (default 1000). */
  readonly limit?: number;
}

export interface DeviceCount {
  readonly region: CspRegion;
  readonly type: DeviceType;
  readonly status: DeviceStatus;
  readonly count: number;
}

/** RDP: who serves which meter point, when. */
export interface RegistrationRepository {
  /** Adds registrations (an identical row is not duplicated). */
  put(registrations: readonly RegistrationRecord[]): Promise<void>;
  /** The party holding `role` for `mpxn` at instant `at`, if any. */
  partyAt(mpxn: string, role: RegistrationRole, at: number): Promise<string | undefined>;
  /** Every registration row of a meter point, ordered by role then effectiveFrom. */
  forMpxn(mpxn: string): Promise<RegistrationRecord[]>;
  /** Ends the open registration of `role` on `mpxn` at `at` (change of supplier); false when none is open. */
  close(mpxn: string, role: RegistrationRole, at: number): Promise<boolean>;
}

/** Service users and their certificates. */
export interface UserRepository {
  get(eui: string): Promise<UserRecord | undefined>;
  /** Inserts or replaces a user (its certificates replaced too). */
  put(user: UserRecord): Promise<void>;
  list(): Promise<UserRecord[]>;
  /** The user owning the certificate with this decimal serial (XML signatures name keys by serial). */
  byCertificateSerial(serial: string): Promise<UserRecord | undefined>;
}

/**
 * Anti-replay: the last RequestID counter accepted per originator. DUIS requires the counter to
 * strictly increase per originator; these operations are atomic across concurrent callers and,
 * for SQLite, across processes sharing the file.
 */
export interface CounterRepository {
  /** The last accepted counter, or undefined when the originator has none yet. */
  get(originator: string): Promise<bigint | undefined>;
  /**
   * Accepts `counter` if it is greater than the last accepted one (or the first), and records it.
   * Exactly one of many concurrent calls with the same counter returns true.
   */
  advance(originator: string, counter: bigint): Promise<boolean>;
  /** Sets `next` only if the current value is `expected` (undefined = none yet); true when set. */
  compareAndSet(originator: string, expected: bigint | undefined, next: bigint): Promise<boolean>;
}

/** Request lifecycle records. */
export interface RequestRepository {
  /**
   * Records a new request; throws when `id` exists. A request recorded in a final state (responded,
   * failed) was answered synchronously and is recorded as answered; any other is open work, held
   * under `lease` when given.
   */
  insert(request: RequestRecord, lease?: RequestLease): Promise<void>;
  get(id: string): Promise<RequestRecord | undefined>;
  /** All records with this DUIS RequestID (a CV4 and its CV5 share one), oldest first. */
  byRequestId(requestId: string): Promise<RequestRecord[]>;
  /** The record carrying this correlation key. */
  byCorrelation(correlation: string): Promise<RequestRecord | undefined>;
  /**
   * Moves a request from one of the states `from` to `to`, applying `patch`, atomically; false when
   * it is not in one of `from` (someone else moved it). This is how two workers never both send.
   * With `lease`, the request passes to that lease in the same write (the node that sends it owns it).
   */
  transition(
    id: string,
    from: readonly RequestState[],
    to: RequestState,
    at: number,
    patch?: RequestPatch,
    lease?: RequestLease,
  ): Promise<boolean>;
  /**
   * Records that the request's final answer is given (its response is in the outbox: call it in the
   * transaction that enqueues it); false when it already was, so a second answer is never queued.
   */
  markAnswered(id: string): Promise<boolean>;
  /** Its lease and whether it is answered; undefined when unknown. */
  custody(id: string): Promise<RequestCustody | undefined>;
  /** Extends every lease `owner` holds on open requests to `expiresAt`; returns how many. */
  renewLeases(owner: string, expiresAt: number): Promise<number>;
  /**
   * Takes over open (unanswered) requests, oldest first: those without a lease, those whose lease
   * expired before `now`, and, with `own`, those `lease.owner` holds already. Each taken request is
   * held under `lease` from then on, atomically, so two nodes never take the same one.
   */
  takeOver(
    lease: RequestLease,
    now: number,
    options: { own: boolean; limit?: number },
  ): Promise<RequestRecord[]>;
  /** Applies `patch` without a state change; false when unknown. */
  update(id: string, at: number, patch: RequestPatch): Promise<boolean>;
  /** Requests in a state, oldest first (recovery after a restart: acknowledged but not yet sent). */
  inState(state: RequestState, limit?: number): Promise<RequestRecord[]>;
  /** Request counts per state. */
  counts(): Promise<Partial<Record<RequestState, number>>>;
}

/** Responses and alerts waiting to be delivered to users, with retries and the failed queue. */
export interface OutboxRepository {
  enqueue(item: NewOutboxRecord): Promise<void>;
  get(id: string): Promise<OutboxRecord | undefined>;
  /**
   * Claims up to `limit` pending entries due at `now` (nextAttemptAt <= now), oldest first, by
   * pushing their nextAttemptAt to `now + leaseMs` so that no other worker takes them meanwhile.
   */
  claimDue(now: number, limit: number, leaseMs: number): Promise<OutboxRecord[]>;
  /** Marks an entry delivered (counts the attempt). */
  markDelivered(id: string, at: number): Promise<boolean>;
  /**
   * Records a failed attempt: retry at `nextAttemptAt`, or, when null, move to the failed queue
   * (state failed, kept until expiresAt).
   */
  markAttemptFailed(id: string, error: string, nextAttemptAt: number | null): Promise<boolean>;
  /** Pending and failed entries for a user, oldest first (the pull API). */
  forUser(userEui: string, limit?: number): Promise<OutboxRecord[]>;
  /** Deletes an entry (taken by pull). */
  remove(id: string): Promise<boolean>;
  /** Deletes entries whose expiresAt has passed; returns how many. */
  purgeExpired(now: number): Promise<number>;
  /** Counts per state. */
  counts(): Promise<Partial<Record<OutboxRecord["state"], number>>>;
}

/** The append-only audit log. */
export interface AuditRepository {
  /** Appends one line; returns its sequence number. */
  append(record: NewAuditRecord): Promise<number>;
  /** Lines after `afterSeq` (exclusive), optionally for one RequestID, in order. */
  list(query?: { afterSeq?: number; requestId?: string; limit?: number }): Promise<AuditRecord[]>;
}

/** Small named values: schema facts, first-run markers, settings. */
export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/** All repositories: what a transaction callback receives. */
export interface Repositories {
  readonly devices: DeviceRepository;
  readonly registrations: RegistrationRepository;
  readonly users: UserRepository;
  readonly counters: CounterRepository;
  readonly requests: RequestRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly meta: MetaRepository;
}

/** A store: the repositories, transactions, a health check and close. */
export interface Store extends Repositories {
  /** Which adapter this is (`sqlite`, `postgres`), for logs and /healthz. */
  readonly kind: string;
  /**
   * Runs `work` atomically: all its writes commit together or none do, and no other caller sees
   * them before the commit. Use only the repositories passed in (they refuse calls once it ended).
   * Calls made outside meanwhile see the state before the commit or wait for it (the SQLite adapter
   * makes them wait), so keep transactions short: do not await unrelated slow work inside.
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Resolves when the store answers (for /healthz); rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Closes the store; later calls reject. */
  close(): Promise<void>;
}
