import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { runListen } from "../../src/cli/listen.js";
import { duisEui } from "../../src/cli/request-client.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { buildServiceResponse, toXmlText } from "../../src/duis/model/index.js";
import { signDuis } from "../../src/duis/signature/sign.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { importRegisterCollection } from "../../src/sim/esme.js";
import { captureIo } from "../support/cli-io.js";
import { postReadImportRegisters, userIdentity } from "../support/composed-dcc.js";

/** Polls `done` until it holds (at most 15 s). */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(done(), what);
}

describe("meterway listen", () => {
  let dir: string;
  let dcc: Dcc;
  let url: string;
  // The DCC's clock stands still (the meter's registers are then known), near real time: the user
  // API accepts signatures within 5 minutes of the DCC's clock.
  const at = Date.now();
  let counter = BigInt(at) * 1000n;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-listen-"));
    dcc = await compose(resolveConfig({ dataDir: dir, premises: 1, port: 0, host: "127.0.0.1" }), {
      now: () => at,
      wan: { timeScale: 0.01 },
    });
    url = await dcc.listen();
  });
  after(async () => {
    await dcc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const receiveUrl = async () => (await dcc.store.users.get(DEMO_SUPPLIER.eui))?.receiveResponseUrl;

  /** Runs `meterway listen` with `args` until `body` is done with its URL; then stops it. */
  async function listening(args: readonly string[], body: (endpoint: string) => Promise<void>) {
    const t = captureIo();
    const stop = new AbortController();
    let endpoint: string | undefined;
    const run = runListen(args, t.io, {
      signal: stop.signal,
      onListening: (u) => {
        endpoint = u;
      },
    });
    try {
      await until(() => endpoint !== undefined, `listening: ${t.err()}`);
      await body(endpoint!);
    } finally {
      stop.abort();
    }
    return { code: await run, out: t.out(), err: t.err() };
  }

  it("registers itself, writes the 4.1.1's I0 as a JSON line with the DCC signature verified and the registers decoded, puts the URL back", async () => {
    const esme = premisesPlan(0).esme;
    const mine = ++counter;
    const outFile = join(dir, "listened.jsonl");
    let registered: string | null | undefined;
    const run = await listening(["--register", url, "--data", dir, "--out", outFile], async (endpoint) => {
      registered = await receiveUrl();
      assert.equal(registered, endpoint);
      const ack = await postReadImportRegisters(dcc, userIdentity(dcc, DEMO_SUPPLIER.eui), esme, mine);
      assert.match(ack.body, /I99/);
      const requestId = `${duisEui(DEMO_SUPPLIER.eui)}:${duisEui(esme)}:${mine}`;
      await until(() => {
        try {
          return readFileSync(outFile, "utf8").includes(requestId);
        } catch {
          return false;
        }
      }, "the response written");
    });
    assert.equal(run.code, 0, run.err);
    assert.match(run.err, /receiving 90b3d51f30a00001's responses and alerts at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(run.err, /DCC signatures checked/);
    assert.equal(await receiveUrl(), null, "back to pull-only, as it was");

    const lines = readFileSync(outFile, "utf8").trim().split("\n");
    const line = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((j) => j.requestId === `${duisEui(DEMO_SUPPLIER.eui)}:${duisEui(esme)}:${mine}`);
    assert.ok(line, lines.join("\n"));
    assert.equal(line.signature, "verified");
    assert.equal(line.responseCode, "I0");
    assert.equal(line.responseCodeMeaning, "Success");
    assert.equal(line.srv, "4.1.1");
    const gbcs = line.gbcs as Record<string, unknown>;
    assert.equal(gbcs.useCase, "ECS17b");
    assert.equal(
      (gbcs.mac as { valid: unknown }).valid,
      true,
      "the meter's MAC checked with the user's keys",
    );
    const expected = importRegisterCollection(deviceEnergy(esme), at);
    const registers = (gbcs.registers as { outcome: string; registers: Record<string, unknown> }).registers;
    assert.equal(registers.activeImportValue, expected.activeImportValue);
    assert.equal(registers.reactiveImportValue, expected.reactiveImportValue);
  });

  it("refuses with 400 a POST not signed by the DCC, and says so on stderr", async () => {
    const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
    const esme = premisesPlan(0).esme;
    const forged = signDuis(
      toXmlText(
        buildServiceResponse({
          requestId: { originator: duisEui(DEMO_SUPPLIER.eui), target: duisEui(esme), counter: ++counter },
          responseCode: "I0",
          srv: "4.1.1",
          payload: { kind: "GBCSPayload", gbcsPayload: new Uint8Array([0xdf, 0x09]) },
          at: new Date(at),
        }),
      ),
      { privateKey: supplier.privateKey, certificate: supplier.certificate },
    );
    const statuses: number[] = [];
    const run = await listening(["--data", dir], async (endpoint) => {
      for (const body of [forged, "<not-duis/>"]) {
        const answer = await fetch(endpoint, {
          method: "POST",
          headers: { "content-type": "application/xml" },
          body,
        });
        statuses.push(answer.status);
      }
    });
    assert.deepEqual(statuses, [400, 400]);
    assert.equal(run.code, 0, run.err);
    assert.equal(run.out, "", "nothing refused is written");
    assert.match(run.err, /refused \(400\) ResponseMessage .* I0: /);
    assert.match(run.err, /refused \(400\) message: not a DUIS response/);
  });

  it("says when signatures cannot be checked (no DCC certificate in the key folder)", async () => {
    const empty = mkdtempSync(join(tmpdir(), "meterway-listen-nopki-"));
    try {
      const run = await listening(["--pki", empty], async () => {});
      assert.equal(run.code, 0, run.err);
      assert.match(run.err, /DCC signatures NOT checked: no .*-xml\.pem/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("as a process, puts the receive URL back when stopped with SIGTERM", async () => {
    const mainModule = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `import { main } from ${JSON.stringify(mainModule)}; process.exitCode = await main(process.argv.slice(1));`,
        "listen",
        "--register",
        url,
        "--data",
        dir,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let err = "";
    let registered: string | null | undefined;
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      if (registered === undefined && err.includes("registered at")) {
        registered = null;
        void receiveUrl().then((now) => {
          registered = now;
          child.kill("SIGTERM");
        });
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    assert.equal(code, 0, err);
    assert.match(String(registered), /^http:\/\/127\.0\.0\.1:\d+\/duis\/receive$/, err);
    assert.equal(await receiveUrl(), null, "put back: pull only, as it was");
    assert.match(err, /stopping/);
  });

  for (const [args, message] of [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--port", "seventy"], /--port 'seventy' is not a port number/],
    [["--user", "nobody"], /--user 'nobody' is not an EUI-64/],
    [["--register", "not a url"], /--register 'not a url' is not the DCC's URL/],
  ] as const) {
    it(`refuses ${args.join(" ")} with one line and exit status 2`, async () => {
      const t = captureIo();
      const code = await runListen(args, t.io);
      assert.equal(code, 2);
      assert.match(t.err(), message);
      assert.equal(t.err().trim().split("\n").length, 1, t.err());
    });
  }
});
