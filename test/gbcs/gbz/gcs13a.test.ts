/**
 * GCS13a Read GSME Consumption Register (SRV 4.1.1), exact values: the command reads Divisor,
 * Multiplier, Unit of Measure and CurrentSummationDelivered from the Metering cluster; the response
 * returns them ciphered (GBCS §8.4), opened here with the RTDS keystore.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toHex } from "../../../src/gbcs/cursor.js";
import { DecodeError } from "../../../src/gbcs/errors.js";
import {
  buildGcs13aCommand,
  buildGcs13aResponse,
  decodeGbzPayload,
  encodeGbzPayload,
  type GbzCipheredBody,
  type GbzPayload,
  gcs13aCommand,
  readGcs13aResponse,
  ZclCluster,
  ZclDataType,
  zclAttributeName,
} from "../../../src/gbcs/gbz/index.js";
import { contextOf, rtdsDecrypt, rtdsEncrypt, rtdsMessage } from "./rtds-support.js";

const FOLDER = "4.1.1_GCS13a";

function onlyComponent(p: GbzPayload) {
  assert.equal(p.kind, "components");
  if (p.kind !== "components") throw new Error("unreachable");
  assert.equal(p.profileId, 0x0109);
  assert.equal(p.components.length, 1);
  return p.components[0]!;
}

describe("GCS13a Read GSME Consumption Register", () => {
  it("decodes the command: Read Attributes of Divisor, Multiplier, Unit of Measure, CurrentSummationDelivered", () => {
    const frame = rtdsMessage(FOLDER, "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_COMMAND_GBCS.HEX");
    assert.equal(frame.messageCode, 0x0074);
    assert.equal(toHex(frame.content), "010901010702000B0000000203010300030000");
    const p = decodeGbzPayload(frame.content, contextOf(frame));
    const c = onlyComponent(p);
    assert.equal(c.clusterId, ZclCluster.metering);
    assert.equal(c.lastMessage, true);
    assert.equal(c.fromDateTime, undefined);
    assert.deepEqual(c.body, {
      encrypted: false,
      frame: {
        header: {
          frameControl: {
            frameType: "global",
            manufacturerSpecific: false,
            direction: "clientToServer",
            disableDefaultResponse: false,
            reserved: 0,
          },
          transactionSequenceNumber: 0,
          commandId: 0x00,
        },
        payload: { kind: "readAttributes", attributeIds: [0x0302, 0x0301, 0x0300, 0x0000] },
      },
    });
    assert.deepEqual(
      [0x0302, 0x0301, 0x0300, 0x0000].map((id) => zclAttributeName(ZclCluster.metering, id)),
      ["divisor", "multiplier", "unitOfMeasure", "currentSummationDelivered"],
    );
    assert.equal(toHex(encodeGbzPayload(p)), toHex(frame.content));
  });

  it("decodes the ciphered response and, with keys, its Read Attributes Response", () => {
    const frame = rtdsMessage(FOLDER, "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_RESPONSE_GBCS.HEX");
    const p = decodeGbzPayload(frame.content, contextOf(frame, rtdsDecrypt(frame)));
    const c = onlyComponent(p);
    assert.equal(c.clusterId, ZclCluster.metering);
    assert.equal(c.body.encrypted, true);
    const body = c.body as GbzCipheredBody;
    assert.equal(body.additionalHeaderControl, 0);
    assert.equal(body.additionalHeaderFrameCounter, 0);
    assert.deepEqual(body.header, {
      frameControl: {
        frameType: "global",
        manufacturerSpecific: false,
        direction: "serverToClient",
        disableDefaultResponse: true,
        reserved: 0,
      },
      transactionSequenceNumber: 0,
      commandId: 0x01,
    });
    assert.equal(body.ciphered.securityControl, 0x31);
    assert.equal(body.ciphered.invocationCounter, 0);
    assert.equal(body.ciphered.ciphertext.length, 29);
    assert.equal(toHex(body.ciphered.aeMac), "C6BE7509E30300A9CCBA6CDA");
    assert.deepEqual(body.plaintext, {
      kind: "readAttributesResponse",
      records: [
        { attributeId: 0x0302, status: 0, value: { type: ZclDataType.uint24, value: 1000 } },
        { attributeId: 0x0301, status: 0, value: { type: ZclDataType.uint24, value: 1 } },
        { attributeId: 0x0300, status: 0, value: { type: ZclDataType.enum8, value: 1 } },
        { attributeId: 0x0000, status: 0, value: { type: ZclDataType.uint48, value: 12345 } },
      ],
    });
    assert.equal(body.decryptFailure, undefined);
    assert.equal(toHex(encodeGbzPayload(p)), toHex(frame.content));
  });

  it("keeps the response ciphered without keys, and says why when the keys are wrong", () => {
    const frame = rtdsMessage(FOLDER, "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_RESPONSE_GBCS.HEX");
    const plain = onlyComponent(decodeGbzPayload(frame.content, contextOf(frame))).body as GbzCipheredBody;
    assert.equal(plain.plaintext, undefined);
    assert.equal(plain.decryptFailure, undefined);
    const other = rtdsMessage(FOLDER, "GCS13a_4.1.1_SUCCESS_UNRELIABLE_RESPONSE_GBCS.HEX");
    const wrong = onlyComponent(decodeGbzPayload(frame.content, contextOf(frame, rtdsDecrypt(other))))
      .body as GbzCipheredBody;
    assert.equal(wrong.plaintext, undefined);
    assert.equal(wrong.decryptFailure, "authentication failed");
  });

  it("decodes the error response: Divisor unreadable (hardware failure 0xC0), the rest read", () => {
    const frame = rtdsMessage(FOLDER, "GCS13a_4.1.1_ERROR_RESPONSE_GBCS.HEX");
    const p = decodeGbzPayload(frame.content, contextOf(frame, rtdsDecrypt(frame)));
    const body = onlyComponent(p).body as GbzCipheredBody;
    assert.deepEqual(body.plaintext, {
      kind: "readAttributesResponse",
      records: [
        { attributeId: 0x0302, status: 0xc0 },
        { attributeId: 0x0301, status: 0, value: { type: ZclDataType.uint24, value: 1 } },
        { attributeId: 0x0300, status: 0, value: { type: ZclDataType.enum8, value: 1 } },
        { attributeId: 0x0000, status: 0, value: { type: ZclDataType.uint48, value: 12345 } },
      ],
    });
    assert.equal(toHex(encodeGbzPayload(p)), toHex(frame.content));
  });
});

describe("GCS13a builders and reader", () => {
  it("build the RTDS command and (with the RTDS keys) the RTDS responses byte for byte", () => {
    const command = rtdsMessage(FOLDER, "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_COMMAND_GBCS.HEX");
    assert.equal(toHex(buildGcs13aCommand()), toHex(command.content));

    const ok = rtdsMessage(FOLDER, "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_RESPONSE_GBCS.HEX");
    const register = { divisor: 1000, multiplier: 1, unitOfMeasure: 1, currentSummationDelivered: 12345 };
    assert.equal(
      toHex(buildGcs13aResponse({ readings: register, encrypt: rtdsEncrypt(ok) })),
      toHex(ok.content),
    );

    const error = rtdsMessage(FOLDER, "GCS13a_4.1.1_ERROR_RESPONSE_GBCS.HEX");
    const readings = {
      divisor: { status: 0xc0 },
      multiplier: { value: 1 },
      unitOfMeasure: { value: 1 },
      currentSummationDelivered: { value: 12345 },
    };
    assert.equal(toHex(buildGcs13aResponse({ readings, encrypt: rtdsEncrypt(error) })), toHex(error.content));
  });

  it("read the register from a response, or say it stayed ciphered", () => {
    const ok = rtdsMessage(FOLDER, "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_RESPONSE_GBCS.HEX");
    const read = readGcs13aResponse(decodeGbzPayload(ok.content, contextOf(ok, rtdsDecrypt(ok))));
    assert.deepEqual(read, {
      outcome: "success",
      readings: {
        divisor: { value: 1000 },
        multiplier: { value: 1 },
        unitOfMeasure: { value: 1 },
        currentSummationDelivered: { value: 12345 },
      },
      register: { divisor: 1000, multiplier: 1, unitOfMeasure: 1, currentSummationDelivered: 12345 },
    });
    assert.deepEqual(readGcs13aResponse(decodeGbzPayload(ok.content, contextOf(ok))), {
      outcome: "encrypted",
      reason: "no decrypt hook",
    });
    const error = rtdsMessage(FOLDER, "GCS13a_4.1.1_ERROR_RESPONSE_GBCS.HEX");
    const partial = readGcs13aResponse(decodeGbzPayload(error.content, contextOf(error, rtdsDecrypt(error))));
    assert.equal(partial.outcome, "success");
    if (partial.outcome !== "success") return;
    assert.deepEqual(partial.readings.divisor, { status: 0xc0 });
    assert.equal(partial.register, undefined);
    // A command is not a response.
    assert.throws(() => readGcs13aResponse(gcs13aCommand()), DecodeError);
  });
});
