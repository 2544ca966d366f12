import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MessageChannel, Worker } from "node:worker_threads";
import { RemoteHubLink, serveHubLink } from "../../src/wan/channel.js";
import { InProcessWan, memoryWanPair } from "../../src/wan/memory.js";
import { type InboundFrame, WanError } from "../../src/wan/port.js";
import { ZERO_DELAY_MODELS } from "../../src/wan/regions.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Waits until `condition` holds (messages cross a channel asynchronously). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(condition(), "condition not reached");
}

/** A DCC link served over a fresh channel to a remote fleet link; closed however `use` ends. */
async function withChannel(
  use: (parts: { wan: InProcessWan; link: InProcessWan; fleet: RemoteHubLink }) => Promise<void>,
): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  const { link } = memoryWanPair();
  const stop = serveHubLink(port1, link);
  const fleet = new RemoteHubLink(port2);
  try {
    await use({ wan: link, link, fleet });
  } finally {
    stop();
    fleet.close();
    port1.close();
    await link.close();
  }
}

/** Starts a worker from a TypeScript file through tsx (workers do not inherit the loader). */
function tsWorker(file: URL): Worker {
  const code = `import("tsx/esm/api").then((api) => api.tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { eval: true });
}

describe("WAN over a message channel", () => {
  it("routes commands to hubs attached on the far side, and alerts back", async () => {
    await withChannel(async ({ wan, link, fleet }) => {
      const inbound: InboundFrame[] = [];
      wan.onInbound((i) => inbound.push(i));

      const detach = fleet.attach("0a01000000000007", "South", async (frame) => [
        frame,
        Uint8Array.from([0xaa]),
      ]);
      await until(() => link.has("0a01000000000007"));
      const answer = await wan.send("0a01000000000007", Uint8Array.from([1, 2, 3]));
      assert.deepEqual(answer.map(hex), ["010203", "aa"]);

      await fleet.sendUnsolicited("0a01000000000007", Uint8Array.from([0xdf, 0x09]));
      assert.deepEqual(
        inbound.map((i) => `${i.hubEui}:${i.region}:${hex(i.frame)}`),
        ["0a01000000000007:South:df09"],
      );

      detach();
      await until(() => !link.has("0a01000000000007"));
      await assert.rejects(wan.send("0a01000000000007", Uint8Array.from([1])), (e: unknown) => {
        return e instanceof WanError && e.failure === "unknown-hub";
      });
      await assert.rejects(fleet.sendUnsolicited("0a01000000000007", Uint8Array.from([1])), WanError);
    });
  });

  it("passes a hub's failure back as a rejected send", async () => {
    await withChannel(async ({ wan, link, fleet }) => {
      fleet.attach("0a01000000000008", "North", async () => {
        throw new Error("device exploded");
      });
      await until(() => link.has("0a01000000000008"));
      await assert.rejects(wan.send("0a01000000000008", Uint8Array.from([1])), /device exploded/);
    });
  });

  it("runs a fleet in a worker thread", async () => {
    const link = new InProcessWan({ models: ZERO_DELAY_MODELS });
    const inbound: string[] = [];
    link.onInbound((i) => inbound.push(`${i.hubEui}:${hex(i.frame)}`));
    const worker = tsWorker(new URL("./fixtures/echo-hub-worker.ts", import.meta.url));
    const stop = serveHubLink(worker, link);
    try {
      await new Promise<void>((resolve, reject) => {
        worker.on("message", (m: unknown) => {
          if (typeof m === "object" && m !== null && "t" in m && m.t === "ready") resolve();
        });
        worker.once("error", reject);
      });
      assert.deepEqual(inbound, ["0a01000000000001:df0903"]);
      const answers = await Promise.all([
        link.send("0a01000000000000", Uint8Array.from([1, 2])),
        link.send("0a01000000000001", Uint8Array.from([3, 4, 5])),
      ]);
      assert.deepEqual(
        answers.map((a) => a.map(hex)),
        [["0201"], ["050403"]],
      );
    } finally {
      stop();
      await worker.terminate();
    }
  });
});
