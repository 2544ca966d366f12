/**
 * Typed request bodies (generated from the DUIS 5.4 XSD): every RTDS 4.9.1 template's body reads
 * into its typed object, with every leaf of the element in it (none dropped, none invented), numbers
 * and booleans by their schema types.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { srvs } from "../../../src/catalogue/index.js";
import { BODY_TYPES } from "../../../src/duis/model/bodies.js";
import type { DuisElement } from "../../../src/duis/model/element.js";
import { parseRequest } from "../../../src/duis/model/request.js";
import { isBodyElementName, typedBody } from "../../../src/duis/model/typed-body.js";
import { parseXml } from "../../../src/duis/xml/parse.js";
import { reference } from "../../support/reference.js";

/** The body element of a request, whatever the model made of it. */
function elementOf(xml: Buffer): DuisElement | undefined {
  const body = parseRequest(parseXml(xml).root).body;
  return body.kind === "generic" ? body.element : undefined;
}

function leaves(e: DuisElement): number {
  return (
    e.attributes.length +
    (e.children.length === 0 ? (e.text === undefined ? 0 : 1) : e.children.reduce((n, c) => n + leaves(c), 0))
  );
}

function typedLeaves(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + typedLeaves(x), 0);
  if (typeof v === "object" && v !== null)
    return Object.values(v).reduce((n: number, x) => n + typedLeaves(x), 0);
  return 1;
}

describe("typed DUIS request bodies", () => {
  it("has a typed body for each of the 129 SRVs' body elements", () => {
    for (const s of srvs) assert.ok(isBodyElementName(s.body), s.body);
    assert.equal(new Set(srvs.map((s) => s.body)).size, Object.keys(BODY_TYPES).length);
  });

  it("reads every RTDS template's body, every leaf kept", () => {
    const dir = reference("rtds-4.9.1-duis");
    let read = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".XML"))) {
      const element = elementOf(readFileSync(`${dir}/${file}`));
      if (element === undefined || !isBodyElementName(element.name)) continue;
      const typed = typedBody(element, element.name);
      assert.equal(typedLeaves(typed), leaves(element), file);
      read++;
    }
    assert.ok(read >= 280, `${read} typed`);
  });

  it("types leaves by the schema: numbers, booleans, strings as written", () => {
    const element = elementOf(
      readFileSync(reference("rtds-4.9.1-duis", "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML")),
    );
    assert.ok(element !== undefined);
    const body = typedBody(element, "UpdateImportTariffPrimaryElement");
    const elec = body.ElecTariffElements;
    assert.ok(elec !== undefined);
    assert.equal(typeof elec.CurrencyUnits, "string");
    assert.equal(typeof body.PriceElements.ElectricityPriceElements?.StandingCharge, "number");
  });
});
