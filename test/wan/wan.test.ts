import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InProcessWan, ManualTimer, memoryWanPair, type RoundTrip } from "../../src/wan/memory.js";
import { WanError } from "../../src/wan/port.js";
import { DEFAULT_REGION_MODELS, DelayModel, ZERO_DELAY } from "../../src/wan/regions.js";
import { Rng } from "../../src/wan/rng.js";

const frame = (...bytes: number[]) => Uint8Array.from(bytes);

describe("seeded rng", () => {
  it("repeats its sequence for a seed and differs between seeds", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 100 }, () => a.u32());
    const sb = Array.from({ length: 100 }, () => b.u32());
    const sc = Array.from({ length: 100 }, () => c.u32());
    assert.deepEqual(sa, sb);
    assert.notDeepEqual(sa, sc);
    assert.ok(sa.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
  });

  it("draws uniform floats and integers in range", () => {
    const rng = new Rng(7);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = rng.next();
      assert.ok(x >= 0 && x < 1);
      sum += x;
      const k = rng.int(6);
      assert.ok(Number.isInteger(k) && k >= 0 && k < 6);
    }
    assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.02, `mean ${sum / 10_000}`);
    assert.throws(() => rng.int(0), RangeError);
  });
});

describe("region delay model", () => {
  it("gives the same samples for the same seed", () => {
    const model = DEFAULT_REGION_MODELS.North;
    const one = new DelayModel(model, new Rng(9));
    const two = new DelayModel(model, new Rng(9));
    const samples = Array.from({ length: 200 }, () => one.sample());
    assert.deepEqual(
      samples,
      Array.from({ length: 200 }, () => two.sample()),
    );
  });

  it("centres latency on the median and loses about the modelled share", () => {
    const model = { medianMs: 1000, sigma: 0.5, loss: 0.05, capacity: 10 };
    const delay = new DelayModel(model, new Rng(3));
    const samples = Array.from({ length: 20_000 }, () => delay.sample());
    const sorted = samples.map((s) => s.delayMs).sort((a, b) => a - b);
    const median = sorted[sorted.length / 2]!;
    assert.ok(median > 950 && median < 1050, `median ${median}`);
    const lossRate = samples.filter((s) => s.lost).length / samples.length;
    assert.ok(lossRate > 0.04 && lossRate < 0.06, `loss ${lossRate}`);
    assert.ok(sorted.at(-1)! <= 60_000);
  });

  it("scales time and has a zero model", () => {
    const fast = new DelayModel({ medianMs: 1000, sigma: 0, loss: 0, capacity: 1 }, new Rng(1), 60_000, 0.01);
    assert.equal(fast.sample().delayMs, 10);
    assert.deepEqual(new DelayModel(ZERO_DELAY, new Rng(1)).sample(), { delayMs: 0, lost: false });
    assert.throws(() => new DelayModel({ ...ZERO_DELAY, loss: 2 }, new Rng(1)), RangeError);
  });
});

describe("in-process WAN", () => {
  it("round-trips frames through a zero-delay pair, copying buffers", async () => {
    const { wan, hubs } = memoryWanPair();
    const detach = hubs.attach("00000000000000c1", "Central", async (command) => {
      command[0] = 0xff; // the device scribbles on its copy
      return [frame(0xdf, 0x09), frame(1)];
    });
    const command = frame(0xdd, 0x00);
    assert.deepEqual(await wan.send("00000000000000c1", command), [frame(0xdf, 0x09), frame(1)]);
    assert.deepEqual(command, frame(0xdd, 0x00));
    detach();
    await assert.rejects(wan.send("00000000000000c1", command), (e: unknown) => {
      assert.ok(e instanceof WanError);
      assert.equal(e.failure, "unknown-hub");
      return true;
    });
  });

  it("carries unsolicited frames from hubs to the DCC", async () => {
    const { wan, hubs } = memoryWanPair();
    hubs.attach("00000000000000c1", "South", async () => []);
    const got: string[] = [];
    const stop = wan.onInbound((i) =>
      got.push(`${i.hubEui}:${i.region}:${Buffer.from(i.frame).toString("hex")}`),
    );
    await hubs.sendUnsolicited("00000000000000c1", frame(0xdf, 0x09, 0x03));
    stop();
    await hubs.sendUnsolicited("00000000000000c1", frame(0));
    assert.deepEqual(got, ["00000000000000c1:South:df0903"]);
    await assert.rejects(hubs.sendUnsolicited("00000000000000ff", frame(0)), WanError);
  });

  it("delays each leg by the region model, deterministically for a seed", async () => {
    async function run(seed: number): Promise<number[]> {
      const timer = new ManualTimer();
      const trips: RoundTrip[] = [];
      const link = new InProcessWan({ seed, timer, onRoundTrip: (t) => trips.push(t) });
      link.attach("00000000000000a1", "North", async () => [frame(2)]);
      const sends = Array.from({ length: 5 }, () =>
        link.send("00000000000000a1", frame(1)).catch((e: unknown) => e),
      );
      await timer.advance(200_000);
      await Promise.all(sends);
      return trips.map((t) => t.ms);
    }
    const first = await run(5);
    assert.equal(first.length, 5);
    assert.ok(first.every((ms) => ms > 0));
    assert.deepEqual(await run(5), first);
    assert.notDeepEqual(await run(6), first);
  });

  it("queues frames beyond a region's capacity", async () => {
    const timer = new ManualTimer();
    const model = { medianMs: 100, sigma: 0, loss: 0, capacity: 1 };
    const link = new InProcessWan({ timer, models: { Central: model } });
    link.attach("00000000000000b1", "Central", async () => [frame(9)]);
    const done: number[] = [];
    const a = link.send("00000000000000b1", frame(1)).then(() => done.push(timer.now()));
    const b = link.send("00000000000000b1", frame(2)).then(() => done.push(timer.now()));
    await timer.advance(0);
    assert.equal(link.queued("Central"), 1);
    await timer.advance(1000);
    await Promise.all([a, b]);
    // Each round trip is two 100 ms legs; the second waits for the first.
    assert.deepEqual(done, [200, 400]);
  });

  it("reports loss and timeouts as WanError values", async () => {
    const timer = new ManualTimer();
    const trips: RoundTrip[] = [];
    const link = new InProcessWan({
      timer,
      timeoutMs: 1000,
      models: {
        North: { medianMs: 10, sigma: 0, loss: 1, capacity: 10 },
        South: { medianMs: 10, sigma: 0, loss: 0, capacity: 10 },
      },
      onRoundTrip: (t) => trips.push(t),
    });
    link.attach("0000000000000001", "North", async () => [frame(1)]);
    link.attach("0000000000000002", "South", () => new Promise(() => {})); // never answers
    const lost = link.send("0000000000000001", frame(0)).catch((e: unknown) => e);
    const silent = link.send("0000000000000002", frame(0)).catch((e: unknown) => e);
    await timer.advance(2000);
    const [l, s] = await Promise.all([lost, silent]);
    assert.ok(l instanceof WanError && l.failure === "lost");
    assert.ok(s instanceof WanError && s.failure === "timeout");
    assert.deepEqual(trips.map((t) => `${t.region}:${t.outcome}`).sort(), ["North:lost", "South:timeout"]);
    await link.close();
    await assert.rejects(link.send("0000000000000001", frame(0)), /closed/);
  });

  it("ends sends still waiting for their hub when it closes, without waiting for the timeout", async () => {
    const timer = new ManualTimer();
    const link = new InProcessWan({ timer, timeoutMs: 120_000 });
    link.attach("0000000000000002", "South", () => new Promise(() => {})); // never answers
    const waiting = link.send("0000000000000002", frame(0)).catch((e: unknown) => e);
    await timer.advance(1000);
    await link.close();
    // Time has not moved: only close can have ended it (and a real-time limit keeps a regression
    // from hanging the suite).
    const error = await Promise.race([
      waiting,
      new Promise((resolve) =>
        setTimeout(() => resolve(new Error("still waiting after close")), 5000).unref(),
      ),
    ]);
    assert.ok(error instanceof WanError && error.failure === "closed", String(error));
    assert.equal(timer.now(), 1000);
  });
});
