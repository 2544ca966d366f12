/**
 * DUIS request intake on one core: what the server does to every request before access control.
 * The 297 RTDS 4.9.1 requests are signed once with the DCC Boxed test keys of their originators
 * (as a Service User would send them), then measured as CPU time (process.cpuUsage) per request:
 *
 * - parse: `parseXml` of the bytes received (UTF-8 check, the plain reader or saxes, tree);
 * - schema: `SchemaValidator.validate` of the parsed tree against DUIS 5.4;
 * - verify: `verifyDuis` of the parsed tree (c14n, digest, ECDSA) with a certificate store;
 * - intake: all three, bytes in → valid, signed, schema-checked message out, one request at a time;
 *   plus wall-clock latency per request (p50, p99);
 * - intake, batched: the same, as the server does it under load (`SignatureVerifier`): the requests
 *   read in one turn of the event loop are each parsed, schema-checked and prepared, then their ECDSA
 *   verifications run one after another; in batches of 8 (about what `bench e2e` sees with 16
 *   clients) and of 16 (its number of clients, the most it can see);
 * - the floor OpenSSL sets in the same run: node:crypto ECDSA P-256 verify of the same SignedInfo
 *   bytes with the keys prepared, i.e. the cost no implementation on node can go below.
 *
 * The target (7,000 requests/s) was set against ~16,000 ECDSA verifies/s; since machines differ,
 * the ratio to the ECDSA rate measured in the same run (target ≥ 0.44) is reported too.
 *
 * Writes duis.json and duis.md to the results folder (bench/results/local/, or see src/cli/bench.ts).
 */
import { type KeyObject, verify, type X509Certificate } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { findReferenceRoot } from "../src/catalogue/reference.js";
import type { BenchContext } from "../src/cli/bench.js";
import { loadSchemaValidator } from "../src/duis/schema/load.js";
import { signDuis } from "../src/duis/signature/sign.js";
import {
  completeDuisVerification,
  type PreparedVerification,
  prepareDuisVerification,
  verifyDuis,
} from "../src/duis/signature/verify.js";
import { exclusiveC14n } from "../src/duis/xml/c14n.js";
import { parseXml } from "../src/duis/xml/parse.js";
import { childElement, textContent } from "../src/duis/xml/tree.js";
import {
  dccBoxedCertificates,
  dccBoxedSigningKeys,
  xmlSigningKey,
} from "../test/duis/signature/dccboxed-keys.js";

/** From the project brief: requests per second on one core, against ~16,000 ECDSA verifies/s. */
const TARGET = { requestsPerSecond: 7_000, ecdsaAtTarget: 16_000 };
const TARGET_RATIO = TARGET.requestsPerSecond / TARGET.ecdsaAtTarget;
/** Requests whose ECDSA verifications run together in the batched measurements. */
const BATCHES = [8, 16] as const;

interface Measurement {
  readonly perSecond: number;
  readonly microsPerItem: number;
  readonly passes: number;
  readonly cpuSeconds: number;
}

/**
 * Measures several passes (each one pass over `count` items) in interleaved rounds until each has
 * spent `minCpuMs` of CPU time, so that a change in machine load affects them alike and their ratios
 * stay meaningful on a shared machine.
 */
function measureInterleaved(
  count: number,
  minCpuMs: number,
  passes: Record<string, () => void>,
): Record<string, Measurement> {
  const names = Object.keys(passes);
  for (const name of names) {
    passes[name]!();
    passes[name]!(); // warm: code optimised, caches filled
  }
  const cpu = new Map(names.map((n) => [n, 0]));
  const runs = new Map(names.map((n) => [n, 0]));
  while (names.some((n) => cpu.get(n)! * 1000 < minCpuMs)) {
    for (const name of names) {
      const start = process.cpuUsage();
      passes[name]!();
      const d = process.cpuUsage(start);
      cpu.set(name, cpu.get(name)! + (d.user + d.system) / 1e6);
      runs.set(name, runs.get(name)! + 1);
    }
  }
  const out: Record<string, Measurement> = {};
  for (const name of names) {
    const per = cpu.get(name)! / (runs.get(name)! * count);
    out[name] = {
      perSecond: Math.round(1 / per),
      microsPerItem: Number((per * 1e6).toFixed(2)),
      passes: runs.get(name)!,
      cpuSeconds: Number(cpu.get(name)!.toFixed(3)),
    };
  }
  return out;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(ctx: BenchContext): Promise<void> {
  const root = findReferenceRoot(ctx.io.env, ctx.projectRoot);
  if (root === undefined) throw new Error("reference data not found (set METERWAY_REFERENCE)");
  const say = (line: string) => ctx.io.stdout.write(`  ${line}\n`);

  // Requests as a Service User sends them: RTDS templates signed with the originator's key.
  const keys = dccBoxedSigningKeys();
  const dir = join(root, "rtds-4.9.1-duis");
  const requests: Buffer[] = readdirSync(dir)
    .sort()
    .map((f) => {
      const xml = readFileSync(join(dir, f));
      const id = textContent(childElement(childElement(parseXml(xml).root, "Header")!, "RequestID")!);
      const key = xmlSigningKey(id.split(":")[0]!, keys);
      return Buffer.from(signDuis(xml, { privateKey: key.privateKey, certificate: key.certificate }), "utf8");
    });
  const n = requests.length;
  const bytes = Math.round(requests.reduce((a, r) => a + r.length, 0) / n);

  // The certificate store, as the DCC keeps it: serial → certificate with its public key extracted.
  const store = new Map<string, { certificate: X509Certificate; publicKey: KeyObject }>();
  for (const [serial, certificate] of dccBoxedCertificates()) {
    store.set(serial, { certificate, publicKey: certificate.publicKey });
  }
  const lookup = { lookupCertificate: (_issuer: string, serial: string) => store.get(serial) };

  const compileStart = performance.now();
  const schema = loadSchemaValidator(join(root, "duis-schema"));
  const compileMs = Number((performance.now() - compileStart).toFixed(1));

  const docs = requests.map((r) => parseXml(r));
  for (const d of docs) {
    const s = schema.validate(d);
    if (!s.valid) throw new Error(`schema: ${JSON.stringify(s.errors)}`);
    const v = verifyDuis(d, lookup);
    if (!v.valid) throw new Error(`signature: ${v.reason} ${v.detail}`);
  }

  let rejected = 0;
  const intakeOne = (r: Buffer) => {
    const doc = parseXml(r);
    if (!schema.validate(doc).valid || !verifyDuis(doc, lookup).valid) rejected++;
  };
  const preparedBatch: PreparedVerification[] = [];
  const intakeBatch = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const doc = parseXml(requests[i]!);
      const p = prepareDuisVerification(doc, lookup);
      if (!schema.validate(doc).valid || p.kind !== "prepared") rejected++;
      else preparedBatch.push(p);
    }
    for (const p of preparedBatch) if (!completeDuisVerification(p).valid) rejected++;
    preparedBatch.length = 0;
  };

  // The OpenSSL floor: ECDSA verify of the same SignedInfo bytes, keys prepared.
  const prepared = docs.map((d) => {
    const sig = childElement(d.root, "Signature")!;
    const issuerSerial = childElement(
      childElement(childElement(sig, "KeyInfo")!, "X509Data")!,
      "X509IssuerSerial",
    )!;
    const serial = textContent(childElement(issuerSerial, "X509SerialNumber")!);
    return {
      data: Buffer.from(exclusiveC14n(childElement(sig, "SignedInfo")!)),
      signature: Buffer.from(textContent(childElement(sig, "SignatureValue")!), "base64"),
      key: store.get(serial)!.publicKey,
    };
  });

  const m = measureInterleaved(n, ctx.minCpuMs, {
    parse: () => {
      for (const r of requests) parseXml(r);
    },
    schema: () => {
      for (const d of docs) schema.validate(d);
    },
    verify: () => {
      for (const d of docs) verifyDuis(d, lookup);
    },
    intake: () => {
      for (const r of requests) intakeOne(r);
    },
    ...Object.fromEntries(
      BATCHES.map((size) => [
        `batched${size}`,
        () => {
          for (let i = 0; i < n; i += size) intakeBatch(i, Math.min(n, i + size));
        },
      ]),
    ),
    ecdsa: () => {
      for (const p of prepared) {
        if (!verify("sha256", p.data, { key: p.key, dsaEncoding: "ieee-p1363" }, p.signature))
          throw new Error("floor");
      }
    },
  });
  const parse = m.parse!;
  const schemaCheck = m.schema!;
  const signature = m.verify!;
  const intake = m.intake!;
  const batched = BATCHES.map((size) => {
    const b = m[`batched${size}`]!;
    const ratioToEcdsa = Number((b.perSecond / m.ecdsa!.perSecond).toFixed(3));
    return { batchSize: size, ...b, ratioToEcdsa, met: ratioToEcdsa >= TARGET_RATIO };
  });
  const ecdsa = m.ecdsa!;
  if (rejected > 0) throw new Error(`${rejected} requests refused during the benchmark`);
  say(`parse          ${parse.perSecond} req/s (${parse.microsPerItem} µs)`);
  say(`schema         ${schemaCheck.perSecond} req/s (${schemaCheck.microsPerItem} µs)`);
  say(`verify         ${signature.perSecond} req/s (${signature.microsPerItem} µs)`);
  say(`intake         ${intake.perSecond} req/s (${intake.microsPerItem} µs)`);
  for (const b of batched) {
    say(`batched by ${String(b.batchSize).padEnd(2)}   ${b.perSecond} req/s (${b.microsPerItem} µs)`);
  }
  say(`ECDSA floor    ${ecdsa.perSecond} verifies/s (${ecdsa.microsPerItem} µs)`);

  // Latency: wall clock per request, over as many requests as the intake measurement ran.
  const samples = new Float64Array(Math.max(n * 20, Math.min(200_000, intake.passes * n)));
  for (let i = 0; i < samples.length; i++) {
    const t = process.hrtime.bigint();
    intakeOne(requests[i % n]!);
    samples[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  samples.sort();
  const latency = {
    samples: samples.length,
    p50Micros: Number(percentile(samples, 50).toFixed(1)),
    p99Micros: Number(percentile(samples, 99).toFixed(1)),
    maxMicros: Number(samples[samples.length - 1]!.toFixed(1)),
  };
  say(`latency        p50 ${latency.p50Micros} µs, p99 ${latency.p99Micros} µs`);

  const ratio = Number((intake.perSecond / ecdsa.perSecond).toFixed(3));
  const result = {
    suite: "duis",
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      openssl: process.versions.openssl,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    },
    requests: n,
    averageBytes: bytes,
    schemaCompileMs: compileMs,
    parse,
    schema: schemaCheck,
    verify: signature,
    intake: {
      ...intake,
      target: TARGET.requestsPerSecond,
      met: intake.perSecond >= TARGET.requestsPerSecond,
    },
    batched,
    latency,
    ecdsaFloor: ecdsa,
    ratioToEcdsa: {
      value: ratio,
      target: Number(TARGET_RATIO.toFixed(3)),
      met: ratio >= TARGET_RATIO,
    },
  };
  writeFileSync(join(ctx.resultsDir, "duis.json"), `${JSON.stringify(result, null, 2)}\n`);

  const f = (x: number) => x.toLocaleString("en-GB");
  const md = `# duis benchmark

${n} RTDS 4.9.1 requests signed with the DCC Boxed test keys (${f(bytes)} bytes on average), one core, CPU time. ${result.date}; node ${process.version}, OpenSSL ${process.versions.openssl}, ${result.machine.cpu} (${result.machine.cores} cores, load ${result.machine.loadAverage1m}). Schema compiled in ${compileMs} ms at start-up.

| measurement | req/s | CPU µs/req | target |
|---|---:|---:|---|
| parse (parseXml of the bytes) | ${f(parse.perSecond)} | ${parse.microsPerItem} |  |
| schema (DUIS 5.4, parsed tree) | ${f(schemaCheck.perSecond)} | ${schemaCheck.microsPerItem} |  |
| verify (c14n, digest, ECDSA; parsed tree) | ${f(signature.perSecond)} | ${signature.microsPerItem} |  |
| **intake: parse + schema + verify**, one request at a time | **${f(intake.perSecond)}** | **${intake.microsPerItem}** | ≥ ${f(TARGET.requestsPerSecond)} ${result.intake.met ? "met" : "not met"} |
${batched.map((b) => `| **intake, batched** as the server under load: ECDSA of ${b.batchSize} requests together | **${f(b.perSecond)}** | **${b.microsPerItem}** |  |`).join("\n")}
| OpenSSL floor: ECDSA P-256 verify of SignedInfo | ${f(ecdsa.perSecond)} | ${ecdsa.microsPerItem} |  |

Intake runs at ${(ratio * 100).toFixed(1)}% of the ECDSA rate measured in the same run one request at a time (${result.ratioToEcdsa.met ? "met" : "not met"}), ${batched.map((b) => `${(b.ratioToEcdsa * 100).toFixed(1)}% batched by ${b.batchSize} (${b.met ? "met" : "not met"})`).join(", ")}; the target is ≥ ${(TARGET_RATIO * 100).toFixed(1)}%, i.e. ${f(TARGET.requestsPerSecond)}/s where ECDSA does ${f(TARGET.ecdsaAtTarget)}/s. Latency per request (wall clock, ${f(latency.samples)} requests): p50 ${latency.p50Micros} µs, p99 ${latency.p99Micros} µs.
`;
  writeFileSync(join(ctx.resultsDir, "duis.md"), md);
}
