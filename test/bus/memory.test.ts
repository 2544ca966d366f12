import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryBus } from "../../src/bus/memory.js";
import { busContract } from "./contract.js";

busContract("memory", () => new MemoryBus());

/** A retry scheduler the test fires by hand. */
function manualSchedule() {
  const due: Array<() => void> = [];
  return {
    schedule: (_delay: number, run: () => void) => {
      due.push(run);
      return () => {
        const i = due.indexOf(run);
        if (i >= 0) due.splice(i, 1);
      };
    },
    fire: () => {
      for (const run of due.splice(0)) run();
    },
    get waiting() {
      return due.length;
    },
  };
}

describe("memory bus", () => {
  it("fans events out to every subscriber, after publish returns", async () => {
    const bus = new MemoryBus();
    const seen: string[] = [];
    bus.subscribe("device.status", (e) => {
      seen.push(`a:${e.eui}`);
    });
    const sub = bus.subscribe("device.status", async (e) => {
      seen.push(`b:${e.eui}`);
    });
    const published = bus.publish("device.status", { eui: "01", status: "Suspended", at: 1 });
    assert.deepEqual(seen, [], "handlers do not run inside publish");
    await published;
    await bus.drain();
    assert.deepEqual(seen.sort(), ["a:01", "b:01"]);
    sub.unsubscribe();
    await bus.publish("device.status", { eui: "02", status: "Suspended", at: 1 });
    await bus.drain();
    assert.deepEqual(seen.sort(), ["a:01", "a:02", "b:01"]);
    await bus.close();
  });

  it("isolates a failing subscriber", async () => {
    const errors: unknown[] = [];
    const bus = new MemoryBus({ onError: (e) => errors.push(e) });
    let got = 0;
    bus.subscribe("device.status", () => {
      throw new Error("bad subscriber");
    });
    bus.subscribe("device.status", () => {
      got++;
    });
    await bus.publish("device.status", { eui: "01", status: "Suspended", at: 1 });
    await bus.drain();
    assert.equal(got, 1);
    assert.equal(errors.length, 1);
    await bus.close();
  });

  it("gives each job to exactly one consumer, and keeps jobs until a consumer comes", async () => {
    const bus = new MemoryBus();
    for (let i = 0; i < 10; i++) await bus.enqueue("request.dispatch", { id: `r${i}` });
    assert.equal(bus.depth("request.dispatch"), 10);
    const a: string[] = [];
    const b: string[] = [];
    bus.consume("request.dispatch", async (job) => {
      a.push(job.id);
    });
    bus.consume("request.dispatch", async (job) => {
      b.push(job.id);
    });
    await bus.drain();
    assert.equal(a.length + b.length, 10);
    assert.equal(new Set([...a, ...b]).size, 10);
    assert.ok(a.length > 0 && b.length > 0, "both consumers get work");
    await bus.close();
  });

  it("respects a consumer's concurrency", async () => {
    const bus = new MemoryBus();
    let running = 0;
    let peak = 0;
    bus.consume(
      "outbox.deliver",
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running--;
      },
      { concurrency: 3 },
    );
    for (let i = 0; i < 12; i++) await bus.enqueue("outbox.deliver", { outboxId: `m${i}` });
    await bus.drain();
    assert.equal(peak, 3);
    await bus.close();
  });

  it("retries a failed job until it is acknowledged, then stops at maxAttempts", async () => {
    const clock = manualSchedule();
    const errors: unknown[] = [];
    const bus = new MemoryBus({ schedule: clock.schedule, onError: (e) => errors.push(e) });
    const attempts: number[] = [];
    bus.consume(
      "request.dispatch",
      async (job, ctx) => {
        attempts.push(ctx.attempt);
        if (job.id === "flaky" && ctx.attempt < 2) throw new Error("try again");
        if (job.id === "broken") throw new Error("always");
      },
      { maxAttempts: 3, retryDelayMs: 10 },
    );
    await bus.enqueue("request.dispatch", { id: "flaky" });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(attempts, [1]);
    assert.equal(clock.waiting, 1);
    clock.fire();
    await bus.drain();
    assert.deepEqual(attempts, [1, 2]);

    attempts.length = 0;
    await bus.enqueue("request.dispatch", { id: "broken" });
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setImmediate(r));
      clock.fire();
    }
    await bus.drain();
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(errors.length, 4);
    await bus.close();
  });

  it("refuses work after close and reports itself unhealthy", async () => {
    const bus = new MemoryBus();
    await bus.ping();
    await bus.close();
    await assert.rejects(bus.ping(), /closed/);
    await assert.rejects(bus.enqueue("request.dispatch", { id: "x" }), /closed/);
  });
});
