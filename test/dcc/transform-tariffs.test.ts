/**
 * The tariff SRVs bind their DUIS values by path: a body with other prices, balances and execution
 * dates than the RTDS template's gives a pre-command that the GBCS codec decodes with those values
 * (the byte-for-byte conformance test only sees the templates' own values).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { RTDS_DEVICE_TYPES } from "../../src/cli/profiles/rtds-devices.js";
import { CommandTransformer } from "../../src/dcc/transform/index.js";
import { parseRequest } from "../../src/duis/model/request.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { toHex } from "../../src/gbcs/cursor.js";
import type { DlmsData } from "../../src/gbcs/dlms/data.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { euiFromDuis } from "../../src/store/types.js";
import { reference } from "../support/reference.js";

const AT = Date.UTC(2026, 11, 7, 12, 0, 0);

/** The pre-command of an RTDS template after `edit` changed its XML text, decoded. */
function preCommandOf(template: string, srv: string, edit: (xml: string) => string) {
  const xml = edit(readFileSync(reference("rtds-4.9.1-duis", template), "utf8"));
  const request = parseRequest(parseXml(Buffer.from(xml)).root);
  const { originator, target, counter } = request.header.requestId;
  const device = euiFromDuis(target);
  const type = RTDS_DEVICE_TYPES[device];
  assert.ok(type !== undefined);
  const transformer = new CommandTransformer(KeyStore.fromDirectory(reference("rtds-keystore")));
  const result = transformer.preCommand(srv, type, {
    originator: euiFromDuis(originator),
    device,
    counter,
    body: request.body,
    at: AT,
  });
  assert.ok(result.ok, result.ok ? "" : `${result.kind}: ${result.reason}`);
  return decodeMessage(result.bytes).payload;
}

function replaceOnce(xml: string, from: string, to: string): string {
  assert.ok(xml.includes(from), `template has ${from}`);
  return xml.replace(from, to);
}

/** The data of the access-request's set of `obis` attribute `attributeId`. */
function setData(payload: unknown, obis: string, attributeId: number): DlmsData {
  const p = payload as {
    family: string;
    apdu: {
      accessRequestSpecification: {
        cosemAttributeDescriptor?: { instanceId: string; attributeId: number };
      }[];
      accessRequestListOfData: DlmsData[];
    };
  };
  assert.equal(p.family, "dlms");
  const i = p.apdu.accessRequestSpecification.findIndex(
    (s) =>
      s.cosemAttributeDescriptor?.instanceId === obis &&
      s.cosemAttributeDescriptor.attributeId === attributeId,
  );
  assert.ok(i >= 0, `a set of ${obis} attribute ${attributeId}`);
  const data = p.apdu.accessRequestListOfData[i];
  assert.ok(data !== undefined);
  return data;
}

function chargeTable(unitCharge: DlmsData): Map<string, number> {
  assert.equal(unitCharge.type, "structure");
  const table = unitCharge.type === "structure" ? unitCharge.elements[2] : undefined;
  assert.ok(table?.type === "array");
  const out = new Map<string, number>();
  for (const e of table.elements) {
    assert.ok(e.type === "structure");
    const [index, price] = e.elements;
    assert.ok(index?.type === "octet-string" && price?.type === "long");
    out.set(toHex(index.value), price.value);
  }
  return out;
}

describe("tariff SRVs bind DUIS values by path", () => {
  it("1.2.1 ECS01b: a changed TOU price and an execution date reach the ESME's price matrix and activation", () => {
    const payload = preCommandOf("ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", "1.2.1", (xml) =>
      replaceOnce(
        replaceOnce(
          xml,
          '<sr:TOUPrice index="2">4327</sr:TOUPrice>',
          '<sr:TOUPrice index="2">-1234</sr:TOUPrice>',
        ),
        "<sr:PriceElements>",
        "<sr:ExecutionDateTime>2031-06-02T13:30:00Z</sr:ExecutionDateTime><sr:PriceElements>",
      ),
    );
    const table = chargeTable(setData(payload, "0-0:19.20.0.255", 6));
    assert.equal(table.get("02"), -1234);
    assert.equal(table.get("01"), 3221);
    assert.equal(table.size, 80);
    const activation = setData(payload, "0-0:19.20.0.255", 7);
    assert.ok(activation.type === "octet-string");
    assert.equal(toHex(activation.value), "07EF0602FF0D1E00008000FF");
  });

  it("1.1.1 GCS01a: a changed block price and execution date reach the GSME's Publish Price Matrix", () => {
    const payload = preCommandOf("GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_REQUEST_DUIS.XML", "1.1.1", (xml) =>
      replaceOnce(
        replaceOnce(
          xml,
          '<sr:BlockPrice index="3">10750</sr:BlockPrice>',
          '<sr:BlockPrice index="3">77</sr:BlockPrice>',
        ),
        "2030-01-15T09:00:00.00Z",
        "2028-03-04T05:06:07Z",
      ),
    );
    assert.ok(payload.family === "gbz" && payload.kind === "components");
    const frames = payload.components.map((c) => (c.body.encrypted ? undefined : c.body.frame.payload));
    const matrix = frames.find((f) => f?.kind === "command" && f.name === "publishPriceMatrix");
    assert.ok(matrix?.kind === "command");
    const start = Math.floor((Date.UTC(2028, 2, 4, 5, 6, 7) - Date.UTC(2000, 0, 1)) / 1000);
    assert.equal(matrix.fields.startTime, start);
    assert.deepEqual(matrix.fields.priceMatrix, [
      { tierBlockId: 0, price: 9600 },
      { tierBlockId: 1, price: 10200 },
      { tierBlockId: 2, price: 77 },
      { tierBlockId: 3, price: 11000 },
    ]);
    const calendar = frames.find((f) => f?.kind === "command" && f.name === "publishCalendar");
    assert.ok(calendar?.kind === "command");
    assert.equal(calendar.fields.issuerCalendarId, Math.floor((AT - Date.UTC(2000, 0, 1)) / 1000));
  });

  it("1.5 ECS04a: another adjustment reaches the meter balance's update_amount", () => {
    const payload = preCommandOf("ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML", "1.5", (xml) =>
      replaceOnce(xml, ">1200000<", ">-4500<"),
    );
    assert.ok(payload.family === "dlms" && payload.apdu.apdu === "access-request");
    assert.deepEqual(payload.apdu.accessRequestListOfData, [{ type: "double-long", value: -4500 }]);
  });

  it("1.6 GCS03: the suspension flags and threshold reach Change Payment Mode", () => {
    const payload = preCommandOf("GCS03_1.6_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML", "1.6", (xml) =>
      replaceOnce(
        replaceOnce(xml, "<sr:SuspendDebtDisabled>false<", "<sr:SuspendDebtDisabled>true<"),
        "<sr:DisablementThreshold>0<",
        "<sr:DisablementThreshold>-250<",
      ),
    );
    assert.ok(payload.family === "gbz" && payload.kind === "components");
    const body = payload.components[0]?.body;
    assert.ok(body !== undefined && !body.encrypted && body.frame.payload.kind === "command");
    assert.equal(body.frame.payload.fields.proposedPaymentControlConfiguration, 0x0c97);
    assert.equal(body.frame.payload.fields.cutOffValue, -250);
  });
});
