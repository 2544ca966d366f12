/**
 * Transform throughput: every RTDS 4.9.1 device template the DCC builds a command for (the RTDS
 * premises' device types, the RTDS keys), transformed into its GBCS command (or, for a critical SRV,
 * its Pre-Command), on one core, as CPU time per transform: the command specs, the payload codec,
 * the grouping header and the ACB's MAC.
 *
 * The baseline, measured in the same run: what OpenSSL needs for the MAC alone with everything
 * prepared (the GBCS KDF's SHA-256 and the AES-GCM tag over each command's bytes; the ECDH secret is
 * cached by the key store in the product too), i.e. the floor no implementation on node goes below.
 * Measurements are interleaved in rounds and the median round is reported (see gbcs.ts).
 */

import { createCipheriv, createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { isCriticalSrv, type Srv, srvEntry } from "../src/catalogue/index.js";
import { findReferenceRoot } from "../src/catalogue/reference.js";
import type { BenchContext } from "../src/cli/bench.js";
import { RTDS_DCC_TIME } from "../src/cli/conformance.js";
import { RTDS_DEVICE_TYPES, rtdsRecords } from "../src/cli/profiles/rtds-devices.js";
import { actingRole, readBoxedIdentities } from "../src/cli/profiles/rtds-identities.js";
import { readRtdsTemplates } from "../src/cli/profiles/rtds-templates.js";
import { CommandTransformer, type TransformInput } from "../src/dcc/transform/index.js";
import { parseRequest } from "../src/duis/model/request.js";
import { parseXml } from "../src/duis/xml/parse.js";
import { KeyStore } from "../src/smki/keystore.js";
import type { DeviceType } from "../src/store/types.js";
import { euiFromDuis } from "../src/store/types.js";
import { type Job, measureAll } from "./gbcs.js";

interface Case {
  readonly srv: string;
  readonly type: DeviceType;
  readonly critical: boolean;
  readonly input: TransformInput;
}

export async function run(ctx: BenchContext): Promise<void> {
  const root = findReferenceRoot(ctx.io.env, ctx.projectRoot);
  if (root === undefined) throw new Error("reference data not found (set METERWAY_REFERENCE)");
  const keys = KeyStore.fromDirectory(join(root, "rtds-keystore"));
  const transformer = new CommandTransformer(keys);
  const records = rtdsRecords((eui) => keys.certificate(eui, "ka")?.raw);
  const userRoles = new Map(readBoxedIdentities(root).users.map((u) => [u.eui, u.roles]));
  const say = (line: string) => ctx.io.stdout.write(`  ${line}\n`);

  const cases: Case[] = [];
  let templates = 0;
  for (const t of readRtdsTemplates(root)) {
    const type = RTDS_DEVICE_TYPES[t.target];
    if (type === undefined || (t.commandVariant !== 1 && t.commandVariant !== 4)) continue;
    templates++;
    const request = parseRequest(parseXml(readFileSync(t.path)).root);
    const { originator, target, counter } = request.header.requestId;
    const srv = request.header.serviceReferenceVariant;
    const input = {
      originator: euiFromDuis(originator),
      device: euiFromDuis(target),
      counter,
      body: request.body,
      at: RTDS_DCC_TIME,
      records,
      role: actingRole(userRoles.get(euiFromDuis(originator)) ?? [], srvEntry(srv as Srv).roles, type),
    };
    const critical = isCriticalSrv(srv);
    const built = critical
      ? transformer.preCommand(srv, type, input)
      : transformer.transform(srv, type, input);
    if (built.ok) cases.push({ srv, type, critical, input });
  }
  if (cases.length === 0) throw new Error("no template transforms");
  const once = (c: Case) =>
    c.critical
      ? transformer.preCommand(c.srv, c.type, c.input)
      : transformer.transform(c.srv, c.type, c.input);
  const commands = cases.map((c) => {
    const r = once(c);
    if (!r.ok) throw new Error(r.reason);
    return r.bytes;
  });

  // The floor: the MAC alone (KDF SHA-256 + AES-GCM tag) over the same bytes, keys prepared.
  const z = new Uint8Array(32).fill(7);
  const otherInfo = new Uint8Array(40);
  const key = createHash("sha256").update(z).digest().subarray(0, 16);
  const iv = new Uint8Array(12);
  const n = cases.length;
  const job = (pass: () => void): Job => ({ count: n, cpuMs: ctx.minCpuMs, pass });
  const m = measureAll({
    transform: job(() => {
      for (const c of cases) once(c);
    }),
    macFloor: job(() => {
      for (const bytes of commands) {
        createHash("sha256")
          .update(new Uint8Array([0, 0, 0, 1]))
          .update(z)
          .update(otherInfo)
          .digest();
        const g = createCipheriv("aes-128-gcm", key, iv);
        g.setAAD(bytes);
        g.final();
        g.getAuthTag();
      }
    }),
  });
  const { transform, macFloor } = m;
  const ofFloor = Number((transform.messagesPerSecond / macFloor.messagesPerSecond).toFixed(3));
  say(
    `transform      ${transform.messagesPerSecond} transforms/s (${transform.microsPerMessage} µs each, ${n} templates)`,
  );
  say(`OpenSSL MAC    ${macFloor.messagesPerSecond} /s (the floor); transform at ${ofFloor} of it`);

  const result = {
    suite: "transform",
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      openssl: process.versions.openssl,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    },
    templates: { deviceTemplates: templates, transformed: n },
    transform,
    openSslMacFloor: macFloor,
    ofFloor,
  };
  writeFileSync(join(ctx.resultsDir, "transform.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(
    join(ctx.resultsDir, "transform.md"),
    [
      "# transform benchmark",
      "",
      `${n} of ${templates} RTDS 4.9.1 device templates (CV1 and CV4) transformed into their GBCS command or Pre-Command, ACB MAC included, one core, CPU time, median of interleaved rounds. ${result.date}; node ${process.version}, OpenSSL ${process.versions.openssl}, ${result.machine.cpu} (${result.machine.cores} cores, load ${result.machine.loadAverage1m}).`,
      "",
      "| measurement | per second | CPU µs each |",
      "|---|---:|---:|",
      `| transform (spec, payload codec, grouping header, MAC) | ${transform.messagesPerSecond.toLocaleString("en-GB")} | ${transform.microsPerMessage} |`,
      `| OpenSSL floor: KDF SHA-256 + AES-GCM tag over the same bytes | ${macFloor.messagesPerSecond.toLocaleString("en-GB")} | ${macFloor.microsPerMessage} |`,
      "",
      `Transform at ${ofFloor} of the same-run OpenSSL floor.`,
      "",
    ].join("\n"),
  );
}
