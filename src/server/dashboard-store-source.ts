/**
 * The production `DashboardSource`: device and queue figures from the store, responses from the
 * bus.
 *
 * - Devices by status and region, and the fleet size (premises = Communications Hubs), come from
 *   `store.devices.counts()`. Counting a million devices takes a while, and the SMI changes slowly,
 *   so the counts are cached for a few seconds and refreshed early when a `device.status` event says
 *   a status changed.
 * - The delivery queue is `store.outbox.counts()` (pending and failed).
 * - Responses: the request store keeps each request's latest state only, so the history the chart
 *   needs is gathered from the `request.state` events the pipeline publishes (I99 on acknowledgement,
 *   I0 or an E-code when the request ends), each completed with its request record (target device,
 *   time received) and counted into `ResponseStats` (per-second counters and latency histograms, in
 *   bounded memory at any rate). Requests refused at the HTTP level never become requests: the app
 *   reports them through `recordRefusal` (src/server/dashboard-refusals.ts). In cluster mode the events reach every node, so each node's
 *   dashboard shows the whole DCC. The statistics start empty when the process starts.
 */
import type { Bus, Subscription } from "../bus/port.js";
import type { Repositories } from "../store/port.js";
import { euiToDuis } from "../store/types.js";
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
import { ResponseStats } from "./dashboard-stats.js";

export interface StoreDashboardSourceOptions {
  readonly store: Pick<Repositories, "devices" | "outbox" | "requests">;
  readonly bus: Pick<Bus, "subscribe">;
  /** What this instance is; the fleet size is counted from the store. */
  readonly instance: Omit<InstanceInfo, "premises">;
  /** Milliseconds since epoch (the composition root's clock). */
  readonly now: () => number;
  /** How long device counts are reused (default 10 s). */
  readonly deviceCountsTtlMs?: number;
  /** How far back response statistics are kept (default 15 min: the chart shows 10). */
  readonly retainMs?: number;
  /** Resolution of the statistics (default 1 s; the chart's buckets are multiples of it). */
  readonly resolutionMs?: number;
  /** Where to report a failed lookup (the event is still counted, without its device and latency). */
  readonly log?: (message: string, error: unknown) => void;
}

interface DeviceCounts {
  readonly at: number;
  readonly byStatus: readonly KeyCount[];
  readonly byRegion: readonly KeyCount[];
  readonly hubs: number;
}

function tally(map: Map<string, number>): KeyCount[] {
  return [...map].map(([key, count]) => ({ key, count }));
}

export class StoreDashboardSource implements DashboardSource, RefusalSink {
  readonly #options: StoreDashboardSourceOptions;
  readonly #stats: ResponseStats;
  readonly #ttl: number;
  #devices: Promise<DeviceCounts> | undefined;
  #subscriptions: Subscription[] = [];
  /** Lookups in flight, so that tests and shutdown can wait for them. */
  readonly #pending = new Set<Promise<void>>();

  constructor(options: StoreDashboardSourceOptions) {
    this.#options = options;
    this.#ttl = options.deviceCountsTtlMs ?? 10_000;
    this.#stats = new ResponseStats({
      ...(options.retainMs === undefined ? {} : { retainMs: options.retainMs }),
      ...(options.resolutionMs === undefined ? {} : { resolutionMs: options.resolutionMs }),
    });
    // Listens from construction, so the window fills from startup, before anyone opens the page.
    this.#subscribe();
  }

  #subscribe(): void {
    const { bus } = this.#options;
    this.#subscriptions = [
      bus.subscribe("request.state", (event) => {
        if (event.responseCode === null) return;
        const code = event.responseCode;
        const lookup = this.#record(event.id, event.requestId, event.srv, code, event.at);
        this.#pending.add(lookup);
        void lookup.finally(() => this.#pending.delete(lookup));
      }),
      bus.subscribe("device.status", () => {
        this.#devices = undefined;
      }),
    ];
  }

  /** Stops listening to the bus (closing the bus does as much). */
  close(): void {
    for (const s of this.#subscriptions) s.unsubscribe();
    this.#subscriptions = [];
  }

  /** Resolves when every response seen so far is counted. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async #record(id: string, requestId: string, srv: string, code: string, at: number): Promise<void> {
    let deviceId: string | null = null;
    let latencyMs: number | null = null;
    try {
      const request = await this.#options.store.requests.get(id);
      if (request !== undefined) {
        deviceId = euiToDuis(request.target);
        latencyMs = Math.max(0, at - request.receivedAt);
      }
    } catch (error) {
      this.#options.log?.("dashboard: request lookup failed", error);
    }
    this.#stats.add({ at: new Date(at), requestId, srv, deviceId, responseCode: code, latencyMs });
  }

  /**
   * A request refused at the HTTP level (see dashboard-refusals.ts). Reported by this node's app,
   * not the bus: in cluster mode each node's dashboard shows the refusals it answered itself.
   */
  recordRefusal(refusal: ResponseRecord): void {
    this.#stats.add(refusal);
  }

  #deviceCounts(): Promise<DeviceCounts> {
    const now = this.#options.now();
    const cached = this.#devices;
    if (cached !== undefined) {
      return cached.then((c) => (now - c.at < this.#ttl ? c : this.#refreshDevices(now)));
    }
    return this.#refreshDevices(now);
  }

  #refreshDevices(now: number): Promise<DeviceCounts> {
    const load = (async (): Promise<DeviceCounts> => {
      const rows = await this.#options.store.devices.counts();
      const byStatus = new Map<string, number>();
      const byRegion = new Map<string, number>();
      let hubs = 0;
      for (const row of rows) {
        byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + row.count);
        byRegion.set(row.region, (byRegion.get(row.region) ?? 0) + row.count);
        if (row.type === "CHF") hubs += row.count;
      }
      return { at: now, byStatus: tally(byStatus), byRegion: tally(byRegion), hubs };
    })();
    this.#devices = load;
    // A failed count is not cached: the next call tries again.
    load.catch(() => {
      if (this.#devices === load) this.#devices = undefined;
    });
    return load;
  }

  async instance(): Promise<InstanceInfo> {
    const { hubs } = await this.#deviceCounts();
    return { ...this.#options.instance, premises: hubs };
  }

  async devicesByStatus(): Promise<readonly KeyCount[]> {
    return (await this.#deviceCounts()).byStatus;
  }

  async devicesByRegion(): Promise<readonly KeyCount[]> {
    return (await this.#deviceCounts()).byRegion;
  }

  async responseCounts(window: BucketWindow): Promise<readonly CodeCounts[]> {
    return this.#stats.counts(window);
  }

  async latency(from: Date, to: Date): Promise<LatencyPercentiles> {
    return this.#stats.latency(from, to);
  }

  async deliveryQueue(): Promise<DeliveryQueueSizes> {
    const counts = await this.#options.store.outbox.counts();
    return { pending: counts.pending ?? 0, failed: counts.failed ?? 0 };
  }

  async latestResponses(limit: number): Promise<readonly ResponseRecord[]> {
    return this.#stats.latest(limit);
  }
}
