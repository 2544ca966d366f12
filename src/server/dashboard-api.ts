/**
 * The dashboard's JSON wire format: what `GET /api/v1/dashboard/summary`, `…/responses` and the
 * `…/events` stream send. Plain data (ISO-8601 strings for times, numbers for counts) so that the page
 * in web/ and scripts can use it as it is. Types only: the page imports this file too, and nothing
 * here may pull server code into the browser bundle.
 */

/** `embedded` is one process with SQLite; `cluster` is stateless nodes over PostgreSQL and NATS. */
export type InstanceMode = "embedded" | "cluster";

export interface InstanceJson {
  readonly name: string;
  readonly version: string;
  readonly mode: InstanceMode;
  /** Which node answered, in cluster mode (a hostname or id). */
  readonly node?: string;
  readonly startedAt: string;
  /** Simulated premises in the fleet (each has a Communications Hub and its HAN devices). */
  readonly premises: number;
}

export interface CountJson {
  /** An SMI device status (Commissioned, InstalledNotCommissioned…) or a CSP region (North, Central…). */
  readonly key: string;
  readonly count: number;
}

export interface CodeSeriesJson {
  /** A DUIS response code (I0, I99, E3…) or `HTTP <status>` for refusals at the HTTP level. */
  readonly code: string;
  /** Responses with this code in each bucket, oldest first; divide by bucketSeconds for a rate. */
  readonly counts: readonly number[];
}

export interface RequestSeriesJson {
  /** Start of the oldest bucket. */
  readonly from: string;
  readonly bucketSeconds: number;
  readonly buckets: number;
  /** One series per response code seen in the window, busiest first. */
  readonly series: readonly CodeSeriesJson[];
}

export interface LatencyJson {
  /** Responses the percentiles were taken over: those produced inside the window, less I99 acknowledgements. */
  readonly count: number;
  /** Milliseconds from receiving the request to its response; null when count is 0. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
}

export interface DeliveryQueueJson {
  /** Responses and alerts waiting to be delivered or retried. */
  readonly pending: number;
  /** Those that ran out of retries: kept (two days) for the pull API. */
  readonly failed: number;
}

export interface SummaryJson {
  /** Server time the summary was taken at. */
  readonly at: string;
  readonly instance: InstanceJson;
  readonly devices: {
    readonly total: number;
    readonly byStatus: readonly CountJson[];
    readonly byRegion: readonly CountJson[];
  };
  readonly requests: RequestSeriesJson;
  readonly latency: LatencyJson & { readonly windowSeconds: number };
  readonly delivery: DeliveryQueueJson;
}

export interface ResponseJson {
  /** When the response was produced. */
  readonly at: string;
  readonly requestId: string;
  /** The Service Reference Variant, e.g. 4.1.1. */
  readonly srv: string;
  /** The target device's EUI-64; null for non-device requests. */
  readonly deviceId: string | null;
  /** A DUIS response code (I0, I99, E…), or `HTTP <status>` for a refusal before any DUIS answer. */
  readonly responseCode: string;
  readonly latencyMs: number | null;
  /** For an `HTTP <status>` refusal: the error registry key (src/duis/errors.ts), when known. */
  readonly error?: string;
  /** For an `HTTP <status>` refusal: the registry's message. */
  readonly reason?: string;
}

export interface ResponsesJson {
  readonly at: string;
  readonly responses: readonly ResponseJson[];
}

/** Event names on `GET /api/v1/dashboard/events` (server-sent events); data is the JSON above. */
export type DashboardEventName = "summary" | "responses";
