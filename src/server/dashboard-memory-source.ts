/**
 * A `DashboardSource` held in memory: the test seam for the dashboard's routes and page, and a way to
 * show the page with made-up traffic. It implements the real interface, counting with the same
 * helpers a store-backed source may use, so a test against it exercises the same code as production
 * apart from the queries.
 */
import {
  type BucketWindow,
  type CodeCounts,
  countByCode,
  type DashboardSource,
  type DeliveryQueueSizes,
  type InstanceInfo,
  type KeyCount,
  type LatencyPercentiles,
  percentiles,
  type ResponseRecord,
} from "./dashboard-source.js";

/** The DUIS acknowledgement code, left out of latency (see DashboardSource.latency). */
const ACKNOWLEDGEMENT = "I99";

export interface MemoryDashboardSourceOptions {
  readonly instance: InstanceInfo;
  /** How many responses to keep (oldest dropped first); the summary only looks at recent ones. */
  readonly capacity?: number;
}

export class MemoryDashboardSource implements DashboardSource {
  #instance: InstanceInfo;
  #byStatus: KeyCount[] = [];
  #byRegion: KeyCount[] = [];
  #queue: DeliveryQueueSizes = { pending: 0, failed: 0 };
  /** Oldest first. */
  #responses: ResponseRecord[] = [];
  readonly #capacity: number;

  constructor(options: MemoryDashboardSourceOptions) {
    this.#instance = options.instance;
    this.#capacity = options.capacity ?? 100_000;
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
    for (const response of responses) {
      let i = this.#responses.length;
      while (i > 0 && (this.#responses[i - 1]?.at.getTime() ?? 0) > response.at.getTime()) i--;
      this.#responses.splice(i, 0, response);
    }
    const excess = this.#responses.length - this.#capacity;
    if (excess > 0) this.#responses.splice(0, excess);
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
    return countByCode(
      window,
      this.#responses.map((r) => ({ at: r.at, code: r.responseCode })),
    );
  }

  async latency(from: Date, to: Date): Promise<LatencyPercentiles> {
    const samples: number[] = [];
    for (const r of this.#responses) {
      const t = r.at.getTime();
      if (t < from.getTime() || t >= to.getTime()) continue;
      if (r.latencyMs !== null && r.responseCode !== ACKNOWLEDGEMENT) samples.push(r.latencyMs);
    }
    return percentiles(samples);
  }

  async deliveryQueue(): Promise<DeliveryQueueSizes> {
    return this.#queue;
  }

  async latestResponses(limit: number): Promise<readonly ResponseRecord[]> {
    return this.#responses.slice(Math.max(0, this.#responses.length - limit)).reverse();
  }
}
