/**
 * decodeMessage with exact expected values: the RTDS ECS17b command and its responses (import
 * active and reactive registers, decrypted), the §18.4 ECS04b critical command, pre-commands, and
 * what the checks say without keys or with a key missing.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { readEcs17bResponse } from "../../src/gbcs/dlms/use-cases/ecs17b.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const keys = KeyStore.fromDirectory(reference("rtds-keystore"));
const rtds = (dir: string, file: string) =>
  fromHex(readFileSync(reference("rtds-4.5.0-gbcs", dir, file), "utf8"));

describe("decodeMessage", () => {
  it("ECS17b command: header, MAC by the ACB, the DLMS request", () => {
    const m = decodeMessage(rtds("4.1.1_ECS17b", "ECS17b_4.1.1_TWIN_SUCCESS_COMMAND_GBCS.HEX"), { keys });
    assert.equal(m.kind, "command");
    assert.equal(m.useCase, "ECS17b");
    assert.equal(m.info?.name, "Read ESME Energy Registers (Import Energy)");
    assert.equal(m.frame.cra, 1);
    assert.equal(m.frame.counter, 1200n);
    assert.equal(m.frame.originator, "90B3D51F30020000");
    assert.equal(m.frame.recipient, "00DB1234567890A0");
    assert.equal(m.frame.messageCode, 0x0027);
    assert.equal(m.frame.dateTime, null);
    assert.deepEqual(m.signature, { present: false, valid: null, reason: "absent" });
    assert.deepEqual(m.mac, { present: true, valid: true, reason: null });
    assert.equal(m.payload.family, "dlms");
    assert.ok(m.payload.family === "dlms" && m.payload.apdu.apdu === "access-request");
  });

  it("ECS17b responses: the two import registers (and the twin element), decrypted", () => {
    const twin = decodeMessage(rtds("4.1.1_ECS17b", "ECS17b_4.1.1_TWIN_SUCCESS_RESPONSE_GBCS.HEX"), { keys });
    assert.equal(twin.kind, "response");
    assert.equal(twin.frame.counter, 1200n);
    assert.equal(twin.frame.originator, "00DB1234567890A0");
    assert.equal(twin.frame.recipient, "90B3D51F30020000");
    assert.equal(toHex(twin.frame.dateTime!), "07DF0101FF000000008000FF");
    assert.equal(twin.mac.valid, true);
    assert.ok(twin.payload.family === "dlms");
    assert.deepEqual(readEcs17bResponse(twin.payload), {
      outcome: "success",
      registers: {
        activeImportValue: 10,
        activeImportScaler: 0,
        activeImportUnit: 30,
        reactiveImportValue: 10,
        reactiveImportScaler: 0,
        reactiveImportUnit: 32,
        secondActiveImportValue: 10,
      },
    });
    const single = decodeMessage(rtds("4.1.1_ECS17b", "ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX"), {
      keys,
    });
    assert.equal(single.frame.counter, 1000n);
    assert.equal(single.frame.recipient, "90B3D51F30010000");
    assert.ok(single.payload.family === "dlms");
    const read = readEcs17bResponse(single.payload);
    assert.equal(read.outcome, "success");
    assert.ok(read.outcome === "success");
    assert.equal(read.registers.activeImportUnit, 30); // Wh
    assert.equal(read.registers.reactiveImportUnit, 32); // varh
    assert.equal(read.registers.secondActiveImportValue, undefined);
  });

  it("without keys: nothing checked, sensitive data stays encrypted", () => {
    const m = decodeMessage(rtds("4.1.1_ECS17b", "ECS17b_4.1.1_TWIN_SUCCESS_RESPONSE_GBCS.HEX"));
    assert.deepEqual(m.mac, { present: true, valid: null, reason: "not checked" });
    assert.ok(m.payload.family === "dlms");
    assert.equal(readEcs17bResponse(m.payload).outcome, "encrypted");
  });

  it("§18.4 ECS04b critical command: header fields and the supplier's signature", () => {
    const text = readFileSync(reference("gbcs-18.4-test-vector.txt"), "utf8");
    const hex = text
      .split("\n")
      .find((l) => l.startsWith("message"))!
      .split("=")[1]!;
    const m = decodeMessage(fromHex(hex));
    assert.equal(m.kind, "command");
    assert.equal(m.useCase, "ECS04b");
    assert.equal(m.info?.critical, true);
    assert.equal(m.frame.counter, 1n);
    assert.equal(m.frame.originator, "123456789ABCDEF0");
    assert.equal(m.frame.recipient, "FFFFFFFFFFFFFFFE");
    assert.equal(m.frame.messageCode, 0x00b3);
    assert.deepEqual(m.signature, { present: true, valid: null, reason: "not checked" });
    // the RTDS store has no key for the §18.4 supplier
    assert.deepEqual(decodeMessage(fromHex(hex), { keys }).signature, {
      present: true,
      valid: null,
      reason: "key unavailable",
    });
  });

  it("critical RTDS command: signature and MAC verify; a flipped content byte fails both", () => {
    const bytes = rtds("1.5_ECS04b", "ECS04b_1.5_SUCCESS_COMMAND_GBCS.HEX");
    const m = decodeMessage(bytes, { keys });
    assert.deepEqual(m.signature, { present: true, valid: true, reason: null });
    assert.equal(m.mac.valid, true);
    const copy = new Uint8Array(bytes);
    const at = m.frame.received!.contentEnd - 1;
    copy[at] = copy[at]! ^ 0x01;
    const bad = decodeMessage(copy, { keys });
    assert.deepEqual(bad.signature, { present: true, valid: false, reason: "does not verify" });
    assert.deepEqual(bad.mac, { present: true, valid: false, reason: "does not verify" });
    assert.deepEqual(
      decodeMessage(bytes, { keys, now: new Date("2040-01-01") }).signature.reason,
      "certificate expired",
    );
  });

  it("pre-command: no MAC Header and no signature field", () => {
    const m = decodeMessage(rtds("1.5_ECS04b", "ECS04b_1.5_SUCCESS_PRECOMMAND_GBCS.HEX"), { keys });
    assert.equal(m.kind, "precommand");
    assert.equal(m.frame.signature, undefined);
    assert.equal(m.mac.present, false);
  });

  it("a PPMID's command is MACed by the device: key unavailable in the RTDS store", () => {
    const m = decodeMessage(rtds("NA_PCS01", "PCS01_NA_SUCCESS_COMMAND_GBCS.HEX"), { keys });
    assert.equal(m.info?.deviceOriginated, true);
    assert.deepEqual(m.mac, { present: true, valid: null, reason: "key unavailable" });
  });
});
