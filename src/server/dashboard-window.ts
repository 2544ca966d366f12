/**
 * A rolling window of recent responses, kept in memory: what the dashboard's rate chart, latency
 * percentiles and responses table are computed from. The request store keeps each request's latest
 * state only (an acknowledged request's I99 is overwritten by its I0), so the history of responses
 * over the last minutes is gathered here as they happen.
 */
import {
  type BucketWindow,
  type CodeCounts,
  countByCode,
  type LatencyPercentiles,
  percentiles,
  type ResponseRecord,
} from "./dashboard-source.js";

/** The DUIS acknowledgement code, left out of latency (see DashboardSource.latency). */
export const ACKNOWLEDGEMENT = "I99";

export interface ResponseWindowOptions {
  /** Responses older than this (behind the newest) are dropped; default 15 minutes. */
  readonly retainMs?: number;
  /** At most this many are kept, oldest dropped first; default 500,000 (bounds memory under load). */
  readonly capacity?: number;
}

export class ResponseWindow {
  /** Oldest first; entries before #head are dropped and compacted away from time to time. */
  #items: ResponseRecord[] = [];
  #head = 0;
  readonly #retainMs: number;
  readonly #capacity: number;

  constructor(options: ResponseWindowOptions = {}) {
    this.#retainMs = options.retainMs ?? 15 * 60_000;
    this.#capacity = options.capacity ?? 500_000;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Adds a response; responses may arrive slightly out of order (they are kept sorted by time). */
  add(response: ResponseRecord): void {
    const t = response.at.getTime();
    let i = this.#items.length;
    while (i > this.#head && (this.#items[i - 1]?.at.getTime() ?? 0) > t) i--;
    if (i === this.#items.length) this.#items.push(response);
    else this.#items.splice(i, 0, response);
    this.#prune();
  }

  #prune(): void {
    const newest = this.#items.at(-1)?.at.getTime() ?? 0;
    const cutoff = newest - this.#retainMs;
    while (this.#head < this.#items.length && (this.#items[this.#head]?.at.getTime() ?? 0) < cutoff)
      this.#head++;
    const excess = this.size - this.#capacity;
    if (excess > 0) this.#head += excess;
    // Compact once the dropped prefix is as large as what is kept: amortised O(1) per add.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Iterates the kept responses from `from` (inclusive) to `to` (exclusive), oldest first. */
  *between(from: Date, to: Date): IterableIterator<ResponseRecord> {
    const start = this.#firstAtOrAfter(from.getTime());
    const end = to.getTime();
    for (let i = start; i < this.#items.length; i++) {
      const r = this.#items[i];
      if (r === undefined || r.at.getTime() >= end) return;
      yield r;
    }
  }

  /** Binary search for the first kept index with at >= t. */
  #firstAtOrAfter(t: number): number {
    let lo = this.#head;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#items[mid]?.at.getTime() ?? 0) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  counts(window: BucketWindow): CodeCounts[] {
    const to = new Date(window.from.getTime() + window.bucketMs * window.buckets);
    const pairs: { at: Date; code: string }[] = [];
    for (const r of this.between(window.from, to)) pairs.push({ at: r.at, code: r.responseCode });
    return countByCode(window, pairs);
  }

  /** Percentiles over final responses in [from, to): acknowledgements and unknown latencies left out. */
  latency(from: Date, to: Date): LatencyPercentiles {
    const samples: number[] = [];
    for (const r of this.between(from, to)) {
      if (r.latencyMs !== null && r.responseCode !== ACKNOWLEDGEMENT) samples.push(r.latencyMs);
    }
    return percentiles(samples);
  }

  /** The newest `limit`, newest first. */
  latest(limit: number): ResponseRecord[] {
    const out: ResponseRecord[] = [];
    for (let i = this.#items.length - 1; i >= this.#head && out.length < limit; i--) {
      const r = this.#items[i];
      if (r !== undefined) out.push(r);
    }
    return out;
  }
}
