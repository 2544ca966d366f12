import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DuisError } from "../../../src/duis/errors.js";
import {
  buildAcknowledgement,
  buildDccAlert,
  buildDeviceAlert,
  buildResponse,
  buildServiceResponse,
  type DuisResponse,
  el,
  parseRequestId,
  parseResponse,
  toXmlText,
} from "../../../src/duis/model/index.js";
import { loadSchemaValidator } from "../../../src/duis/schema/load.js";
import { exclusiveC14n } from "../../../src/duis/xml/c14n.js";
import { parseXml } from "../../../src/duis/xml/parse.js";
import type { XmlElement } from "../../../src/duis/xml/tree.js";
import { reference } from "../../support/reference.js";

const DS = "http://www.w3.org/2000/09/xmldsig#";
const AT = new Date("2026-01-02T03:04:05.678Z");
const RID = parseRequestId("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000");

const schema = loadSchemaValidator(reference("duis-schema"));
const sample = (...p: string[]) => parseXml(readFileSync(reference("duis-samples", ...p))).root;
/** Serialises a built response, checks it against the DUIS 5.4 schema, and reads it back. */
function read(tree: XmlElement): DuisResponse {
  const doc = parseXml(toXmlText(tree));
  assert.deepEqual(schema.validate(doc), { valid: true });
  return parseResponse(doc.root);
}

function unsignedContent(root: XmlElement): string {
  return exclusiveC14n({
    ...root,
    children: root.children.filter((c) => !(c.kind === "element" && c.namespace === DS)),
  });
}

function rebuild(r: DuisResponse): XmlElement {
  const { signature: _, ...rest } = r;
  return buildResponse(rest);
}

describe("DUIS response model", () => {
  it("reads DCC Boxed's signed read-firmware response (I0 with GBCSPayload) and builds it back", () => {
    const root = sample("signing-tool", "readfw-response.xml");
    const r = parseResponse(root);
    assert.equal(r.schemaVersion, "5.1");
    assert.equal(r.header.responseCode, "I0");
    assert.equal(r.header.requestId?.counter, 1660751141087n);
    assert.equal(r.header.responseId?.originator, "88-73-84-57-00-2F-96-1E");
    assert.equal(r.header.responseDateTime, "2022-08-17T15:45:42.790Z");
    assert.equal(r.body.kind, "ResponseMessage");
    if (r.body.kind !== "ResponseMessage" || r.body.payload?.kind !== "GBCSPayload") throw new Error("shape");
    assert.equal(r.body.serviceReferenceVariant, "11.2");
    assert.deepEqual([...r.body.payload.gbcsPayload.subarray(0, 3)], [0xdd, 0x00, 0x00]);
    assert.ok(r.signature);
    assert.equal(unsignedContent(rebuild(r)), unsignedContent(root));
    assert.deepEqual(read(rebuild(r)), (({ signature: _, ...rest }) => rest)(r));
  });

  it("reads the 5.4 read-inventory response into typed devices and builds it back", () => {
    for (const name of ["read-inventory-response-5.4.xml", "read-inventory-response-4g.xml"]) {
      const root = sample("signing-tool", name);
      const r = parseResponse(root);
      if (r.body.kind !== "ResponseMessage" || r.body.payload?.kind !== "DSPInventory") throw new Error(name);
      const devices = r.body.payload.devices;
      assert.ok(devices.length >= 1, name);
      assert.ok(devices.every((d) => /^[0-9A-F]{2}(-[0-9A-F]{2}){7}$/.test(d.deviceId)));
      assert.equal(unsignedContent(rebuild(r)), unsignedContent(root), name);
      read(rebuild(r));
    }
    const r = parseResponse(sample("signing-tool", "read-inventory-response-5.4.xml"));
    if (r.body.kind !== "ResponseMessage" || r.body.payload?.kind !== "DSPInventory")
      throw new Error("shape");
    const chf = r.body.payload.devices[0];
    assert.equal(chf?.deviceType, "CHF");
    assert.equal(chf?.deviceStatus, "Commissioned");
    assert.equal(chf?.cspRegion, "4G Central");
    assert.deepEqual(chf?.propertyFilter, { postCode: "1111-111", addressIdentifier: "12334" });
  });

  it("reads the E65 acknowledgement, and builds acknowledgements of the same shape", () => {
    const root = sample("signing-tool", "acknowledgement-error.xml");
    const r = parseResponse(root);
    assert.equal(r.header.responseCode, "E65");
    assert.deepEqual(r.body, {
      kind: "ResponseMessage",
      serviceReference: "11.2",
      serviceReferenceVariant: "11.2",
    });
    assert.equal(unsignedContent(rebuild(r)), exclusiveC14n(parseXml(toXmlText(rebuild(r))).root));

    const ack = read(buildAcknowledgement(RID, "I99", "4.1.1", AT));
    assert.deepEqual(ack, {
      schemaVersion: "5.4",
      header: { requestId: RID, responseCode: "I99", responseDateTime: "2026-01-02T03:04:05.678Z" },
      body: { kind: "ResponseMessage", serviceReference: "4.1", serviceReferenceVariant: "4.1.1" },
    });
    assert.equal(read(buildAcknowledgement(RID, "E5", "4.1.1", AT)).header.responseCode, "E5");
  });

  it("builds and reads back each typed payload", () => {
    const bytes = Uint8Array.from([0xdd, 0, 1, 2, 3, 250]);
    const payloads = [
      { kind: "GBCSPayload", gbcsPayload: bytes },
      { kind: "PreCommand", gbcsVersion: "4.0", gbcsPayload: bytes },
      { kind: "LocalCommand", gbcsPayload: bytes },
      { kind: "DSPScheduledMessage", gbcsPayload: bytes, scheduleId: 42 },
      { kind: "DSPScheduleID", scheduleId: 7 },
      { kind: "CINMessage", gbcsPayload: bytes, customerIdentificationNumber: "0123" },
      {
        kind: "other",
        element: el("DSPUpdateFirmwareWarning", [
          el("InvalidDeviceIDList", "00-DB-12-34-56-78-90-A0,00-DB-12-34-56-78-90-A1"),
        ]),
      },
    ] as const;
    for (const payload of payloads) {
      const tree = buildServiceResponse({
        requestId: RID,
        responseCode: "I0",
        srv: "1.1.1",
        payload,
        at: AT,
      });
      const back = read(tree);
      assert.equal(back.body.kind, "ResponseMessage");
      if (back.body.kind === "ResponseMessage") assert.deepEqual(back.body.payload, payload, payload.kind);
    }
  });

  it("builds and reads back a Device Alert and a DCC Alert", () => {
    const device = read(
      buildDeviceAlert({
        responseId: parseRequestId("00-DB-12-34-56-78-90-A0:90-B3-D5-1F-30-01-00-00:77"),
        alertCode: 0x8f66,
        gbcsPayload: Uint8Array.from([0xdf, 0x09, 3]),
        throttledAlertCount: 2,
        at: AT,
      }),
    );
    assert.deepEqual(device.body, {
      kind: "DeviceAlertMessage",
      alertCode: 0x8f66,
      throttledAlertCount: 2,
      gbcsPayload: Uint8Array.from([0xdf, 0x09, 3]),
    });
    assert.equal(device.header.responseCode, "I0");
    assert.match(
      toXmlText(buildDeviceAlert({ alertCode: 0x8f66, gbcsPayload: new Uint8Array(1), at: AT })),
      /<sr:AlertCode>8F66</,
    );

    const alert = el("PowerOutageEvent", [
      el("CommsHubDeviceID", "00-DB-12-34-56-78-90-A3"),
      el("StartDateTime", "2026-01-02T03:00:00Z"),
      el("MPxN", "1234567890123"),
    ]);
    const dcc = read(buildDccAlert({ dccAlertCode: "AD1", alert, at: AT }));
    assert.deepEqual(dcc.body, { kind: "DCCAlertMessage", dccAlertCode: "AD1", alert });
    assert.equal(dcc.header.requestId, undefined);
  });

  it("refuses malformed responses with schemaInvalid", () => {
    const text = readFileSync(
      reference("duis-samples", "signing-tool", "readfw-response-invalid.xml"),
      "utf8",
    );
    assert.throws(
      () => parseResponse(parseXml(text).root),
      (e: unknown) =>
        e instanceof DuisError && e.key === "schemaInvalid" && /ServiceReference/.test(e.message),
    );
    const ok = toXmlText(buildAcknowledgement(RID, "I99", "4.1.1", AT));
    for (const bad of [
      ok.replace(">I99<", ">I98<"),
      ok.replace("2026-01-02T03:04:05.678Z", "yesterday"),
      ok.replace("sr:Response ", "sr:Request ").replace("</sr:Response>", "</sr:Request>"),
    ]) {
      assert.throws(
        () => parseResponse(parseXml(bad).root),
        (e: unknown) => e instanceof DuisError && e.key === "schemaInvalid",
        bad,
      );
    }
  });
});
