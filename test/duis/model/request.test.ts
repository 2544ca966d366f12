import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DuisError } from "../../../src/duis/errors.js";
import {
  buildRequest,
  checkRouting,
  type DuisRequest,
  el,
  executionDateTimeOf,
  isRequestFor,
  newRequest,
  parseEui,
  parseRequest,
  parseRequestId,
  type RequestBody,
  toXmlText,
} from "../../../src/duis/model/index.js";
import { parseXml } from "../../../src/duis/xml/parse.js";
import { reference } from "../../support/reference.js";

const RID = parseRequestId("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000");

function roundTrip(request: DuisRequest): DuisRequest {
  return parseRequest(parseXml(toXmlText(buildRequest(request))).root);
}

function fromText(xml: string): DuisRequest {
  return parseRequest(parseXml(xml).root);
}

function throwsKey(fn: () => unknown, key: string, detail?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DuisError, String(e));
    assert.equal(e.key, key, e.message);
    if (detail) assert.match(e.message, detail);
    return true;
  });
}

const template = (name: string) => readFileSync(reference("rtds-4.9.1-duis", name), "utf8");

describe("DUIS request model", () => {
  it("reads 4.1.1 Read Instantaneous Import Registers as a typed body", () => {
    const r = fromText(template("ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"));
    assert.equal(r.schemaVersion, "5.4");
    assert.deepEqual(r.header.requestId, RID);
    assert.equal(r.header.commandVariant, 1);
    assert.equal(r.header.serviceReference, "4.1");
    assert.equal(r.header.serviceReferenceVariant, "4.1.1");
    assert.deepEqual(r.body, { kind: "ReadInstantaneousImportRegisters" });
    const future = fromText(template("ECS17b_4.1.1_DSP_FUTURE_DATED_REQUEST_DUIS.XML"));
    assert.equal(future.body.kind, "ReadInstantaneousImportRegisters");
    assert.match(
      (future.body as { executionDateTime?: string }).executionDateTime ?? "",
      /^\d{4}-\d{2}-\d{2}T/,
    );
  });

  it("reads 8.2 Read Inventory with its DeviceID selector", () => {
    const r = fromText(template("8.2_READ_INVENTORY_REQUEST_DUIS.XML"));
    assert.equal(r.header.commandVariant, 8);
    assert.deepEqual(r.body, {
      kind: "ReadInventory",
      selector: { by: "DeviceID", deviceId: "00-DB-12-34-56-78-90-A2" },
    });
  });

  it("builds and reads back every Read Inventory selector", () => {
    const selectors = [
      { by: "UPRN", uprn: "123456789012" },
      { by: "DeviceID", deviceId: parseEui("00-db-12-34-56-78-90-a2") },
      { by: "MPxN", mpxn: "1234567890123" },
      { by: "PropertyFilter", postCode: "AB1 2CD", addressIdentifier: "12" },
    ] as const;
    for (const selector of selectors) {
      const req = newRequest(
        { requestId: RID, commandVariant: 8, serviceReference: "8.2", serviceReferenceVariant: "8.2" },
        { kind: "ReadInventory", selector },
      );
      assert.deepEqual(roundTrip(req), req);
    }
  });

  it("builds and reads back a CV5 Signed Pre-Command, payload bytes exact", () => {
    const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff);
    const body: RequestBody = {
      kind: "SignedPreCommand",
      executionDateTime: "2030-01-15T09:00:00Z",
      gbcsPayload: payload,
    };
    const req = newRequest(
      { requestId: RID, commandVariant: 5, serviceReference: "1.1", serviceReferenceVariant: "1.1.1" },
      body,
    );
    const again = roundTrip(req);
    assert.deepEqual(again, req);
    assert.doesNotThrow(() => checkRouting(again, "serviceS"));
    assert.ok(!toXmlText(buildRequest(req)).includes("\n"), "whitespace-free");
  });

  it("keeps optional header fields", () => {
    const req = newRequest(
      {
        requestId: RID,
        firstInSequence: true,
        precedingRequestId: { ...RID, counter: 999n },
        commandVariant: 1,
        serviceReference: "4.1",
        serviceReferenceVariant: "4.1.1",
      },
      { kind: "ReadInstantaneousImportRegisters" },
    );
    assert.deepEqual(roundTrip(req), req);
  });

  it("carries other bodies as generic elements, attributes and order kept", () => {
    const body: RequestBody = {
      kind: "generic",
      element: el("ReadEventOrSecurityLog", [
        el("LogType", "Event"),
        el("ReadLogPeriod", [el("StartDateTime", "2015-01-01T00:00:00Z")], [["index", "1"]]),
      ]),
    };
    const req = newRequest(
      { requestId: RID, commandVariant: 1, serviceReference: "6.13", serviceReferenceVariant: "6.13" },
      body,
    );
    assert.deepEqual(roundTrip(req).body, body);
  });

  it("refuses what is not a DUIS request, with the registered error and a path", () => {
    const ok = template("8.2_READ_INVENTORY_REQUEST_DUIS.XML");
    throwsKey(
      () => fromText(ok.replaceAll("sr:RequestID>", "sr:ReqxuestID>")),
      "schemaInvalid",
      /expected RequestID/,
    );
    throwsKey(() => fromText(ok.replace(":1000<", "::1000<")), "schemaInvalid", /RequestID/);
    throwsKey(
      () => fromText(ok.replace("sr:Request ", "sr:Requests ").replace("</sr:Request>", "</sr:Requests>")),
      "schemaInvalid",
    );
    throwsKey(() => fromText(ok.replace(' schemaVersion="5.4"', "")), "schemaInvalid", /schemaVersion/);
    throwsKey(() => fromText(ok.replace("<sr:CommandVariant>8<", "<sr:CommandVariant>x<")), "schemaInvalid");
    throwsKey(
      () => fromText(ok.replace("<sr:CommandVariant>8<", "<sr:CommandVariant>9<")),
      "commandVariantNotAllowed",
    );
    throwsKey(() => fromText(ok.replaceAll(">8.2<", ">8.99<")), "schemaInvalid", /ServiceReference/);
    throwsKey(
      () => fromText(ok.replace("<sr:ServiceReferenceVariant>8.2<", "<sr:ServiceReferenceVariant>8.2.7<")),
      "unknownServiceReferenceVariant",
    );
    throwsKey(
      () => fromText(ok.replace("<sr:ServiceReference>8.2<", "<sr:ServiceReference>8.3<")),
      "requestInconsistent",
    );
    throwsKey(
      () => fromText(ok.replaceAll("sr:ReadInventory>", "sr:DecommissionDevice>")),
      "requestInconsistent",
      /not the body of SRV 8.2/,
    );
    throwsKey(
      () => fromText(ok.replace("</sr:ReadInventory>", "<sr:UPRN>1</sr:UPRN></sr:ReadInventory>")),
      "schemaInvalid",
      /unexpected/,
    );
    throwsKey(() => fromText(ok.replace("<sr:Body>", "<sr:Body>text")), "schemaInvalid", /unexpected text/);
  });

  it("checks Command Variant and web service (E12, E13)", () => {
    const read = fromText(template("ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"));
    assert.doesNotThrow(() => checkRouting(read, "serviceS"));
    throwsKey(() => checkRouting(read, "serviceT"), "wrongWebService");
    throwsKey(
      () => checkRouting({ ...read, header: { ...read.header, commandVariant: 4 } }, "serviceT"),
      "commandVariantNotAllowed",
    );
    throwsKey(
      () => checkRouting({ ...read, header: { ...read.header, commandVariant: 5 } }, "serviceS"),
      "commandVariantNotAllowed",
    );
    const tariff = fromText(template("ECS01a_1.1.1_IMMEDIATE_BLOCK_SUCCESS_REQUEST_DUIS.XML"));
    assert.equal(tariff.header.commandVariant, 4);
    assert.doesNotThrow(() => checkRouting(tariff, "serviceT"));
    throwsKey(() => checkRouting(tariff, "serviceS"), "wrongWebService");
    const signed: DuisRequest = {
      ...tariff,
      header: { ...tariff.header, commandVariant: 5 },
      body: { kind: "SignedPreCommand", gbcsPayload: new Uint8Array([1]) },
    };
    assert.doesNotThrow(() => checkRouting(signed, "serviceS"));
    throwsKey(
      () => checkRouting({ ...signed, header: { ...signed.header, commandVariant: 4 } }, "serviceT"),
      "commandVariantNotAllowed",
    );
    const inventory = fromText(template("8.2_READ_INVENTORY_REQUEST_DUIS.XML"));
    assert.doesNotThrow(() => checkRouting(inventory, "serviceD"));
    throwsKey(() => checkRouting(inventory, "serviceS"), "wrongWebService");
  });

  it("keeps the received signature element for the verifier", () => {
    const r = fromText(
      readFileSync(
        reference("duis-samples", "duis-sign-wrap", "8.2_READ_INVENTORY_REQUEST_DUIS.XML"),
        "utf8",
      ),
    );
    assert.equal(r.signature?.localName, "Signature");
  });
});

describe("DUIS request model: SRV-keyed body types", () => {
  it("narrows the body by SRV", () => {
    const r = fromText(template("8.2_READ_INVENTORY_REQUEST_DUIS.XML"));
    assert.ok(isRequestFor(r, "8.2"));
    assert.equal(isRequestFor(r, "4.1.1"), false);
    if (isRequestFor(r, "8.2") && r.body.kind === "ReadInventory")
      assert.equal(r.body.selector.by, "DeviceID");
  });
});

describe("DUIS request model: execution date-time", () => {
  it("finds ExecutionDateTime in typed and generic bodies", () => {
    assert.equal(
      executionDateTimeOf(fromText(template("ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"))),
      undefined,
    );
    assert.match(
      executionDateTimeOf(fromText(template("ECS17b_4.1.1_DSP_FUTURE_DATED_REQUEST_DUIS.XML"))) ?? "",
      /^\d{4}-/,
    );
    const dir = reference("rtds-4.9.1-duis");
    let found = 0;
    for (const f of readdirSync(dir)) {
      const xml = readFileSync(`${dir}/${f}`, "utf8");
      const written = /<sr:Body>\s*<sr:\w+>\s*<sr:ExecutionDateTime>([^<]+)</.exec(xml)?.[1];
      assert.equal(executionDateTimeOf(fromText(xml)), written, f);
      if (written !== undefined) found++;
    }
    assert.ok(found >= 30, `${found} future-dated templates`);
  });
});
