import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeDlmsPayload } from "../../../src/gbcs/dlms/index.js";
import {
  buildEcs17bCommand,
  buildEcs17bErrorResponse,
  buildEcs17bResponse,
  ECS17B_MESSAGE_CODE,
  readEcs17bResponse,
} from "../../../src/gbcs/dlms/use-cases/ecs17b.js";
import { hex, nodeDecrypter, nodeEncrypter, rtdsMessage } from "./rtds.js";

const DIR = "4.1.1_ECS17b";
const DEVICE = "00DB1234567890A0";

describe("ECS17b command", () => {
  for (const kind of ["SINGLE_SUCCESS", "TWIN_SUCCESS", "ERROR"]) {
    it(`${kind}: builds the RTDS content from the header values`, () => {
      const m = rtdsMessage(`${DIR}/ECS17b_4.1.1_${kind}_COMMAND_GBCS.HEX`);
      assert.equal(m.messageCode, ECS17B_MESSAGE_CODE);
      const built = buildEcs17bCommand({
        counter: m.counter,
        originator: m.originator,
        recipient: m.recipient,
      });
      assert.equal(hex(built), hex(m.content));
    });
  }
});

describe("ECS17b response", () => {
  const cases = [
    {
      kind: "SINGLE_SUCCESS",
      registers: {
        activeImportValue: 10,
        activeImportScaler: 0,
        activeImportUnit: 30,
        reactiveImportValue: 10,
        reactiveImportScaler: 0,
        reactiveImportUnit: 32,
      },
    },
    { kind: "TWIN_SUCCESS", registers: undefined },
  ];
  for (const c of cases) {
    it(`${c.kind}: decrypts the registers and rebuilds the exact bytes`, () => {
      const m = rtdsMessage(`${DIR}/ECS17b_4.1.1_${c.kind}_RESPONSE_GBCS.HEX`);
      const supplier = hex(m.recipient);
      const payload = decodeDlmsPayload(m.content, { decrypt: nodeDecrypter(supplier, DEVICE) });
      const read = readEcs17bResponse(payload);
      assert.equal(read.outcome, "success", JSON.stringify(read));
      if (read.outcome !== "success") return;
      if (c.registers) assert.deepEqual(read.registers, c.registers);
      const built = buildEcs17bResponse({
        counter: m.counter,
        originator: m.originator,
        recipient: m.recipient,
        registers: read.registers,
        encrypt: nodeEncrypter(DEVICE, supplier),
      });
      assert.equal(hex(built), hex(m.content));
    });
  }

  it("TWIN_SUCCESS carries the second active import value", () => {
    const m = rtdsMessage(`${DIR}/ECS17b_4.1.1_TWIN_SUCCESS_RESPONSE_GBCS.HEX`);
    const read = readEcs17bResponse(
      decodeDlmsPayload(m.content, { decrypt: nodeDecrypter(hex(m.recipient), DEVICE) }),
    );
    assert.equal(read.outcome, "success");
    if (read.outcome === "success") assert.equal(typeof read.registers.secondActiveImportValue, "number");
  });

  it("without a decrypter, says the registers are encrypted and shows the ciphered block", () => {
    const m = rtdsMessage(`${DIR}/ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX`);
    const read = readEcs17bResponse(decodeDlmsPayload(m.content));
    assert.equal(read.outcome, "encrypted");
    if (read.outcome !== "encrypted") return;
    assert.equal(read.protectedAttributes.securityControl, 0x31);
    assert.equal(read.protectedAttributes.invocationCounter, 0);
    assert.equal(read.protectedAttributes.tag.length, 12);
    assert.equal(read.protectedAttributes.ciphertext.length, 26);
  });

  it("with the wrong key, says why decryption failed", () => {
    const m = rtdsMessage(`${DIR}/ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX`);
    const read = readEcs17bResponse(
      decodeDlmsPayload(m.content, { decrypt: nodeDecrypter("90B3D51F30020000", DEVICE) }),
    );
    assert.equal(read.outcome, "encrypted");
    if (read.outcome === "encrypted") assert.match(read.reason, /decryption failed/);
  });

  it("ERROR: a hardware fault is data, and rebuilds exactly", () => {
    const m = rtdsMessage(`${DIR}/ECS17b_4.1.1_ERROR_RESPONSE_GBCS.HEX`);
    const read = readEcs17bResponse(decodeDlmsPayload(m.content));
    assert.deepEqual(read, { outcome: "failure", actionResult: 1, actionResultName: "hardware-fault" });
    assert.equal(hex(buildEcs17bErrorResponse({ counter: m.counter, actionResult: 1 })), hex(m.content));
  });
});
