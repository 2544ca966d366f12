import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { after, describe, it } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { BusDecodeError, decodeEvent, decodeWork, encodePayload } from "../../src/bus/codec.js";
import {
  connectNatsBus,
  type NatsBus,
  type NatsBusOptions,
  natsEventSubject,
  natsQueueNames,
} from "../../src/bus/nats.js";
import { NatsConnectError, parseNatsUrl, redactNatsUrl } from "../../src/bus/nats-url.js";
import { type TestNats, testNats } from "../support/nats.js";
import { busContract } from "./contract.js";

/** Polls until `check` holds (the bus's handlers run on network time). */
async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("nats bus names and codec (no server)", () => {
  it("names subjects, streams and the durable consumer from the prefix", () => {
    assert.deepEqual(natsQueueNames("meterway.", "request.dispatch"), {
      subject: "meterway.work.request.dispatch",
      stream: "METERWAY_REQUEST_DISPATCH",
      durable: "workers",
    });
    assert.equal(natsQueueNames("dcc.north.", "wan.inbound").stream, "DCC_NORTH_WAN_INBOUND");
    assert.equal(natsEventSubject("meterway.", "device.status"), "meterway.event.device.status");
  });

  it("reads servers and an optional prefix from the --bus URL", () => {
    assert.deepEqual(parseNatsUrl("nats://127.0.0.1:4222"), {
      servers: ["nats://127.0.0.1:4222"],
      prefix: "meterway.",
    });
    assert.deepEqual(parseNatsUrl("nats://a:4222,b:4223?prefix=dcc.north"), {
      servers: ["nats://a:4222", "nats://b:4223"],
      prefix: "dcc.north.",
    });
    assert.throws(() => parseNatsUrl("nats://a:4222?prefix=a..b"), NatsConnectError);
    assert.throws(() => parseNatsUrl("nats://a:4222?stream=x"), /unknown option stream/);
    assert.throws(() => parseNatsUrl("http://a:4222"), /nats:\/\/host:port/);
    assert.equal(redactNatsUrl("nats://me:secret@host:4222"), "nats://me:***@host:4222");
  });

  it("decodes only payloads of the subject's or queue's type", () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    assert.deepEqual(decodeWork("request.dispatch", encodePayload({ id: "r1" })), { id: "r1" });
    assert.deepEqual(decodeEvent("device.status", encodePayload({ eui: "01", status: "Suspended", at: 1 })), {
      eui: "01",
      status: "Suspended",
      at: 1,
    });
    for (const [queue, text, message] of [
      ["request.dispatch", "not json", /not JSON/],
      ["request.dispatch", '{"id":5}', /field id must be a string/],
      ["request.dispatch", "[]", /expected a JSON object/],
      ["wan.inbound", '{"hubEui":"01","frameHex":"xyz","at":1}', /bytes as hex/],
      ["outbox.deliver", "null", /expected a JSON object/],
    ] as const) {
      assert.throws(
        () => decodeWork(queue, bytes(text)),
        (e: unknown) => {
          assert.ok(e instanceof BusDecodeError);
          assert.match(e.message, message);
          return true;
        },
      );
    }
    assert.throws(
      () =>
        decodeEvent(
          "request.state",
          encodePayload({ id: "1", requestId: "r", srv: "4.1.1", state: "lost", responseCode: null, at: 1 }),
        ),
      /state must be one of/,
    );
    assert.throws(() => decodeWork("request.dispatch", new Uint8Array([0x7b, 0xff, 0x7d])), BusDecodeError);
  });
});

const server = await testNats("nats bus: a local NATS server with JetStream");
if (server !== undefined) {
  const nats: TestNats = server;
  // Every bus a test opens is closed at the end even when the test fails, so the file can end.
  const opened: NatsBus[] = [];
  after(() => Promise.all(opened.map((bus) => bus.close())));
  const connectBus = async (options: NatsBusOptions) => {
    const bus = await connectNatsBus({ ackWaitMs: 5000, ...options });
    opened.push(bus);
    return bus;
  };
  const open = (prefix = nats.prefix(), onError?: (error: unknown) => void) =>
    connectBus({ servers: nats.url, prefix, onError });

  busContract("nats", () => open());

  describe("nats bus", () => {
    it("makes its streams idempotently when several nodes start at once", async () => {
      // Concurrent creates race on the server; a few rounds make the race likely.
      for (let round = 0; round < 3; round++) {
        const prefix = nats.prefix();
        const nodes = await Promise.all(Array.from({ length: 4 }, () => open(prefix)));
        const names = natsQueueNames(prefix, "request.dispatch");
        const { config } = await nats.jsm.streams.info(names.stream);
        assert.equal(config.retention, "workqueue");
        assert.deepEqual(config.subjects, [names.subject]);
        const consumers: string[] = [];
        for await (const c of nats.jsm.consumers.list(names.stream)) consumers.push(c.name);
        assert.deepEqual(consumers, ["workers"]);
        await Promise.all(nodes.map((n) => n.close()));
      }
    });

    it("shares one queue between two nodes: each job handled exactly once", async () => {
      const prefix = nats.prefix();
      const [a, b] = await Promise.all([open(prefix), open(prefix)]);
      const byNode = { a: [] as string[], b: [] as string[] };
      for (const [node, name] of [
        [a, "a"],
        [b, "b"],
      ] as const) {
        node.consume(
          "request.dispatch",
          async (job) => {
            byNode[name].push(job.id);
            await sleep(2);
          },
          { concurrency: 2 },
        );
      }
      const total = 100;
      await Promise.all(
        Array.from({ length: total }, (_, i) => a.enqueue("request.dispatch", { id: `r${i}` })),
      );
      await until("every job", () => byNode.a.length + byNode.b.length >= total);
      await Promise.all([a.drain(), b.drain()]);
      const all = [...byNode.a, ...byNode.b];
      assert.equal(all.length, total, "no job handled twice");
      assert.equal(new Set(all).size, total);
      assert.ok(
        byNode.a.length > 0 && byNode.b.length > 0,
        `both nodes work (a ${byNode.a.length}, b ${byNode.b.length})`,
      );
      await Promise.all([a.close(), b.close()]);
    });

    it("delivers events published on one node to subscribers on every node, a failing one isolated", async () => {
      const prefix = nats.prefix();
      const errors: unknown[] = [];
      const a = await open(prefix);
      const b = await open(prefix, (e) => errors.push(e));
      const seen: string[] = [];
      b.subscribe("device.status", () => {
        throw new Error("bad subscriber");
      });
      b.subscribe("device.status", (e) => {
        seen.push(`b:${e.eui}`);
      });
      a.subscribe("device.status", (e) => {
        seen.push(`a:${e.eui}`);
      });
      await b.drain(); // the subscriptions have reached the server
      await a.publish("device.status", { eui: "01", status: "Suspended", at: 1 });
      await until("both nodes", () => seen.length === 2);
      await b.drain();
      assert.deepEqual(seen.sort(), ["a:01", "b:01"]);
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /bad subscriber/);
      await Promise.all([a.close(), b.close()]);
    });

    it("honours a consumer's concurrency", async () => {
      const bus = await open();
      let running = 0;
      let peak = 0;
      bus.consume(
        "outbox.deliver",
        async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(20);
          running--;
        },
        { concurrency: 3 },
      );
      for (let i = 0; i < 12; i++) await bus.enqueue("outbox.deliver", { outboxId: `m${i}` });
      await bus.drain();
      assert.equal(peak, 3);
      await bus.close();
    });

    it("redelivers a rejected job after retryDelayMs, then drops it after maxAttempts", async () => {
      const prefix = nats.prefix();
      const errors: Array<{ error: unknown; attempt?: number }> = [];
      const bus = await connectBus({
        servers: nats.url,
        prefix,
        onError: (error, where) => errors.push({ error, attempt: where.attempt }),
      });
      const at: number[] = [];
      const attempts: number[] = [];
      bus.consume(
        "outbox.deliver",
        async (_job, ctx) => {
          at.push(Date.now());
          attempts.push(ctx.attempt);
          throw new Error(`refused ${ctx.attempt}`);
        },
        { maxAttempts: 3, retryDelayMs: 150 },
      );
      await bus.enqueue("outbox.deliver", { outboxId: "broken" });
      await bus.drain();
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.ok(at[1]! - at[0]! >= 120 && at[2]! - at[1]! >= 120, `retried after the delay: ${at}`);
      assert.deepEqual(
        errors.map((e) => e.attempt),
        [1, 2, 3],
      );
      const { stream } = natsQueueNames(prefix, "outbox.deliver");
      assert.equal((await nats.jsm.streams.info(stream)).state.messages, 0, "dropped from the stream");
      await sleep(400);
      assert.deepEqual(attempts, [1, 2, 3], "not delivered again");
      await bus.close();
    });

    it("keeps jobs enqueued while no consumer runs, across closing the bus and connecting a new one", async () => {
      const prefix = nats.prefix();
      const first = await open(prefix);
      const handledFirst: string[] = [];
      first.consume("request.dispatch", async (job) => {
        handledFirst.push(job.id);
      });
      await first.enqueue("request.dispatch", { id: "before" });
      await first.drain();
      assert.deepEqual(handledFirst, ["before"]);
      await first.close();

      // Nobody consumes now: a producer enqueues and goes away.
      const producer = await open(prefix);
      await producer.enqueue("request.dispatch", { id: "while-down-1" });
      await producer.enqueue("request.dispatch", { id: "while-down-2" });
      await producer.close();
      const { stream } = natsQueueNames(prefix, "request.dispatch");
      assert.equal((await nats.jsm.streams.info(stream)).state.messages, 2, "kept by the server");

      const restarted = await open(prefix);
      const handled: string[] = [];
      restarted.consume("request.dispatch", async (job, ctx) => {
        handled.push(`${job.id}#${ctx.attempt}`);
      });
      await restarted.drain();
      assert.deepEqual(handled.sort(), ["while-down-1#1", "while-down-2#1"]);
      await restarted.close();
    });

    it("hands jobs a closing node has pulled but not started to another node at once", async () => {
      const prefix = nats.prefix();
      const [a, b] = await Promise.all([open(prefix), open(prefix)]);
      const handled: string[] = [];
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      a.consume(
        "request.dispatch",
        async (job) => {
          await gate;
          handled.push(`a:${job.id}`);
        },
        { concurrency: 2 },
      );
      for (let i = 0; i < 6; i++) await a.enqueue("request.dispatch", { id: `j${i}` });
      await sleep(100);
      const closing = a.close();
      release();
      await closing;
      b.consume("request.dispatch", async (job) => {
        handled.push(`b:${job.id}`);
      });
      const started = Date.now();
      await b.drain();
      assert.ok(Date.now() - started < 3000, "not after the ack wait");
      assert.equal(handled.length, 6);
      assert.equal(new Set(handled.map((h) => h.slice(2))).size, 6);
      await b.close();
    });

    it("reports an undecodable job once and terminates it; an undecodable event reaches no subscriber", async () => {
      const prefix = nats.prefix();
      const errors: Array<{ error: unknown; queue?: string; subject?: string }> = [];
      const bus = await connectBus({
        servers: nats.url,
        prefix,
        onError: (error, where) => errors.push({ error, ...where }),
      });
      const handled: string[] = [];
      bus.consume(
        "request.dispatch",
        async (job) => {
          handled.push(job.id);
        },
        { maxAttempts: 5, retryDelayMs: 1 },
      );
      const events: string[] = [];
      bus.subscribe("device.status", (e) => {
        events.push(e.eui);
      });
      await bus.drain();
      const js = jetstream(nats.nc);
      const { subject } = natsQueueNames(prefix, "request.dispatch");
      await js.publish(subject, new TextEncoder().encode("not json"));
      await js.publish(subject, encodePayload({ id: 42 }));
      await bus.enqueue("request.dispatch", { id: "good" });
      nats.nc.publish(natsEventSubject(prefix, "device.status"), encodePayload({ eui: 1 }));
      await nats.nc.flush();
      await until("three reports", () => errors.length >= 3);
      await bus.drain();
      await sleep(100);
      assert.deepEqual(handled, ["good"]);
      assert.deepEqual(events, []);
      assert.equal(errors.length, 3, "each reported once, not retried");
      assert.ok(errors.every((e) => e.error instanceof BusDecodeError));
      assert.deepEqual(errors.map((e) => e.queue ?? e.subject).sort(), [
        "device.status",
        "request.dispatch",
        "request.dispatch",
      ]);
      await bus.close();
    });

    it("refuses a server that is not there or has no JetStream, naming the URL", async () => {
      const port = await freePort();
      await assert.rejects(
        connectNatsBus({ servers: `nats://127.0.0.1:${port}`, connectTimeoutMs: 2000 }),
        (e: unknown) => {
          assert.ok(e instanceof NatsConnectError);
          assert.match(e.message, new RegExp(`nats://127\\.0\\.0\\.1:${port} is unreachable`));
          return true;
        },
      );
      const server = await startNatsServer(port, false);
      if (server === undefined) return; // no nats-server binary here: the first half still ran
      try {
        await assert.rejects(
          connectNatsBus({ servers: `nats://127.0.0.1:${port}` }),
          /JetStream is not enabled .*-js/,
        );
      } finally {
        server.kill();
      }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a throwaway nats-server (JetStream off) on `port`; undefined when the binary is missing. */
async function startNatsServer(port: number, js: boolean): Promise<ChildProcess | undefined> {
  const child = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port), ...(js ? ["-js"] : [])], {
    stdio: "ignore",
  });
  const missing = new Promise<boolean>((resolve) => child.once("error", () => resolve(true)));
  const end = Date.now() + 5000;
  while (Date.now() < end) {
    if (await Promise.race([missing, sleep(50).then(() => false)])) return undefined;
    try {
      const nc = await connect({ servers: `nats://127.0.0.1:${port}`, timeout: 500 });
      await nc.close();
      return child;
    } catch {
      // not listening yet
    }
  }
  child.kill();
  assert.fail("nats-server did not start");
}
