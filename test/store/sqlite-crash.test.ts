import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { openSqliteStore } from "../../src/store/sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "meterway-crash-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const storeModule = fileURLToPath(new URL("../../src/store/sqlite.ts", import.meta.url));

/** A child that acknowledges a request, says so, and waits to be killed. */
const CHILD = `
import { openSqliteStore } from ${JSON.stringify(storeModule)};
const store = openSqliteStore({ file: process.argv[1] });
await store.requests.insert({
  id: "r1", requestId: "A:B:1", originator: "a", target: "b", counter: 1n, srv: "4.1.1", commandVariant: 1,
  state: "received", responseCode: null, correlation: null, gbcsCommand: null, gbcsResponse: null,
  requestXml: null, error: null, executeAt: null, receivedAt: 1, updatedAt: 1,
});
await store.counters.advance("a", 1n);
await store.requests.transition("r1", ["received"], "acknowledged", 2, { responseCode: "I99" });
await store.outbox.enqueue({ id: "m1", userEui: "a", kind: "response", requestId: "A:B:1", body: "<r/>",
  nextAttemptAt: 2, createdAt: 2, expiresAt: 3 });
process.stdout.write("acknowledged\\n");
setInterval(() => {}, 1000);
`;

describe("sqlite store durability", () => {
  it("keeps what was acknowledged when the process is killed", async () => {
    const file = join(dir, "crash.db");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", CHILD, file], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("acknowledged")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    const store = openSqliteStore({ file });
    assert.equal((await store.requests.get("r1"))?.state, "acknowledged");
    assert.equal(await store.counters.get("a"), 1n);
    assert.equal((await store.outbox.get("m1"))?.state, "pending");
    await store.close();
  });
});
