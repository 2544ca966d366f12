/**
 * The cluster bus: NATS core subjects for events, JetStream work-queue streams for jobs, so that
 * several platform nodes share one set of queues and a job survives the process that enqueued it.
 *
 * Names, for a prefix `P` (default `meterway.`):
 * - event subject `P` + `event.` + subject, e.g. `meterway.event.device.status` (core NATS, not
 *   stored: fire and forget, as the port says);
 * - job subject `P` + `work.` + queue, e.g. `meterway.work.request.dispatch`, captured by the stream
 *   named from the prefix and queue in capitals, e.g. `METERWAY_REQUEST_DISPATCH` (retention
 *   WorkQueue: a message is removed once acknowledged or terminated);
 * - one durable pull consumer `workers` per stream, shared by every node, so each job goes to
 *   exactly one handler anywhere in the cluster.
 *
 * Retries are the client's, not the server's: the consumer has no max_deliver, because the port's
 * `maxAttempts` and `retryDelayMs` belong to each `consume()` call. A failed job is NAKed with the
 * retry delay until its delivery count reaches `maxAttempts`, then terminated. A job whose handler
 * outlives the ack wait keeps its claim through progress signals. A job is at least once: a node
 * that dies after its handler resolved but before the server took the ack hands the job on again.
 */
import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import {
  connect,
  type Msg,
  type NatsConnection,
  type Subscription as NatsSubscription,
} from "@nats-io/transport-node";
import { BUS_QUEUES, decodeEvent, decodeWork, encodePayload } from "./codec.js";
import type { BusEvents, BusQueue, BusSubject, BusWork } from "./events.js";
import type { BusErrorHandler } from "./memory.js";
import { checkNatsPrefix, DEFAULT_NATS_PREFIX, NatsConnectError, redactNatsUrl } from "./nats-url.js";
import type { Bus, ConsumeOptions, JobContext, Subscription } from "./port.js";

/** The durable consumer every node pulls a queue's jobs from. */
export const NATS_DURABLE = "workers";

/** How long one pull waits on the server for jobs (the client's minimum; also the most a stopping consumer waits). */
const PULL_EXPIRES_MS = 1000;
/** How long a ping waits for the server. */
const PING_TIMEOUT_MS = 2000;
/** Unacknowledged jobs the server lets the consumer have out at once, over all nodes. */
const MAX_ACK_PENDING = 10_000;

export interface NatsBusOptions {
  /** Server URLs (`nats://host:port`, `tls://host:port`). */
  readonly servers: string | readonly string[];
  /** Subject prefix ending in a dot (default `meterway.`); stream names are made from it. */
  readonly prefix?: string;
  readonly onError?: BusErrorHandler;
  /** Queues whose streams and consumers are made at connect (default: every queue in events.ts). */
  readonly queues?: readonly BusQueue[];
  /** How long a running job keeps its claim without a progress signal (default 30 s). */
  readonly ackWaitMs?: number;
  /** Stream replicas in a clustered NATS (default 1). */
  readonly replicas?: number;
  /** The connection's name on the server (default `meterway`). */
  readonly name?: string;
  /** How long the first connection may take (default 5 s). */
  readonly connectTimeoutMs?: number;
}

/** The subject, stream and consumer of one queue. */
export interface NatsQueueNames {
  readonly subject: string;
  readonly stream: string;
  readonly durable: string;
}

export function natsEventSubject(prefix: string, subject: BusSubject): string {
  return `${prefix}event.${subject}`;
}

export function natsQueueNames(prefix: string, queue: BusQueue): NatsQueueNames {
  const stream = `${prefix}${queue}`.replace(/[^A-Za-z0-9_-]+/g, "_").toUpperCase();
  return { subject: `${prefix}work.${queue}`, stream, durable: NATS_DURABLE };
}

/** Connects, checks JetStream and makes the queues' streams and consumers (idempotent across nodes). */
export async function connectNatsBus(options: NatsBusOptions): Promise<NatsBus> {
  const prefix = checkNatsPrefix(options.prefix ?? DEFAULT_NATS_PREFIX);
  const shown = redactNatsUrl([options.servers].flat().join(","));
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: [options.servers].flat(),
      name: options.name ?? "meterway",
      timeout: options.connectTimeoutMs ?? 5000,
      // Once up, ride out server restarts: reconnect for as long as the process runs.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
  } catch (error) {
    throw new NatsConnectError(`the NATS server at ${shown} is unreachable: ${reason(error)}`, {
      cause: error,
    });
  }
  try {
    let jsm: JetStreamManager;
    try {
      jsm = await jetstreamManager(nc);
    } catch (error) {
      // The client's JetStreamNotEnabled class is not exported; its name is.
      if (error instanceof Error && error.name === "JetStreamNotEnabled") {
        throw new NatsConnectError(
          `JetStream is not enabled on the NATS server at ${shown}; start nats-server with -js`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    const bus = new NatsBus(nc, jsm, prefix, options);
    await Promise.all((options.queues ?? BUS_QUEUES).map((queue) => bus.ensureQueue(queue)));
    return bus;
  } catch (error) {
    await nc.close().catch(() => {});
    if (error instanceof NatsConnectError) throw error;
    throw new NatsConnectError(`the NATS server at ${shown} refused the bus's streams: ${reason(error)}`, {
      cause: error,
    });
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One `consume()` call: a pull subscription on the queue's durable consumer. */
interface Worker {
  readonly queue: BusQueue;
  readonly handler: (job: unknown, context: JobContext) => Promise<void>;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  running: number;
  active: boolean;
  /** Wakes the pull loop when a handler finishes or the worker stops. */
  wake?: () => void;
  loop?: Promise<void>;
}

export class NatsBus implements Bus {
  readonly kind = "nats";
  private readonly js: JetStreamClient;
  private readonly onError: BusErrorHandler;
  private readonly ackWaitMs: number;
  private readonly replicas: number;
  private readonly queues = new Map<BusQueue, Promise<NatsQueueNames>>();
  private readonly workers = new Set<Worker>();
  private readonly subscriptions = new Map<
    BusSubject,
    { readonly sub: NatsSubscription; readonly handlers: Set<(event: unknown) => void | Promise<void>> }
  >();
  private readonly idleWaiters: Array<() => void> = [];
  /** Job and event handlers running in this process. */
  private running = 0;
  private closed = false;
  private closing?: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    readonly prefix: string,
    options: Omit<NatsBusOptions, "servers" | "prefix"> = {},
  ) {
    this.js = jetstream(nc);
    this.onError = options.onError ?? (() => {});
    this.ackWaitMs = Math.max(1000, options.ackWaitMs ?? 30_000);
    this.replicas = Math.max(1, options.replicas ?? 1);
  }

  async publish<S extends BusSubject>(subject: S, event: BusEvents[S]): Promise<void> {
    this.assertOpen();
    this.nc.publish(natsEventSubject(this.prefix, subject), encodePayload(event));
  }

  subscribe<S extends BusSubject>(
    subject: S,
    handler: (event: BusEvents[S]) => void | Promise<void>,
  ): Subscription {
    this.assertOpen();
    let fanOut = this.subscriptions.get(subject);
    if (fanOut === undefined) {
      // One NATS subscription per subject, shared by this process's handlers: an event is decoded
      // (and a bad one reported) once.
      const handlers = new Set<(event: unknown) => void | Promise<void>>();
      const sub = this.nc.subscribe(natsEventSubject(this.prefix, subject), {
        callback: (error, msg) => {
          if (error !== null) this.onError(error, { subject });
          else this.deliverEvent(subject, msg, handlers);
        },
      });
      fanOut = { sub, handlers };
      this.subscriptions.set(subject, fanOut);
    }
    const { sub, handlers } = fanOut;
    const h = handler as (event: unknown) => void | Promise<void>;
    handlers.add(h);
    return {
      unsubscribe: () => {
        if (!handlers.delete(h) || handlers.size > 0) return;
        if (this.subscriptions.get(subject)?.sub === sub) this.subscriptions.delete(subject);
        if (!sub.isClosed() && !this.nc.isClosed()) sub.unsubscribe();
      },
    };
  }

  async enqueue<Q extends BusQueue>(queue: Q, job: BusWork[Q]): Promise<void> {
    this.assertOpen();
    const names = await this.ensureQueue(queue);
    // Resolves once the stream has stored the job.
    await this.js.publish(names.subject, encodePayload(job));
  }

  consume<Q extends BusQueue>(
    queue: Q,
    handler: (job: BusWork[Q], context: JobContext) => Promise<void>,
    options: ConsumeOptions = {},
  ): Subscription {
    this.assertOpen();
    const worker: Worker = {
      queue,
      handler: handler as (job: unknown, context: JobContext) => Promise<void>,
      concurrency: Math.max(1, options.concurrency ?? 1),
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      retryDelayMs: Math.max(0, options.retryDelayMs ?? 1000),
      running: 0,
      active: true,
    };
    this.workers.add(worker);
    worker.loop = this.pull(worker).finally(() => this.workers.delete(worker));
    return { unsubscribe: () => this.stopWorker(worker) };
  }

  /**
   * Resolves when no handler runs here and the stream of every queue this bus consumes is empty
   * (jobs waiting for a retry count as not empty). As with the in-process bus, a queue that nobody
   * consumes here is not waited for: its jobs are another node's to handle.
   */
  async drain(): Promise<void> {
    for (;;) {
      await this.localIdle();
      if (this.nc.isClosed()) return;
      // A round trip: events this connection published have reached its own subscriptions, and
      // the acks and NAKs sent so far have reached the server.
      await this.nc.flush();
      if (this.running > 0) continue;
      if (!(await this.queuesEmpty())) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      if (this.running === 0) return;
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`NATS did not answer within ${PING_TIMEOUT_MS} ms`)),
        PING_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([
        (async () => {
          await this.nc.rtt();
          await this.jsm.getAccountInfo();
        })(),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops pulling (jobs pulled but not started go back to the queue at once), lets running handlers
   * finish, then drains the connection (its acks reach the server) and closes it.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      for (const worker of this.workers) this.stopWorker(worker);
      await Promise.all([...this.workers].map((w) => w.loop));
      await this.localIdle();
      for (const { handlers } of this.subscriptions.values()) handlers.clear();
      this.subscriptions.clear();
      if (!this.nc.isClosed()) await this.nc.drain();
    })();
    return this.closing;
  }

  /** Makes the queue's stream and durable consumer once per bus (safe when nodes race: same config, same result). */
  ensureQueue(queue: BusQueue): Promise<NatsQueueNames> {
    let made = this.queues.get(queue);
    if (made === undefined) {
      made = this.makeQueue(queue);
      this.queues.set(queue, made);
      // A failure is not remembered: the next use tries again.
      made.catch(() => this.queues.delete(queue));
    }
    return made;
  }

  private async makeQueue(queue: BusQueue): Promise<NatsQueueNames> {
    const names = natsQueueNames(this.prefix, queue);
    try {
      await this.jsm.streams.add({
        name: names.stream,
        subjects: [names.subject],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        num_replicas: this.replicas,
      });
    } catch (error) {
      if (!(error instanceof JetStreamApiError)) throw error;
      // Made by another node a moment ago (the server refuses the second of two concurrent
      // creates), or earlier with other settings (an older version, an operator's edit): use it
      // as long as it is a work queue on this subject.
      const config = await this.settled(() => this.jsm.streams.info(names.stream), error);
      if (
        config.config.retention !== RetentionPolicy.Workqueue ||
        !config.config.subjects?.includes(names.subject)
      ) {
        throw new Error(`stream ${names.stream} exists but is not a work queue on ${names.subject}`);
      }
    }
    try {
      await this.jsm.consumers.add(names.stream, {
        durable_name: names.durable,
        ack_policy: AckPolicy.Explicit,
        ack_wait: this.ackWaitMs * 1_000_000,
        deliver_policy: DeliverPolicy.All,
        max_deliver: -1,
        max_ack_pending: MAX_ACK_PENDING,
      });
    } catch (error) {
      if (!(error instanceof JetStreamApiError)) throw error;
      const info = await this.settled(() => this.jsm.consumers.info(names.stream, names.durable), error);
      if (info.config.ack_policy !== AckPolicy.Explicit || info.config.deliver_subject !== undefined) {
        throw new Error(
          `consumer ${names.durable} on ${names.stream} exists but is not a pull consumer with explicit acks`,
        );
      }
    }
    return names;
  }

  /** What another node is making: `look` until it is there (a few tries), else the first error. */
  private async settled<T>(look: () => Promise<T>, first: unknown): Promise<T> {
    for (let tries = 0; tries < 5; tries++) {
      try {
        return await look();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50 * (tries + 1)));
      }
    }
    throw first;
  }

  private deliverEvent(
    subject: BusSubject,
    msg: Msg,
    handlers: ReadonlySet<(event: unknown) => void | Promise<void>>,
  ): void {
    if (handlers.size === 0) return;
    let event: unknown;
    try {
      event = decodeEvent(subject, msg.data);
    } catch (error) {
      this.onError(error, { subject });
      return;
    }
    // Never inside the connection's read loop, and each handler on its own: a slow or failing
    // subscriber does not hold up the others.
    for (const handler of handlers) {
      this.running++;
      void (async () => {
        try {
          await handler(event);
        } catch (error) {
          this.onError(error, { subject });
        } finally {
          this.settle();
        }
      })();
    }
  }

  /**
   * A worker's pull loop. Each pull asks for as many jobs as the worker has free slots, so jobs it
   * cannot start yet stay on the server for other nodes. A pull is never abandoned: stopping waits
   * for the current one to be filled or to expire (at most PULL_EXPIRES_MS) and hands back what it
   * brings at once, where unsubscribing from a pull still open could lose a job in flight until the
   * ack wait ran out.
   */
  private async pull(worker: Worker): Promise<void> {
    let consumer: Consumer | undefined;
    while (worker.active) {
      try {
        while (worker.active && worker.running >= worker.concurrency) {
          await new Promise<void>((resolve) => {
            worker.wake = resolve;
          });
        }
        if (!worker.active) return;
        if (consumer === undefined) {
          const names = await this.ensureQueue(worker.queue);
          consumer = await this.js.consumers.get(names.stream, names.durable);
        }
        const batch = await consumer.fetch({
          max_messages: worker.concurrency - worker.running,
          expires: PULL_EXPIRES_MS,
        });
        for await (const m of batch) {
          if (worker.active) this.runJob(worker, m);
          else m.nak(); // pulled while stopping: back to the queue now
        }
      } catch (error) {
        if (!worker.active) return;
        this.onError(error, { queue: worker.queue });
        consumer = undefined;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private runJob(worker: Worker, m: JsMsg): void {
    const attempt = m.info.deliveryCount;
    const where = { queue: worker.queue, attempt };
    worker.running++;
    this.running++;
    void (async () => {
      let progress: NodeJS.Timeout | undefined;
      try {
        let job: unknown;
        try {
          job = decodeWork(worker.queue, m.data);
        } catch (error) {
          // No retry makes a malformed job well formed.
          this.onError(error, where);
          m.term();
          return;
        }
        if (attempt > worker.maxAttempts) {
          // Delivered again after nodes died holding it: stop before it takes another one down.
          this.onError(
            new Error(
              `${worker.queue}: delivered ${attempt} times, more than maxAttempts ${worker.maxAttempts}; dropped`,
            ),
            where,
          );
          m.term();
          return;
        }
        progress = setInterval(() => m.working(), Math.floor(this.ackWaitMs / 3));
        progress.unref();
        try {
          await worker.handler(job, { attempt });
        } catch (error) {
          this.onError(error, where);
          if (attempt >= worker.maxAttempts) m.term();
          else if (worker.retryDelayMs > 0) m.nak(worker.retryDelayMs);
          else m.nak();
          return;
        }
        await m.ackAck();
      } catch (error) {
        // The ack (or NAK) did not reach the server: the job comes back after the ack wait.
        this.onError(error, where);
      } finally {
        clearInterval(progress);
        worker.running--;
        worker.wake?.();
        this.settle();
      }
    })();
  }

  private stopWorker(worker: Worker): void {
    if (!worker.active) return;
    worker.active = false;
    worker.wake?.();
  }

  private async queuesEmpty(): Promise<boolean> {
    const consumed = new Set<BusQueue>();
    for (const w of this.workers) if (w.active) consumed.add(w.queue);
    for (const queue of consumed) {
      const names = await this.ensureQueue(queue);
      const info = await this.jsm.streams.info(names.stream);
      if (info.state.messages > 0) return false;
    }
    return true;
  }

  private async localIdle(): Promise<void> {
    while (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private settle(): void {
    this.running--;
    if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("bus is closed");
  }
}
