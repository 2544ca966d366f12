/**
 * The port the dashboard reads through. The dashboard needs a handful of aggregate questions answered
 * (how many devices in each status, how many responses of each code per time bucket, latency
 * percentiles, queue sizes, the latest responses); the store answers them with its own queries, and
 * tests answer them from memory. The composition root picks the implementation: `StoreDashboardSource`
 * over the store's repositories, or `MemoryDashboardSource` in tests and demos.
 *
 * Every method is async and read-only, and may be called every couple of seconds while a dashboard is
 * open, so implementations should answer from indexes or counters, not full scans of the request log.
 */
import type { InstanceMode } from "./dashboard-api.js";

export interface InstanceInfo {
  readonly name: string;
  readonly version: string;
  readonly mode: InstanceMode;
  /** Which node this is, in cluster mode. */
  readonly node?: string;
  readonly startedAt: Date;
  /** Simulated premises in the fleet. */
  readonly premises: number;
}

/** A count per key: an SMI device status or a CSP region. */
export interface KeyCount {
  readonly key: string;
  readonly count: number;
}

/**
 * A run of equal time buckets: `[from + i·bucketMs, from + (i+1)·bucketMs)` for i in 0‥buckets-1.
 * Half-open, so a response at exactly a boundary belongs to the later bucket.
 */
export interface BucketWindow {
  readonly from: Date;
  readonly bucketMs: number;
  readonly buckets: number;
}

/** Responses with one response code, counted per bucket (length = window.buckets). */
export interface CodeCounts {
  readonly code: string;
  readonly counts: readonly number[];
}

/** Latency percentiles in milliseconds over the responses completed in a window; null when none. */
export interface LatencyPercentiles {
  readonly count: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
}

/** Sizes of the delivery queue (responses and alerts to Service Users' endpoints). */
export interface DeliveryQueueSizes {
  readonly pending: number;
  readonly failed: number;
}

/** One response as the dashboard lists it. */
export interface ResponseRecord {
  /** When the response was produced (for I99, when the request was acknowledged). */
  readonly at: Date;
  /** `originator:target:counter`. */
  readonly requestId: string;
  readonly srv: string;
  /** Target device EUI-64; null for non-device SRVs. */
  readonly deviceId: string | null;
  readonly responseCode: string;
  /** From receipt of the request to this response; null if unknown. */
  readonly latencyMs: number | null;
  /** For a refusal at the HTTP level (`HTTP 4xx`): the error registry key, when known. */
  readonly error?: string;
  /** For a refusal at the HTTP level: the registry's message (never the request's details). */
  readonly reason?: string;
}

export interface DashboardSource {
  /** Who and what this instance is, for the header. */
  instance(): Promise<InstanceInfo>;
  /** Devices in the Smart Metering Inventory per SMI status (statuses with no device may be left out). */
  devicesByStatus(): Promise<readonly KeyCount[]>;
  /** Devices per CSP region (North, Central, South…), through their Communications Hub. */
  devicesByRegion(): Promise<readonly KeyCount[]>;
  /** Responses per response code per bucket, by the time each response was produced. */
  responseCounts(window: BucketWindow): Promise<readonly CodeCounts[]>;
  /**
   * Latency percentiles over the responses produced in `[from, to)`, leaving out I99
   * acknowledgements: their few milliseconds would otherwise pull the median away from the time a
   * request takes to reach the device and come back.
   */
  latency(from: Date, to: Date): Promise<LatencyPercentiles>;
  deliveryQueue(): Promise<DeliveryQueueSizes>;
  /** The latest `limit` responses, newest first. */
  latestResponses(limit: number): Promise<readonly ResponseRecord[]>;
}

/**
 * The bucket a time falls in, or -1 when outside the window. Shared by implementations that count in
 * code rather than in SQL, so that both agree on the half-open edges.
 */
export function bucketOf(window: BucketWindow, at: Date): number {
  const offset = at.getTime() - window.from.getTime();
  if (offset < 0) return -1;
  const index = Math.floor(offset / window.bucketMs);
  return index < window.buckets ? index : -1;
}

/**
 * Counts `(at, code)` pairs into per-code bucket arrays, busiest code first (then by code, so the
 * order is stable between polls and the chart's colours do not jump).
 */
export function countByCode(
  window: BucketWindow,
  items: Iterable<{ readonly at: Date; readonly code: string }>,
): CodeCounts[] {
  const byCode = new Map<string, number[]>();
  for (const { at, code } of items) {
    const index = bucketOf(window, at);
    if (index < 0) continue;
    let counts = byCode.get(code);
    if (counts === undefined) {
      counts = new Array<number>(window.buckets).fill(0);
      byCode.set(code, counts);
    }
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return [...byCode]
    .map(([code, counts]) => ({ code, counts, total: counts.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.code.localeCompare(b.code))
    .map(({ code, counts }) => ({ code, counts }));
}

/**
 * Nearest-rank percentiles (the smallest value with at least p% of the samples at or below it), so
 * every reported figure is a latency that actually happened.
 */
export function percentiles(samples: readonly number[]): LatencyPercentiles {
  if (samples.length === 0) return { count: 0, p50Ms: null, p95Ms: null, p99Ms: null };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return { count: sorted.length, p50Ms: rank(50), p95Ms: rank(95), p99Ms: rank(99) };
}
