/**
 * A DCC killed between any two writes of a request's path answers every acknowledged request
 * exactly once after it restarts. A child process runs the composed DCC (SQLite, the demo profile,
 * zero-delay WAN, node id `crash-node`), sends two signed 4.1.1 requests, and SIGKILLs itself just
 * before its k-th store write on the request path (inside a transaction or not); the test restarts
 * the DCC on the same data folder with the same node id and checks the outbox, for each k from 1
 * until the child finishes without reaching k.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type ComposeOptions, compose } from "../../src/cli/compose.js";
import { type MeterwayConfig, resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER } from "../../src/dcc/fleet.js";
import { parseResponse } from "../../src/duis/model/index.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { ZERO_DELAY_MODELS } from "../../src/wan/regions.js";

const root = mkdtempSync(join(tmpdir(), "meterway-kill-"));
after(() => rmSync(root, { recursive: true, force: true }));

const NODE = "crash-node";
const AT = Date.UTC(2026, 10, 28, 9, 30);
const COUNTERS = [1001n, 1002n];
const src = (path: string) => JSON.stringify(fileURLToPath(new URL(`../../src/${path}`, import.meta.url)));
const support = (path: string) =>
  JSON.stringify(fileURLToPath(new URL(`../support/${path}`, import.meta.url)));

function config(dir: string): MeterwayConfig {
  return resolveConfig({ dataDir: dir, premises: 1, port: 0, nodeId: NODE });
}

/** The same assembly in the child and at the restart: fixed clock, instant WAN, no timed heartbeat. */
const OPTIONS: ComposeOptions = {
  now: () => AT,
  wan: { models: ZERO_DELAY_MODELS },
  leases: { heartbeatMs: 3_600_000 },
};

/**
 * Writes that are not the request's path (delivery's leases and timer passes, the heartbeat, the
 * retention purge): not counted.
 */
const BACKGROUND = [
  "outbox.acquireLease",
  "outbox.renewLease",
  "outbox.releaseLease",
  "outbox.purgeExpired",
  "requests.renewLeases",
  "requests.takeOver",
  "requests.purgeFinished",
  "audit.purgeBefore",
  "nonces.purgeExpired",
];

const CHILD = `
import { compose } from ${src("cli/compose.ts")};
import { resolveConfig } from ${src("config/config.ts")};
import { readImportRegistersRequest } from ${src("cli/request-client.ts")};
import { DEMO_SUPPLIER, premisesPlan } from ${src("dcc/fleet.ts")};
import { ZERO_DELAY_MODELS } from ${src("wan/regions.ts")};
import { interceptWrites } from ${support("intercepted-store.ts")};
import { userIdentity } from ${support("composed-dcc.ts")};
const [dir, killAt] = process.argv.slice(1);
const background = new Set(${JSON.stringify(BACKGROUND)});
let armed = false;
let writes = 0;
const dcc = await compose(resolveConfig({ dataDir: dir, premises: 1, port: 0, nodeId: ${JSON.stringify(NODE)} }), {
  now: () => ${AT},
  wan: { models: ZERO_DELAY_MODELS },
  leases: { heartbeatMs: 3_600_000 },
  wrapStore: (store) => interceptWrites(store, (write) => {
    if (!armed || background.has(write)) return;
    writes += 1;
    if (writes === Number(killAt)) process.kill(process.pid, "SIGKILL");
  }),
});
armed = true;
const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
for (const counter of ${JSON.stringify(COUNTERS.map(String))}) {
  const ack = await dcc.app.inject({
    method: "POST",
    url: "/api/v1/serviceS",
    headers: { "content-type": "application/xml" },
    payload: readImportRegistersRequest(supplier, premisesPlan(0).esme, BigInt(counter)),
  });
  if (ack.body.includes("<sr:ResponseCode>I99<")) process.stdout.write("ack " + counter + "\\n");
  else process.stdout.write("refused " + counter + " " + ack.statusCode + "\\n");
  await dcc.bus.drain();
}
process.stdout.write("done " + writes + "\\n");
armed = false;
await dcc.close();
`;

/** Runs the child until it is killed at write `k` or finishes; its stdout lines. */
async function runChild(dir: string, k: number): Promise<string[]> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", CHILD, dir, String(k)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once("exit", (c, s) => resolve([c, s])),
  );
  const lines = out.split("\n").filter((l) => l !== "");
  assert.ok(signal === "SIGKILL" || code === 0, `child ended with ${code ?? signal}: ${out}`);
  return lines;
}

describe("killed between two writes of a request's path", () => {
  it("answers every acknowledged request exactly once after the restart, for every k", async () => {
    const template = join(root, "template");
    await (await compose(config(template), OPTIONS)).close();

    let finished = false;
    let kills = 0;
    for (let k = 1; !finished; k++) {
      assert.ok(k < 200, "the child never finished");
      const dir = join(root, `k${k}`);
      cpSync(template, dir, { recursive: true });
      const lines = await runChild(dir, k);
      const done = lines.find((l) => l.startsWith("done "));
      finished = done !== undefined;
      if (!finished) kills += 1;
      assert.ok(!lines.some((l) => l.startsWith("refused")), `k=${k}: ${lines.join("; ")}`);
      const acked = new Set(lines.filter((l) => l.startsWith("ack ")).map((l) => l.slice(4)));

      const dcc = await compose(config(dir), OPTIONS);
      try {
        await dcc.bus.drain();
        const outbox = await dcc.store.outbox.forUser(DEMO_SUPPLIER.eui);
        for (const counter of COUNTERS) {
          const request = (await dcc.store.requests.byCorrelation(`${DEMO_SUPPLIER.eui}:${counter}`)) ?? null;
          const answers = outbox
            .filter((e) => e.kind === "response" && e.requestId?.endsWith(`:${counter}`))
            .map((e) => parseResponse(parseXml(e.body).root).header.responseCode);
          const what = `k=${k}, counter ${counter}: ${request?.state ?? "not recorded"}, answers ${answers.join(",")}`;
          if (acked.has(String(counter))) assert.notEqual(request, null, `acknowledged but lost: ${what}`);
          if (request === null) {
            assert.deepEqual(answers, [], what);
            continue;
          }
          // Recorded means acknowledged (committed before the I99): exactly one final answer.
          assert.equal(answers.length, 1, what);
          assert.ok(answers[0] === "I0" || answers[0] === "E21", what);
          assert.equal((await dcc.store.requests.custody(request.id))?.answered, true, what);
          assert.ok(request.state === "responded" || request.state === "failed", what);
        }
      } finally {
        await dcc.close();
      }
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(kills >= COUNTERS.length * 6, `killed at ${kills} writes, expected every write of the path`);
  });
});
