import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeDlmsPayload } from "../../../src/gbcs/dlms/index.js";
import {
  buildEcs17bCommand,
  buildEcs17bErrorResponse,
  buildEcs17bResponse,
  ECS17B_MESSAGE_CODE,
  type ImportRegisterCollection,
  readEcs17bResponse,
} from "../../../src/gbcs/dlms/use-cases/ecs17b.js";
import { deviceEncrypter, eui, hex, keyedContext, rtdsMessage } from "./rtds.js";

const DIR = "4.1.1_ECS17b";
const DEVICE = "00DB1234567890A0";
const file = (kind: string, type: string) => `${DIR}/ECS17b_4.1.1_${kind}_${type}_GBCS.HEX`;

const SINGLE: ImportRegisterCollection = {
  activeImportValue: 10,
  activeImportScaler: 0,
  activeImportUnit: 30,
  reactiveImportValue: 10,
  reactiveImportScaler: 0,
  reactiveImportUnit: 32,
};
const TWIN: ImportRegisterCollection = { ...SINGLE, secondActiveImportValue: 10 };

describe("ECS17b command", () => {
  for (const kind of ["SINGLE_SUCCESS", "TWIN_SUCCESS", "ERROR"]) {
    it(`${kind}: builds the RTDS content from the header values`, () => {
      const { frame } = rtdsMessage(file(kind, "COMMAND"));
      assert.equal(frame.messageCode, ECS17B_MESSAGE_CODE);
      const built = buildEcs17bCommand({
        counter: frame.counter,
        originator: eui(frame.originator),
        recipient: eui(frame.recipient),
      });
      assert.equal(hex(built), hex(frame.content));
      const fromHex = buildEcs17bCommand({
        counter: frame.counter,
        originator: frame.originator,
        recipient: frame.recipient,
      });
      assert.equal(hex(fromHex), hex(frame.content));
    });
  }
});

describe("ECS17b response", () => {
  for (const [kind, registers] of [
    ["SINGLE_SUCCESS", SINGLE],
    ["TWIN_SUCCESS", TWIN],
  ] as const) {
    it(`${kind}: the supplier reads the registers through the frame's decrypter`, () => {
      const { frame } = rtdsMessage(file(kind, "RESPONSE"));
      const read = readEcs17bResponse(decodeDlmsPayload(frame.content, keyedContext(frame, frame.recipient)));
      assert.deepEqual(read, { outcome: "success", registers });
    });

    it(`${kind}: the ESME builds the exact RTDS bytes from the registers`, () => {
      const { frame } = rtdsMessage(file(kind, "RESPONSE"));
      const built = buildEcs17bResponse({
        counter: frame.counter,
        originator: eui(frame.originator),
        recipient: eui(frame.recipient),
        registers,
        encrypt: deviceEncrypter(frame),
      });
      assert.equal(hex(built), hex(frame.content));
    });
  }

  it("without a decrypter, says the registers are encrypted and shows the ciphered block", () => {
    const { frame } = rtdsMessage(file("SINGLE_SUCCESS", "RESPONSE"));
    const read = readEcs17bResponse(decodeDlmsPayload(frame.content));
    assert.equal(read.outcome, "encrypted");
    if (read.outcome !== "encrypted") return;
    assert.equal(read.reason, "no decrypter");
    assert.equal(read.protectedAttributes.securityControl, 0x31);
    assert.equal(read.protectedAttributes.invocationCounter, 0);
    assert.equal(read.protectedAttributes.tag.length, 12);
    assert.equal(read.protectedAttributes.ciphertext.length, 26);
  });

  it("with the wrong key pair, says why decryption failed", () => {
    const { frame } = rtdsMessage(file("SINGLE_SUCCESS", "RESPONSE"));
    // The twin supplier's key pair instead of the recipient's.
    const read = readEcs17bResponse(
      decodeDlmsPayload(frame.content, keyedContext(frame, "90B3D51F30020000")),
    );
    assert.equal(read.outcome, "encrypted");
    if (read.outcome === "encrypted") assert.equal(read.reason, "authentication failed");
  });

  it("refuses a system title that is not 8 bytes", () => {
    assert.throws(
      () => buildEcs17bCommand({ counter: 1n, originator: "90B3D51F3001", recipient: DEVICE }),
      RangeError,
    );
  });

  it("ERROR: a hardware fault is data, and rebuilds exactly", () => {
    const { frame } = rtdsMessage(file("ERROR", "RESPONSE"));
    const read = readEcs17bResponse(decodeDlmsPayload(frame.content));
    assert.deepEqual(read, { outcome: "failure", actionResult: 1, actionResultName: "hardware-fault" });
    const built = buildEcs17bErrorResponse({ counter: frame.counter, actionResult: 1 });
    assert.equal(hex(built), hex(frame.content));
  });
});
