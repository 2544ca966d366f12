/**
 * Token buckets by key (a client address, a user's EUI): each key may spend `burst` requests at
 * once and earns `ratePerSecond` back, up to `burst` again. An instance keeps its own buckets, so
 * each limit (per address, per user, per address for refused requests) is one object made in the
 * composition root.
 *
 * Memory stays bounded whatever the keys: a bucket that has refilled is the same as no bucket, so
 * full buckets are dropped when the table grows past `maxKeys`; if it is still too big, the
 * longest-unused buckets go (their keys start again from a full bucket, which only ever errs on the
 * side of letting a request in).
 */

export interface RateLimit {
  /** Tokens earned per second (sustained requests per second). */
  readonly ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  readonly burst: number;
}

export interface TokenBucketOptions extends RateLimit {
  /** Clock in ms (default Date.now); tests pass their own. */
  readonly now?: () => number;
  /** Buckets kept at most before the table is swept (default 100,000). */
  readonly maxKeys?: number;
}

/** A verdict: admitted, or refused with how long until one more request would be admitted. */
export type RateVerdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

const ADMITTED: RateVerdict = { ok: true };

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #maxKeys: number;
  /** In order of last use (a used key is moved to the end), so the oldest are evicted first. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError(`a rate limit needs a rate above 0 and a burst of at least 1`);
    }
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Spends one token of `key`'s bucket if it has one. */
  take(key: string): RateVerdict {
    const bucket = this.#refilled(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return ADMITTED;
    }
    return this.#refusal(bucket);
  }

  /** Whether `key` has a token, without spending it (the check before a charge that comes later). */
  peek(key: string): RateVerdict {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return ADMITTED;
    this.#refill(bucket);
    return bucket.tokens >= 1 ? ADMITTED : this.#refusal(bucket);
  }

  /** Spends one token of `key`'s bucket after the fact (never below empty). */
  charge(key: string): void {
    const bucket = this.#refilled(key);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
  }

  /** Buckets held now (tests: the table stays bounded). */
  get size(): number {
    return this.#buckets.size;
  }

  #refusal(bucket: Bucket): RateVerdict {
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.#rate) * 1000) };
  }

  #refill(bucket: Bucket): void {
    const now = this.#now();
    // A clock that steps back earns nothing rather than taking tokens away.
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (elapsed / 1000) * this.#rate);
    bucket.at = Math.max(bucket.at, now);
  }

  #refilled(key: string): Bucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxKeys) this.#sweep();
      bucket = { tokens: this.#burst, at: this.#now() };
    } else {
      this.#buckets.delete(key);
      this.#refill(bucket);
    }
    this.#buckets.set(key, bucket);
    return bucket;
  }

  /** Drops full buckets, then the least recently used until a quarter of the room is free. */
  #sweep(): void {
    for (const [key, bucket] of this.#buckets) {
      this.#refill(bucket);
      if (bucket.tokens >= this.#burst) this.#buckets.delete(key);
    }
    const target = Math.floor(this.#maxKeys * 0.75);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= target) break;
      this.#buckets.delete(key);
    }
  }
}

/** `Retry-After` in whole seconds (at least 1: HTTP has no smaller unit). */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
