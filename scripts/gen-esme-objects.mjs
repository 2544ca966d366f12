#!/usr/bin/env node
// Writes src/sim/cosem/esme-objects.ts: the COSEM objects of the simulated ESME, as facts read from
// the RTDS 4.5.0 ESME COMMAND/RESPONSE pairs (or, with arguments, those of another DLMS device of the
// RTDS: the Communications Hub Function writes src/sim/cosem/chf-objects.ts) (../shared/reference or METERWAY_REFERENCE): every
// attribute an RTDS command sets or gets (and every object a protected read names), with the shapes
// its values take (from the values set, and the values and decrypted protected values answered);
// every method an RTDS command invokes; and per message code, whether the command is critical and
// whether the response is signed and dated. Initial values are our own, of each attribute's shape
// (zeros, empty labels, a fixed 2020-01-01 date-time); no RTDS sample value is copied.
//
// The GBCS codec is TypeScript: run the script with the tsx loader.
//
// Usage: node --import tsx scripts/gen-esme-objects.mjs [EUI PREFIX OUTPUT] && npx biome check --write src/sim/cosem
//   (no arguments: 00DB1234567890A0 ESME src/sim/cosem/esme-objects.ts;
//    the CHF: 00DB1234567890A2 CHF src/sim/cosem/chf-objects.ts)
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fromHex } from "../src/gbcs/cursor.ts";
import { decodeDlmsPayload, encodeCosemDateTime, isDlmsContent } from "../src/gbcs/dlms/index.ts";
import { decodeFrame } from "../src/gbcs/frame.ts";
import { decodeMessage } from "../src/gbcs/message.ts";
import { KeyStore } from "../src/smki/keystore.ts";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const ref = process.env.METERWAY_REFERENCE ?? resolve(projectRoot, "..", "shared", "reference");
const rtds = join(ref, "rtds-4.5.0-gbcs");
const [DEVICE, PREFIX, OUTPUT] =
  process.argv.length > 2
    ? [process.argv[2].toUpperCase(), process.argv[3], process.argv[4]]
    : ["00DB1234567890A0", "ESME", "src/sim/cosem/esme-objects.ts"];
if (PREFIX === undefined || OUTPUT === undefined) throw new Error("usage: [EUI PREFIX OUTPUT]");
const keys = new KeyStore({ directories: [join(ref, "rtds-keystore")] });
const read = (dir, f) => fromHex(readFileSync(join(rtds, dir, f), "utf8").trim());

// --- shapes --------------------------------------------------------------------------------
function shapeOf(d) {
  switch (d.type) {
    case "structure":
      return { t: "structure", of: d.elements.map(shapeOf) };
    case "array": {
      if (d.elements.length === 0) return { t: "array" };
      return { t: "array", of: d.elements.map(shapeOf).reduce(merge) };
    }
    case "compact-array":
      return { t: "compact-array", d: d.contentsDescription };
    case "octet-string":
      return { t: d.type, n: d.value.length };
    case "visible-string":
    case "utf8-string":
      return { t: d.type, n: d.value.length };
    case "bit-string":
      return { t: d.type, n: d.bitLength };
    default:
      return { t: d.type };
  }
}

/** The shape of two values of one array: the same, with an array's unknown elements filled in. */
function merge(a, b) {
  if (a.t === "array" && b.t === "array") {
    if (a.of === undefined) return b;
    if (b.of === undefined) return a;
    return { t: "array", of: merge(a.of, b.of) };
  }
  if (a.t === "structure" && b.t === "structure" && a.of.length === b.of.length) {
    return { t: "structure", of: a.of.map((e, i) => merge(e, b.of[i])) };
  }
  if (key(a) !== key(b)) console.warn(`array elements of two shapes: ${key(a)} / ${key(b)}`);
  return a;
}

/** A shape as a string, lengths left out: equal keys, same shape. */
function key(s) {
  switch (s.t) {
    case "structure":
      return `{${s.of.map(key).join(",")}}`;
    case "array":
      return `[${s.of === undefined ? "" : key(s.of)}]`;
    case "compact-array":
      return `ca${JSON.stringify(s.d)}`;
    default:
      return s.t;
  }
}

// --- what RTDS commands touch -------------------------------------------------------------
/** "class/obis/attr" → { classId, obis, attributeId, shapes: Map(key → shape), twin: Map } */
const attributes = new Map();
const methods = new Map();
const useCases = new Map();

function attribute(classId, obis, attributeId) {
  const k = `${classId}/${obis}/${attributeId}`;
  let a = attributes.get(k);
  if (a === undefined) {
    a = { classId, obis, attributeId, shapes: new Map(), twin: new Map() };
    attributes.set(k, a);
  }
  return a;
}

function observe(a, data, twin) {
  const s = shapeOf(data);
  const into = twin ? a.twin : a.shapes;
  const k = key(s);
  const seen = into.get(k);
  // an array seen empty and later full: keep the full one
  if (seen === undefined || (seen.t === "array" && seen.of === undefined)) into.set(k, s);
  else if (seen.t === "array" && s.t === "array" && s.of !== undefined) into.set(k, merge(seen, s));
}

for (const dir of readdirSync(rtds).sort()) {
  for (const file of readdirSync(join(rtds, dir)).sort()) {
    if (!file.includes("_COMMAND")) continue;
    const command = decodeFrame(read(dir, file));
    if (command.recipient.toUpperCase() !== DEVICE || !isDlmsContent(command.content)) continue;
    const request = decodeDlmsPayload(command.content).apdu;
    if (request.apdu !== "access-request") continue;
    const twin = file.includes("_TWIN_");
    const responseFile = file.replace("_COMMAND", "_RESPONSE");
    const response = existsSync(join(rtds, dir, responseFile))
      ? decodeMessage(read(dir, responseFile), { keys })
      : undefined;
    const useCase = dir.slice(dir.indexOf("_") + 1);
    const facts = {
      useCase,
      critical: (command.signature?.length ?? 0) > 0,
      signedResponse: response !== undefined && (response.frame.signature?.length ?? 0) > 0,
      responseDateTime: response !== undefined && response.frame.dateTime !== null,
    };
    const known = useCases.get(command.messageCode);
    if (known === undefined) useCases.set(command.messageCode, facts);
    else if (
      known.critical !== facts.critical ||
      known.signedResponse !== facts.signedResponse ||
      known.responseDateTime !== facts.responseDateTime
    ) {
      console.warn(`${file}: message code facts differ from ${known.useCase}'s`);
    }
    const answer = response?.payload.family === "dlms" ? response.payload : undefined;
    const apdu = answer?.apdu.apdu === "access-response" ? answer.apdu : undefined;
    request.accessRequestSpecification.forEach((spec, i) => {
      const ok = apdu?.accessResponseSpecification[i]?.result === 0;
      if (spec.kind === "access-request-action") {
        const m = spec.cosemMethodDescriptor;
        methods.set(`${m.classId}/${m.instanceId}/${m.methodId}`, m);
        if (m.classId === 30 && m.methodId === 1)
          protectedRead(request.accessRequestListOfData[i], answer, i, ok, twin);
        return;
      }
      const d = spec.cosemAttributeDescriptor;
      const a = attribute(d.classId, d.instanceId, d.attributeId);
      if (spec.kind === "access-request-set" || spec.kind === "access-request-set-with-selection") {
        observe(a, request.accessRequestListOfData[i], twin);
      } else if (ok) observe(a, apdu.accessResponseListOfData[i], twin);
    });
  }
}

/** A get_protected_attributes: each object of its list, with the decrypted value answered for it. */
function protectedRead(parameters, answer, index, ok, twin) {
  const objectList = parameters.elements[0].elements;
  const objects = objectList.map((o) => {
    const [classId, obis, attributeId] = o.elements;
    const name = [...obis.value].map((b, i) => `${b}${["-", ":", ".", ".", ".", ""][i]}`).join("");
    return attribute(classId.value, name, attributeId.value);
  });
  const view = answer?.protectedAttributes.find((p) => p.index === index);
  const values = ok && view?.decrypted?.ok ? view.decrypted.data.elements : undefined;
  if (values === undefined) return;
  if (values.length !== objects.length) {
    console.warn(`protected read of ${objects.length} objects answered ${values.length} values: not used`);
    return;
  }
  for (const [j, a] of objects.entries()) observe(a, values[j], twin);
}

// --- initial values, our own --------------------------------------------------------------
const DATE_TIME_HEX = Buffer.from(
  encodeCosemDateTime({
    year: 2020,
    month: 1,
    dayOfMonth: 1,
    dayOfWeek: 3,
    hour: 0,
    minute: 0,
    second: 0,
    hundredths: 0,
    deviation: 0,
    clockStatus: 0,
  }),
).toString("hex");

function initial(s) {
  switch (s.t) {
    case "structure":
      return `st(${s.of.map(initial).join(", ")})`;
    case "array":
      return s.of === undefined ? "ar()" : `ar(${initial(s.of)})`;
    case "compact-array":
      return `ca(${JSON.stringify(s.d)})`;
    case "octet-string":
      return `os("${s.n === 12 ? DATE_TIME_HEX : "00".repeat(s.n)}")`;
    case "visible-string":
      return `vs("${"-".repeat(Math.min(s.n, 8))}")`;
    case "utf8-string":
      return `utf8("{}")`;
    case "bit-string":
      return `bits(${s.n})`;
    case "boolean":
      return "bool(false)";
    case "null-data":
      return "nul";
    case "long64":
    case "long64-unsigned":
      return `big("${s.t}", 0n)`;
    case "float32":
    case "float64":
      return `float("${s.t}", 0)`;
    case "date-time":
      return "dateTime";
    case "date":
      return "date";
    case "time":
      return "time";
    case "dont-care":
      return "dontCare";
    default:
      return `num("${s.t}", 0)`;
  }
}

// --- output ---------------------------------------------------------------------------------
const byObject = (a, b) =>
  a.classId - b.classId ||
  a.obis.localeCompare(b.obis) ||
  (a.attributeId ?? a.methodId) - (b.attributeId ?? b.methodId);
const rows = [];
for (const a of [...attributes.values()].sort(byObject)) {
  const shapes = [...a.shapes.values()];
  const twinOnly = [...a.twin.entries()].filter(([k]) => !a.shapes.has(k)).map(([, s]) => s);
  if (shapes.length === 0 && twinOnly.length === 0) {
    console.warn(`${a.classId} ${a.obis} a${a.attributeId}: never answered in RTDS, left null-data`);
    shapes.push({ t: "null-data" });
  }
  const main = shapes.length > 0 ? shapes : twinOnly;
  const twin =
    twinOnly.length > 0 && shapes.length > 0
      ? `, twin: { shape: ${JSON.stringify(twinOnly[0])}, initial: ${initial(twinOnly[0])} }`
      : "";
  rows.push(
    `  { classId: ${a.classId}, obis: "${a.obis}", attributeId: ${a.attributeId}, shapes: ${JSON.stringify(main)}, initial: ${initial(main[0])}${twin} },`,
  );
}
const methodRows = [...methods.values()]
  .sort(
    (a, b) => a.classId - b.classId || a.instanceId.localeCompare(b.instanceId) || a.methodId - b.methodId,
  )
  .map((m) => `  { classId: ${m.classId}, obis: "${m.instanceId}", methodId: ${m.methodId} },`);
const useCaseRows = [...useCases.entries()]
  .sort(([a], [b]) => a - b)
  .map(
    ([code, f]) =>
      `  { messageCode: 0x${code.toString(16).padStart(4, "0")}, useCase: "${f.useCase}", critical: ${f.critical}, signedResponse: ${f.signedResponse}, responseDateTime: ${f.responseDateTime} },`,
  );

const body = [...rows, ...methodRows, ...useCaseRows].join("\n");
const helpers = [
  "ar",
  "big",
  "bits",
  "bool",
  "ca",
  "date",
  "dateTime",
  "dontCare",
  "float",
  "nul",
  "num",
  "os",
  "st",
  "time",
  "utf8",
  "vs",
];
const used = helpers.filter((h) => new RegExp(`\\b${h}\\b(?!:)`).test(body.replace(/"[^"]*"/g, "")));
const args = process.argv.length > 2 ? ` ${DEVICE} ${PREFIX} ${OUTPUT}` : "";
const out = `// Generated by scripts/gen-esme-objects.mjs from the RTDS 4.5.0 ${PREFIX} command/response pairs (facts
// only: classes, OBIS codes, attributes, shapes; initial values are our own).
// Do not edit by hand; regenerate: node --import tsx scripts/gen-esme-objects.mjs${args} && npx biome check --write src/sim/cosem
import type { AttributeFact, MethodFact, UseCaseFact } from "./facts.js";
import { ${used.join(", ")} } from "./literals.js";

/** Every attribute an RTDS command reads or writes on the ${PREFIX}. */
export const ${PREFIX}_ATTRIBUTES: readonly AttributeFact[] = [
${rows.join("\n")}
];

/** Every method an RTDS command invokes on the ${PREFIX}. */
export const ${PREFIX}_METHODS: readonly MethodFact[] = [
${methodRows.join("\n")}
];

/** Per message code: how the command and the ${PREFIX}'s response are protected. */
export const ${PREFIX}_USE_CASES: readonly UseCaseFact[] = [
${useCaseRows.join("\n")}
];
`;
writeFileSync(join(projectRoot, OUTPUT), out);
console.log(`${rows.length} attributes, ${methodRows.length} methods, ${useCaseRows.length} message codes`);
