import assert from "node:assert/strict";
import { createPublicKey, sign, verify, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DERIVED_NOT_BEFORE, DerivedDeviceKeys } from "../../src/smki/derived-keys.js";
import { openTestCa } from "../../src/smki/test-pki.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "meterway-derived-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const NOW = new Date("2026-11-28T12:00:00Z");

describe("derived device keys", () => {
  it("derives the same keys and serials from the same secret, in any instance", async () => {
    const dir = tempDir();
    const ca = await openTestCa(dir, NOW);
    const a = await DerivedDeviceKeys.open(ca);
    const secretPath = join(dir, "ca", "device-secret");
    assert.equal(statSync(secretPath).size, 32);
    assert.equal(statSync(secretPath).mode & 0o777, 0o600);
    const b = await DerivedDeviceKeys.open(await openTestCa(dir, NOW));
    assert.deepEqual(
      a.keyPair("0a03000000000001", "ka").point,
      b.keyPair("0A-03-00-00-00-00-00-01", "ka").point,
    );
    assert.deepEqual(a.serial("0a03000000000001", "ds"), b.serial("0a03000000000001", "ds"));
    assert.notDeepEqual(a.keyPair("0a03000000000001", "ka").point, a.keyPair("0a03000000000001", "ds").point);
    assert.notDeepEqual(a.keyPair("0a03000000000001", "ka").point, a.keyPair("0a03000000000002", "ka").point);
    const other = new DerivedDeviceKeys(ca, new Uint8Array(32).fill(7));
    assert.notDeepEqual(
      other.keyPair("0a03000000000001", "ka").point,
      a.keyPair("0a03000000000001", "ka").point,
    );
    assert.throws(() => new DerivedDeviceKeys(ca, new Uint8Array(16)), RangeError);
  });

  it("issues certificates the test CA signed, carrying the EUI, for the derived key", async () => {
    const dir = tempDir();
    const ca = await openTestCa(dir, NOW);
    const keys = await DerivedDeviceKeys.open(ca);
    const issuing = new X509Certificate(readFileSync(ca.issuingPath));
    for (const usage of ["ds", "ka"] as const) {
      const c = keys.credential("0a04000000000009", usage);
      assert.ok(c.certificate.verify(issuing.publicKey));
      assert.ok(c.certificate.checkPrivateKey(c.privateKey));
      assert.equal(new Date(c.certificate.validFrom).getTime(), DERIVED_NOT_BEFORE.getTime());
      assert.equal(
        BigInt(`0x${c.certificate.serialNumber}`),
        BigInt(`0x${Buffer.from(keys.serial(c.eui, usage)).toString("hex")}`),
      );
      assert.ok(
        Buffer.from(c.certificate.raw).toString("hex").includes("04080a04000000000009"),
        "SAN hwSerialNum",
      );
      // Issued again: a new signature over the same key and serial.
      const again = keys.credential("0a04000000000009", usage);
      assert.equal(again.certificate.serialNumber, c.certificate.serialNumber);
      assert.deepEqual(
        again.certificate.publicKey.export({ type: "spki", format: "der" }),
        c.certificate.publicKey.export({ type: "spki", format: "der" }),
      );
    }
    const ds = keys.credential("0a04000000000009", "ds");
    const data = Buffer.from("payload");
    assert.ok(verify("sha256", data, createPublicKey(ds.privateKey), sign("sha256", data, ds.privateKey)));
  });
});
