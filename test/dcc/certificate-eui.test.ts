import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { certificateEui } from "../../src/dcc/certificate-eui.js";
import { reference } from "../support/reference.js";

const cert = (...path: string[]) => new X509Certificate(readFileSync(reference(...path)));

describe("certificateEui", () => {
  it("reads the EUI of DCC Boxed and RTDS organisation certificates", () => {
    assert.equal(
      certificateEui(cert("dccboxed-keys", "xml-sign-90B3D51F30010000-ds.pem")),
      "90b3d51f30010000",
    );
    assert.equal(certificateEui(cert("dccboxed-keys", "Z1-supplier2-ds.pem")), "90b3d51f30030000");
    assert.equal(certificateEui(cert("rtds-keystore", "90b3d51f30020000-ds.pem")), "90b3d51f30020000");
  });

  it("is undefined for a certificate that names no EUI in its subject", () => {
    // A device certificate names its EUI in subjectAltName, not in the subject.
    assert.equal(certificateEui(cert("rtds-keystore", "00db1234567890a0-ka.pem")), undefined);
  });
});
