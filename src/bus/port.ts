/**
 * The messaging port: publish/subscribe by subject, and work queues with acknowledgement.
 *
 * Delivery rules (all adapters):
 * - `publish` fans out to every current subscriber of the subject; a subscriber that throws does not
 *   affect the others or the publisher (the error goes to `onError`). Not durable.
 * - `enqueue` hands a job to one consumer. The job is acknowledged when the handler resolves; when
 *   it rejects, the job is retried after `retryDelayMs` up to `maxAttempts`, then dropped and
 *   reported to `onError`. Jobs enqueued before any consumer exists wait for one.
 * - Durability is the store's job: the in-process adapter loses queued jobs when the process dies,
 *   so whatever must survive (acknowledged requests, the outbox) is written to the store first and
 *   re-enqueued from it on start.
 */
import type { BusEvents, BusQueue, BusSubject, BusWork } from "./events.js";

/** Undoes a subscribe/consume. */
export interface Subscription {
  unsubscribe(): void;
}

export interface ConsumeOptions {
  /** Jobs handled at the same time by this consumer (default 1). */
  readonly concurrency?: number;
  /** Attempts per job before it is dropped (default 5). */
  readonly maxAttempts?: number;
  /** Delay before a failed job is retried (default 1000 ms). */
  readonly retryDelayMs?: number;
}

/** What a job handler learns besides the job. */
export interface JobContext {
  /** 1 for the first delivery. */
  readonly attempt: number;
}

export interface Bus {
  /** Which adapter this is (`memory`, `nats`). */
  readonly kind: string;
  publish<S extends BusSubject>(subject: S, event: BusEvents[S]): Promise<void>;
  subscribe<S extends BusSubject>(
    subject: S,
    handler: (event: BusEvents[S]) => void | Promise<void>,
  ): Subscription;
  enqueue<Q extends BusQueue>(queue: Q, job: BusWork[Q]): Promise<void>;
  consume<Q extends BusQueue>(
    queue: Q,
    handler: (job: BusWork[Q], context: JobContext) => Promise<void>,
    options?: ConsumeOptions,
  ): Subscription;
  /** Resolves when every queue is empty and no handler is running (tests and graceful shutdown). */
  drain(): Promise<void>;
  /** Resolves when the bus works (for /healthz); rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Stops consumers (running handlers finish) and refuses new work. */
  close(): Promise<void>;
}
