/**
 * Issuer names compared as names: the forms tools write for one name have one key, other names
 * another, and text that is no name has none. Checked against the DCC Boxed-signed samples: the
 * issuer their KeyInfo names is the issuer of the DCC Boxed certificate with that serial.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decimalSerial, rfc2253Issuer } from "../../src/duis/signature/certificate.js";
import { distinguishedNameKey, sameDistinguishedName } from "../../src/smki/distinguished-name.js";
import { reference } from "../support/reference.js";

describe("distinguished names", () => {
  it("gives the forms tools write for one name one key", () => {
    const forms = [
      "CN=Z1,OU=07", // Java X500Principal, meterway
      "CN=Z1, OU=07", // DCC Boxed templates
      "OU = 07, CN = Z1", // OpenSSL, least specific first
      "OU=07\nCN=Z1", // node's X509Certificate.issuer
      "cn=z1;ou=07", // RFC 2253 separators, lower case
      "2.5.4.3=Z1,2.5.4.11=07", // OIDs
      "OID.2.5.4.3=Z1,OU=07",
      'CN="Z1",OU=07', // RFC 1779 quoting
      "CN=\\5A1,OU=07", // hex escape
      "CN=  Z1  ,OU=07",
    ];
    const keys = new Set(forms.map((f) => distinguishedNameKey(f)));
    assert.equal(keys.size, 1, [...keys].join(" | "));
    assert.equal([...keys][0], "CN=z1,OU=07");
  });

  it("keeps other names apart", () => {
    assert.equal(sameDistinguishedName("CN=Z1,OU=07", "CN=U1,OU=07"), false);
    assert.equal(sameDistinguishedName("CN=Z1,OU=07", "CN=Z1"), false);
    assert.equal(sameDistinguishedName("CN=Z1,OU=07", "CN=07,OU=Z1"), false);
    assert.equal(sameDistinguishedName("CN=a\\,b,OU=07", "CN=a,CN=b,OU=07"), false);
    assert.equal(sameDistinguishedName("CN=a+OU=b", "OU=b+CN=a"), true);
    assert.equal(sameDistinguishedName("CN=a+OU=b", "CN=a,OU=b"), false);
    assert.equal(sameDistinguishedName("O=Big  Energy Ltd", "o=big energy ltd"), true);
    assert.equal(sameDistinguishedName("E=ops@example.com", "EMAILADDRESS=OPS@example.com"), true);
  });

  it("has no key for text that is no name", () => {
    for (const junk of [
      "",
      "   ",
      "Z1",
      "=Z1",
      "CN=Z1,",
      "CN=Z1\\",
      "CN=#zz",
      "CN=\\ff",
      "1CN=Z1",
      "x".repeat(5000),
    ]) {
      assert.equal(distinguishedNameKey(junk), undefined, JSON.stringify(junk.slice(0, 20)));
    }
    assert.equal(sameDistinguishedName("", ""), false);
  });

  it("matches the issuer DCC Boxed names in its signed samples to its certificates", () => {
    const bySerial = new Map<string, X509Certificate>();
    const keys = reference("dccboxed-keys");
    for (const name of readdirSync(keys).filter((n) => n.endsWith("-ds.pem") || n.endsWith("Sign.pem"))) {
      const certificate = new X509Certificate(readFileSync(`${keys}/${name}`));
      bySerial.set(decimalSerial(certificate), certificate);
    }
    const folder = reference("duis-samples", "signing-tool");
    let matched = 0;
    for (const name of readdirSync(folder)) {
      const xml = readFileSync(`${folder}/${name}`, "utf8");
      const issuer = /X509IssuerName>([^<]*)</.exec(xml)?.[1];
      const serial = /X509SerialNumber>(\d+)</.exec(xml)?.[1];
      const certificate = serial === undefined ? undefined : bySerial.get(serial);
      if (issuer === undefined || certificate === undefined) continue;
      assert.ok(sameDistinguishedName(issuer, rfc2253Issuer(certificate)), `${name}: ${issuer}`);
      assert.ok(sameDistinguishedName(issuer, certificate.issuer), `${name}: node's form`);
      matched++;
    }
    assert.ok(matched >= 5, `${matched} samples`);
  });
});
