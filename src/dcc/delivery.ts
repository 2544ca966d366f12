/**
 * Delivery of DUIS responses and alerts to Service Users (DUIS "Receive Response" web service).
 *
 * Every message is already signed (with the DCC's XML-signing key) when it reaches the outbox; this
 * module only moves it. The rules it keeps:
 *
 * - **Nothing lost.** A message is in the store's outbox before anything tries to send it; only an
 *   HTTP 200 from the user's endpoint marks it delivered.
 * - **Nothing twice after a 200.** The entry is marked delivered as soon as the 200 arrives, and one
 *   user's queue is worked by one loop at a time, so a message answered with 200 is never sent again.
 *   (A timeout or a 5xx may have been processed by the endpoint anyway: it is retried, because
 *   DUIS delivery is at-least-once until the endpoint confirms.)
 * - **Per-user order.** A user's messages are sent oldest first, and a message is not sent while an
 *   older one for the same user is still undelivered: the head of the queue gates the rest.
 * - **Retries.** Exponential backoff from {@link DeliveryPolicy.firstRetryMs} (at least one retry
 *   within 300 s, as DUIS asks), capped at {@link DeliveryPolicy.maxRetryMs}: after a few attempts
 *   an entry is in the failed queue in all but name, tried again every 5 minutes, so it goes as soon
 *   as the endpoint is back. It is kept {@link DeliveryPolicy.keepFailedMs} (two days); then it is
 *   marked failed (the store's failed state, with the last error) and purged. (Entries stay
 *   `pending` while they are retried because the store marks only pending entries delivered: an
 *   entry moved to `failed` could not be marked delivered after a re-send.)
 * - **Pull.** A user without an endpoint (or with one that is down) can take its pending messages
 *   with {@link Delivery.pull}; see `src/server/duis-routes.ts`.
 *
 * Time comes from the injected clock; the timer that calls {@link Delivery.runDue} in production is
 * started by {@link Delivery.start}, and tests call `runDue` themselves with a fake clock.
 */
import { randomUUID } from "node:crypto";
import type { OutboxRepository, UserRepository } from "../store/port.js";
import type { NewOutboxRecord, OutboxKind, OutboxRecord } from "../store/types.js";

/** Milliseconds since the Unix epoch, from the composition root's clock. */
export type Now = () => number;

/** How a message is POSTed: returns the HTTP status, or throws on a network error or timeout. */
export type Poster = (url: string, body: string, timeoutMs: number) => Promise<number>;

export interface DeliveryPolicy {
  /** Delay before the first retry (ms). */
  readonly firstRetryMs: number;
  /** Each retry waits this factor times the previous delay. */
  readonly backoffFactor: number;
  /** Longest wait between two retries (ms). */
  readonly maxRetryMs: number;
  /** How long an undelivered message is kept (ms): the failed queue keeps two days. */
  readonly keepFailedMs: number;
  /** How long a POST may take before it counts as failed (ms). */
  readonly requestTimeoutMs: number;
  /** Entries claimed per pass. */
  readonly batch: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  firstRetryMs: 10_000,
  backoffFactor: 3,
  maxRetryMs: 300_000,
  keepFailedMs: 2 * 24 * 3600_000,
  requestTimeoutMs: 30_000,
  batch: 100,
};

/** The delay before retry number `attempts` (1 = after the first failed attempt). */
export function retryDelayMs(policy: DeliveryPolicy, attempts: number): number {
  const delay = policy.firstRetryMs * policy.backoffFactor ** Math.max(0, attempts - 1);
  return Math.min(policy.maxRetryMs, delay);
}

/** POSTs with Node's fetch (undici): `application/xml`, aborted after `timeoutMs`. */
export const fetchPoster: Poster = async (url, body, timeoutMs) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/xml; charset=utf-8" },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  // Drain the body so the connection is released.
  await response.arrayBuffer();
  return response.status;
};

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
  readonly post?: Poster;
  readonly policy?: Partial<DeliveryPolicy>;
  /** Told about every attempt (audit, metrics, the bus); must not throw. */
  readonly onAttempt?: (attempt: DeliveryAttempt) => void;
}

export class Delivery {
  private readonly outbox: OutboxRepository;
  private readonly users: Pick<UserRepository, "get">;
  private readonly now: Now;
  private readonly post: Poster;
  readonly policy: DeliveryPolicy;
  private readonly onAttempt: (attempt: DeliveryAttempt) => void;
  /** Users whose queue a loop is working now: one loop per user keeps order and avoids doubles. */
  private readonly busy = new Set<string>();
  /** Orders ids of messages enqueued in the same millisecond (the store sorts by createdAt, id). */
  private sequence = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** Users kicked while their loop was running: the loop goes round once more when it ends. */
  private readonly rekick = new Set<string>();

  constructor(deps: DeliveryDeps) {
    this.outbox = deps.outbox;
    this.users = deps.users;
    this.now = deps.now;
    this.post = deps.post ?? fetchPoster;
    this.policy = { ...DEFAULT_DELIVERY_POLICY, ...deps.policy };
    this.onAttempt = deps.onAttempt ?? (() => {});
  }

  /** Puts a signed message in the outbox, due now; returns its outbox id. */
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
   * One pass: sends what is due now, user by user in order, then purges what expired. Safe to call
   * concurrently: a user already being worked is skipped.
   */
  async runDue(): Promise<void> {
    const now = this.now();
    const due = await this.outbox.claimDue(now, this.policy.batch, this.policy.requestTimeoutMs * 2);
    const claimed = new Set(due.map((entry) => entry.id));
    const users = new Set(due.map((entry) => entry.userEui));
    await Promise.all([...users].map((user) => this.deliverUser(user, claimed)));
    await this.outbox.purgeExpired(now);
  }

  /**
   * Works one user's queue oldest first until it is empty or an attempt fails. The head gates the
   * rest: when it is waiting for a retry, nothing after it is sent.
   */
  async deliverUser(userEui: string, claimed: ReadonlySet<string> = new Set()): Promise<void> {
    if (this.busy.has(userEui)) return;
    this.busy.add(userEui);
    try {
      const user = await this.users.get(userEui);
      const url = user?.receiveResponseUrl ?? null;
      if (url === null) return; // pull only
      for (;;) {
        // Failed entries (expired, kept until purged) are no longer the queue's.
        const queue = (await this.outbox.forUser(userEui, this.policy.batch)).filter(
          (e) => e.state === "pending",
        );
        if (queue.length === 0) return;
        for (const entry of queue) {
          const now = this.now();
          if (entry.expiresAt <= now) {
            // Two days undelivered: out of the queue, with the reason, so the rest can go.
            await this.outbox.markAttemptFailed(
              entry.id,
              `expired undelivered: ${entry.lastError ?? "never tried"}`,
              null,
            );
            continue;
          }
          if (!this.isDue(entry, now, claimed)) return;
          if (!(await this.attempt(entry, url))) return;
        }
      }
    } finally {
      this.busy.delete(userEui);
      if (this.rekick.delete(userEui)) this.kickUser(userEui);
    }
  }

  /**
   * Whether the queue's head may be tried now: a first attempt, or a retry whose time has come
   * (claimed by this pass: `claimDue` pushed its nextAttemptAt by the lease).
   */
  private isDue(entry: OutboxRecord, now: number, claimed: ReadonlySet<string>): boolean {
    return entry.attempts === 0 || claimed.has(entry.id) || entry.nextAttemptAt <= now;
  }

  /** Sends one entry; true when delivered. */
  private async attempt(entry: OutboxRecord, url: string): Promise<boolean> {
    let error: string | null = null;
    try {
      const status = await this.post(url, entry.body, this.policy.requestTimeoutMs);
      if (status !== 200) error = `HTTP ${status}`;
    } catch (cause) {
      error = describe(cause);
    }
    const attempts = entry.attempts + 1;
    const at = this.now();
    if (error === null) await this.outbox.markDelivered(entry.id, at);
    else await this.outbox.markAttemptFailed(entry.id, error, at + retryDelayMs(this.policy, attempts));
    this.onAttempt({ outboxId: entry.id, userEui: entry.userEui, ok: error === null, attempts, error, at });
    return error === null;
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
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  /**
   * Starts delivering one user's queue now (called after enqueueing a message for that user, so it
   * does not wait for the timer). When the user's loop is already running, it goes round once more
   * after it ends, so a message queued meanwhile is not left behind. Unlike {@link kick}, this
   * touches only that user's queue: a busy DCC enqueues a response for every request, and a whole
   * pass per enqueue (claiming up to a batch of due entries each time) costs more than the request.
   */
  kickUser(userEui: string): void {
    if (this.busy.has(userEui)) {
      this.rekick.add(userEui);
      return;
    }
    this.deliverUser(userEui).catch(() => {
      // The store failed: the timer's next pass tries again; nothing was marked.
    });
  }

  /**
   * Starts a pass now (after a user's endpoint changes, so its waiting messages go at once). When a
   * pass is already running, one more follows it, so a message queued meanwhile is not left behind.
   */
  kick(): void {
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

  /** Resolves when no pass is running or queued (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Stops the timer and waits for the pass in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : "";
    return `${cause.name}: ${cause.message}${inner}`;
  }
  return String(cause);
}
