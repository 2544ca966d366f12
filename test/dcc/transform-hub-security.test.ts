/**
 * The hub and security-credential commands (`commands/hub.ts`, `commands/security.ts`) beyond the
 * byte-for-byte RTDS conformance test: the CS02b/CS02g templates carry newer certificates than the
 * RTDS commands, so with the RTDS certificates put in their place the pre-commands must match;
 * templates whose RTDS command the DCC (not the user) originated must match under that command's
 * header; and values other than the templates' reach the decoded command.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { addToChfDeviceLog, gpfDeviceLogRestore } from "../../src/dcc/transform/han-device-logs.js";
import { joinCommand } from "../../src/dcc/transform/han-joins.js";
import { bodyElement, CommandTransformer, type TransformInput } from "../../src/dcc/transform/index.js";
import type { DuisElement } from "../../src/duis/model/element.js";
import { parseRequest } from "../../src/duis/model/request.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { messageToJson } from "../../src/gbcs/json.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { encodePayload } from "../../src/gbcs/payload.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { euiFromDuis } from "../../src/store/types.js";
import { reference } from "../support/reference.js";

const RTDS_DCC_TIME = Date.UTC(2015, 0, 1);
const GBCS = "rtds-4.5.0-gbcs";
const DUIS = "rtds-4.9.1-duis";

function requestOf(template: string): { input: TransformInput; body: DuisElement } {
  const request = parseRequest(parseXml(readFileSync(reference(DUIS, template))).root);
  const { originator, target, counter } = request.header.requestId;
  const body = bodyElement(request.body);
  return {
    input: {
      originator: euiFromDuis(originator),
      device: euiFromDuis(target),
      counter,
      body,
      at: RTDS_DCC_TIME,
    },
    body,
  };
}

function hexOf(file: string): Uint8Array {
  return fromHex(readFileSync(reference(GBCS, file), "utf8").trim());
}

/** The body with the text of the elements of a name replaced, in document order. */
function replaceTexts(e: DuisElement, name: string, texts: string[]): DuisElement {
  if (e.name === name && e.text !== undefined) {
    const next = texts.shift();
    assert.ok(next !== undefined, `more ${name} elements than replacements`);
    return { ...e, text: next };
  }
  return { ...e, children: e.children.map((c) => replaceTexts(c, name, texts)) };
}

/** The decoded payload value of a message, as the JSON form writes it. */
function payloadOf(bytes: Uint8Array): unknown {
  return messageToJson(decodeMessage(bytes)).payload;
}

describe("transform: security credentials and hub commands", () => {
  const transformer = new CommandTransformer(KeyStore.fromDirectory(reference("rtds-keystore")));

  // RTDS 4.5.0 built these with certificates that DUIS 4.9.1 later reissued (same subjects, new
  // validity): with the RTDS command's replacement certificates in the body, the bytes match.
  for (const [template, precommand] of [
    [
      "CS02bNOByNO_6.15.1_SUCCESS_REQUEST_DUIS.XML",
      "6.15.1_CS02bNOByNO/CS02bNOByNO_6.15.1_SUCCESS_PRECOMMAND_GBCS.HEX",
    ],
    ...["CANCELLATION", "FUTURE_DATED", "IMMEDIATE"].flatMap((v) => [
      [
        `CS02bSupplierBySupplier_6.15.1_${v}_SUCCESS_REQUEST_DUIS.XML`,
        `6.15.1_CS02bSupplierBySupplier/CS02bSupplierBySupplier_6.15.1_${v}_SUCCESS_PRECOMMAND_GBCS.HEX`,
      ],
      [
        `CS02gLoadControllerBySupplier_6.15.1_${v}_SUCCESS_REQUEST_DUIS.XML`,
        `6.15.1_CS02gLoadControllerBySupplier/CS02gLoadControllerBySupplier_6.15.1_${v}_SUCCESS_PRECOMMAND_GBCS.HEX`,
      ],
    ]),
  ] as const) {
    it(`6.15.1 ${template} with the RTDS certificates → ${precommand.split("/")[1]}`, () => {
      const want = hexOf(precommand);
      const rtds = payloadOf(want) as { value: { replacements: { replacementCertificate: string }[] } };
      const certs = rtds.value.replacements.map((r) =>
        Buffer.from(r.replacementCertificate, "hex").toString("base64"),
      );
      const { input, body } = requestOf(template);
      let withCerts = body;
      for (const name of [
        "DigitalSigningCertificate",
        "KeyAgreementCertificate",
        "KeyAgreementTopUpCertificate",
      ]) {
        const present = JSON.stringify(body).includes(`"${name}"`);
        if (present) withCerts = replaceTexts(withCerts, name, [certs.shift() ?? ""]);
      }
      const result = transformer.preCommand("6.15.1", "ESME", { ...input, body: withCerts });
      assert.ok(result.ok, result.ok ? "" : result.reason);
      assert.equal(toHex(result.bytes), toHex(want));
    });
  }

  // RTDS sent these as the ACB on the user's behalf (their grouping header carries the user's EUI and
  // counter as supplementary information, which the transformer does not build): the payloads match.
  for (const [srv, type, template, command] of [
    ["8.8.2", "PPMID", "CS04ACNonCritical_8.8.2_SUCCESS_REQUEST_DUIS.XML", "8.8.2_CS04ACNonCritical"],
    ["8.9", "CHF", "CCS06_8.9_SUCCESS_REQUEST_DUIS.XML", "8.9_CCS06"],
    ["8.9", "CHF", "CCS07_8.9_SUCCESS_REQUEST_DUIS.XML", "8.9_CCS07"],
    ["8.11", "CHF", "CCS02_8.11_SUCCESS_REQUEST_DUIS.XML", "8.11_CCS02"],
    ["11.2", "PPMID", "CS08_11.2_SUCCESS_REQUEST_DUIS.XML", "11.2_CS08"],
    ["14.1", "GSME", "GCS31_14.1_SUCCESS_REQUEST_DUIS.XML", "14.1_GCS31"],
    ["6.24.1", "ESME", "CS02aMAC_6.24.1_SUCCESS_REQUEST_DUIS.XML", "6.24.1_CS02aMAC"],
  ] as const) {
    it(`${srv} ${template} → the payload of ${command}`, () => {
      const want = hexOf(
        `${command}/${command.split("_").slice(1).join("_")}_${srv}_SUCCESS_COMMAND_GBCS.HEX`,
      );
      const header = decodeMessage(want).frame;
      const { input } = requestOf(template);
      const result = transformer.transform(srv, type, {
        ...input,
        device: header.recipient,
        counter: header.counter,
      });
      assert.ok(result.ok, result.ok ? "" : result.reason);
      assert.equal(result.messageCode, header.messageCode);
      assert.deepEqual(payloadOf(result.bytes), payloadOf(want));
    });
  }

  it("8.8.1: another device's EUI reaches the unjoin command", () => {
    const { input, body } = requestOf("CS04ACCritical_8.8.1_SUCCESS_REQUEST_DUIS.XML");
    const changed = replaceTexts(body, "OtherDeviceID", ["00-DB-12-34-56-78-9A-BC"]);
    const result = transformer.preCommand("8.8.1", "ESME", { ...input, body: changed });
    assert.ok(result.ok);
    assert.deepEqual(payloadOf(result.bytes), {
      family: "asn1",
      type: "UnjoinDeviceCommand",
      value: "00DB123456789ABC",
    });
  });

  it("11.3: another firmware hash, execution date-time and counter reach CS06", () => {
    const { input, body } = requestOf("CS06_11.3_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML");
    let changed = replaceTexts(body, "FirmwareHash", [`${"00".repeat(31)}01`]);
    changed = replaceTexts(changed, "ExecutionDateTime", ["2031-06-30T12:34:56Z"]);
    const result = transformer.preCommand("11.3", "ESME", { ...input, counter: 4242n, body: changed });
    assert.ok(result.ok);
    assert.deepEqual((payloadOf(result.bytes) as { value: unknown }).value, {
      manufacturerImageHash: `${"00".repeat(31)}01`,
      originatorCounter: "4242",
      executionDateTime: "2031-06-30T12:34:56.000Z",
    });
  });

  it("6.15.2: another device certificate reaches CS02d", () => {
    const { input, body } = requestOf("CS02d_6.15.2_SUCCESS_REQUEST_DUIS.XML");
    const other = readFileSync(reference("rtds-keystore", "00db1234567890a1-ka.pem"), "utf8")
      .replace(/-----[^-]+-----/g, "")
      .replace(/\s+/g, "");
    const result = transformer.preCommand("6.15.2", "ESME", {
      ...input,
      body: replaceTexts(body, "DeviceCertificate", [other]),
    });
    assert.ok(result.ok);
    assert.equal(
      (payloadOf(result.bytes) as { value: string }).value,
      Buffer.from(other, "base64").toString("hex").toUpperCase(),
    );
  });

  it("8.1.1: CurrentDateTime and TolerancePeriod set GCS28's validity interval", () => {
    const { input, body } = requestOf("GCS28Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML");
    let changed = replaceTexts(body, "CurrentDateTime", ["2026-03-01T10:00:00Z"]);
    changed = replaceTexts(changed, "TolerancePeriod", ["120"]);
    const result = transformer.preCommand("8.1.1", "GSME", { ...input, body: changed });
    assert.ok(result.ok);
    assert.deepEqual((payloadOf(result.bytes) as { value: unknown }).value, {
      validityIntervalStart: "2026-03-01T10:00:00.000Z",
      validityIntervalEnd: "2026-03-01T10:02:00.000Z",
    });
  });

  it("6.24.1: the Load Controller among the roles asks with CS02f, otherwise CS02a", () => {
    const { input } = requestOf("CS02aMAC_6.24.1_SUCCESS_REQUEST_DUIS.XML");
    const result = transformer.transform("6.24.1", "ESME", input);
    assert.ok(result.ok);
    assert.equal(result.useCase, "CS02a");
    const { input: lc } = requestOf("CS02fMAC_6.24.1_SUCCESS_REQUEST_DUIS.XML");
    const f = transformer.transform("6.24.1", "ESME", lc);
    assert.ok(f.ok);
    assert.equal(f.useCase, "CS02f");
  });

  it("6.15.1: an unknown credential kind is a body refusal naming the path", () => {
    const { input, body } = requestOf("CS02bNOByNO_6.15.1_SUCCESS_REQUEST_DUIS.XML");
    const result = transformer.preCommand("6.15.1", "ESME", {
      ...input,
      body: replaceTexts(body, "RemotePartyRole", ["Root"]),
    });
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.kind === "noVariant");
  });
});

describe("joinCommand: the CS03 join of a pair of devices", () => {
  // The RTDS joins with the other device's type (and, for Method C, certificate) as RTDS sent them.
  for (const [file, target, otherType] of [
    ["8.7.1_CS03A1/CS03A1_8.7.1_SUCCESS_PRECOMMAND_GBCS.HEX", "ESME", "HCALCS"],
    ["8.7.1_CS03A2Critical/CS03A2Critical_8.7.1_SUCCESS_PRECOMMAND_GBCS.HEX", "HCALCS", "ESME"],
    ["8.7.2_CS03B/CS03B_8.7.2_SUCCESS_COMMAND_GBCS.HEX", "GSME", "GPF"],
    ["8.7.1_CS03CCritical/CS03CCritical_8.7.1_SUCCESS_PRECOMMAND_GBCS.HEX", "GSME", "PPMID"],
  ] as const) {
    it(`${target} joining a ${otherType} → ${file.split("/")[1]}`, () => {
      const message = decodeMessage(hexOf(file));
      const want = message.payload as {
        value: { otherDeviceEntityIdentifier: Uint8Array; otherDeviceCertificate?: Uint8Array };
      };
      const built = joinCommand(target, {
        eui: toHex(want.value.otherDeviceEntityIdentifier),
        type: otherType,
        ...(want.value.otherDeviceCertificate === undefined
          ? {}
          : { kaCertificate: want.value.otherDeviceCertificate }),
      });
      assert.ok(built.ok, built.ok ? "" : built.reason);
      assert.equal(built.messageCode, message.frame.messageCode);
      assert.equal(toHex(encodePayload(built.payload)), toHex(message.frame.content));
    });
  }

  it("refuses pairs that do not join, and Method C without the certificate", () => {
    assert.equal(joinCommand("ESME", { eui: "00DB123456789098", type: "GSME" }).ok, false);
    assert.equal(joinCommand("GSME", { eui: "00DB123456789098", type: "PPMID" }).ok, false);
  });
});

describe("HAN device log builders, with the inventory's facts", () => {
  it("CCS01 adds the ESME of the template to the CHF device log as RTDS does", () => {
    const want = decodeMessage(hexOf("8.11_CCS01/CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX")).frame;
    const { body } = requestOf("CCS01_8.11_SUCCESS_REQUEST_DUIS.XML");
    const payload = addToChfDeviceLog(want.counter, body, "ESME");
    assert.equal(toHex(encodePayload(payload)), toHex(want.content));
  });

  it("GCS59 restores the old GPF's entries as RTDS does", () => {
    const want = decodeMessage(hexOf("8.12.2_GCS59/GCS59_8.12.2_SUCCESS_COMMAND_GBCS.HEX")).frame;
    const payload = gpfDeviceLogRestore([
      { eui: "0011223344556677", gbcsDeviceType: 5 },
      { eui: "8899AABBCCDDEEFF", gbcsDeviceType: 6 },
    ]);
    assert.equal(toHex(encodePayload(payload)), toHex(want.content));
  });
});
