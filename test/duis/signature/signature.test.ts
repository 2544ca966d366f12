import assert from "node:assert/strict";
import { hash, sign } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ALGORITHM } from "../../../src/duis/signature/algorithms.js";
import { issuerSerialOf } from "../../../src/duis/signature/certificate.js";
import { removeSignature, signDuis, signDuisTree } from "../../../src/duis/signature/sign.js";
import {
  type VerifyFailureReason,
  type VerifyResult,
  verifyDuis,
} from "../../../src/duis/signature/verify.js";
import { exclusiveC14n, inclusiveC14n, serializeXml } from "../../../src/duis/xml/c14n.js";
import { parseXml } from "../../../src/duis/xml/parse.js";
import { childElement, stripInterElementWhitespace, textContent } from "../../../src/duis/xml/tree.js";
import { reference } from "../../support/reference.js";
import { dccBoxedCertificates, dccBoxedSigningKeys, xmlSigningKey } from "./dccboxed-keys.js";

const certificates = dccBoxedCertificates();
const signingKeys = dccBoxedSigningKeys();
const lookup = { lookupCertificate: (_issuer: string, serial: string) => certificates.get(serial) };

function sample(...path: string[]): Buffer {
  return readFileSync(reference(...path));
}

function refused(r: VerifyResult, reason: VerifyFailureReason): string {
  assert.equal(r.valid, false, "expected a refusal");
  if (r.valid) throw new Error("unreachable");
  assert.equal(r.reason, reason, r.detail);
  assert.ok(r.detail.length > 0);
  return r.detail;
}

/** Real DCC Boxed output: each file, the serial that signed it. */
const SIGNED_BY_DCC_BOXED: readonly (readonly [string[], string])[] = [
  [["duis-samples", "signing-tool", "readfw-response.xml"], "50669612984035780968362471400449834504"],
  [["duis-samples", "duis-parser", "readfw-response.xml"], "50669612984035780968362471400449834504"],
  [
    ["duis-samples", "duis-sign-wrap", "readfw-version-response.xml"],
    "50669612984035780968362471400449834504",
  ],
  [
    ["duis-samples", "signing-tool", "read-inventory-response-4g.xml"],
    "167048897159233642262001557408276884033",
  ],
  [
    ["duis-samples", "signing-tool", "read-inventory-response-5.4.xml"],
    "20315062944123339095836004026371736578",
  ],
  [
    ["duis-samples", "signing-tool", "readfw-response-resigned.xml"],
    "20315062944123339095836004026371736578",
  ],
  [
    ["duis-samples", "duis-templates", "ECS52_11.2_SUCCESS_RESPONSE_DUIS.XML"],
    "117636141832862931915946451229571981153",
  ],
  [["dccboxed-keys", "message.xml"], "117636141832862931915946451229571981153"],
];

/** The negative samples, and why each is refused. */
const REFUSED: readonly (readonly [string[], VerifyFailureReason, RegExp])[] = [
  [["duis-samples", "signing-tool", "readfw-response-badsignature.xml"], "bad-signature", /does not verify/],
  [["duis-samples", "signing-tool", "readfw-response-invalid.xml"], "bad-digest", /changed after/],
  [["duis-samples", "signing-tool", "readfw-response-no-signature.xml"], "no-signature", /no ds:Signature/],
  [
    ["duis-samples", "signing-tool", "readfw-response-nonexist-serial.xml"],
    "unknown-serial",
    /217636141832862931915946451229571981153/,
  ],
  [["duis-samples", "signing-tool", "readfw-response-no-serial.xml"], "malformed", /KeyInfo/],
  [["duis-samples", "signing-tool", "duis-xxe.xml"], "malformed", /doctype-forbidden/],
  [["duis-samples", "signing-tool", "acknowledgement-error.xml"], "no-signature", /no ds:Signature/],
  [
    ["duis-samples", "signing-tool", "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"],
    "no-signature",
    /no ds:Signature/,
  ],
  [
    ["duis-samples", "signing-tool", "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS-signed.XML"],
    "malformed",
    /DigestValue/,
  ],
  [
    ["duis-samples", "duis-sign-wrap", "8.2_READ_INVENTORY_REQUEST_DUIS-unknown-serial.XML"],
    "malformed",
    /DigestValue/,
  ],
];

describe("verifyDuis on real DCC Boxed output", () => {
  for (const [path, serial] of SIGNED_BY_DCC_BOXED) {
    it(`accepts ${path.join("/")} signed by serial ${serial}`, () => {
      const r = verifyDuis(sample(...path), lookup);
      assert.ok(r.valid, r.valid ? "" : `${r.reason}: ${r.detail}`);
      assert.equal(r.serial, serial);
      assert.equal(r.issuer, "CN=Z1,OU=07");
      assert.equal(r.certificate, certificates.get(serial));
      assert.equal(
        childElement(r.signedDocument.root, "Signature"),
        undefined,
        "the signed document has no signature",
      );
      assert.ok(childElement(r.signedDocument.root, "Body") !== undefined);
    });
  }
  for (const [path, reason, detail] of REFUSED) {
    it(`refuses ${path.join("/")}: ${reason}`, () => {
      assert.match(refused(verifyDuis(sample(...path), lookup), reason), detail);
    });
  }

  it("checks certificate validity only against the clock it is given", () => {
    const xml = sample("dccboxed-keys", "message.xml"); // Z1 ACB certificate, valid to 29 Oct 2025
    assert.ok(verifyDuis(xml, { ...lookup, now: new Date("2024-01-01T00:00:00Z") }).valid);
    refused(verifyDuis(xml, { ...lookup, now: new Date("2026-11-28T00:00:00Z") }), "certificate-expired");
    refused(
      verifyDuis(xml, { ...lookup, now: new Date("2001-01-01T00:00:00Z") }),
      "certificate-not-yet-valid",
    );
  });

  it("accepts a parsed document as well as text, and a lookup result carrying its public key", () => {
    const doc = parseXml(sample("duis-samples", "signing-tool", "readfw-response.xml"));
    const r = verifyDuis(doc, {
      lookupCertificate: (_i, s) => {
        const c = certificates.get(s);
        return c === undefined ? undefined : { certificate: c, publicKey: c.publicKey };
      },
    });
    assert.ok(r.valid);
  });
});

const RTDS = reference("rtds-4.9.1-duis");
const templates = readdirSync(RTDS).sort();

function originatorOf(xml: Buffer | string): string {
  const root = parseXml(xml).root;
  const id = textContent(childElement(childElement(root, "Header")!, "RequestID")!);
  return id.split(":")[0]!;
}

describe("signDuis", () => {
  it("signs every RTDS template (placeholder signature replaced) so that verifyDuis accepts it", () => {
    for (const f of templates) {
      const xml = readFileSync(`${RTDS}/${f}`);
      const key = xmlSigningKey(originatorOf(xml), signingKeys);
      const signed = signDuis(xml, { privateKey: key.privateKey, certificate: key.certificate });
      assert.ok(signed.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="no"?><sr:Request'), f);
      assert.doesNotMatch(signed, />\s+</, `${f}: no whitespace between elements`);
      assert.equal(signed.match(/<ds:Signature[ >]/g)?.length, 1, `${f}: one signature`);
      const r = verifyDuis(signed, lookup);
      assert.ok(r.valid, `${f}: ${r.valid ? "" : `${r.reason}: ${r.detail}`}`);
      assert.equal(r.serial, key.serial);
      const content = stripInterElementWhitespace(removeSignature(parseXml(xml).root));
      assert.equal(
        exclusiveC14n(r.signedDocument.root),
        exclusiveC14n(content),
        `${f}: signed content is the template's`,
      );
    }
  });

  it("writes the signature as DCC Boxed does", () => {
    const key = xmlSigningKey("90-B3-D5-1F-30-01-00-00");
    const signed = signDuis(
      sample("duis-samples", "signing-tool", "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"),
      {
        privateKey: key.privateKey,
        certificate: key.certificate,
      },
    );
    const sig = childElement(parseXml(signed).root, "Signature")!;
    const si = childElement(sig, "SignedInfo")!;
    const ref = childElement(si, "Reference")!;
    assert.equal(sig.namespaceDeclarations.length, 0, "ds is declared on the root already");
    assert.deepEqual(
      [
        childElement(si, "CanonicalizationMethod")!.attributes[0]!.value,
        childElement(si, "SignatureMethod")!.attributes[0]!.value,
        ref.attributes[0]!.value,
        childElement(childElement(ref, "Transforms")!, "Transform")!.attributes[0]!.value,
        childElement(ref, "DigestMethod")!.attributes[0]!.value,
      ],
      [ALGORITHM.excC14n, ALGORITHM.ecdsaSha256, "", ALGORITHM.envelopedSignature, ALGORITHM.sha256],
    );
    assert.equal(Buffer.from(textContent(childElement(sig, "SignatureValue")!), "base64").length, 64);
    const issuerSerial = childElement(
      childElement(childElement(sig, "KeyInfo")!, "X509Data")!,
      "X509IssuerSerial",
    )!;
    assert.equal(textContent(childElement(issuerSerial, "X509IssuerName")!), "CN=Z1,OU=07");
    assert.equal(textContent(childElement(issuerSerial, "X509SerialNumber")!), key.serial);
  });

  it("signs a tree built in code, and accepts {issuer, serial} instead of a certificate", () => {
    const key = xmlSigningKey("90-B3-D5-1F-30-02-00-00");
    const root = removeSignature(
      parseXml(sample("duis-samples", "duis-templates", "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML")).root,
    );
    const bare = { ...root, namespaceDeclarations: [] }; // no declarations at all: the signer adds them
    const signed = signDuisTree(bare, {
      privateKey: key.privateKey,
      certificate: issuerSerialOf(key.certificate),
    });
    const r = verifyDuis(serializeXml(signed), lookup);
    assert.ok(r.valid, r.valid ? "" : r.detail);
    assert.equal(r.serial, key.serial);
  });
});

describe("verifyDuis refuses what was changed", () => {
  const key = xmlSigningKey("90-B3-D5-1F-30-01-00-00");
  const signed = signDuis(
    sample("duis-samples", "duis-templates", "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"),
    {
      privateKey: key.privateKey,
      certificate: key.certificate,
    },
  );

  it("a body altered after signing: bad-digest", () => {
    const counter = /(<sr:RequestID>[^<]*:)(\d+)(<\/sr:RequestID>)/;
    assert.match(signed, counter);
    refused(
      verifyDuis(
        signed.replace(counter, (_m, a, n, b) => `${a}${BigInt(n) + 1n}${b}`),
        lookup,
      ),
      "bad-digest",
    );
    refused(verifyDuis(signed.replace("<sr:Body>", '<sr:Body xml:lang="en">'), lookup), "bad-digest");
    assert.match(signed, /schemaVersion="5.1"/);
    refused(verifyDuis(signed.replace('schemaVersion="5.1"', 'schemaVersion="5.4"'), lookup), "bad-digest");
  });

  it("a changed SignatureValue or a different signer's serial: bad-signature", () => {
    const value = /<ds:SignatureValue>([^<]*)<\/ds:SignatureValue>/;
    const sig = Buffer.from(value.exec(signed)![1]!, "base64");
    sig[10]! ^= 1;
    refused(
      verifyDuis(
        signed.replace(value, `<ds:SignatureValue>${sig.toString("base64")}</ds:SignatureValue>`),
        lookup,
      ),
      "bad-signature",
    );
    const other = xmlSigningKey("90-B3-D5-1F-30-02-00-00");
    refused(verifyDuis(signed.replace(key.serial, other.serial), lookup), "bad-signature");
    refused(
      verifyDuis(signed.replace(value, "<ds:SignatureValue>AAAA</ds:SignatureValue>"), lookup),
      "bad-signature",
    );
  });

  it("a DigestValue or SignatureValue that is not exactly base64: malformed", () => {
    const digest = /<ds:DigestValue>([^<]*)<\/ds:DigestValue>/;
    const value = /<ds:SignatureValue>([^<]*)<\/ds:SignatureValue>/;
    const d = digest.exec(signed)![1]!;
    const v = value.exec(signed)![1]!;
    for (const bad of [`${d.slice(0, 10)}*${d.slice(11)}`, d.slice(0, -1), `${d.slice(0, 42)}B=`]) {
      refused(
        verifyDuis(signed.replace(digest, `<ds:DigestValue>${bad}</ds:DigestValue>`), lookup),
        "malformed",
      );
    }
    refused(
      verifyDuis(
        signed.replace(value, `<ds:SignatureValue>${v.slice(0, 20)}!${v.slice(21)}</ds:SignatureValue>`),
        lookup,
      ),
      "malformed",
    );
    // Line breaks inside the base64 are allowed (XML-DSig signers wrap at 76 characters).
    const wrapped = `${v.slice(0, 44)}\n${v.slice(44)}`;
    assert.equal(
      verifyDuis(signed.replace(value, `<ds:SignatureValue>${wrapped}</ds:SignatureValue>`), lookup).valid,
      true,
    );
  });

  it("an unknown serial, junk serial, other algorithms, or a second signature", () => {
    refused(verifyDuis(signed.replace(key.serial, "12345"), lookup), "unknown-serial");
    refused(verifyDuis(signed.replace(`>${key.serial}<`, ">12x<"), lookup), "malformed");
    refused(
      verifyDuis(
        signed.replace(ALGORITHM.ecdsaSha256, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"),
        lookup,
      ),
      "unsupported-algorithm",
    );
    refused(
      verifyDuis(signed.replace(ALGORITHM.sha256, "http://www.w3.org/2000/09/xmldsig#sha1"), lookup),
      "unsupported-algorithm",
    );
    refused(verifyDuis(signed.replace('URI=""', 'URI="#body"'), lookup), "unsupported-algorithm");
    const sigXml = /<ds:Signature>.*<\/ds:Signature>/.exec(signed)![0];
    refused(verifyDuis(signed.replace("</sr:Request>", `${sigXml}</sr:Request>`), lookup), "malformed");
  });

  it("accepts the same message written otherwise, where canonical form must come from the tree", () => {
    // Canonical as signed, so its canonical form is cut from the text (see source-c14n.ts)...
    assert.notEqual(parseXml(signed).layout, undefined);
    // ...and the same content in other spellings: single quotes, a character reference, a space
    // before an empty-element tag's "/>", in the body and in SignedInfo.
    assert.match(signed, /<sr:RequestID>9/);
    const respelled = signed
      .replace('schemaVersion="5.1"', "schemaVersion='5.1'")
      .replace("<sr:RequestID>9", "<sr:RequestID>&#x39;")
      .replace(`Algorithm="${ALGORITHM.sha256}"`, `Algorithm='${ALGORITHM.sha256}'`)
      .replace(
        `<ds:SignatureMethod Algorithm="${ALGORITHM.ecdsaSha256}"/>`,
        `<ds:SignatureMethod Algorithm="${ALGORITHM.ecdsaSha256}" />`,
      );
    assert.notEqual(respelled, signed);
    assert.ok(verifyDuis(respelled, lookup).valid);
    const counter = /(<sr:RequestID>[^<]*:)(\d+)(<\/sr:RequestID>)/;
    refused(
      verifyDuis(
        respelled.replace(counter, (_m, a, n, b) => `${a}${BigInt(n) + 1n}${b}`),
        lookup,
      ),
      "bad-digest",
    );
  });

  it("accepts the same message pretty-printed (DCC Boxed's verifier ignores whitespace between elements)", () => {
    const pretty = signed.replace(/></g, ">\n  <");
    assert.ok(verifyDuis(pretty, lookup).valid);
  });

  it("accepts a signer that digests with an explicit exclusive c14n transform", () => {
    // Built by hand: Reference transforms enveloped-signature + exc-c14n, digest over exclusive c14n.
    const root = removeSignature(parseXml(signed).root);
    const digest = hash("sha256", exclusiveC14n(root), "base64");
    const signedInfo = `<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:CanonicalizationMethod Algorithm="${ALGORITHM.excC14n}"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="${ALGORITHM.ecdsaSha256}"></ds:SignatureMethod><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="${ALGORITHM.envelopedSignature}"></ds:Transform><ds:Transform Algorithm="${ALGORITHM.excC14n}"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="${ALGORITHM.sha256}"></ds:DigestMethod><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`;
    assert.equal(exclusiveC14n(parseXml(signedInfo).root), signedInfo, "written in canonical form");
    const value = sign("sha256", Buffer.from(signedInfo), {
      key: key.privateKey,
      dsaEncoding: "ieee-p1363",
    }).toString("base64");
    const body = serializeXml(root, { declaration: false }).replace(
      /<\/sr:Request>$/,
      `<ds:Signature>${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>CN=Z1,OU=07</ds:X509IssuerName><ds:X509SerialNumber>${key.serial}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></ds:KeyInfo></ds:Signature></sr:Request>`,
    );
    const r = verifyDuis(body, lookup);
    assert.ok(r.valid, r.valid ? "" : `${r.reason}: ${r.detail}`);
    // And the inclusive form is not what it digested (the two really differ for this message).
    assert.notEqual(inclusiveC14n(root), exclusiveC14n(root));
  });
});
