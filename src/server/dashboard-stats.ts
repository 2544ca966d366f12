/**
 * Response statistics in bounded memory, for a DCC under load: per-second counters by response code
 * and per-second latency histograms over the last minutes, plus the newest few responses for the
 * table. Memory is O(seconds kept × codes + histogram bins in use), whatever the request rate; a
 * summary costs O(seconds in the window), not O(responses).
 *
 * Latency percentiles come from log-spaced histogram bins 5% wide, so a reported percentile is
 * within 2.5% of the exact nearest-rank value (plenty for a dashboard; the exact figures belong to
 * benchmarks). Counts are exact.
 */
import type { BucketWindow, CodeCounts, LatencyPercentiles, ResponseRecord } from "./dashboard-source.js";
import { ACKNOWLEDGEMENT } from "./dashboard-window.js";

/** Histogram bin ratio: bin i ≥ 1 holds latencies in [FLOOR·RATIO^(i-1), FLOOR·RATIO^i). */
const RATIO = 1.05;
const LOG_RATIO = Math.log(RATIO);
/** Latencies at or below this (ms) share bin 0 and are reported as this. */
const FLOOR_MS = 0.1;

export function latencyBin(ms: number): number {
  return ms <= FLOOR_MS ? 0 : 1 + Math.floor(Math.log(ms / FLOOR_MS) / LOG_RATIO);
}

/** The value reported for a bin: its geometric middle, within 2.5% of anything in the bin. */
export function binValue(bin: number): number {
  return bin === 0 ? FLOOR_MS : FLOOR_MS * RATIO ** (bin - 0.5);
}

/** One resolution step of history. */
interface Slot {
  /** Start of the step (ms since epoch, a multiple of the resolution); -1 when unused. */
  start: number;
  readonly codes: Map<string, number>;
  /** Latency bin → count, final responses only. */
  readonly latency: Map<number, number>;
}

export interface ResponseStatsOptions {
  /** Width of one step of history (default 1 s); chart buckets should be multiples of it. */
  readonly resolutionMs?: number;
  /** How much history is kept (default 15 minutes). */
  readonly retainMs?: number;
  /** How many of the newest responses are kept for the table (default 500). */
  readonly latest?: number;
}

export class ResponseStats {
  readonly #resolution: number;
  readonly #slots: Slot[];
  readonly #latest: ResponseRecord[] = [];
  readonly #latestCapacity: number;

  constructor(options: ResponseStatsOptions = {}) {
    this.#resolution = options.resolutionMs ?? 1000;
    const steps = Math.ceil((options.retainMs ?? 15 * 60_000) / this.#resolution);
    this.#slots = Array.from({ length: steps }, () => ({ start: -1, codes: new Map(), latency: new Map() }));
    this.#latestCapacity = options.latest ?? 500;
  }

  add(response: ResponseRecord): void {
    const t = response.at.getTime();
    const start = Math.floor(t / this.#resolution) * this.#resolution;
    const slot = this.#slotFor(start, true);
    if (slot !== undefined) {
      slot.codes.set(response.responseCode, (slot.codes.get(response.responseCode) ?? 0) + 1);
      if (response.latencyMs !== null && response.responseCode !== ACKNOWLEDGEMENT) {
        const bin = latencyBin(response.latencyMs);
        slot.latency.set(bin, (slot.latency.get(bin) ?? 0) + 1);
      }
    }
    this.#latest.push(response);
    if (this.#latest.length > this.#latestCapacity * 2) {
      const kept = this.latest(this.#latestCapacity).reverse();
      this.#latest.splice(0, this.#latest.length, ...kept);
    }
  }

  /**
   * The slot holding step `start`, or undefined when that step is no longer kept. With `claim`, a
   * slot holding an older step is cleared and reused (the ring moves on).
   */
  #slotFor(start: number, claim: boolean): Slot | undefined {
    const n = this.#slots.length;
    const slot = this.#slots[(((start / this.#resolution) % n) + n) % n];
    if (slot === undefined) return undefined;
    if (slot.start === start) return slot;
    if (!claim || slot.start > start) return undefined;
    slot.start = start;
    slot.codes.clear();
    slot.latency.clear();
    return slot;
  }

  /** The kept steps whose start lies in [from, to), in order. */
  *#steps(from: number, to: number): IterableIterator<Slot> {
    const first = Math.ceil(from / this.#resolution) * this.#resolution;
    for (let s = first; s < to; s += this.#resolution) {
      const slot = this.#slotFor(s, false);
      if (slot !== undefined) yield slot;
    }
  }

  counts(window: BucketWindow): CodeCounts[] {
    const byCode = new Map<string, number[]>();
    const from = window.from.getTime();
    for (let b = 0; b < window.buckets; b++) {
      const start = from + b * window.bucketMs;
      for (const slot of this.#steps(start, start + window.bucketMs)) {
        for (const [code, n] of slot.codes) {
          let counts = byCode.get(code);
          if (counts === undefined) {
            counts = new Array<number>(window.buckets).fill(0);
            byCode.set(code, counts);
          }
          counts[b] = (counts[b] ?? 0) + n;
        }
      }
    }
    return [...byCode]
      .map(([code, counts]) => ({ code, counts, total: counts.reduce((a, b) => a + b, 0) }))
      .sort((a, b) => b.total - a.total || a.code.localeCompare(b.code))
      .map(({ code, counts }) => ({ code, counts }));
  }

  latency(from: Date, to: Date): LatencyPercentiles {
    const bins = new Map<number, number>();
    let count = 0;
    for (const slot of this.#steps(from.getTime(), to.getTime())) {
      for (const [bin, n] of slot.latency) {
        bins.set(bin, (bins.get(bin) ?? 0) + n);
        count += n;
      }
    }
    if (count === 0) return { count: 0, p50Ms: null, p95Ms: null, p99Ms: null };
    const sorted = [...bins].sort((a, b) => a[0] - b[0]);
    const rank = (p: number): number => {
      const target = Math.max(1, Math.ceil((p / 100) * count));
      let seen = 0;
      for (const [bin, n] of sorted) {
        seen += n;
        if (seen >= target) return Math.round(binValue(bin) * 10) / 10;
      }
      return Math.round(binValue(sorted.at(-1)?.[0] ?? 0) * 10) / 10;
    };
    return { count, p50Ms: rank(50), p95Ms: rank(95), p99Ms: rank(99) };
  }

  /** The newest `limit` responses (up to the kept number), newest first; at equal times, last added first. */
  latest(limit: number): ResponseRecord[] {
    return this.#latest
      .map((r, i) => ({ r, i }))
      .sort((a, b) => b.r.at.getTime() - a.r.at.getTime() || b.i - a.i)
      .slice(0, limit)
      .map(({ r }) => r);
  }
}
