import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSchemaValidator } from "../../../src/duis/schema/load.js";
import type { SchemaValidationResult } from "../../../src/duis/schema/validate.js";
import { removeSignature } from "../../../src/duis/signature/sign.js";
import { parseXml } from "../../../src/duis/xml/parse.js";
import type { XmlElement } from "../../../src/duis/xml/tree.js";
import { reference } from "../../support/reference.js";

const schemaDir = reference("duis-schema");
const validator = loadSchemaValidator(schemaDir);
const RTDS = reference("rtds-4.9.1-duis");
const templates = readdirSync(RTDS)
  .sort()
  .map((name) => ({ name, xml: readFileSync(join(RTDS, name), "utf8") }));

function validate(xml: string): SchemaValidationResult {
  return validator.validate(parseXml(xml));
}

/** The single error of an invalid message. */
function invalid(xml: string): { path: string; message: string; line?: number } {
  const r = validate(xml);
  assert.equal(r.valid, false, "expected the message to be invalid");
  if (r.valid) throw new Error("unreachable");
  return r.errors[0]!;
}

const ECS17B = templates.find((t) => t.name === "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML")!.xml;

/** Textual mutations of a request, each breaking one schema rule. */
const MUTATIONS: readonly { readonly name: string; readonly apply: (xml: string) => string }[] = [
  {
    name: "unknown element",
    apply: (x) => x.replace("</sr:Header>", "<sr:Unknown>1</sr:Unknown></sr:Header>"),
  },
  {
    name: "missing required element",
    apply: (x) => x.replace(/<sr:CommandVariant>\d<\/sr:CommandVariant>/, ""),
  },
  {
    name: "bad enumeration value",
    apply: (x) => x.replace(/<sr:CommandVariant>\d</, "<sr:CommandVariant>10<"),
  },
  { name: "bad pattern", apply: (x) => x.replace("<sr:RequestID>", "<sr:RequestID>ZZ") },
  { name: "bad attribute value", apply: (x) => x.replace(/schemaVersion="[^"]*"/, 'schemaVersion="five"') },
  {
    name: "element repeated past maxOccurs",
    apply: (x) => x.replace(/(<sr:ServiceReference>[^<]*<\/sr:ServiceReference>)/, "$1$1"),
  },
];

describe("DUIS schema validation", () => {
  it("accepts all 297 RTDS 4.9.1 requests, with their placeholder signature and without it", () => {
    assert.equal(templates.length, 297);
    for (const t of templates) {
      const doc = parseXml(t.xml);
      const r = validator.validate(doc);
      assert.ok(r.valid, `${t.name}: ${r.valid ? "" : JSON.stringify(r.errors)}`);
      assert.ok(validator.validate(removeSignature(doc.root)).valid, `${t.name} without signature`);
    }
  });

  it("accepts real signed DCC Boxed responses (39-digit serials are the signature step's business)", () => {
    for (const f of [
      "readfw-response.xml",
      "read-inventory-response-5.4.xml",
      "read-inventory-response-4g.xml",
    ]) {
      const r = validate(readFileSync(reference("duis-samples", "signing-tool", f), "utf8"));
      assert.ok(r.valid, `${f}: ${r.valid ? "" : JSON.stringify(r.errors)}`);
    }
  });

  it("names the element and the reason for each kind of mistake", () => {
    const unknown = invalid(MUTATIONS[0]!.apply(ECS17B));
    assert.equal(unknown.path, "/sr:Request/sr:Header/sr:Unknown");
    assert.match(
      unknown.message,
      /unexpected element sr:Unknown after sr:ServiceReferenceVariant in sr:Header/,
    );

    const missing = invalid(MUTATIONS[1]!.apply(ECS17B));
    assert.equal(missing.path, "/sr:Request/sr:Header/sr:ServiceReference");
    assert.match(missing.message, /expected .*sr:CommandVariant/);

    const badEnum = invalid(MUTATIONS[2]!.apply(ECS17B));
    assert.equal(badEnum.path, "/sr:Request/sr:Header/sr:CommandVariant");
    assert.match(
      badEnum.message,
      /'10' is not one of the values of sr:CommandVariant: 1, 2, 3, 4, 5, 6, 7, 8, 9$/,
    );
    assert.equal(badEnum.line, 5);

    const badPattern = invalid(MUTATIONS[3]!.apply(ECS17B));
    assert.equal(badPattern.path, "/sr:Request/sr:Header/sr:RequestID");
    assert.match(badPattern.message, /does not match the pattern of sr:RequestIDType/);

    const badAttribute = invalid(MUTATIONS[4]!.apply(ECS17B));
    assert.equal(badAttribute.path, "/sr:Request");
    assert.match(badAttribute.message, /attribute schemaVersion of sr:Request: 'five' is not a valid/);

    const repeated = invalid(MUTATIONS[5]!.apply(ECS17B));
    assert.match(repeated.message, /unexpected element sr:ServiceReference after sr:ServiceReference/);
  });

  it("checks attributes, empty content, text and the root", () => {
    assert.match(
      invalid(ECS17B.replace(/ schemaVersion="[^"]*"/, "")).message,
      /needs attribute schemaVersion/,
    );
    assert.match(
      invalid(ECS17B.replace("<sr:Header>", '<sr:Header extra="1">')).message,
      /attribute extra is not allowed/,
    );
    assert.match(
      invalid(
        ECS17B.replace(
          "<sr:ReadInstantaneousImportRegisters/>",
          "<sr:ReadInstantaneousImportRegisters>x</sr:ReadInstantaneousImportRegisters>",
        ),
      ).message,
      /text 'x' is not allowed/,
    );
    // An element inside a simple value, before or after text.
    for (const inner of ["<x/>7", "7<x/>"]) {
      assert.match(
        invalid(ECS17B.replace(/<sr:CommandVariant>\d+</, `<sr:CommandVariant>${inner}<`)).message,
        /has a simple value; element x is not allowed in it/,
      );
    }
    assert.match(
      invalid(ECS17B.replace(/sr:Request\b/g, "sr:Requests")).message,
      /not a message the schema declares/,
    );
    const body = invalid(ECS17B.replace("<sr:ReadInstantaneousImportRegisters/>", "<sr:NoSuchRequest/>"));
    assert.equal(body.path, "/sr:Request/sr:Body/sr:NoSuchRequest");
    assert.match(body.message, /expected one of sr:UpdateImportTariffPrimaryElement, /);
  });

  it("checks numeric bounds exactly, as decimals", () => {
    const withCv = (v: string) => ECS17B.replace(/<sr:CommandVariant>\d</, `<sr:CommandVariant>${v}<`);
    assert.ok(validate(withCv(" 1 ")).valid, "whitespace collapses before the check");
    assert.match(invalid(withCv("1.5")).message, /not a valid/);
  });

  it("stops after maxErrors and reports every error up to it", () => {
    let xml = ECS17B;
    for (const m of MUTATIONS.slice(2, 5)) xml = m.apply(xml);
    const all = validator.validate(parseXml(xml));
    assert.equal(all.valid, false);
    if (!all.valid) assert.equal(all.errors.length, 3);
    const one = validator.validate(parseXml(xml), { maxErrors: 1 });
    if (!one.valid) assert.equal(one.errors.length, 1);
  });
});

const xmllint = spawnSync("xmllint", ["--version"], { encoding: "utf8" });
const noXmllint =
  xmllint.error !== undefined
    ? "xmllint is not installed (apt package libxml2-utils): cross-check skipped"
    : false;

/** The leaf elements (text only) under Body, for value mutations. */
function bodyLeaves(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (el: XmlElement, inBody: boolean) => {
    const kids = el.children.filter((c): c is XmlElement => c.kind === "element");
    if (kids.length === 0 && inBody) out.push(el);
    for (const k of kids) walk(k, inBody || el.localName === "Body");
  };
  walk(root, false);
  return out;
}

describe("agreement with libxml2 (xmllint)", { skip: noXmllint }, () => {
  it("gives the same verdict as xmllint on the templates and hundreds of mutations of them", () => {
    const dir = mkdtempSync(join(tmpdir(), "meterway-xsd-"));
    try {
      const cases: { file: string; ours: boolean }[] = [];
      const add = (xml: string) => {
        const file = join(dir, `${cases.length}.xml`);
        writeFileSync(file, xml);
        cases.push({ file, ours: validate(xml).valid });
      };
      templates.forEach((t, i) => {
        add(t.xml);
        if (i % 5 === 0) for (const m of MUTATIONS) add(m.apply(t.xml));
        const leaves = bodyLeaves(parseXml(t.xml).root);
        const leaf = leaves[i % Math.max(1, leaves.length)];
        if (leaf === undefined) return;
        // (libxml2 wrongly accepts some non-base64 text such as "A:AAA" or "2024-13-01" as base64Binary, which we refuse; the values here avoid that.)
        const value = ["X", "-1", "99999999999999999999", "", "2024-13-01T25:00:00", "1.25"][i % 6]!;
        const tag = leaf.prefix === "" ? leaf.localName : `${leaf.prefix}:${leaf.localName}`;
        const re = new RegExp(`<${tag}>[^<]*</${tag}>`);
        if (re.test(t.xml)) add(t.xml.replace(re, `<${tag}>${value}</${tag}>`));
      });
      const run = spawnSync(
        "xmllint",
        [
          "--noout",
          "--nonet",
          "--schema",
          join(schemaDir, "DUIS_Schema_V5.4.xsd"),
          ...cases.map((c) => c.file),
        ],
        {
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      const verdicts = new Map<string, boolean>();
      for (const line of run.stderr.split("\n")) {
        const ok = / validates$/.exec(line);
        const bad = / fails to validate$/.exec(line);
        if (ok) verdicts.set(line.slice(0, ok.index), true);
        if (bad) verdicts.set(line.slice(0, bad.index), false);
      }
      let invalidCount = 0;
      const disagreements: string[] = [];
      for (const c of cases) {
        const theirs = verdicts.get(c.file);
        assert.notEqual(theirs, undefined, `xmllint said nothing about ${c.file}`);
        if (!c.ours) invalidCount++;
        if (theirs !== c.ours) disagreements.push(`${c.file}: xmllint ${theirs} meterway ${c.ours}`);
      }
      assert.deepEqual(disagreements, []);
      assert.ok(cases.length > 500, `${cases.length} cases`);
      assert.ok(invalidCount > 200, `${invalidCount} invalid cases`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
