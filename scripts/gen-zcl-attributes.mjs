#!/usr/bin/env node
// Writes src/sim/zcl/gas-attributes.ts: the initial ZCL attributes of the simulated gas meter
// (GSME) and Gas Proxy Function (GPF). Which attributes exist, in which cluster and with which ZCL
// data type, are facts read from the RTDS 4.5.0 GBCS messages (../shared/reference or
// METERWAY_REFERENCE): every attribute a COMMAND to the GSME (00DB1234567890A1) or GPF
// (00DB1234567890A3) reads or writes, typed by the records of the RESPONSE files. The initial values
// are our own (below), not the RTDS sample values. A few attributes that the devices' command
// effects set (emergency credit, debt cap, …) are added from ZSE with their types.
//
// The GBCS codec is TypeScript: run with the tsx loader.
// Usage: node --import tsx scripts/gen-zcl-attributes.mjs && npx biome check --write src/sim/zcl
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fromHex } from "../src/gbcs/cursor.ts";
import { zclAttributeName, zclClusterName } from "../src/gbcs/gbz/index.ts";
import { decodeMessage } from "../src/gbcs/message.ts";
import { KeyStore } from "../src/smki/keystore.ts";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const ref = process.env.METERWAY_REFERENCE ?? resolve(projectRoot, "..", "shared", "reference");
const rtds = join(ref, "rtds-4.5.0-gbcs");
const out = join(projectRoot, "src", "sim", "zcl", "gas-attributes.ts");
// Keys open the ciphered responses, whose records carry the types of the sensitive attributes.
const keys = KeyStore.fromDirectory(join(ref, "rtds-keystore"));
const GAS = new Set(["00DB1234567890A1", "00DB1234567890A3"]);

const decode = (path) => decodeMessage(fromHex(readFileSync(path, "utf8").trim()), { keys });
const frameOf = (c) =>
  c.body.encrypted ? { header: c.body.header, payload: c.body.plaintext } : c.body.frame;

/** cluster/attribute → { cluster, attribute, type?, files } */
const found = new Map();
const key = (cluster, attribute) => `${cluster}/${attribute}`;
function note(cluster, attribute, type) {
  const k = key(cluster, attribute);
  const row = found.get(k) ?? { cluster, attribute, type: undefined };
  if (type !== undefined) {
    if (row.type !== undefined && row.type !== type)
      throw new Error(`cluster ${cluster} attribute ${attribute}: types ${row.type} and ${type}`);
    row.type = type;
  }
  found.set(k, row);
}

for (const dir of readdirSync(rtds).sort()) {
  for (const file of readdirSync(join(rtds, dir)).sort()) {
    if (!file.includes("_COMMAND_")) continue;
    const command = decode(join(rtds, dir, file));
    if (!GAS.has(command.frame.recipient) || command.payload.family !== "gbz") continue;
    for (const c of command.payload.components) {
      const f = frameOf(c);
      if (f.payload?.kind === "readAttributes") for (const a of f.payload.attributeIds) note(c.clusterId, a);
      if (f.payload?.kind?.startsWith("writeAttributes"))
        for (const r of f.payload.records) note(c.clusterId, r.attributeId, r.value.type);
    }
    let response;
    try {
      response = decode(join(rtds, dir, file.replace("_COMMAND_", "_RESPONSE_")));
    } catch {
      continue;
    }
    for (const c of response.payload.components ?? []) {
      const f = frameOf(c);
      if (f.payload?.kind !== "readAttributesResponse") continue;
      for (const r of f.payload.records)
        if (r.value !== undefined) note(c.clusterId, r.attributeId, r.value.type);
    }
  }
}

// Attributes the devices' command effects set (ZSE types), beyond those the RTDS commands read.
const EFFECTS = [
  [0x0705, 0x0000, 0x19], // paymentControlConfiguration, bitmap16 (Change Payment Mode)
  [0x0705, 0x0006, 0x2b], // overallDebtCap, int32 (Set Overall Debt Cap)
  [0x0705, 0x0010, 0x23], // emergencyCreditLimitAllowance, uint32 (Emergency Credit Setup)
  [0x0705, 0x0011, 0x23], // emergencyCreditThreshold, uint32
  [0x0705, 0x0021, 0x23], // maxCreditLimit, uint32 (Set Maximum Credit Limit)
  [0x0705, 0x0022, 0x23], // maxCreditPerTopUp, uint32
  [0x0705, 0x0031, 0x23], // lowCreditWarningLevel, uint32 (Set Low Credit Warning Level)
  [0x0705, 0x0040, 0x2b], // cutOffValue, int32 (Change Payment Mode)
  [0x0702, 0x0311, 0x41], // customerIdNumber, octet string (Update CIN)
];
for (const [cluster, attribute, type] of EFFECTS) note(cluster, attribute, type);

// Our initial values (cluster/attribute in decimal: Basic 0, Price 1792 = 0x0700, Metering
// 1794 = 0x0702, Prepayment 1797 = 0x0705): a healthy, credit-mode gas meter on one tier, in m³
// (litres, divisor 1000). Anything not listed starts at zero (strings: the attribute's name).
const text = (s) => ({ text: s });
const VALUES = {
  "0/3": 1, // hwVersion
  "0/4": text("Meterway"), // manufacturerName
  "0/5": text("SIM-GAS-1"), // modelIdentifier
  "1792/514": 1, // thresholdMultiplier
  "1792/515": 1, // thresholdDivisor
  "1792/769": 2_500, // standingCharge
  "1792/770": 1_022_640, // conversionFactor (1.02264, 6 decimals)
  "1792/771": 0x60, // conversionFactorTrailingDigit
  "1792/772": 39_500, // calorificValue (39.5 MJ/m³)
  "1792/773": 1, // calorificValueUnit: MJ/m³
  "1792/774": 0x30, // calorificValueTrailingDigit
  "1792/1557": 1, // unitOfMeasure
  "1792/1558": 826, // currency: GBP
  "1792/1559": 0x20, // priceTrailingDigit
  "1794/0": 1_250_000, // currentSummationDelivered
  "1794/20": 2, // supplyStatus: ON
  "1794/517": 3650, // remainingBatteryLifeInDays
  "1794/518": text("G4-SIM-000001"), // currentMeterId
  "1794/768": 1, // unitOfMeasure: m³ (binary)
  "1794/769": 1, // multiplier
  "1794/770": 1000, // divisor
  "1794/775": text("SITE-0001"), // siteId
  "1794/785": text("CIN-0001"), // customerIdNumber
  "1794/2832": 100, // uncontrolledFlowThreshold
  "1794/2834": 1, // uncontrolledFlowMultiplier
  "1794/2835": 10, // uncontrolledFlowDivisor
  "1794/2836": 30, // flowStabilisationPeriod
  "1794/2837": 60, // flowMeasurementPeriod
  "1797/1": 2000, // creditRemaining
  "1797/2": 500, // emergencyCreditRemaining
  "1797/16": 1000, // emergencyCreditLimitAllowance
  "1797/17": 200, // emergencyCreditThreshold
  "1797/33": 20000, // maxCreditLimit
  "1797/34": 10000, // maxCreditPerTopUp
  "1797/49": 300, // lowCreditWarningLevel
};
const chosen = (row) => VALUES[key(row.cluster, row.attribute)];

const STRING_TYPES = new Set([0x41, 0x42, 0x43, 0x44]);
const BYTES_TYPES = { 224: 4, 225: 4, 241: 16 };
const BIG_TYPES = new Set([0x1e, 0x1f, 0x26, 0x27, 0x2e, 0x2f, 0xf0]);

function literal(row) {
  const v = chosen(row);
  const t = row.type;
  if (STRING_TYPES.has(t)) {
    const s = v?.text ?? `${zclAttributeName(row.cluster, row.attribute) ?? "attribute"}`;
    return `ascii(${JSON.stringify(s)})`;
  }
  if (t in BYTES_TYPES) return `new Uint8Array(${BYTES_TYPES[t]})`;
  if (t === 0x10) return v === 1 ? "true" : "false";
  if (t === 0x00) return "null";
  const n = typeof v === "number" ? v : 0;
  return BIG_TYPES.has(t) ? `${n}n` : String(n);
}

const rows = [...found.values()].sort((a, b) => a.cluster - b.cluster || a.attribute - b.attribute);
const untyped = rows.filter((r) => r.type === undefined);
if (untyped.length > 0)
  throw new Error(`no type in any response for ${untyped.map((r) => key(r.cluster, r.attribute))}`);
const h = (n, w) => `0x${n.toString(16).padStart(w, "0")}`;
const lines = rows.map((r) => {
  const name = zclAttributeName(r.cluster, r.attribute) ?? "(not named in zcl-attributes.ts)";
  return `  { cluster: ${h(r.cluster, 4)}, attribute: ${h(r.attribute, 4)}, value: { type: ${h(r.type, 2)}, value: ${literal(r)} } }, // ${zclClusterName(r.cluster)} ${name}`;
});
writeFileSync(
  out,
  `// Generated by scripts/gen-zcl-attributes.mjs from the RTDS 4.5.0 GSME/GPF commands and responses
// (which attributes, their ZCL types); the values are the simulator's own.
// Do not edit by hand; regenerate: node --import tsx scripts/gen-zcl-attributes.mjs && npx biome check --write src/sim/zcl
import type { ZclAttributeFact } from "./store.js";

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The initial attributes of a simulated GSME / GPF (${rows.length}). */
export const gasAttributeFacts: readonly ZclAttributeFact[] = [
${lines.join("\n")}
];
`,
);
console.log(`wrote ${out}: ${rows.length} attributes`);
