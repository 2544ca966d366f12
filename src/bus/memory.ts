/**
 * The in-process bus: subscribers and consumers in this process, jobs in memory. Durable state lives
 * in the store (see port.ts); this adapter only carries "look at this" between parts of one process.
 *
 * Handlers run asynchronously (never inside `publish`/`enqueue`), so a publisher's own state is
 * settled before anyone reacts, as with a networked bus.
 */
import type { BusEvents, BusQueue, BusSubject, BusWork } from "./events.js";
import type { Bus, ConsumeOptions, JobContext, Subscription } from "./port.js";

/** Where handler failures go (default: nowhere but the returned count); the composition root logs them. */
export type BusErrorHandler = (
  error: unknown,
  where: { subject?: string; queue?: string; attempt?: number },
) => void;

export interface MemoryBusOptions {
  readonly onError?: BusErrorHandler;
  /** Schedules a retry (default setTimeout); tests pass a fake. Returns a cancel function. */
  readonly schedule?: (delayMs: number, run: () => void) => () => void;
}

interface Job {
  readonly payload: unknown;
  attempt: number;
}

interface Consumer {
  readonly handler: (job: unknown, context: JobContext) => Promise<void>;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  running: number;
  active: boolean;
}

class Queue {
  readonly pending: Job[] = [];
  readonly consumers: Consumer[] = [];
  /** Round-robin position among consumers. */
  next = 0;
}

const defaultSchedule = (delayMs: number, run: () => void): (() => void) => {
  const timer = setTimeout(run, delayMs);
  return () => clearTimeout(timer);
};

export class MemoryBus implements Bus {
  readonly kind = "memory";
  private readonly subscribers = new Map<string, Set<(event: unknown) => void | Promise<void>>>();
  private readonly queues = new Map<string, Queue>();
  private readonly retries = new Set<() => void>();
  private readonly idleWaiters: Array<() => void> = [];
  /** Handlers running plus jobs waiting for a retry plus async fan-outs in flight. */
  private busy = 0;
  private closed = false;
  private readonly onError: BusErrorHandler;
  private readonly schedule: (delayMs: number, run: () => void) => () => void;

  constructor(options: MemoryBusOptions = {}) {
    this.onError = options.onError ?? (() => {});
    this.schedule = options.schedule ?? defaultSchedule;
  }

  async publish<S extends BusSubject>(subject: S, event: BusEvents[S]): Promise<void> {
    this.assertOpen();
    const handlers = this.subscribers.get(subject);
    if (handlers === undefined || handlers.size === 0) return;
    this.busy++;
    queueMicrotask(() => {
      const runs = [...handlers].map(async (handler) => {
        try {
          await handler(event);
        } catch (error) {
          this.onError(error, { subject });
        }
      });
      void Promise.all(runs).then(() => this.settle());
    });
  }

  subscribe<S extends BusSubject>(
    subject: S,
    handler: (event: BusEvents[S]) => void | Promise<void>,
  ): Subscription {
    let handlers = this.subscribers.get(subject);
    if (handlers === undefined) {
      handlers = new Set();
      this.subscribers.set(subject, handlers);
    }
    const h = handler as (event: unknown) => void | Promise<void>;
    handlers.add(h);
    return { unsubscribe: () => void handlers.delete(h) };
  }

  async enqueue<Q extends BusQueue>(queue: Q, job: BusWork[Q]): Promise<void> {
    this.assertOpen();
    const q = this.queue(queue);
    q.pending.push({ payload: job, attempt: 0 });
    queueMicrotask(() => this.pump(queue));
  }

  consume<Q extends BusQueue>(
    queue: Q,
    handler: (job: BusWork[Q], context: JobContext) => Promise<void>,
    options: ConsumeOptions = {},
  ): Subscription {
    const consumer: Consumer = {
      handler: handler as (job: unknown, context: JobContext) => Promise<void>,
      concurrency: Math.max(1, options.concurrency ?? 1),
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      retryDelayMs: Math.max(0, options.retryDelayMs ?? 1000),
      running: 0,
      active: true,
    };
    const q = this.queue(queue);
    q.consumers.push(consumer);
    queueMicrotask(() => this.pump(queue));
    return {
      unsubscribe: () => {
        consumer.active = false;
        const i = q.consumers.indexOf(consumer);
        if (i >= 0) q.consumers.splice(i, 1);
      },
    };
  }

  /** Jobs waiting (not running) in a queue: for tests and the dashboard. */
  depth(queue: BusQueue): number {
    return this.queues.get(queue)?.pending.length ?? 0;
  }

  async drain(): Promise<void> {
    while (!this.idle()) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error("bus is closed");
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of this.retries) cancel();
    this.busy -= this.retries.size;
    this.retries.clear();
    for (const q of this.queues.values()) {
      for (const c of q.consumers) c.active = false;
      q.consumers.length = 0;
      q.pending.length = 0;
    }
    this.subscribers.clear();
    // Running handlers finish; wait for them.
    while (this.busy > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.wake();
  }

  private idle(): boolean {
    if (this.busy > 0) return false;
    for (const q of this.queues.values()) if (q.pending.length > 0 && q.consumers.length > 0) return false;
    return true;
  }

  private wake(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private settle(): void {
    this.busy--;
    if (this.idle() || this.closed) this.wake();
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (q === undefined) {
      q = new Queue();
      this.queues.set(name, q);
    }
    return q;
  }

  /** Hands pending jobs to consumers with free capacity, round robin. */
  private pump(name: string): void {
    const q = this.queues.get(name);
    if (q === undefined || this.closed) return;
    while (q.pending.length > 0) {
      const free = q.consumers.filter((c) => c.active && c.running < c.concurrency);
      if (free.length === 0) break;
      const consumer = free[q.next++ % free.length]!;
      const job = q.pending.shift()!;
      this.run(name, q, consumer, job);
    }
  }

  private run(name: string, q: Queue, consumer: Consumer, job: Job): void {
    job.attempt += 1;
    consumer.running++;
    this.busy++;
    const context: JobContext = { attempt: job.attempt };
    void (async () => {
      try {
        await consumer.handler(job.payload, context);
      } catch (error) {
        this.onError(error, { queue: name, attempt: job.attempt });
        if (job.attempt < consumer.maxAttempts && !this.closed) {
          this.busy++;
          const cancel = this.schedule(consumer.retryDelayMs, () => {
            this.retries.delete(cancel);
            q.pending.push(job);
            this.pump(name);
            this.settle();
          });
          this.retries.add(cancel);
        }
      } finally {
        consumer.running--;
        this.pump(name);
        this.settle();
      }
    })();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("bus is closed");
  }
}
