/**
 * The messaging port's behaviour, as one suite every adapter runs: `busContract(name, open)` with a
 * function that opens a fresh bus. The in-process adapter runs it in test/bus/memory.test.ts; a NATS
 * adapter runs the same suite.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Bus } from "../../src/bus/port.js";

export function busContract(name: string, open: () => Bus | Promise<Bus>): void {
  describe(`bus contract: ${name}`, () => {
    it("delivers an event to every subscriber, not after unsubscribe", async () => {
      const bus = await open();
      const seen: string[] = [];
      bus.subscribe("device.status", (e) => {
        seen.push(`a:${e.eui}`);
      });
      const b = bus.subscribe("device.status", (e) => {
        seen.push(`b:${e.eui}`);
      });
      await bus.publish("device.status", { eui: "01", status: "Suspended", at: 1 });
      await bus.drain();
      b.unsubscribe();
      await bus.publish("device.status", { eui: "02", status: "Suspended", at: 2 });
      await bus.drain();
      assert.deepEqual(seen.sort(), ["a:01", "a:02", "b:01"]);
      await bus.close();
    });

    it("gives each job to exactly one consumer and keeps jobs until one comes", async () => {
      const bus = await open();
      for (let i = 0; i < 20; i++) await bus.enqueue("request.dispatch", { id: `r${i}` });
      const got: string[] = [];
      for (let c = 0; c < 3; c++) {
        bus.consume("request.dispatch", async (job) => {
          got.push(job.id);
        });
      }
      await bus.drain();
      assert.equal(got.length, 20);
      assert.equal(new Set(got).size, 20);
      await bus.close();
    });

    it("redelivers a job whose handler fails, up to maxAttempts", async () => {
      const bus = await open();
      const attempts = new Map<string, number[]>();
      bus.consume(
        "outbox.deliver",
        async (job, context) => {
          attempts.set(job.outboxId, [...(attempts.get(job.outboxId) ?? []), context.attempt]);
          if (job.outboxId === "flaky" && context.attempt < 3) throw new Error("not yet");
          if (job.outboxId === "broken") throw new Error("never");
        },
        { maxAttempts: 3, retryDelayMs: 1 },
      );
      await bus.enqueue("outbox.deliver", { outboxId: "flaky" });
      await bus.enqueue("outbox.deliver", { outboxId: "broken" });
      await bus.enqueue("outbox.deliver", { outboxId: "fine" });
      await bus.drain();
      assert.deepEqual(attempts.get("flaky"), [1, 2, 3]);
      assert.deepEqual(attempts.get("broken"), [1, 2, 3]);
      assert.deepEqual(attempts.get("fine"), [1]);
      await bus.close();
    });

    it("answers ping while open and refuses work after close", async () => {
      const bus = await open();
      await bus.ping();
      await bus.close();
      await assert.rejects(bus.ping());
      await assert.rejects(bus.enqueue("request.dispatch", { id: "late" }));
      await assert.rejects(bus.publish("device.status", { eui: "01", status: "Suspended", at: 1 }));
    });
  });
}
