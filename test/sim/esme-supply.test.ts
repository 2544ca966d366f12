/**
 * The simulated ESME's supply switch against RTDS: the ECS42/43/44 COMMANDs (signed by the RTDS
 * supplier, MACed by the ACB) change its supply state, and its response carries the RTDS RESPONSE's
 * header and content; a command whose supplier signature does not verify is dropped.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { macKey, protectFrame } from "../../src/gbcs/crypto/mac.js";
import { verifySignature } from "../../src/gbcs/crypto/signature.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { decodeFrame, encodeFrame } from "../../src/gbcs/frame.js";
import { ImportEnergy, profileFromSeed } from "../../src/sim/energy.js";
import { SimEsme } from "../../src/sim/esme.js";
import { DeviceKeyring } from "../../src/sim/keyring.js";
import type { SupplyState } from "../../src/sim/supply.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const DEVICE = "00DB1234567890A0";
const SUPPLIER = "90B3D51F30010000";
const ACB = "90B3D51F30000002";

const CASES = [
  { dir: "7.1_ECS42", useCase: "ECS42", from: "Disabled", to: "Enabled" },
  { dir: "7.2_ECS43", useCase: "ECS43", from: "Enabled", to: "Disabled" },
  { dir: "7.3_ECS44", useCase: "ECS44", from: "Disabled", to: "Armed" },
] as const;

function rtds(dir: string, name: string): Uint8Array {
  return fromHex(readFileSync(reference("rtds-4.5.0-gbcs", dir, name), "utf8").trim());
}

function store(): KeyStore {
  return new KeyStore({ directories: [reference("rtds-keystore"), reference("gbcs-known-answers")] });
}

function esme(supply: SupplyState, parties: readonly string[] = [ACB, SUPPLIER]): SimEsme {
  const keys = DeviceKeyring.fromKeyStore(store(), DEVICE, parties);
  return new SimEsme({ keys, energy: new ImportEnergy(profileFromSeed(7)), now: () => 0, supply });
}

describe("simulated ESME: Enable, Disable and Arm Supply (critical)", () => {
  for (const { dir, useCase, from, to } of CASES) {
    it(`${useCase}: ${from} → ${to}, answered like the RTDS response`, async () => {
      const meter = esme(from);
      const command = rtds(dir, `${useCase}_${dir.split("_")[0]}_SUCCESS_COMMAND_GBCS.HEX`);
      const outcome = await meter.handle(command, decodeFrame(command));
      assert.equal(outcome.dropped, undefined);
      assert.equal(meter.supplyState, to);
      const ours = decodeFrame(outcome.response!);
      const theirs = decodeFrame(rtds(dir, `${useCase}_${dir.split("_")[0]}_SUCCESS_RESPONSE_GBCS.HEX`));
      for (const field of ["cra", "counter", "originator", "recipient", "dateTime", "messageCode"] as const) {
        assert.deepEqual(ours[field], theirs[field], field);
      }
      assert.equal(toHex(ours.content), toHex(theirs.content));
      // RTDS gives the ESME's DS certificate but not its private key: then the ESME MACs instead.
      const ds = store().publicKey(DEVICE, "ds");
      if (store().privateKey(DEVICE, "ds") !== undefined && ds !== undefined) {
        assert.equal(ours.mac, undefined, "signed, not MACed, as in RTDS");
        assert.equal(verifySignature(ours, ds), true);
      } else {
        assert.ok(ours.mac, "MACed when the ESME has no DS key");
        const z = store().sharedSecret(DEVICE, SUPPLIER);
        assert.ok(z);
        const { received: _r, ...plain } = ours;
        assert.deepEqual(protectFrame(plain, macKey(plain, z)).mac, ours.mac, "the MAC is the supplier's");
      }
    });
  }

  it("drops a critical command whose supplier signature does not verify, and keeps its state", async () => {
    const meter = esme("Enabled");
    const keys = store();
    const sent = decodeFrame(rtds("7.2_ECS43", "ECS43_7.2_SUCCESS_COMMAND_GBCS.HEX"));
    const { received: _r, mac: _m, ...frame } = sent;
    const signature = new Uint8Array(sent.signature!);
    signature[10]! ^= 0xff;
    const forged = { ...frame, signature };
    const z = keys.sharedSecret(ACB, DEVICE);
    assert.ok(z);
    const bytes = encodeFrame(protectFrame(forged, macKey(forged, z)));
    const outcome = await meter.handle(bytes, decodeFrame(bytes));
    assert.equal(outcome.dropped, "bad-signature");
    assert.equal(meter.supplyState, "Enabled");
  });

  it("drops a critical command from a supplier whose DS certificate it does not hold", async () => {
    const keys = store();
    const material = DeviceKeyring.fromKeyStore(keys, DEVICE, [ACB, SUPPLIER]);
    assert.ok(material.signingPublicKey(SUPPLIER), "the RTDS supplier's DS certificate is there");
    const meter = new SimEsme({
      keys: new DeviceKeyring({
        eui: DEVICE,
        kaPrivateKey: keys.privateKey(DEVICE, "ka")!,
        remoteKa: new Map([
          [ACB, keys.publicKey(ACB, "ka")!],
          [SUPPLIER, keys.publicKey(SUPPLIER, "ka")!],
        ]),
      }),
      energy: new ImportEnergy(profileFromSeed(7)),
      now: () => 0,
      supply: "Disabled",
    });
    const command = rtds("7.1_ECS42", "ECS42_7.1_SUCCESS_COMMAND_GBCS.HEX");
    assert.equal((await meter.handle(command, decodeFrame(command))).dropped, "bad-signature");
    assert.equal(meter.supplyState, "Disabled");
  });
});
