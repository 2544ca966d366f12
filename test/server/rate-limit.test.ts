import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { retryAfterSeconds, TokenBuckets } from "../../src/server/rate-limit.js";

function clock() {
  const c = { t: 1_000_000, now: () => c.t };
  return c;
}

describe("TokenBuckets", () => {
  it("admits a burst, then refuses with the time until the next token", () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 3, now: c.now });
    assert.deepEqual(
      [1, 2, 3].map(() => buckets.take("a").ok),
      [true, true, true],
    );
    assert.deepEqual(buckets.take("a"), { ok: false, retryAfterMs: 500 });
    c.t += 250;
    assert.deepEqual(buckets.take("a"), { ok: false, retryAfterMs: 250 }, "half a token earned");
    c.t += 250;
    assert.equal(buckets.take("a").ok, true, "one token after 1/rate seconds");
    assert.equal(buckets.take("a").ok, false);
  });

  it("keeps each key's bucket apart", () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1, now: c.now });
    assert.equal(buckets.take("flood").ok, true);
    assert.equal(buckets.take("flood").ok, false);
    assert.equal(buckets.take("quiet").ok, true, "another key still has its burst");
  });

  it("refills to the burst and no further, and earns nothing when the clock steps back", () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 2, now: c.now });
    buckets.take("a");
    buckets.take("a");
    c.t += 60_000;
    assert.deepEqual(
      [1, 2, 3].map(() => buckets.take("a").ok),
      [true, true, false],
    );
    c.t -= 30_000;
    assert.equal(buckets.take("a").ok, false);
  });

  it("peek looks without spending; charge spends after the fact", () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 2, now: c.now });
    assert.equal(buckets.peek("a").ok, true);
    assert.equal(buckets.size, 0, "a look makes no bucket");
    buckets.charge("a");
    buckets.charge("a");
    buckets.charge("a");
    assert.deepEqual(buckets.peek("a"), { ok: false, retryAfterMs: 1000 }, "never below empty");
    c.t += 1000;
    assert.equal(buckets.peek("a").ok, true);
  });

  it("stays bounded under many keys, dropping full buckets first", () => {
    const c = clock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 5, now: c.now, maxKeys: 100 });
    buckets.take("busy");
    for (let i = 0; i < 1000; i++) buckets.take(`addr-${i}`);
    assert.ok(buckets.size <= 100, `${buckets.size} buckets`);
    // A key that refilled while others came is the same as a key never seen.
    c.t += 10_000;
    for (let i = 0; i < 5; i++) assert.equal(buckets.take("busy").ok, true);
  });

  it("refuses a limit that could never admit anything", () => {
    assert.throws(() => new TokenBuckets({ ratePerSecond: 0, burst: 1 }), RangeError);
    assert.throws(() => new TokenBuckets({ ratePerSecond: 1, burst: 0 }), RangeError);
  });

  it("writes Retry-After in whole seconds, at least one", () => {
    assert.equal(retryAfterSeconds(1), 1);
    assert.equal(retryAfterSeconds(1000), 1);
    assert.equal(retryAfterSeconds(1001), 2);
  });
});
