/**
 * End to end, as a supplier's system sees `meterway start`: signed SRV 4.1.1 requests POSTed over
 * real HTTP (keep-alive, several clients at once) to the composed DCC with its simulated fleet, the
 * I99 acknowledgements, and the signed I0 responses POSTed back to the supplier's receive-response
 * endpoint. Everything runs in this one process (DCC, fleet, HTTP clients and the receiving
 * endpoint), on the embedded SQLite store, with the WAN's modelled delays switched off so that the
 * platform, not the simulated radio, is measured.
 *
 * Reported:
 * - acknowledgement throughput (requests/s to I99) and round-trip throughput (requests/s to a
 *   delivered I0), wall clock;
 * - latency percentiles: request → I99, request → I0 delivered;
 * - CPU time per request (the whole process: server, fleet, store, delivery, and the clients);
 * - memory per simulated device: heap and RSS growth of a second DCC with more premises;
 * - the baseline, measured in the same run: the ECDSA P-256 work the DCC cannot avoid per request
 *   (verify the request, sign the I99, sign the I0), so CPU per request is also given as a multiple
 *   of it.
 *
 * Writes e2e.json and e2e.md to the results folder (bench/results/local/, or see src/cli/bench.ts).
 */
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { BenchContext } from "../src/cli/bench.js";
import { compose } from "../src/cli/compose.js";
import {
  readImportRegistersRequest,
  receiveUrlPath,
  userApiAuthorization,
} from "../src/cli/request-client.js";
import { ResponseReceiver } from "../src/cli/request-receiver.js";
import { resolveConfig } from "../src/config/config.js";
import { DEMO_SUPPLIER } from "../src/dcc/fleet.js";
import { ZERO_DELAY_MODELS } from "../src/wan/regions.js";
import { userIdentity } from "../test/support/composed-dcc.js";

const PREMISES = 50;
const REQUESTS = 2_000;
const CLIENTS = 16;
/** A second DCC, for memory per device. */
const MEMORY_PREMISES = 2_000;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}

/** µs of CPU for the ECDSA the DCC does per request: one verify, two signs. */
function ecdsaFloorMicros(): number {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const data = Buffer.alloc(700, 7);
  const signature = sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
  const n = 2_000;
  for (let i = 0; i < 200; i++)
    verify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature);
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    verify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature);
    sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
    sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
  }
  const d = process.cpuUsage(start);
  return (d.user + d.system) / n;
}

/**
 * A full collection on demand, so that heap figures count what is live rather than what garbage
 * happens to be waiting; without it the per-device figure can even come out negative.
 */
function garbageCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

async function memoryPerDevice(
  dir: string,
): Promise<{ heapBytes: number; rssBytes: number; devices: number }> {
  const gc = garbageCollector();
  gc();
  gc();
  const before = process.memoryUsage();
  const dcc = await compose(
    resolveConfig({ dataDir: join(dir, "memory"), premises: MEMORY_PREMISES, port: 0 }),
    { wan: { models: ZERO_DELAY_MODELS } },
  );
  try {
    gc();
    gc();
    const after = process.memoryUsage();
    const devices = (await dcc.store.devices.counts()).reduce((a, c) => a + c.count, 0);
    return {
      devices,
      heapBytes: Math.round((after.heapUsed - before.heapUsed) / devices),
      rssBytes: Math.round((after.rss - before.rss) / devices),
    };
  } finally {
    await dcc.close();
  }
}

export async function run(ctx: BenchContext): Promise<void> {
  const say = (line: string) => ctx.io.stdout.write(`  ${line}\n`);
  const dir = mkdtempSync(join(tmpdir(), "meterway-bench-e2e-"));
  // Memory first, while nothing else holds any: a DCC under load frees caches as it settles, which
  // would be counted against the devices.
  say(`memory: composing a DCC with ${MEMORY_PREMISES} premises`);
  const memory = await memoryPerDevice(dir);
  const dcc = await compose(resolveConfig({ dataDir: join(dir, "dcc"), premises: PREMISES, port: 0 }), {
    wan: { models: ZERO_DELAY_MODELS },
  });
  const receiver = await ResponseReceiver.start();
  try {
    const base = await dcc.listen();
    say(`DCC with ${PREMISES} premises at ${base}; warming up`);
    const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);

    // The supplier's receive-response endpoint, registered through the signed user API.
    const path = receiveUrlPath(DEMO_SUPPLIER.eui);
    const body = JSON.stringify({ url: receiver.url });
    const put = await fetch(new URL(path, base), {
      method: "PUT",
      headers: {
        "content-type": "application/json",
        authorization: userApiAuthorization(supplier, "PUT", path, body, new Date()),
      },
      body,
    });
    if (put.status !== 200) throw new Error(`receive URL not registered: ${put.status} ${await put.text()}`);

    const meters = (await dcc.store.devices.list({ type: "ESME", limit: PREMISES })).map((d) => d.eui);
    const counter0 = BigInt(Date.now()) * 1000n;
    const sendOne = async (counter: bigint, device: string): Promise<string> => {
      const response = await fetch(new URL("/api/v1/serviceS", base), {
        method: "POST",
        headers: { "content-type": "application/xml" },
        body: readImportRegistersRequest(supplier, device, counter),
      });
      const text = await response.text();
      return /ResponseCode>([^<]+)</.exec(text)?.[1] ?? `HTTP ${response.status}`;
    };
    // Warm-up: code optimised, connections open, every meter's keys cached.
    for (let i = 0; i < meters.length; i++) {
      const code = await sendOne(counter0 + BigInt(i), meters[i]!);
      if (code !== "I99") throw new Error(`warm-up request to ${meters[i]} answered ${code}`);
    }
    while (receiver.received.length < meters.length) await receiver.next();
    receiver.received.length = 0;

    // The requests, signed beforehand as a supplier's system would have them ready.
    const first = counter0 + 10_000n;
    const bodies = Array.from({ length: REQUESTS }, (_, i) =>
      readImportRegistersRequest(supplier, meters[i % meters.length]!, first + BigInt(i)),
    );
    const sentAt = new Float64Array(REQUESTS);
    const ackLatency: number[] = [];
    const codes = new Map<string, number>();
    let next = 0;
    const client = async () => {
      while (next < REQUESTS) {
        const i = next++;
        sentAt[i] = performance.now();
        const response = await fetch(new URL("/api/v1/serviceS", base), {
          method: "POST",
          headers: { "content-type": "application/xml" },
          body: bodies[i]!,
        });
        const text = await response.text();
        ackLatency.push(performance.now() - sentAt[i]!);
        const code = /ResponseCode>([^<]+)</.exec(text)?.[1] ?? `HTTP ${response.status}`;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    };
    const responseLatency: number[] = [];
    let responses = 0;
    let clientsDone = false;
    const counterOf = /<sr:RequestID>[^<]*:(\d+)<\/sr:RequestID>/;
    // Every acknowledged request is answered; the others (see `overtaken`) are not.
    let allAnswered = () => {};
    const answered = new Promise<void>((resolve) => {
      allAnswered = resolve;
    });
    const checkAnswered = () => {
      if (clientsDone && responses >= (codes.get("I99") ?? 0)) allAnswered();
    };
    void (async () => {
      for (;;) {
        const message = await receiver.next();
        const counter = counterOf.exec(message.body)?.[1];
        if (counter === undefined) continue;
        const i = Number(BigInt(counter) - first);
        if (i < 0 || i >= REQUESTS) continue;
        responseLatency.push(performance.now() - sentAt[i]!);
        responses++;
        checkAnswered();
      }
    })();

    say(`${REQUESTS} requests from ${CLIENTS} clients`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const ackMs = performance.now() - t0;
    clientsDone = true;
    const acknowledged = codes.get("I99") ?? 0;
    // One originator, many requests in flight: a request can reach the DCC after one with a higher
    // counter, and is then refused as a replay (HTTP 409), as DUIS's strictly increasing counter
    // requires. Anything else is a failure of the benchmark.
    const overtaken = codes.get("HTTP 409") ?? 0;
    if (acknowledged + overtaken !== REQUESTS || acknowledged < REQUESTS * 0.9) {
      throw new Error(`requests not acknowledged: ${JSON.stringify([...codes])}`);
    }
    if (responses < acknowledged) say(`${acknowledged} acknowledged; waiting for their responses`);
    checkAnswered();
    await answered;
    const roundTripMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);

    ackLatency.sort((a, b) => a - b);
    responseLatency.sort((a, b) => a - b);
    const cpuMicros = (cpu.user + cpu.system) / acknowledged;
    const floor = ecdsaFloorMicros();
    const batches = dcc.metrics.signatureBatch.get();

    const result = {
      suite: "e2e",
      at: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      load: round(loadavg()[0] ?? 0, 2),
      setup: {
        premises: PREMISES,
        requests: REQUESTS,
        clients: CLIENTS,
        srv: "4.1.1",
        wan: "no modelled delay",
      },
      acknowledged: { perSecond: Math.round((REQUESTS / ackMs) * 1000), seconds: round(ackMs / 1000, 2) },
      roundTrip: {
        perSecond: Math.round((REQUESTS / roundTripMs) * 1000),
        seconds: round(roundTripMs / 1000, 2),
      },
      latencyMs: {
        ackP50: round(percentile(ackLatency, 50), 2),
        ackP99: round(percentile(ackLatency, 99), 2),
        responseP50: round(percentile(responseLatency, 50), 2),
        responseP99: round(percentile(responseLatency, 99), 2),
      },
      signatureBatch: {
        batches: batches.count,
        meanSize: round(batches.sum / Math.max(1, batches.count), 2),
      },
      cpuMicrosPerRequest: Math.round(cpuMicros),
      ecdsaFloorMicrosPerRequest: round(floor),
      cpuOverFloor: round(cpuMicros / floor, 2),
      memoryPerDevice: memory,
    };
    say(
      `acknowledged   ${result.acknowledged.perSecond} req/s (p50 ${result.latencyMs.ackP50} ms, p99 ${result.latencyMs.ackP99} ms)`,
    );
    say(
      `round trip     ${result.roundTrip.perSecond} req/s (I0 delivered: p50 ${result.latencyMs.responseP50} ms, p99 ${result.latencyMs.responseP99} ms)`,
    );
    say(
      `CPU            ${result.cpuMicrosPerRequest} µs/request = ${result.cpuOverFloor}× the ECDSA floor of ${result.ecdsaFloorMicrosPerRequest} µs`,
    );
    say(
      `signatures     ${result.signatureBatch.meanSize} verified together on average (${result.signatureBatch.batches} batches)`,
    );
    say(
      `memory         ${memory.heapBytes} B heap, ${memory.rssBytes} B RSS per device (${memory.devices} devices)`,
    );

    writeFileSync(join(ctx.resultsDir, "e2e.json"), `${JSON.stringify(result, null, 2)}\n`);
    const fmt = (n: number) => n.toLocaleString("en-GB");
    const md = [
      "# e2e benchmark",
      "",
      `Signed SRV 4.1.1 requests over HTTP to the composed DCC (${PREMISES} premises, embedded SQLite store, WAN without modelled delay), ${CLIENTS} clients at once, the I0 responses POSTed back to the supplier's endpoint; all in one process. ${result.at}; node ${result.node}, ${result.cpu} (${result.cores} cores, load ${result.load}).`,
      "",
      "| measurement | value |",
      "|---|---:|",
      `| acknowledged (request → I99) | ${fmt(result.acknowledged.perSecond)} req/s |`,
      `| refused as replays: overtaken in flight by a higher counter (HTTP 409) | ${fmt(overtaken)} of ${fmt(REQUESTS)} |`,
      `| round trip (request → I0 delivered) | ${fmt(result.roundTrip.perSecond)} req/s |`,
      `| I99 latency p50 / p99 | ${result.latencyMs.ackP50} / ${result.latencyMs.ackP99} ms |`,
      `| I0 latency p50 / p99 | ${result.latencyMs.responseP50} / ${result.latencyMs.responseP99} ms |`,
      `| request signatures verified together (ECDSA batch), mean | ${result.signatureBatch.meanSize} |`,
      `| CPU per request (whole process) | ${fmt(result.cpuMicrosPerRequest)} µs |`,
      `| baseline: ECDSA per request (1 verify + 2 signs), same run | ${result.ecdsaFloorMicrosPerRequest} µs |`,
      `| CPU per request ÷ baseline | ${result.cpuOverFloor}× |`,
      `| memory per simulated device (${fmt(memory.devices)} devices) | ${fmt(memory.heapBytes)} B heap, ${fmt(memory.rssBytes)} B RSS |`,
      "",
    ].join("\n");
    writeFileSync(join(ctx.resultsDir, "e2e.md"), md);
  } finally {
    await receiver.close();
    await dcc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
