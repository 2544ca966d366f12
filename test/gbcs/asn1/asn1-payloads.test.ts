/**
 * GBCS ASN.1 payloads, exact values for a few RTDS messages: CS09 (PPMID/HCALCS firmware
 * activation alert), GCS28 (set time), CS02a (security credential details), CS06 (activate
 * firmware alert), CS03/CS04 (join, unjoin), and the non-shortest DER lengths devices send.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Asn1Payload,
  CredentialsReplacementMode,
  decodeAsn1As,
  decodeAsn1Payload,
  encodeAsn1Payload,
  keyUsageNames,
  RemotePartyRole,
} from "../../../src/gbcs/asn1/index.js";
import { fromHex, toHex } from "../../../src/gbcs/cursor.js";
import { DecodeError } from "../../../src/gbcs/errors.js";
import { rtdsMessage } from "../gbz/rtds-support.js";

function decodeRtds(folder: string, file: string): { payload: Asn1Payload; content: Uint8Array } {
  const frame = rtdsMessage(folder, file);
  const payload = decodeAsn1Payload(frame.content, frame);
  assert.equal(toHex(encodeAsn1Payload(payload)), toHex(frame.content), "re-encodes byte for byte");
  return { payload, content: frame.content };
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("GBCS ASN.1 payloads", () => {
  it("CS09 alert: PPMID/HCALCS firmware activation (alert code 0x8F8B)", () => {
    const { payload, content } = decodeRtds("NA_CS09", "CS09_NA_8F8B_ALERT_GBCS.HEX");
    assert.equal(toHex(content), `301F0203008F8B180F${toHex(ascii("20150101000000Z"))}04041234ABCD020100`);
    assert.deepEqual(payload, {
      family: "asn1",
      type: "PpmidHcalcsFirmwareActivationAlert",
      value: {
        alertCode: 0x8f8b,
        executionDateTime: new Date("2015-01-01T00:00:00Z"),
        firmwareVersion: fromHex("1234ABCD"),
        activateImageResponseCode: 0,
      },
    });
  });

  it("GCS28 set time: validity interval command and device time response", () => {
    const cmd = decodeRtds("6.11_GCS28", "GCS28_6.11_SUCCESS_COMMAND_GBCS.HEX").payload;
    assert.deepEqual(cmd, {
      family: "asn1",
      type: "SetTimeCommand",
      value: {
        validityIntervalStart: new Date("2014-12-31T23:30:00Z"),
        validityIntervalEnd: new Date("2015-01-01T00:30:00Z"),
      },
    });
    const rsp = decodeRtds("6.11_GCS28", "GCS28_6.11_ERROR_RESPONSE_GBCS.HEX").payload;
    assert.deepEqual(rsp.value, { deviceTime: new Date("2015-01-01T00:00:00Z"), deviceTimeStatus: 2 });
  });

  it("CS02a: provide security credential details, command and response", () => {
    const cmd = decodeRtds("6.24.1_CS02aMAC", "CS02aMAC_6.24.1_SUCCESS_COMMAND_GBCS.HEX").payload;
    assert.equal(cmd.type, "ProvideSecurityCredentialDetailsCommand");
    if (cmd.type !== "ProvideSecurityCredentialDetailsCommand") return;
    const ta = cmd.value.authorisingRemotePartyTACellIdentifier;
    assert.equal(ta.trustAnchorCellRemotePartyRole, RemotePartyRole.accessControlBroker);
    assert.deepEqual(keyUsageNames(ta.trustAnchorCellKeyUsage), ["keyAgreement"]);
    assert.deepEqual(cmd.value.remotePartyRolesCredentialsRequired, [
      RemotePartyRole.supplier,
      RemotePartyRole.networkOperator,
    ]);

    const rsp = decodeRtds("6.24.1_CS02aMAC", "CS02aMAC_6.24.1_ERROR_RESPONSE_GBCS.HEX").payload;
    assert.equal(rsp.type, "ProvideSecurityCredentialDetailsResponse");
    if (rsp.type !== "ProvideSecurityCredentialDetailsResponse") return;
    assert.deepEqual(rsp.value, [
      {
        remotePartyRole: RemotePartyRole.accessControlBroker,
        statusCode: 0,
        currentSeqNumber: 0n,
        trustAnchorCellDetails: [
          {
            trustAnchorCellKeyUsage: { unusedBits: 3, bytes: Uint8Array.of(0x08) },
            subjectUniqueID: fromHex("90B3D51F30000002"),
            subjectKeyIdentifier: fromHex("4A9CE02C39AB910B"),
          },
        ],
      },
      { remotePartyRole: RemotePartyRole.networkOperator, statusCode: 25 },
    ]);
  });

  it("CS06: future-dated activate firmware alert with its execution outcome", () => {
    const { payload } = decodeRtds("11.3_CS06", "CS06_11.3_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX");
    assert.deepEqual(payload.value, {
      alertCode: 0x8f66,
      executionDateTime: new Date("2030-01-15T09:00:00Z"),
      originatorCounter: 1001n,
      executionOutcome: { responseCode: 0, firmwareVersion: fromHex("0123ABCF") },
    });
    const accepted = decodeRtds("11.3_CS06", "CS06_11.3_FUTURE_DATED_SUCCESS_RESPONSE_GBCS.HEX").payload;
    assert.deepEqual(accepted.value, { choice: "commandAccepted", value: null });
  });

  it("CS03 join and CS04 unjoin", () => {
    const join = decodeRtds("8.7.1_CS03A1", "CS03A1_8.7.1_SUCCESS_COMMAND_GBCS.HEX").payload;
    assert.deepEqual(join.value, {
      joinMethodAndRole: 0,
      otherDeviceEntityIdentifier: fromHex("00DB12345678909A"),
      otherDeviceType: 4,
    });
    const unjoin = decodeRtds(
      "8.8.1_CS04ACCritical",
      "CS04ACCritical_8.8.1_SUCCESS_COMMAND_GBCS.HEX",
    ).payload;
    assert.deepEqual(unjoin, {
      family: "asn1",
      type: "UnjoinDeviceCommand",
      value: fromHex("00DB123456789099"),
    });
  });

  it("keeps the two-octet lengths of 128-255 byte structures that devices send", () => {
    const { payload } = decodeRtds(
      "6.15.1_CS02bSupplierBySupplier",
      "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert.equal(payload.type, "UpdateSecurityCredentialsResponse");
    assert.deepEqual(payload.derLengthForms, {
      "": 3,
      executionOutcome: 3,
      "executionOutcome.replacementOutcomes": 3,
    });
    if (payload.type !== "UpdateSecurityCredentialsResponse") return;
    assert.equal(
      payload.value.executionOutcome?.credentialsReplacementMode,
      CredentialsReplacementMode.supplierBySupplier,
    );
    // Without the recorded forms, the encoder writes DER's shortest lengths.
    const { derLengthForms: _, ...canonical } = payload;
    const der = encodeAsn1Payload(canonical);
    assert.equal(toHex(der).slice(0, 6), "3081C8");
    assert.deepEqual(decodeAsn1As("UpdateSecurityCredentialsResponse", der).value, payload.value);
  });

  it("reads a message code with no GBCS type as an untyped DER tree, byte for byte", () => {
    const bytes = fromHex("3082000C0500A105040300000102010A");
    const p = decodeAsn1Payload(bytes, { messageCode: 0x0074, cra: 1 });
    assert.deepEqual(p, {
      family: "asn1",
      type: "Der",
      value: {
        tag: 0x30,
        content: [
          { tag: 0x05, content: new Uint8Array(0) },
          { tag: 0xa1, content: [{ tag: 0x04, content: fromHex("000001") }] },
          { tag: 0x02, content: fromHex("0A") },
        ],
      },
      derLengthForms: { "": 3 },
    });
    assert.equal(toHex(encodeAsn1Payload(p)), toHex(bytes));
    assert.throws(
      () => decodeAsn1Payload(fromHex("3003050000"), { messageCode: 0x0074, cra: 1 }),
      DecodeError,
    );
  });
});
