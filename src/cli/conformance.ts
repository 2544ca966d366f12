/**
 * The conformance table (`docs/conformance.md`): every device SRV × device type × command variant
 * with its GBCS use case, whether it is critical, whether this DCC carries it, and whether its
 * command equals the RTDS vectors byte for byte (or why not). It is computed, not written: the
 * SRVs, device types and variants come from the catalogue, what is carried from the command specs
 * and the pipeline, and the byte comparison runs the transformer on every paired RTDS template
 * with the RTDS keys. `scripts/gen-conformance.mjs` writes the file; a test checks it is current.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  allowedCommandVariants,
  type CommandVariant,
  isCriticalSrv,
  type Srv,
  srvDeviceTypes,
  srvEntry,
  srvs,
  useCasesForSrv,
} from "../catalogue/index.js";
import { CARRIED_COMMAND_VARIANTS } from "../dcc/pipeline.js";
import { CommandTransformer } from "../dcc/transform/index.js";
import { parseRequest } from "../duis/model/request.js";
import { parseXml } from "../duis/xml/parse.js";
import { toHex } from "../gbcs/cursor.js";
import { KeyStore } from "../smki/keystore.js";
import { type DeviceType, euiFromDuis } from "../store/types.js";
import { RTDS_DEVICE_TYPES, rtdsRecords } from "./profiles/rtds-devices.js";
import { actingRole, readBoxedIdentities } from "./profiles/rtds-identities.js";

/** RTDS built its GBZ commands at this DCC time (their Issuer Event IDs say so). */
export const RTDS_DCC_TIME = Date.UTC(2015, 0, 1);

interface PairFile {
  readonly file: string;
  readonly matchesRequestId: boolean | null;
}
interface Pair {
  readonly template: string;
  readonly serviceReferenceVariant: string;
  readonly gbcs: { readonly COMMAND?: readonly PairFile[]; readonly PRECOMMAND?: readonly PairFile[] };
}

/** One RTDS template with the vector its transform is compared with. */
export interface RtdsVectorCheck {
  readonly srv: string;
  readonly deviceType: DeviceType;
  readonly file: string;
  readonly useCase: string | null;
  /** Equal byte for byte, or why not (the refusal, or the first differing byte). */
  readonly result: { readonly equal: true } | { readonly equal: false; readonly why: string };
}

/** Transforms every paired RTDS template and compares it with its COMMAND (or PRECOMMAND, critical). */
export function checkRtdsVectors(referenceRoot: string): RtdsVectorCheck[] {
  const keys = KeyStore.fromDirectory(join(referenceRoot, "rtds-keystore"));
  const transformer = new CommandTransformer(keys);
  const records = rtdsRecords((eui) => keys.certificate(eui, "ka")?.raw);
  const userRoles = new Map(readBoxedIdentities(referenceRoot).users.map((u) => [u.eui, u.roles]));
  const doc = JSON.parse(
    readFileSync(join(referenceRoot, "catalogue", "duis-to-gbcs-pairs.json"), "utf8"),
  ) as {
    pairs: Pair[];
  };
  const out: RtdsVectorCheck[] = [];
  for (const pair of doc.pairs) {
    const srv = pair.serviceReferenceVariant;
    const pre = isCriticalSrv(srv);
    for (const f of (pre ? pair.gbcs.PRECOMMAND : pair.gbcs.COMMAND) ?? []) {
      if (f.matchesRequestId !== true) continue;
      const request = parseRequest(parseXml(readFileSync(join(referenceRoot, pair.template))).root);
      const { originator, target, counter } = request.header.requestId;
      const device = euiFromDuis(target);
      const deviceType = RTDS_DEVICE_TYPES[device];
      if (deviceType === undefined) continue;
      const input = {
        originator: euiFromDuis(originator),
        device,
        counter,
        body: request.body,
        at: RTDS_DCC_TIME,
        records,
        role: actingRole(
          userRoles.get(euiFromDuis(originator)) ?? [],
          srvEntry(srv as Srv).roles,
          deviceType,
        ),
      };
      const built = pre
        ? transformer.preCommand(srv, deviceType, input)
        : transformer.transform(srv, deviceType, input);
      const want = readFileSync(join(referenceRoot, f.file), "utf8").trim().toUpperCase();
      const file = (f.file.split("/").pop() ?? f.file).replace(/_GBCS\.HEX$/, "");
      if (!built.ok) {
        out.push({
          srv,
          deviceType,
          file,
          useCase: null,
          result: { equal: false, why: built.kind === "notImplemented" ? "not built" : built.reason },
        });
        continue;
      }
      const got = toHex(built.bytes).toUpperCase();
      let i = 0;
      while (i < got.length && got[i] === want[i]) i++;
      out.push({
        srv,
        deviceType,
        file,
        useCase: built.useCase,
        result:
          got === want ? { equal: true } : { equal: false, why: `differs from byte ${Math.floor(i / 2)}` },
      });
    }
  }
  return out;
}

const VARIANT_NAMES: Record<CommandVariant, string> = {
  1: "CV1 sent",
  2: "CV2 returned for local delivery",
  3: "CV3 sent and returned",
  4: "CV4 Pre-Command",
  5: "CV5 signed, sent",
  6: "CV6 signed, returned",
  7: "CV7 signed, sent and returned",
  8: "CV8 non-device",
};

/** The Markdown of docs/conformance.md. */
export function renderConformance(referenceRoot: string): string {
  const transformer = new CommandTransformer(KeyStore.fromDirectory(join(referenceRoot, "rtds-keystore")));
  const checks = checkRtdsVectors(referenceRoot);
  const bySrvType = new Map<string, RtdsVectorCheck[]>();
  for (const c of checks) {
    const key = `${c.srv}|${c.deviceType}`;
    bySrvType.set(key, [...(bySrvType.get(key) ?? []), c]);
  }
  const rows: string[] = [];
  let combinations = 0;
  let carried = 0;
  for (const entry of srvs) {
    if (entry.nonDevice) continue;
    const srv = entry.srv as Srv;
    const types = srvDeviceTypes[srv] ?? [];
    const variants = allowedCommandVariants(srv).filter((cv) => cv !== 8);
    const linked = useCasesForSrv(srv)
      .map((l) => l.useCase)
      .join(", ");
    if (types.length === 0) {
      rows.push(
        `| ${srv} | ${entry.name} | (device types not listed) | ${variants.join(", ")} | ${linked || "—"} | ${entry.critical ? "yes" : "no"} | no | — |`,
      );
      continue;
    }
    for (const type of types) {
      const specs = transformer.variants(srv, type);
      const useCases =
        specs.length > 0 ? [...new Set(specs.map((s) => s.useCase))].join(", ") : linked || "—";
      const carriedVariants = variants.filter(
        (cv) => specs.length > 0 && CARRIED_COMMAND_VARIANTS.includes(cv),
      );
      combinations += variants.length;
      carried += carriedVariants.length;
      const vectors = bySrvType.get(`${srv}|${type}`) ?? [];
      const equal = vectors.filter((v) => v.result.equal).length;
      const unequal = vectors.filter((v) => !v.result.equal);
      const exact =
        vectors.length === 0
          ? "no RTDS vector"
          : unequal.length === 0
            ? `${equal}/${vectors.length} equal`
            : `${equal}/${vectors.length} equal; ${unequal.map((u) => `${u.file}: ${u.result.equal ? "" : u.result.why}`).join("; ")}`;
      const variantCell = variants
        .map((cv) => `${carriedVariants.includes(cv) ? "✔" : "✘"} ${VARIANT_NAMES[cv]}`)
        .join("<br>");
      rows.push(
        `| ${srv} | ${entry.name} | ${type} | ${variantCell} | ${useCases} | ${entry.critical ? "yes" : "no"} | ${specs.length > 0 ? "yes" : "no"} | ${exact.replaceAll("|", "\\|")} |`,
      );
    }
  }
  const equalTotal = checks.filter((c) => c.result.equal).length;
  return [
    "# Conformance",
    "",
    "Written by `node --import tsx scripts/gen-conformance.mjs` from the catalogue, the command specs,",
    "the pipeline and the RTDS reference data; `test/cli/conformance-doc.test.ts` fails when it is out of date.",
    "",
    `- Device SRV × device type × command variant combinations: ${combinations}; carried: ${carried}.`,
    `- RTDS templates whose vector carries their RequestID: ${checks.length}; transformed byte for byte equal: ${equalTotal}.`,
    "- A variant is carried (✔) when the DCC builds the SRV's command for the device type and the pipeline",
    `  carries the variant (${CARRIED_COMMAND_VARIANTS.map((cv) => `CV${cv}`).join(", ")}).`,
    "- Byte for byte: the transform of each paired RTDS 4.9.1 template, with the RTDS keys at the DCC time",
    "  2015-01-01T00:00:00Z, against the RTDS 4.5.0 COMMAND (PRECOMMAND for a critical SRV).",
    "",
    "| SRV | name | device type | command variants | use case | critical | built | RTDS byte for byte |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
