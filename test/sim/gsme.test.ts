import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { readRegisters } from "../../src/cli/request-decode.js";
import { CommandTransformer } from "../../src/dcc/transform/index.js";
import { el } from "../../src/duis/model/element.js";
import { decodeFrame } from "../../src/gbcs/frame.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { gasConsumptionRegister, SimGsme } from "../../src/sim/gsme.js";
import { DeviceKeyring } from "../../src/sim/keyring.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const GSME = "0a04000000000007";
const SUPPLIER = "90b3d51f30010000";
const ACB = "90b3d51f30000002";

describe("simulated GSME", () => {
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const dcc = KeyStore.fromDirectory(reference("rtds-keystore")).add({
    eui: GSME,
    usage: "ka",
    publicKey: pair.publicKey,
  });
  const supplier = KeyStore.fromDirectory(reference("rtds-keystore")).add({
    eui: GSME,
    usage: "ka",
    publicKey: pair.publicKey,
  });
  const rtds = KeyStore.fromDirectory(reference("rtds-keystore"));
  const keys = new DeviceKeyring({
    eui: GSME,
    kaPrivateKey: pair.privateKey,
    remoteKa: new Map([
      [ACB, rtds.publicKey(ACB, "ka")!],
      [SUPPLIER, rtds.publicKey(SUPPLIER, "ka")!],
    ]),
  });
  const now = Date.UTC(2026, 1, 2, 3, 4, 5);
  const energy = deviceEnergy(GSME);
  const gsme = new SimGsme({ keys, energy, now: () => now });
  const command = (counter: bigint) => {
    const t = new CommandTransformer(dcc).transform("4.1.1", "GSME", {
      originator: SUPPLIER,
      device: GSME,
      counter,
      body: el("Empty"),
      at: now,
    });
    assert.ok(t.ok);
    return t.bytes;
  };

  it("answers GCS13a with its consumption register, ciphered and MACed for the supplier", async () => {
    const bytes = command(42n);
    const outcome = await gsme.handle(bytes, decodeFrame(bytes));
    assert.ok(outcome.response, outcome.dropped);
    const read = readRegisters(outcome.response, supplier);
    assert.ok(read.macValid);
    assert.equal(read.reading.useCase, "GCS13a");
    assert.ok(read.reading.useCase === "GCS13a" && read.reading.result.outcome === "success");
    assert.deepEqual(read.reading.result.register, gasConsumptionRegister(energy, now));
  });

  it("drops a replayed counter and an ECS17b command", async () => {
    const bytes = command(42n);
    assert.equal((await gsme.handle(bytes, decodeFrame(bytes))).dropped, "replayed-counter");
  });
});
