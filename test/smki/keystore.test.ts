import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { normaliseEui } from "../../src/smki/keys-layout.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

describe("KeyStore", () => {
  it("finds certificates and private keys in the RTDS layout, either EUI case", () => {
    const store = KeyStore.fromDirectory(reference("rtds-keystore"));
    assert.ok(store.certificate("00DB1234567890A0", "ds"));
    assert.ok(store.publicKey("00db1234567890a0", "ka"));
    assert.equal(store.privateKey("00DB1234567890A0", "ka"), undefined);
    assert.ok(store.privateKey("90B3D51F30000002", "ka"));
    assert.ok(store.publicKey("90B3D51F30010000", "pp-ka"));
    assert.equal(store.publicKey("0000000000000000", "ds"), undefined);
    assert.equal(store.signingPublicKey("90B3D51F30010000")?.asymmetricKeyType, "ec");
  });

  it("computes the same shared secret from either side and caches it per pair", () => {
    const store = new KeyStore({
      directories: [reference("rtds-keystore"), reference("gbcs-known-answers")],
    });
    const a = store.sharedSecret("90B3D51F30000002", "00DB1234567890A0");
    const b = store.sharedSecret("00DB1234567890A0", "90B3D51F30000002");
    assert.ok(a && b);
    assert.deepEqual(a, b);
    assert.equal(store.sharedSecret("90B3D51F30000002", "00DB1234567890A0"), a);
    const rtdsOnly = KeyStore.fromDirectory(reference("rtds-keystore"));
    assert.equal(rtdsOnly.sharedSecret("00DB1234567890A1", "00DB1234567890A4"), undefined);
  });

  it("holds keys added in memory, and instances do not share them", () => {
    const dir = mkdtempSync(join(tmpdir(), "meterway-keys-"));
    try {
      const device = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const party = generateKeyPairSync("ec", { namedCurve: "P-256" });
      writeFileSync(
        join(dir, "1111111111111111-ka.key"),
        party.privateKey.export({ type: "pkcs8", format: "pem" }),
      );
      const store = KeyStore.fromDirectory(dir).add({
        eui: "22-22-22-22-22-22-22-22",
        usage: "ka",
        publicKey: device.publicKey,
      });
      assert.ok(store.sharedSecret("1111111111111111", "2222222222222222"));
      assert.ok(store.publicKey("1111111111111111", "ka"), "public key from the private key file");
      assert.equal(KeyStore.fromDirectory(dir).publicKey("2222222222222222", "ka"), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("normalises EUIs and refuses others", () => {
    assert.equal(normaliseEui("00-db-12-34-56-78-90-a0"), "00DB1234567890A0");
    assert.throws(() => normaliseEui("00DB1234567890A"), RangeError);
    assert.throws(() => normaliseEui("00DB1234567890AG"), RangeError);
  });
});
