import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { readImportRegisters } from "../../src/cli/request-decode.js";
import { fromHex } from "../../src/gbcs/cursor.js";
import { decodeFrame } from "../../src/gbcs/frame.js";
import { SimCommsHub } from "../../src/sim/chf.js";
import { ImportEnergy, profileFromSeed } from "../../src/sim/energy.js";
import { SimEsme } from "../../src/sim/esme.js";
import { DeviceKeyring } from "../../src/sim/keyring.js";
import { SimStubDevice } from "../../src/sim/stubs.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const DEVICE = "00DB1234567890A0";
const SUPPLIER = "90B3D51F30010000";
const ACB = "90B3D51F30000002";

function rtds(name: string): Uint8Array {
  return fromHex(readFileSync(reference("rtds-4.5.0-gbcs", "4.1.1_ECS17b", name), "utf8").trim());
}

/** The RTDS ESME: its KA key (from the known-answer folder) and the ZAZ1 ACB and supplier certificates. */
function rtdsEsme(now: () => number, twin = false): SimEsme {
  const rtdsKeys = KeyStore.fromDirectory(reference("rtds-keystore"));
  const keys = DeviceKeyring.fromKeyStore(
    new KeyStore({ directories: [reference("rtds-keystore"), reference("gbcs-known-answers")] }),
    DEVICE,
    [ACB, SUPPLIER],
  );
  assert.ok(rtdsKeys.publicKey(ACB, "ka"));
  return new SimEsme({ keys, energy: new ImportEnergy(profileFromSeed(7)), now, twin });
}

function supplierKeys(): KeyStore {
  return KeyStore.fromDirectory(reference("rtds-keystore"));
}

describe("simulated ESME", () => {
  it("answers the RTDS ECS17b command with a MACed response whose registers decrypt for the supplier", async () => {
    const now = Date.UTC(2026, 5, 1, 12);
    const esme = rtdsEsme(() => now);
    const command = rtds("ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX");
    const outcome = await esme.handle(command, decodeFrame(command));
    assert.equal(outcome.dropped, undefined);
    assert.ok(outcome.response);
    const read = readImportRegisters(outcome.response, supplierKeys());
    assert.equal(read.frame.cra, 2);
    assert.equal(read.frame.counter, 1000n);
    assert.equal(read.frame.originator, DEVICE);
    assert.equal(read.frame.recipient, SUPPLIER);
    assert.equal(read.frame.messageCode, 0x0027);
    assert.ok(read.macValid, "response MAC verifies with the supplier's key");
    assert.deepEqual(read.response, { outcome: "success", registers: esme.registers(now) });
  });

  it("shapes its response like the RTDS response (same length, same header layout)", async () => {
    const esme = rtdsEsme(() => Date.UTC(2015, 0, 1));
    const command = rtds("ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX");
    const ours = (await esme.handle(command, decodeFrame(command))).response!;
    const theirs = rtds("ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX");
    assert.equal(ours.length, theirs.length);
    // Up to the date-time, the header is the same bytes.
    const dateAt = 7 + 3 + 5 + 2 + 9 + 18;
    assert.deepEqual(ours.subarray(0, dateAt), theirs.subarray(0, dateAt));
  });

  it("reports a second active register when twin", async () => {
    const now = Date.UTC(2026, 0, 1);
    const esme = rtdsEsme(() => now, true);
    const command = rtds("ECS17b_4.1.1_TWIN_SUCCESS_COMMAND_GBCS.HEX");
    const frame = decodeFrame(command);
    // The twin command is from the second supplier, whose certificate this ESME does not hold.
    assert.equal((await esme.handle(command, frame)).dropped, "unknown-originator");
    const single = rtds("ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX");
    const read = readImportRegisters(
      (await esme.handle(single, decodeFrame(single))).response!,
      supplierKeys(),
    );
    assert.equal(read.response.outcome, "success");
    assert.ok(
      read.response.outcome === "success" && read.response.registers.secondActiveImportValue !== undefined,
    );
  });

  it("drops a replayed or older counter, and accepts a greater one", async () => {
    const esme = rtdsEsme(() => Date.UTC(2026, 0, 1));
    const c1000 = rtds("ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX");
    const c1001 = rtds("ECS17b_4.1.1_ERROR_COMMAND_GBCS.HEX");
    assert.ok((await esme.handle(c1001, decodeFrame(c1001))).response);
    assert.equal((await esme.handle(c1001, decodeFrame(c1001))).dropped, "replayed-counter");
    assert.equal((await esme.handle(c1000, decodeFrame(c1000))).dropped, "replayed-counter");
  });

  it("drops a command whose MAC does not verify", async () => {
    const esme = rtdsEsme(() => Date.UTC(2026, 0, 1));
    const command = new Uint8Array(rtds("ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX"));
    command[command.length - 20]! ^= 0x01; // a byte of the content
    assert.equal((await esme.handle(command, decodeFrame(command))).dropped, "bad-mac");
  });

  it("drops a command MACed with another device's key", async () => {
    const other = createPrivateKey(readFileSync(reference("rtds-keystore", "90b3d51f30010000-ka.key")));
    const keys = new DeviceKeyring({
      eui: DEVICE,
      kaPrivateKey: other,
      remoteKa: new Map([[ACB, supplierKeys().publicKey(ACB, "ka")!]]),
    });
    const esme = new SimEsme({ keys, energy: new ImportEnergy(profileFromSeed(1)), now: () => 0 });
    const command = rtds("ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX");
    assert.equal((await esme.handle(command, decodeFrame(command))).dropped, "bad-mac");
  });
});

describe("simulated Communications Hub", () => {
  it("relays a command to the HAN device it is for and returns the answer", async () => {
    const esme = rtdsEsme(() => Date.UTC(2026, 0, 1));
    const gsme = new SimStubDevice("00DB1234567890A3", "IHD");
    const hub = new SimCommsHub("00DB1234567890A4", [esme, gsme]);
    const frames = await hub.handle(rtds("ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX"));
    assert.equal(frames.length, 1);
    assert.equal(decodeFrame(frames[0]!).originator, DEVICE);
    assert.equal(hub.stats.answered, 1);
  });

  it("answers nothing for a device not on its HAN, a stub device, or undecodable bytes", async () => {
    const gsme = new SimStubDevice(DEVICE, "IHD");
    const hub = new SimCommsHub("00DB1234567890A4", [gsme]);
    assert.deepEqual(await hub.handle(rtds("ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX")), []);
    assert.equal(gsme.received, 1);
    const empty = new SimCommsHub("00DB1234567890A4");
    assert.deepEqual(await empty.handle(rtds("ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX")), []);
    assert.deepEqual(await empty.handle(fromHex("DD00")), []);
    assert.deepEqual(empty.stats.dropped, { "not-for-me": 1, malformed: 1 });
  });
});
