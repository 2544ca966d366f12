/**
 * GBCS throughput over the 1275 RTDS 4.5.0 messages, on one core (the checks are synchronous), as
 * CPU time (process.cpuUsage) per message:
 *
 * - frame: the GBCS frame alone (decodeFrame);
 * - decode-only: decodeMessage without keys (frame, kind, use case, the payload tree);
 * - all checks: decodeMessage with the RTDS key store (signatures, MACs, decryption);
 * - the floor OpenSSL sets in the same run: node:crypto ECDSA P-256 verifies for the messages that
 *   carry a signature and AES-GCM (GMAC) over the same MAC spans, with keys and inputs prepared,
 *   i.e. the cost no implementation on node can go below.
 *
 * The machine is shared and its load changes by the second: every measurement runs in ROUNDS
 * rounds, interleaved with the others (round 1 of each, then round 2 of each, ...), and reports the
 * median round, so that the ratios to the floor compare figures taken under the same load.
 *
 * Writes gbcs.json and gbcs.md to the results folder (bench/results/local/, or see src/cli/bench.ts).
 */
import { createCipheriv, verify } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { findReferenceRoot } from "../src/catalogue/reference.js";
import type { BenchContext } from "../src/cli/bench.js";
import { macKey, macParties } from "../src/gbcs/crypto/mac.js";
import { decodeFrame, type GbcsFrame } from "../src/gbcs/frame.js";
import { checkMac, checkSignature, decodeMessage } from "../src/gbcs/message.js";
import { messageCodeInfo, payloadFamily } from "../src/gbcs/message-codes.js";
import { KeyStore } from "../src/smki/keystore.js";

/** Targets from the project brief (messages per second on one core). */
const TARGETS = { decodeOnly: 200_000, allChecks: 32_000 };

export interface Measurement {
  readonly messagesPerSecond: number;
  readonly microsPerMessage: number;
  readonly passes: number;
  readonly cpuSeconds: number;
}

/** Rounds per measurement (odd, for a median). */
const ROUNDS = 5;

/** One measurement: `pass` goes once over `count` messages; `cpuMs` of CPU time in all. */
export interface Job {
  readonly count: number;
  readonly cpuMs: number;
  readonly pass: () => void;
}

/** CPU seconds since `start` (process.cpuUsage). */
function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/**
 * Runs every job in ROUNDS interleaved rounds (each round of a job runs whole passes until its
 * share of the job's CPU time is spent) and reports each job's median round.
 */
export function measureAll<K extends string>(jobs: Record<K, Job>): Record<K, Measurement> {
  const names = Object.keys(jobs) as K[];
  const rounds = new Map<K, number[]>(names.map((k) => [k, []]));
  const totals = new Map<K, { passes: number; cpu: number }>(names.map((k) => [k, { passes: 0, cpu: 0 }]));
  for (const k of names) jobs[k].pass(); // warm: keys loaded, secrets cached, code optimised
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of names) {
      const job = jobs[k];
      const start = process.cpuUsage();
      let passes = 0;
      let cpu = 0;
      do {
        job.pass();
        passes++;
        cpu = cpuSince(start);
      } while (cpu * 1000 < job.cpuMs / ROUNDS);
      rounds.get(k)!.push(cpu / (passes * job.count));
      const t = totals.get(k)!;
      t.passes += passes;
      t.cpu += cpu;
    }
  }
  const out = {} as Record<K, Measurement>;
  for (const k of names) {
    const sorted = rounds.get(k)!.sort((x, y) => x - y);
    const perMessage = sorted[sorted.length >> 1]!;
    const t = totals.get(k)!;
    out[k] = {
      messagesPerSecond: Math.round(1 / perMessage),
      microsPerMessage: Number((perMessage * 1e6).toFixed(2)),
      passes: t.passes,
      cpuSeconds: Number(t.cpu.toFixed(3)),
    };
  }
  return out;
}

function loadMessages(root: string): Uint8Array[] {
  const dir = join(root, "rtds-4.5.0-gbcs");
  const out: Uint8Array[] = [];
  for (const sub of readdirSync(dir).sort()) {
    for (const f of readdirSync(join(dir, sub)).sort()) {
      if (f.endsWith(".HEX"))
        out.push(new Uint8Array(Buffer.from(readFileSync(join(dir, sub, f), "utf8").trim(), "hex")));
    }
  }
  return out;
}

export async function run(ctx: BenchContext): Promise<void> {
  const root = findReferenceRoot(ctx.io.env, ctx.projectRoot);
  if (root === undefined) throw new Error("reference data not found (set METERWAY_REFERENCE)");
  const messages = loadMessages(root);
  const keys = KeyStore.fromDirectory(join(root, "rtds-keystore"));
  const n = messages.length;
  const say = (line: string) => ctx.io.stdout.write(`  ${line}\n`);

  // where decode time goes: the payload codecs, family by family
  const byFamily = new Map<string, Uint8Array[]>();
  for (const m of messages) {
    const f = decodeFrame(m);
    const family = payloadFamily(f.messageCode, f.content) ?? "opaque";
    byFamily.set(family, [...(byFamily.get(family) ?? []), m]);
  }
  const groups = [...byFamily].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));

  // The OpenSSL floor: the same verifications with everything prepared in advance.
  const frames: GbcsFrame[] = messages.map((m) => decodeFrame(m));
  const signed = frames.flatMap((f) => {
    const key = keys.signingPublicKey(f.originator);
    const rx = f.received!;
    return f.signature !== undefined && f.signature.length > 0 && key !== undefined
      ? [{ data: rx.bytes.subarray(rx.bodyStart + 1, rx.contentEnd), signature: f.signature, key }]
      : [];
  });
  const maced = frames.flatMap((f) => {
    const [a, b] = macParties(f, messageCodeInfo(f.messageCode)?.deviceOriginated === true);
    const z = keys.sharedSecret(a, b);
    const rx = f.received!;
    return f.mac !== undefined && z !== undefined
      ? [{ key: macKey(f, z), iv: new Uint8Array(12), aad: rx.bytes.subarray(rx.bodyStart - 5, rx.bodyEnd) }]
      : [];
  });

  const all = (pass: () => void): Job => ({ count: n, cpuMs: ctx.minCpuMs, pass });
  const familyJobs: Record<string, Job> = {};
  for (const [family, group] of groups) {
    familyJobs[`family:${family}`] = {
      count: group.length,
      cpuMs: ctx.minCpuMs / 4,
      pass: () => {
        for (const m of group) decodeMessage(m);
      },
    };
  }
  const m = measureAll({
    frame: all(() => {
      for (const m of messages) decodeFrame(m);
    }),
    decodeOnly: all(() => {
      for (const m of messages) decodeMessage(m);
    }),
    ...familyJobs,
    allChecks: all(() => {
      for (const m of messages) decodeMessage(m, { keys });
    }),
    // the frame's own checks without the payload tree: what the GBCS layer adds to the floor
    frameChecks: all(() => {
      for (const m of messages) {
        const f = decodeFrame(m);
        checkSignature(f, keys);
        checkMac(f, keys, messageCodeInfo(f.messageCode)?.deviceOriginated === true);
      }
    }),
    ecdsa: all(() => {
      for (const s of signed)
        verify("sha256", s.data, { key: s.key, dsaEncoding: "ieee-p1363" }, s.signature);
    }),
    gcm: all(() => {
      for (const m of maced) {
        const c = createCipheriv("aes-128-gcm", m.key, m.iv);
        c.setAAD(m.aad);
        c.final();
        c.getAuthTag();
      }
    }),
  });
  const { frame, decodeOnly, allChecks, frameChecks, ecdsa, gcm } = m as Record<
    "frame" | "decodeOnly" | "allChecks" | "frameChecks" | "ecdsa" | "gcm",
    Measurement
  >;
  say(`frame          ${frame.messagesPerSecond} msg/s`);
  say(`decode-only    ${decodeOnly.messagesPerSecond} msg/s`);
  const families: Record<string, Measurement & { messages: number }> = {};
  for (const [family, group] of groups) {
    const r = (m as Record<string, Measurement>)[`family:${family}`]!;
    families[family] = { ...r, messages: group.length };
    say(`  ${family.padEnd(12)} ${r.messagesPerSecond} msg/s (${group.length} messages)`);
  }
  say(`all checks     ${allChecks.messagesPerSecond} msg/s`);
  say(`frame + checks ${frameChecks.messagesPerSecond} msg/s`);
  const floorMicros = ecdsa.microsPerMessage + gcm.microsPerMessage;
  const floor = {
    messagesPerSecond: Math.round(1e6 / floorMicros),
    microsPerMessage: Number(floorMicros.toFixed(2)),
    ecdsaVerifiesPerSecond: Math.round((signed.length * ecdsa.passes) / ecdsa.cpuSeconds),
    gcmPerSecond: Math.round((maced.length * gcm.passes) / gcm.cpuSeconds),
    signatures: signed.length,
    macs: maced.length,
  };
  say(
    `OpenSSL floor  ${floor.messagesPerSecond} msg/s (ECDSA ${floor.ecdsaVerifiesPerSecond}/s, GCM ${floor.gcmPerSecond}/s)`,
  );

  const result = {
    suite: "gbcs",
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      openssl: process.versions.openssl,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    },
    messages: n,
    method: { rounds: ROUNDS, statistic: "median round, rounds interleaved across measurements" },
    frame,
    decodeOnly: {
      ...decodeOnly,
      target: TARGETS.decodeOnly,
      met: decodeOnly.messagesPerSecond >= TARGETS.decodeOnly,
    },
    allChecks: {
      ...allChecks,
      target: TARGETS.allChecks,
      met: allChecks.messagesPerSecond >= TARGETS.allChecks,
      ofFloor: Number((allChecks.messagesPerSecond / floor.messagesPerSecond).toFixed(3)),
    },
    frameChecks: {
      ...frameChecks,
      ofFloor: Number((frameChecks.messagesPerSecond / floor.messagesPerSecond).toFixed(3)),
    },
    openSslFloor: floor,
  };
  writeFileSync(join(ctx.resultsDir, "gbcs.json"), `${JSON.stringify(result, null, 2)}\n`);
  const row = (name: string, m: { messagesPerSecond: number; microsPerMessage: number }, target: string) =>
    `| ${name} | ${m.messagesPerSecond.toLocaleString("en-GB")} | ${m.microsPerMessage} | ${target} |`;
  const md = [
    `# gbcs benchmark`,
    "",
    `${n} RTDS 4.5.0 messages, one core, CPU time: the median of ${ROUNDS} rounds, interleaved across the measurements. ${result.date}; node ${process.version}, OpenSSL ${process.versions.openssl}, ${result.machine.cpu} (${result.machine.cores} cores, load ${result.machine.loadAverage1m}).`,
    "",
    "| measurement | msg/s | CPU µs/msg | target |",
    "|---|---:|---:|---|",
    row("frame only (decodeFrame)", frame, ""),
    row(
      "decode-only (decodeMessage, payload tree)",
      decodeOnly,
      `≥ ${TARGETS.decodeOnly.toLocaleString("en-GB")} ${result.decodeOnly.met ? "met" : "not met"}`,
    ),
    ...Object.entries(families).map(([family, m]) =>
      row(`decode-only, ${family} payloads (${m.messages})`, m, ""),
    ),
    row(
      "decode with all checks",
      allChecks,
      `≥ ${TARGETS.allChecks.toLocaleString("en-GB")} ${result.allChecks.met ? "met" : "not met"}`,
    ),
    row("frame + signature and MAC checks (no payload tree)", frameChecks, ""),
    row(`OpenSSL floor (${signed.length} ECDSA verifies + ${maced.length} GMACs per pass)`, floor, ""),
    "",
    `All checks run at ${(result.allChecks.ofFloor * 100).toFixed(0)}% of the OpenSSL floor (the frame and its checks alone at ${(result.frameChecks.ofFloor * 100).toFixed(0)}%: the rest is the payload trees); ECDSA P-256 verify ${floor.ecdsaVerifiesPerSecond.toLocaleString("en-GB")}/s, AES-128-GCM ${floor.gcmPerSecond.toLocaleString("en-GB")}/s.`,
    "",
  ].join("\n");
  writeFileSync(join(ctx.resultsDir, "gbcs.md"), md);
}
