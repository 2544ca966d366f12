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
  /**
   * The user owning the certificate with this issuer and decimal serial, as an XML signature's
   * `X509IssuerSerial` names it. Issuers are compared as names (`distinguished-name.ts`: spacing,
   * case and RDN order as tools write them differ), so a serial under another issuer is not found.
   */
  byCertificate(issuer: string, serial: string): Promise<UserRecord | undefined>;
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
   * Moves an acknowledged request to `sent` when it is its device's turn: nothing else is `sent` to
   * the same target, and it heads the target's queue (see `nextQueued`). "busy": it stays
   * acknowledged, queued behind the device's command in flight or an earlier request (or not due
   * yet: an execution date still to come); "gone": it is not acknowledged (unknown, already sent
   * or ended). Never throws for a busy device. Atomic across nodes sharing the store: the
   * schema allows one `sent` request per target (a unique partial index, migration 6), so of two
   * nodes racing for one device exactly one gets "sent". A device has one command in flight because
   * it accepts a command only when its counter is above the last one it took from that originator:
   * two on the WAN at once can overtake each other, and the later counter makes the device drop the
   * earlier command. With `lease`, the request is held under it from then on (custody, as in
   * `transition`).
   */
  startSending(id: string, at: number, lease?: RequestLease): Promise<SendStart>;
  /**
   * The request that goes next to `target`: among its acknowledged requests due at `at` (no
   * execution date, or one that has come; a future-dated one does not block the others), the oldest
   * by received time, then counter, then insertion, of those with no lower counter from the same
   * originator still waiting (so an originator's counters reach the device in increasing order
   * even when its requests were received out of order). Undefined when none waits. It does not look
   * at what is in flight: `startSending` does.
   */
  nextQueued(target: string, at: number): Promise<RequestRecord | undefined>;
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
  /**
   * Retention: deletes up to `limit` requests in a final state (responded, failed) last updated
   * before `before`, except those whose response or alert for the originator is still in the outbox
   * (pending, or in the failed queue); returns how many. Batched so that no call holds the store long.
   */
  purgeFinished(before: number, limit: number): Promise<number>;
}

/** What `RequestRepository.startSending` did: sent it, left it queued, or found it no longer acknowledged. */
export type SendStart = "sent" | "busy" | "gone";

/**
 * Responses and alerts waiting to be delivered to users, with retries and the failed queue.
 *
 * Delivery is worked user by user under a **delivery lease** (user, holder, until): a node takes a
 * user's lease before it POSTs any of that user's entries, renews it while it works the queue, and
 * marks entries only while it still holds it. Nodes sharing a store therefore never POST one user's
 * entries at the same time (nothing twice, oldest first), and a node that dies leaves a lease that
 * expires, after which another node takes the queue over (nothing lost).
 */
export interface OutboxRepository {
  enqueue(item: NewOutboxRecord): Promise<void>;
  get(id: string): Promise<OutboxRecord | undefined>;
  /**
   * Up to `limit` users whose queue head (oldest pending entry) is due at `now` (a first attempt,
   * or nextAttemptAt <= now), who have a receive URL and whose delivery lease is free or expired;
   * the longest-waiting heads first.
   */
  dueUsers(now: number, limit: number): Promise<string[]>;
  /**
   * Takes `userEui`'s delivery lease for `holder` until `until`, atomically: true when it was free,
   * expired at `now`, or already `holder`'s; false when another holder's lease is live.
   */
  acquireLease(userEui: string, holder: string, now: number, until: number): Promise<boolean>;
  /**
   * Extends `holder`'s lease to `until`; false when the lease is no longer `holder`'s (it expired
   * and another holder took it, or was released): the holder must stop, its view of the queue may
   * be stale.
   */
  renewLease(userEui: string, holder: string, until: number): Promise<boolean>;
  /** Gives the lease up (only `holder`'s); false when it was not held by `holder`. */
  releaseLease(userEui: string, holder: string): Promise<boolean>;
  /** Marks a pending entry delivered (counts the attempt), only while `holder` holds its user's lease. */
  markDelivered(id: string, holder: string, at: number): Promise<boolean>;
  /**
   * Records a failed attempt, only while `holder` holds the entry's user's lease: retry at
   * `nextAttemptAt`, or, when null, move to the failed queue (state failed, kept until expiresAt).
   */
  markAttemptFailed(
    id: string,
    holder: string,
    error: string,
    nextAttemptAt: number | null,
  ): Promise<boolean>;
  /** Pending and failed entries for a user, oldest first (the pull API). */
  forUser(userEui: string, limit?: number): Promise<OutboxRecord[]>;
  /** How many pending entries the user has, counting no further than `upTo` (the per-user cap). */
  countPending(userEui: string, upTo: number): Promise<number>;
  /** Deletes an entry (taken by pull). */
  remove(id: string): Promise<boolean>;
  /** Deletes entries whose expiresAt has passed, and leases expired at `now`; returns how many entries. */
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
  /** Retention: deletes up to `limit` of the oldest lines written before `before`; returns how many. */
  purgeBefore(before: number, limit: number): Promise<number>;
}

/**
 * Single-use user-API signatures: each (user, nonce) is accepted once while its signed time is
 * within the window. Atomic across concurrent callers and, on PostgreSQL, across cluster nodes.
 */
export interface NonceRepository {
  /**
   * Records `nonce` for `user`, remembered until `expiresAt`; false when it is already recorded and
   * not yet expired at `now` (a replay). Exactly one of many concurrent calls with one nonce wins.
   */
  use(user: string, nonce: string, expiresAt: number, now: number): Promise<boolean>;
  /** Deletes up to `limit` nonces expired at `now`; returns how many. */
  purgeExpired(now: number, limit: number): Promise<number>;
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
  readonly nonces: NonceRepository;
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
