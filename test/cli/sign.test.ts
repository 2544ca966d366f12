import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { sign } from "../../src/cli/sign.js";
import { parseRequest } from "../../src/duis/model/index.js";
import { verifyDuis } from "../../src/duis/signature/verify.js";
import { captureIo } from "../support/cli-io.js";
import { reference } from "../support/reference.js";

const io = (stdin = "") => captureIo({ stdin });

const KEY = reference("dccboxed-keys", "xml-sign-90B3D51F30010000-ds.key");
const CERT = reference("dccboxed-keys", "xml-sign-90B3D51F30010000-ds.pem");
const TEMPLATE = reference("rtds-4.9.1-duis", "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML");

describe("meterway sign", () => {
  it("signs an RTDS template with a DCC Boxed key (DER) so that the signature verifies", async () => {
    const t = io();
    assert.equal(await sign([TEMPLATE, "--key", KEY, "--cert", CERT], t.io), 0, t.err());
    const signed = t.out();
    const certificate = new X509Certificate(readFileSync(CERT));
    const verified = verifyDuis(signed, {
      lookupCertificate: (_issuer, serial) =>
        serial === BigInt(`0x${certificate.serialNumber}`).toString(10) ? certificate : undefined,
    });
    assert.ok(verified.valid, verified.valid ? "" : verified.detail);
    assert.equal(parseRequest(verified.signedDocument.root).header.serviceReferenceVariant, "4.1.1");
  });

  it("reads the request from stdin with -", async () => {
    const t = io(readFileSync(TEMPLATE, "utf8"));
    assert.equal(await sign(["-", "--key", KEY, "--cert", CERT], t.io), 0, t.err());
    assert.match(t.out(), /<ds:SignatureValue>/);
  });

  it("refuses a key that is not the certificate's", async () => {
    const other = reference("dccboxed-keys", "Z1-supplier-ds.key");
    const t = io();
    assert.equal(await sign([TEMPLATE, "--key", other, "--cert", CERT], t.io), 1);
    assert.equal(t.out(), "");
    assert.match(
      t.err(),
      /meterway sign: the key .*Z1-supplier-ds\.key is not the key of the certificate .*: their public keys differ/,
    );
  });

  it("says how to use it when arguments are missing, and refuses what is not XML", async () => {
    const missing = io();
    assert.equal(await sign([TEMPLATE], missing.io), 2);
    assert.match(missing.err(), /usage: meterway sign/);
    const notXml = io("not xml");
    assert.equal(await sign(["-", "--key", KEY, "--cert", CERT], notXml.io), 1);
    assert.match(notXml.err(), /not acceptable XML/);
  });
});
