/**
 * The platform under `meterway start`: how long a first run takes to build its test PKI and its
 * fleet, and how fast the embedded store takes the writes the pipeline makes per request. Wall
 * time (key generation uses the thread pool; the store waits on fsync), each against a baseline
 * taken in the same run:
 *
 * - device credentials: `issueDevices` (key pair, certificate, two files) per credential, against
 *   writing the same two files alone (the file-system floor: most of a credential's cost) and,
 *   for scale, node:crypto generating and exporting a KeyObject pair;
 * - fleet provisioning: `provisionFleet` premises per second (5 devices + 4 registrations each);
 * - per-request store writes with synchronous=FULL and NORMAL: counter advance + request insert +
 *   two transitions + outbox enqueue, against a bare better-sqlite3 INSERT in its own transaction
 *   with the same settings (the fsync floor).
 *
 * Writes platform.json and platform.md to the results folder (bench/results/local/, or see src/cli/bench.ts).
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { BenchContext } from "../src/cli/bench.js";
import { fleetEuis, provisionFleet } from "../src/dcc/fleet.js";
import { issueDevices, openTestCa } from "../src/smki/test-pki.js";
import { openSqliteStore } from "../src/store/sqlite.js";

interface Rate {
  readonly perSecond: number;
  readonly count: number;
  readonly seconds: number;
}

function rate(count: number, ms: number): Rate {
  return { perSecond: Math.round((count / ms) * 1000), count, seconds: Number((ms / 1000).toFixed(3)) };
}

async function timed(work: () => Promise<number>): Promise<Rate> {
  const start = performance.now();
  const count = await work();
  return rate(count, performance.now() - start);
}

export async function run(ctx: BenchContext): Promise<void> {
  const say = (line: string) => ctx.io.stdout.write(`  ${line}\n`);
  const dir = mkdtempSync(join(tmpdir(), "meterway-bench-platform-"));
  try {
    const now = new Date();
    const ca = await openTestCa(join(dir, "pki"), now);
    const premisesForKeys = 100;
    const credentials = await timed(() => issueDevices(ca, fleetEuis(premisesForKeys), now));
    say(`device credentials: ${credentials.perSecond}/s (${credentials.count} in ${credentials.seconds} s)`);
    const keyObjects = await timed(async () => {
      const n = 500;
      for (let i = 0; i < n; i++) {
        const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
        pair.privateKey.export({ type: "pkcs8", format: "pem" });
        pair.publicKey.export({ type: "spki", format: "der" });
      }
      return n;
    });
    say(`baseline KeyObject pair + export: ${keyObjects.perSecond}/s`);
    const filesDir = join(dir, "files");
    mkdirSync(filesDir);
    const certificateText = readFileSync(join(dir, "pki", `${fleetEuis(1)[0]}-ds.pem`), "utf8");
    const keyText = readFileSync(join(dir, "pki", `${fleetEuis(1)[0]}-ds.key`), "utf8");
    const fileFloor = await timed(async () => {
      const n = 1000;
      for (let i = 0; i < n; i++) {
        writeFileSync(join(filesDir, `${i}.pem`), certificateText);
        writeFileSync(join(filesDir, `${i}.key`), keyText, { mode: 0o600 });
      }
      return n;
    });
    say(`floor: two file writes per credential: ${fileFloor.perSecond}/s`);

    const fleetStore = openSqliteStore({ file: join(dir, "fleet.db") });
    const premises = 20_000;
    const provisioning = await timed(async () => {
      await provisionFleet(fleetStore, { premises, now: now.getTime() });
      return premises;
    });
    await fleetStore.close();
    say(
      `fleet provisioning: ${provisioning.perSecond} premises/s (${premises} in ${provisioning.seconds} s)`,
    );

    const requestWrites: Record<string, Rate> = {};
    const floor: Record<string, Rate> = {};
    for (const synchronous of ["FULL", "NORMAL"] as const) {
      const store = openSqliteStore({ file: join(dir, `requests-${synchronous}.db`), synchronous });
      const n = 2000;
      requestWrites[synchronous] = await timed(async () => {
        for (let i = 1; i <= n; i++) {
          const id = `r${i}`;
          await store.counters.advance("90b3d51f30a00001", BigInt(i));
          await store.requests.insert({
            id,
            requestId: `90-B3-D5-1F-30-A0-00-01:0A-03-00-00-00-00-00-01:${i}`,
            originator: "90b3d51f30a00001",
            target: "0a03000000000001",
            counter: BigInt(i),
            srv: "4.1.1",
            commandVariant: 1,
            state: "received",
            responseCode: null,
            correlation: null,
            gbcsCommand: null,
            gbcsResponse: null,
            requestXml: null,
            error: null,
            executeAt: null,
            receivedAt: i,
            updatedAt: i,
          });
          await store.requests.transition(id, ["received"], "acknowledged", i, { responseCode: "I99" });
          await store.requests.transition(id, ["acknowledged"], "responded", i, { responseCode: "I0" });
          await store.outbox.enqueue({
            id: `m${i}`,
            userEui: "90b3d51f30a00001",
            kind: "response",
            requestId: id,
            body: "<Response/>",
            nextAttemptAt: i,
            createdAt: i,
            expiresAt: i + 172_800_000,
          });
        }
        return n;
      });
      await store.close();
      const db = new Database(join(dir, `floor-${synchronous}.db`));
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${synchronous}`);
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
      floor[synchronous] = await timed(async () => {
        for (let i = 0; i < n * 5; i++) insert.run("x");
        return n * 5;
      });
      db.close();
      say(
        `request writes (${synchronous}): ${requestWrites[synchronous]!.perSecond} requests/s; floor ${floor[synchronous]!.perSecond} single-row commits/s`,
      );
    }

    const result = {
      suite: "platform",
      date: now.toISOString(),
      machine: {
        node: process.version,
        cpu: cpus()[0]?.model ?? "unknown",
        cores: cpus().length,
        loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
      },
      deviceCredentials: { ...credentials, premises: premisesForKeys },
      keyObjectBaseline: keyObjects,
      fileWriteFloor: fileFloor,
      fleetProvisioning: provisioning,
      requestWrites,
      singleRowCommitFloor: floor,
    };
    writeFileSync(join(ctx.resultsDir, "platform.json"), `${JSON.stringify(result, null, 2)}\n`);
    const row = (name: string, r: Rate, unit: string) =>
      `| ${name} | ${r.perSecond.toLocaleString("en-GB")} ${unit} | ${r.count.toLocaleString("en-GB")} in ${r.seconds} s |`;
    const md = [
      "# platform benchmark",
      "",
      `${result.date}; node ${process.version}, ${result.machine.cpu} (${result.machine.cores} cores, load ${result.machine.loadAverage1m}). Wall time.`,
      "",
      "| measurement | rate | run |",
      "|---|---:|---|",
      row(`device credentials (${premisesForKeys} premises × 5 devices × DS+KA)`, credentials, "/s"),
      row("floor: the same two file writes alone", fileFloor, "/s"),
      row("for scale: KeyObject pair generate + export", keyObjects, "/s"),
      row("fleet provisioning (SMI + RDP)", provisioning, "premises/s"),
      row("request writes, synchronous=FULL (5 writes each)", requestWrites.FULL!, "requests/s"),
      row("floor: single-row commits, FULL", floor.FULL!, "/s"),
      row("request writes, synchronous=NORMAL", requestWrites.NORMAL!, "requests/s"),
      row("floor: single-row commits, NORMAL", floor.NORMAL!, "/s"),
      "",
    ].join("\n");
    writeFileSync(join(ctx.resultsDir, "platform.md"), md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
