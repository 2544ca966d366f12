/**
 * The simulated GSME's valve: GCS32 Disable and GCS39 Arm Supply built by the DCC's transform,
 * signed by the supplier and MACed by the ACB, change its supply state, and its Supply Status
 * Response has the RTDS response's content (the same Issuer Event ID, as the command was made at the
 * RTDS time), signed with the GSME's DS key. A command with a bad signature changes nothing.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CommandTransformer } from "../../src/dcc/transform/index.js";
import { el } from "../../src/duis/model/element.js";
import { signFrame, verifySignature } from "../../src/gbcs/crypto/signature.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { decodeFrame } from "../../src/gbcs/frame.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { SimGsme } from "../../src/sim/gsme.js";
import { DeviceKeyring } from "../../src/sim/keyring.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const GSME = "0a04000000000007";
const SUPPLIER = "90b3d51f30010000";
const ACB = "90b3d51f30000002";
const RTDS_AT = Date.UTC(2015, 0, 1);

const CASES = [
  {
    srv: "7.2",
    dir: "7.2_GCS32",
    file: "GCS32_7.2_SUCCESS_RESPONSE_GBCS.HEX",
    from: "Enabled",
    to: "Disabled",
  },
  {
    srv: "7.3",
    dir: "7.3_GCS39",
    file: "GCS39_7.3_SUCCESS_RESPONSE_GBCS.HEX",
    from: "Disabled",
    to: "Armed",
  },
] as const;

describe("simulated GSME: Disable and Arm Supply (critical)", () => {
  const ka = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ds = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const supplierDs = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const dccKeys = KeyStore.fromDirectory(reference("rtds-keystore")).add({
    eui: GSME,
    usage: "ka",
    publicKey: ka.publicKey,
  });
  const rtds = KeyStore.fromDirectory(reference("rtds-keystore"));
  const transformer = new CommandTransformer(dccKeys);

  function gsme(supply: "Enabled" | "Disabled" | "Armed"): SimGsme {
    const keys = new DeviceKeyring({
      eui: GSME,
      kaPrivateKey: ka.privateKey,
      dsPrivateKey: ds.privateKey,
      remoteKa: new Map([
        [ACB, rtds.publicKey(ACB, "ka")!],
        [SUPPLIER, rtds.publicKey(SUPPLIER, "ka")!],
      ]),
      remoteDs: new Map([[SUPPLIER, supplierDs.publicKey]]),
    });
    return new SimGsme({ keys, energy: deviceEnergy(GSME), now: () => RTDS_AT, supply });
  }

  function command(srv: string, counter: bigint, corrupt = false): Uint8Array {
    const pre = transformer.preCommand(srv, "GSME", {
      originator: SUPPLIER,
      device: GSME,
      counter,
      body: el("Empty"),
      at: RTDS_AT,
    });
    assert.ok(pre.ok);
    const signed = signFrame(pre.frame, supplierDs.privateKey);
    const signature = new Uint8Array(signed.signature!);
    if (corrupt) signature[0]! ^= 0xff;
    const sent = transformer.protectSigned({ ...signed, signature });
    assert.ok(sent.ok);
    return sent.bytes;
  }

  for (const { srv, dir, file, from, to } of CASES) {
    it(`${srv}: ${from} → ${to}, with the RTDS response's content, signed by the GSME`, async () => {
      const meter = gsme(from);
      const bytes = command(srv, 1000n);
      const outcome = await meter.handle(bytes, decodeFrame(bytes));
      assert.equal(outcome.dropped, undefined);
      assert.equal(meter.supplyState, to);
      const ours = decodeFrame(outcome.response!);
      const theirs = decodeFrame(
        fromHex(readFileSync(reference("rtds-4.5.0-gbcs", dir, file), "utf8").trim()),
      );
      assert.equal(ours.cra, 2);
      assert.equal(ours.counter, 1000n);
      assert.equal(ours.recipient, SUPPLIER.toUpperCase());
      assert.equal(ours.messageCode, theirs.messageCode);
      assert.equal(toHex(ours.content), toHex(theirs.content));
      assert.equal(ours.mac, undefined);
      assert.equal(verifySignature(ours, ds.publicKey), true);
    });
  }

  it("drops a command whose supplier signature does not verify", async () => {
    const meter = gsme("Enabled");
    const bytes = command("7.2", 2000n, true);
    assert.equal((await meter.handle(bytes, decodeFrame(bytes))).dropped, "bad-signature");
    assert.equal(meter.supplyState, "Enabled");
  });
});
