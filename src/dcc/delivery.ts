/**
 * Delivery of DUIS responses and alerts to Service Users (DUIS "Receive Response" web service).
 *
 * Every message is already signed (with the DCC's XML-signing key) when it reaches the outbox; this
 * module only moves it. The rules it keeps:
 *
 * - **Nothing lost.** A message is in the store's outbox before anything tries to send it; only an
 *   HTTP 200 from the user's endpoint marks it delivered. A node that dies mid-POST leaves its lease
 *   to expire, and another node sends the entry again (at least once across crashes).
 * - **Nothing twice.** Every POST, a first attempt too, is made under the user's **delivery lease**
 *   in the store (user, holder, until), taken atomically before the user's queue is worked and
 *   renewed while it is, so nodes sharing a store never POST one user's entries at once; within a
 *   node one loop per user works the queue. The entry is marked delivered, by the lease holder only,
 *   as soon as the 200 arrives. (A timeout or a 5xx may have been processed by the endpoint anyway:
 *   it is retried, because DUIS delivery is at-least-once until the endpoint confirms.)
 * - **Per-user order.** A user's messages are sent oldest first, and a message is not sent while an
 *   older one for the same user is still undelivered: the head of the queue gates the rest. One
 *   lease holder at a time keeps this across nodes.
 * - **Retries.** Exponential backoff from {@link DeliveryPolicy.firstRetryMs} (at least one retry
 *   within 300 s, as DUIS asks), capped at {@link DeliveryPolicy.maxRetryMs}: after a few attempts
 *   an entry is in the failed queue in all but name, tried again every 5 minutes, so it goes as soon
 *   as the endpoint is back. It is kept {@link DeliveryPolicy.keepFailedMs} (two days); then it is
 *   marked failed (the store's failed state, with the last error) and purged. (Entries stay
 *   `pending` while they are retried because the store marks only pending entries delivered: an
 *   entry moved to `failed` could not be marked delivered after a re-send.)
 * - **A bounded backlog.** A user may have at most {@link DeliveryPolicy.maxPendingPerUser} pending
 *   entries; at the cap the pipeline refuses the user's new requests ({@link Delivery.checkBacklog}),
 *   while answers to requests already acknowledged are always queued.
 * - **Where to.** POSTs go through a {@link Poster}; the default one ({@link ReceivePoster}) refuses
 *   private and other internal addresses, follows no redirect and reads a small reply at most.
 * - **Pull.** A user without an endpoint (or with one that is down) can take its pending messages
 *   with {@link Delivery.pull}; see `src/server/duis-routes.ts`.
 *
 * Time comes from the injected clock (leases compare times written by every node, so node clocks
 * must agree to well within {@link DeliveryPolicy.leaseMs} minus the request timeout); the timer that
 * calls {@link Delivery.runDue} in production is started by {@link Delivery.start}, and tests call
 * `runDue` themselves with a fake clock.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { DuisError } from "../duis/errors.js";
import type { OutboxRepository, UserRepository } from "../store/port.js";
import type { NewOutboxRecord, OutboxKind, OutboxRecord } from "../store/types.js";
import { type Poster, ReceivePoster } from "./receive-poster.js";
import { ReceiveUrlPolicy } from "./receive-url.js";

export type { Poster } from "./receive-poster.js";

/** Milliseconds since the Unix epoch, from the composition root's clock. */
export type Now = () => number;

export interface DeliveryPolicy {
  /** Delay before the first retry (ms). */
  readonly firstRetryMs: number;
  /** Each retry waits this factor times the previous delay. */
  readonly backoffFactor: number;
  /** Longest wait between two retries (ms). */
  readonly maxRetryMs: number;
  /** How long an undelivered message is kept (ms): the failed queue keeps two days. */
  readonly keepFailedMs: number;
  /** How long a POST may take, all told, before it counts as failed (ms). */
  readonly requestTimeoutMs: number;
  /**
   * How long a user's delivery lease lasts (ms); renewed while the queue is worked. Longer than
   * `requestTimeoutMs` (default: twice it), so a lease never lapses during a POST; it is also how
   * long a dead node's users wait before another node takes them over.
   */
  readonly leaseMs: number;
  /** Users worked per pass. */
  readonly batch: number;
  /** Pending entries a user may have before its new requests are refused. */
  readonly maxPendingPerUser: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  firstRetryMs: 10_000,
  backoffFactor: 3,
  maxRetryMs: 300_000,
  keepFailedMs: 2 * 24 * 3600_000,
  requestTimeoutMs: 30_000,
  leaseMs: 60_000,
  batch: 100,
  maxPendingPerUser: 10_000,
};

/** The delay before retry number `attempts` (1 = after the first failed attempt). */
export function retryDelayMs(policy: DeliveryPolicy, attempts: number): number {
  const delay = policy.firstRetryMs * policy.backoffFactor ** Math.max(0, attempts - 1);
  return Math.min(policy.maxRetryMs, delay);
}

/** The outcome of one POST attempt, as the audit log and the bus see it. */
export interface DeliveryAttempt {
  readonly outboxId: string;
  readonly userEui: string;
  readonly ok: boolean;
  readonly attempts: number;
  readonly error: string | null;
  readonly at: number;
}

/** A signed message for one user, as it goes into the outbox. */
export interface OutboxMessage {
  readonly userEui: string;
  readonly kind: OutboxKind;
  readonly requestId: string | null;
  readonly body: string;
}

export interface DeliveryDeps {
  readonly outbox: OutboxRepository;
  readonly users: Pick<UserRepository, "get">;
  readonly now: Now;
  /** Where receive URLs may point (default: public addresses only); used by the default poster. */
  readonly receiveUrls?: ReceiveUrlPolicy;
  /** How messages are POSTed (default: a {@link ReceivePoster} under `receiveUrls`). */
  readonly post?: Poster;
  readonly policy?: Partial<DeliveryPolicy>;
  /** This node's name on its delivery leases (default: a random one per instance). */
  readonly holder?: string;
  /** Told about every attempt (audit, metrics, the bus); must not throw. */
  readonly onAttempt?: (attempt: DeliveryAttempt) => void;
}

export class Delivery {
  private readonly outbox: OutboxRepository;
  private readonly users: Pick<UserRepository, "get">;
  private readonly now: Now;
  private readonly poster: Poster;
  readonly policy: DeliveryPolicy;
  /** The token this instance's leases carry: unique per instance, so two nodes never share one. */
  readonly holder: string;
  private readonly onAttempt: (attempt: DeliveryAttempt) => void;
  /** Users whose queue a loop of this instance is working now (the lease is per instance, not per loop). */
  private readonly busy = new Set<string>();
  /** Orders ids of messages enqueued in the same millisecond (the store sorts by createdAt, id). */
  private sequence = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Users kicked while their loop was running: the loop goes round once more when it ends. */
  private readonly rekick = new Set<string>();
  /** The users' loops started by kickUser, so stop() can wait for them. */
  private readonly loops = new Set<Promise<void>>();

  constructor(deps: DeliveryDeps) {
    this.outbox = deps.outbox;
    this.users = deps.users;
    this.now = deps.now;
    this.poster = deps.post ?? new ReceivePoster(deps.receiveUrls ?? new ReceiveUrlPolicy());
    const requestTimeoutMs = deps.policy?.requestTimeoutMs ?? DEFAULT_DELIVERY_POLICY.requestTimeoutMs;
    this.policy = {
      ...DEFAULT_DELIVERY_POLICY,
      leaseMs: Math.max(DEFAULT_DELIVERY_POLICY.leaseMs, 2 * requestTimeoutMs),
      ...deps.policy,
    };
    if (!(this.policy.leaseMs > this.policy.requestTimeoutMs)) {
      throw new RangeError(
        `delivery leaseMs (${this.policy.leaseMs}) must be longer than requestTimeoutMs (${this.policy.requestTimeoutMs})`,
      );
    }
    // Readable in `delivery_leases` (which node holds a user), and unique per instance.
    this.holder = deps.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.onAttempt = deps.onAttempt ?? (() => {});
  }

  /** Puts a signed message in the outbox, due now; returns its outbox id. Never refused: see {@link checkBacklog}. */
  async enqueue(message: OutboxMessage): Promise<string> {
    const entry = this.newEntry(message);
    await this.outbox.enqueue(entry);
    return entry.id;
  }

  /**
   * The outbox entry for a signed message, due now, without writing it: for a caller that writes it
   * in its own store transaction (a request's final state and its response commit together).
   */
  newEntry(message: OutboxMessage): NewOutboxRecord {
    const at = this.now();
    this.sequence = (this.sequence + 1) % 0x1_0000_0000;
    // Time, then this instance's sequence, then randomness (unique across nodes): ids sort in order.
    const id = `${at.toString(16).padStart(12, "0")}-${this.sequence.toString(16).padStart(8, "0")}-${randomUUID().slice(0, 8)}`;
    return {
      id,
      userEui: message.userEui,
      kind: message.kind,
      requestId: message.requestId,
      body: message.body,
      nextAttemptAt: at,
      createdAt: at,
      expiresAt: at + this.policy.keepFailedMs,
    };
  }

  /**
   * Refuses a user's new request (DuisError `backlogFull`) when the user already has
   * {@link DeliveryPolicy.maxPendingPerUser} pending messages: the endpoint is not taking them, and
   * an unbounded queue would fill the store. Counts no further than the cap.
   */
  async checkBacklog(userEui: string): Promise<void> {
    const cap = this.policy.maxPendingPerUser;
    const pending = await this.outbox.countPending(userEui, cap);
    if (pending >= cap) {
      throw new DuisError(
        "backlogFull",
        `${pending} responses and alerts wait for delivery to ${userEui}; take them (pull API) or bring the receive endpoint back`,
      );
    }
  }

  /**
   * One pass: works the queue of every user whose head is due and whose lease is free (on any
   * node), then purges what expired.
   */
  async runDue(): Promise<void> {
    const now = this.now();
    const users = await this.outbox.dueUsers(now, this.policy.batch);
    await Promise.all(users.map((user) => this.deliverUser(user)));
    await this.outbox.purgeExpired(now);
  }

  /**
   * Works one user's queue oldest first until it is empty or an attempt fails, holding the user's
   * delivery lease throughout. The head gates the rest: when it is waiting for a retry, nothing
   * after it is sent. Returns at once when this instance is already working the user, or another
   * node holds the lease.
   */
  async deliverUser(userEui: string): Promise<void> {
    if (this.busy.has(userEui)) {
      this.rekick.add(userEui);
      return;
    }
    this.busy.add(userEui);
    try {
      const user = await this.users.get(userEui);
      const url = user?.receiveResponseUrl ?? null;
      if (url === null) return; // pull only
      const lease = new Lease(this.outbox, userEui, this.holder, this.policy);
      if (!(await lease.acquire(this.now()))) return; // another node works this user
      try {
        await this.workQueue(userEui, url, lease);
      } finally {
        await lease.release();
      }
    } finally {
      this.busy.delete(userEui);
      if (this.rekick.delete(userEui) && !this.stopped) this.kickUser(userEui);
    }
  }

  /** The queue loop, under a held lease. */
  private async workQueue(userEui: string, url: string, lease: Lease): Promise<void> {
    for (;;) {
      // Failed entries (expired, kept until purged) are no longer the queue's.
      const queue = (await this.outbox.forUser(userEui, this.policy.batch)).filter(
        (e) => e.state === "pending",
      );
      if (queue.length === 0) return;
      for (const entry of queue) {
        // Stopping: the POST in flight has ended and is marked; the rest waits for the next run.
        if (this.stopped) return;
        const now = this.now();
        // Before each POST: the lease must outlast it, and still be ours (else the queue read
        // above may be stale: another node may have delivered these entries meanwhile).
        if (!(await lease.keepFor(now))) return;
        if (entry.expiresAt <= now) {
          // Two days undelivered: out of the queue, with the reason, so the rest can go.
          const reason = `expired undelivered: ${entry.lastError ?? "never tried"}`;
          if (!(await this.outbox.markAttemptFailed(entry.id, this.holder, reason, null))) return;
          continue;
        }
        if (entry.attempts > 0 && entry.nextAttemptAt > now) return; // the head waits for its retry
        if (!(await this.attempt(entry, url))) return;
      }
    }
  }

  /** Sends one entry; true when delivered and marked. */
  private async attempt(entry: OutboxRecord, url: string): Promise<boolean> {
    let error: string | null = null;
    try {
      const status = await this.poster.post(url, entry.body, this.policy.requestTimeoutMs);
      if (status >= 300 && status < 400) error = `HTTP ${status} (redirects are not followed)`;
      else if (status !== 200) error = `HTTP ${status}`;
    } catch (cause) {
      error = describe(cause);
    }
    const attempts = entry.attempts + 1;
    const at = this.now();
    const marked =
      error === null
        ? await this.outbox.markDelivered(entry.id, this.holder, at)
        : await this.outbox.markAttemptFailed(
            entry.id,
            this.holder,
            error,
            at + retryDelayMs(this.policy, attempts),
          );
    this.onAttempt({ outboxId: entry.id, userEui: entry.userEui, ok: error === null, attempts, error, at });
    // Not marked: the entry was pulled meanwhile, or the lease was lost; stop and let a pass decide.
    return error === null && marked;
  }

  /**
   * The pull API: first removes the entries the user acknowledges (`ack`, ids of entries it took
   * before), then returns up to `limit` undelivered entries, oldest first. An entry stays until it
   * is acknowledged, so a lost pull answer loses nothing.
   */
  async pull(userEui: string, ack: readonly string[], limit = 50): Promise<OutboxRecord[]> {
    for (const id of ack) {
      const entry = await this.outbox.get(id);
      if (entry !== undefined && entry.userEui === userEui) await this.outbox.remove(id);
    }
    return this.outbox.forUser(userEui, limit);
  }

  /** Runs {@link runDue} every `intervalMs` of real time (production); `kick` runs one pass now. */
  start(intervalMs = 1000): void {
    if (this.timer !== undefined) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  /**
   * Starts delivering one user's queue now (called after enqueueing a message for that user, so it
   * does not wait for the timer). When the user's loop is already running, it goes round once more
   * after it ends, so a message queued meanwhile is not left behind. Unlike {@link kick}, this
   * touches only that user's queue: a busy DCC enqueues a response for every request, and a whole
   * pass per enqueue costs more than the request.
   */
  kickUser(userEui: string): void {
    if (this.stopped) return;
    const loop = this.deliverUser(userEui).catch(() => {
      // The store failed: the timer's next pass tries again; nothing was marked.
    });
    this.loops.add(loop);
    void loop.finally(() => this.loops.delete(loop));
  }

  /**
   * Starts a pass now (after a user's endpoint changes, so its waiting messages go at once). When a
   * pass is already running, one more follows it, so a message queued meanwhile is not left behind.
   */
  kick(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.runDue()
      .catch(() => {
        // The store failed: the next tick tries again; nothing was marked.
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when no pass or user loop is running or queued (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running !== undefined || this.loops.size > 0) {
      await Promise.all([this.running, ...this.loops]);
    }
  }

  /**
   * Stops the timer, starts nothing more, waits for the work in progress (each loop ends its POST
   * in flight, marks it and releases its lease), and drops kept-alive connections.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
    this.poster.close?.();
  }
}

/**
 * A user's delivery lease as one loop holds it: taken, kept long enough for the next POST (renewed
 * only when less than a POST's time and a margin is left, so a fast queue does not write a renewal
 * per message), and released.
 */
class Lease {
  private until = 0;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly userEui: string,
    private readonly holder: string,
    private readonly policy: Pick<DeliveryPolicy, "leaseMs" | "requestTimeoutMs">,
  ) {}

  async acquire(now: number): Promise<boolean> {
    const until = now + this.policy.leaseMs;
    if (!(await this.outbox.acquireLease(this.userEui, this.holder, now, until))) return false;
    this.until = until;
    return true;
  }

  /** True when the lease is ours until a POST started at `now` has ended (renewing it if needed). */
  async keepFor(now: number): Promise<boolean> {
    const margin = (this.policy.leaseMs - this.policy.requestTimeoutMs) / 2;
    if (this.until - now >= this.policy.requestTimeoutMs + margin) return true;
    const until = now + this.policy.leaseMs;
    if (!(await this.outbox.renewLease(this.userEui, this.holder, until))) return false;
    this.until = until;
    return true;
  }

  async release(): Promise<void> {
    // A failed release is harmless: the lease expires.
    await this.outbox.releaseLease(this.userEui, this.holder).catch(() => false);
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : "";
    return `${cause.name}: ${cause.message}${inner}`;
  }
  return String(cause);
}
