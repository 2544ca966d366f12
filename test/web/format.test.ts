import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clock, compact, count, duration, latency, percent, rate, words } from "../../web/src/format.js";

describe("format", () => {
  it("groups counts and compacts large ones", () => {
    assert.equal(count(1_234_567), "1,234,567");
    assert.equal(compact(950), "950");
    assert.equal(compact(12_300), "12.3k");
    assert.equal(compact(4_500_000), "4.5M");
    assert.equal(compact(250_000), "250k");
    assert.equal(compact(0.5), "0.5");
    assert.equal(compact(1.25), "1.25");
    assert.equal(compact(2), "2");
  });

  it("writes rates with precision that shrinks as they grow", () => {
    assert.equal(rate(0), "0");
    assert.equal(rate(0.2), "0.20");
    assert.equal(rate(41.06), "41.1");
    assert.equal(rate(1234.4), "1,234");
  });

  it("writes latencies in ms, s or min", () => {
    assert.deepEqual(latency(null), ["–", ""]);
    assert.deepEqual(latency(0.42), ["0.4", "ms"]);
    assert.deepEqual(latency(85.4), ["85", "ms"]);
    assert.deepEqual(latency(2350), ["2.35", "s"]);
    assert.deepEqual(latency(45_000), ["45.0", "s"]);
    assert.deepEqual(latency(90_000), ["1.5", "min"]);
  });

  it("never writes a non-zero share as 0%", () => {
    assert.equal(percent(1, 5000), "<0.1%");
    assert.equal(percent(0, 5000), "0%");
    assert.equal(percent(96, 4796), "2.0%");
    assert.equal(percent(4618, 4796), "96%");
    assert.equal(percent(1, 0), "–");
  });

  it("writes uptime in its two largest units", () => {
    assert.equal(duration(45_000), "45 s");
    assert.equal(duration((2 * 3600 + 13 * 60) * 1000), "2 h 13 min");
    assert.equal(duration((3 * 86_400 + 4 * 3600) * 1000), "3 d 4 h");
  });

  it("writes a time of day and splits PascalCase statuses", () => {
    assert.equal(clock("2026-11-28T14:02:09.123Z", "UTC"), "14:02:09");
    assert.equal(clock("not a time"), "–");
    assert.equal(words("InstalledNotCommissioned"), "Installed not commissioned");
    assert.equal(words("Commissioned"), "Commissioned");
  });
});
