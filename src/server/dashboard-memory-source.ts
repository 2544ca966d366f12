/**
 * A `DashboardSource` held in memory: the test seam for the dashboard's routes and page, and a way to
 * show the page with made-up traffic. It implements the real interface, counting with the same
 * helpers a store-backed source may use, so a test against it exercises the same code as production
 * apart from the queries.
 */

import type { RefusalSink } from "./dashboard-refusals.js";
import type {
  BucketWindow,
  CodeCounts,
  DashboardSource,
  DeliveryQueueSizes,
  InstanceInfo,
  KeyCount,
  LatencyPercentiles,
  ResponseRecord,
} from "./dashboard-source.js";
import { ResponseWindow } from "./dashboard-window.js";

export interface MemoryDashboardSourceOptions {
  readonly instance: InstanceInfo;
  /** How many responses to keep (oldest dropped first). */
  readonly capacity?: number;
}

export class MemoryDashboardSource implements DashboardSource, RefusalSink {
  #instance: InstanceInfo;
  #byStatus: KeyCount[] = [];
  #byRegion: KeyCount[] = [];
  #queue: DeliveryQueueSizes = { pending: 0, failed: 0 };
  readonly #responses: ResponseWindow;

  constructor(options: MemoryDashboardSourceOptions) {
    this.#instance = options.instance;
    this.#responses = new ResponseWindow({
      capacity: options.capacity ?? 100_000,
      retainMs: Number.POSITIVE_INFINITY,
    });
  }

  setInstance(instance: InstanceInfo): void {
    this.#instance = instance;
  }

  setDevices(byStatus: readonly KeyCount[], byRegion: readonly KeyCount[]): void {
    this.#byStatus = [...byStatus];
    this.#byRegion = [...byRegion];
  }

  setDeliveryQueue(queue: DeliveryQueueSizes): void {
    this.#queue = queue;
  }

  /** Adds responses; they may come in any order (they are kept sorted by time). */
  record(...responses: readonly ResponseRecord[]): void {
    for (const response of responses) this.#responses.add(response);
  }

  /** A request refused at the HTTP level (see dashboard-refusals.ts), counted like a response. */
  recordRefusal(refusal: ResponseRecord): void {
    this.#responses.add(refusal);
  }

  async instance(): Promise<InstanceInfo> {
    return this.#instance;
  }

  async devicesByStatus(): Promise<readonly KeyCount[]> {
    return this.#byStatus;
  }

  async devicesByRegion(): Promise<readonly KeyCount[]> {
    return this.#byRegion;
  }

  async responseCounts(window: BucketWindow): Promise<readonly CodeCounts[]> {
    return this.#responses.counts(window);
  }

  async latency(from: Date, to: Date): Promise<LatencyPercentiles> {
    return this.#responses.latency(from, to);
  }

  async deliveryQueue(): Promise<DeliveryQueueSizes> {
    return this.#queue;
  }

  async latestResponses(limit: number): Promise<readonly ResponseRecord[]> {
    return this.#responses.latest(limit);
  }
}
