import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as asn from "@peculiar/asn1-x509";
import {
  credentialPaths,
  DEVICE_CERTIFICATE_POLICY,
  HARDWARE_MODULE_NAME,
  issueDevices,
  issueOrganisation,
  openTestCa,
  rawP256KeyPair,
  SMKI_HW_TYPE,
  X500_UNIQUE_IDENTIFIER,
} from "../../src/smki/test-pki.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "meterway-pki-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const NOW = new Date("2026-11-28T12:00:00Z");

function cert(path: string): X509Certificate {
  return new X509Certificate(readFileSync(path));
}

/** The key in `keyPath` is the private half of the certificate's public key. */
function keyMatches(certificate: X509Certificate, keyPath: string): boolean {
  const privateKey = createPrivateKey(readFileSync(keyPath));
  const derived = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  return Buffer.compare(derived, certificate.publicKey.export({ type: "spki", format: "der" })) === 0;
}

describe("test PKI", () => {
  it("makes a root and issuing CA whose chain verifies, and reloads them", async () => {
    const dir = tempDir();
    const ca = await openTestCa(dir, NOW);
    const root = cert(ca.rootPath);
    const issuing = cert(ca.issuingPath);
    assert.ok(root.ca && issuing.ca);
    assert.ok(root.verify(root.publicKey), "root is self-signed");
    assert.ok(issuing.verify(root.publicKey) && issuing.checkIssued(root));
    const again = await openTestCa(dir, NOW);
    assert.equal(again.issuerDn, ca.issuerDn);
    assert.deepEqual(again.keyId, ca.keyId);
    assert.equal(readFileSync(again.issuingPath, "utf8"), readFileSync(ca.issuingPath, "utf8"));
  });

  it("issues organisation certificates in the SMKI shape, keyed in the RTDS layout", async () => {
    const dir = tempDir();
    const ca = await openTestCa(dir, NOW);
    const issued = await issueOrganisation(
      ca,
      {
        eui: "90-B3-D5-1F-30-A0-00-01",
        name: "Demo Supplier",
        role: "supplier",
        usages: ["ds", "ka", "pp-ka"],
      },
      NOW,
    );
    assert.deepEqual(
      issued.map((c) => c.usage),
      ["ds", "ka", "pp-ka"],
    );
    const issuing = cert(ca.issuingPath);
    for (const credential of issued) {
      assert.equal(credential.certificatePath, join(dir, `90b3d51f30a00001-${credential.usage}.pem`));
      assert.equal(credential.keyPath, join(dir, `90b3d51f30a00001-${credential.usage}.key`));
      const c = cert(credential.certificatePath);
      assert.ok(c.verify(issuing.publicKey), "signed by the issuing CA");
      assert.ok(c.checkIssued(issuing));
      assert.ok(keyMatches(c, credential.keyPath));
      assert.equal(BigInt(`0x${c.serialNumber}`).toString(), credential.serial);
      assert.equal(credential.issuer, ca.issuerDn);
      assert.match(c.subject, /OU=02/);
      assert.ok(new Date(c.validFrom) <= NOW && new Date(c.validTo) > NOW);
      // x500UniqueIdentifier holds the EUI as a BIT STRING.
      const parsed = AsnConvert.parse(c.raw, asn.Certificate);
      const unique = [...parsed.tbsCertificate.subject]
        .flatMap((s) => [...s])
        .find((a) => a.type === X500_UNIQUE_IDENTIFIER);
      assert.equal(Buffer.from(unique!.value.anyValue!).toString("hex"), "03090090b3d51f30a00001");
    }
    // A DS key signs, a KA key does not claim signing.
    const ds = cert(issued[0]!.certificatePath);
    const data = Buffer.from("grouping header");
    const signature = sign("sha256", data, createPrivateKey(readFileSync(issued[0]!.keyPath)));
    assert.ok(verify("sha256", data, ds.publicKey, signature));
    // Reissuing keeps the files.
    const before = readFileSync(issued[0]!.certificatePath, "utf8");
    const again = await issueOrganisation(
      ca,
      { eui: "90b3d51f30a00001", name: "Demo Supplier", role: "supplier", usages: ["ds"] },
      NOW,
    );
    assert.equal(readFileSync(issued[0]!.certificatePath, "utf8"), before);
    assert.equal(again[0]!.serial, issued[0]!.serial);
  });

  it("issues device DS and KA certificates carrying the EUI, only for missing files", async () => {
    const dir = tempDir();
    const ca = await openTestCa(dir, NOW);
    const euis = ["0a01000000000000", "0a03000000000000", "0A04000000000000"];
    const progress: Array<[number, number]> = [];
    const written = await issueDevices(ca, euis, NOW, {
      batchSize: 4,
      onProgress: (d, t) => progress.push([d, t]),
    });
    assert.equal(written, 6);
    assert.deepEqual(progress, [
      [4, 6],
      [6, 6],
    ]);
    const issuing = cert(ca.issuingPath);
    for (const eui of euis) {
      for (const usage of ["ds", "ka"] as const) {
        const paths = credentialPaths(dir, eui, usage);
        assert.equal(paths.certificate, join(dir, `${eui.toLowerCase()}-${usage}.pem`));
        const c = cert(paths.certificate);
        assert.ok(c.verify(issuing.publicKey));
        assert.ok(keyMatches(c, paths.key));
        assert.equal(c.subject ?? "", "", "device certificates have an empty subject");
        assert.equal(new Date(c.validTo).getUTCFullYear(), 9999);
        const parsed = AsnConvert.parse(c.raw, asn.Certificate);
        const extensions = parsed.tbsCertificate.extensions!;
        const san = extensions.find((e) => e.extnID === asn.id_ce_subjectAltName)!;
        assert.equal(san.critical, true);
        const names = AsnConvert.parse(san.extnValue.buffer, asn.SubjectAlternativeName);
        const other = names[0]!.otherName!;
        assert.equal(other.typeId, HARDWARE_MODULE_NAME);
        // hardwareModuleName ::= SEQUENCE { hwType OID, hwSerialNum OCTET STRING (the EUI) }
        const hex = Buffer.from(other.value).toString("hex");
        assert.ok(hex.endsWith(`0408${eui.toLowerCase()}`), hex);
        const policy = extensions.find((e) => e.extnID === asn.id_ce_certificatePolicies)!;
        const policies = AsnConvert.parse(policy.extnValue.buffer, asn.CertificatePolicies);
        assert.equal(policies[0]!.policyIdentifier, DEVICE_CERTIFICATE_POLICY);
        const keyUsage = extensions.find((e) => e.extnID === asn.id_ce_keyUsage)!;
        const flags = AsnConvert.parse(keyUsage.extnValue.buffer, asn.KeyUsage).toNumber();
        assert.equal(
          flags,
          usage === "ds" ? asn.KeyUsageFlags.digitalSignature : asn.KeyUsageFlags.keyAgreement,
        );
      }
    }
    const serials = euis.flatMap((eui) =>
      (["ds", "ka"] as const).map((u) => cert(credentialPaths(dir, eui, u).certificate).serialNumber),
    );
    assert.equal(new Set(serials).size, serials.length, "every certificate has its own serial");
    const mtime = statSync(credentialPaths(dir, euis[0]!, "ds").certificate).mtimeMs;
    assert.equal(await issueDevices(ca, [...euis, "0a05000000000000"], NOW), 2);
    assert.equal(statSync(credentialPaths(dir, euis[0]!, "ds").certificate).mtimeMs, mtime);
    assert.equal(readdirSync(dir).filter((f) => f.endsWith(".pem")).length, 8);
  });

  it("encodes the SMKI hwType OID as asn1-schema does", () => {
    // The device SAN writes the hwType OID's DER by hand; check it against the library's encoding.
    const der = Buffer.from(
      AsnConvert.serialize(new asn.AlgorithmIdentifier({ algorithm: SMKI_HW_TYPE })),
    ).toString("hex");
    assert.ok(der.includes("060d2a863a0001848fb90f01020201"), der);
  });

  it("encodes raw P-256 key pairs as node:crypto reads and writes them", () => {
    for (let i = 0; i < 20; i++) {
      const pair = rawP256KeyPair();
      const privateKey = createPrivateKey(pair.pkcs8Pem);
      const publicDer = createPublicKey(privateKey).export({ type: "spki", format: "der" });
      assert.deepEqual(new Uint8Array(publicDer), pair.spkiDer);
      // OpenSSL writes the same PKCS#8 bytes back.
      assert.equal(privateKey.export({ type: "pkcs8", format: "pem" }), pair.pkcs8Pem);
      const data = Buffer.from([i]);
      assert.ok(verify("sha256", data, createPublicKey(privateKey), sign("sha256", data, privateKey)));
    }
  });
});
