import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DuisError } from "../../../src/duis/errors.js";
import {
  buildErrorAcknowledgement,
  duisErrorFromVerify,
  parseRequestId,
  parseResponse,
  readRequest,
  readResponse,
} from "../../../src/duis/model/index.js";
import { reference } from "../../support/reference.js";

function key(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DuisError, String(e));
    return e.key;
  }
  return "no error";
}

describe("DUIS boundary: lower-layer failures as registry errors", () => {
  it("turns parser refusals into xmlMalformed, xmlForbidden, bodyTooLarge and xmlLimit", () => {
    const xxe = readFileSync(reference("duis-samples", "signing-tool", "duis-xxe.xml"));
    assert.equal(
      key(() => readRequest(xxe)),
      "xmlForbidden",
    );
    assert.equal(
      key(() => readRequest("<sr:Request")),
      "xmlMalformed",
    );
    assert.equal(
      key(() => readRequest('<?xml version="1.0"?><a><?pi x?></a>')),
      "xmlForbidden",
    );
    const ok = readFileSync(reference("rtds-4.9.1-duis", "8.2_READ_INVENTORY_REQUEST_DUIS.XML"));
    assert.equal(
      key(() => readRequest(ok, { maxBytes: ok.length - 1 })),
      "bodyTooLarge",
    );
    assert.equal(
      key(() => readRequest(ok, { maxDepth: 3 })),
      "xmlLimit",
    );
    assert.equal(readRequest(ok, { maxBytes: ok.length }).header.serviceReferenceVariant, "8.2");
  });

  it("reads responses the same way", () => {
    const fw = readFileSync(reference("duis-samples", "signing-tool", "readfw-response.xml"));
    assert.equal(readResponse(fw).header.responseCode, "I0");
    assert.equal(
      key(() => readResponse("<x/>")),
      "schemaInvalid",
    );
  });

  it("maps each verification failure to a registered key", () => {
    assert.equal(duisErrorFromVerify("no-signature", "none").key, "signatureMissing");
    assert.equal(duisErrorFromVerify("bad-digest", "d").key, "signatureInvalid");
    assert.equal(duisErrorFromVerify("bad-signature", "s").key, "signatureInvalid");
    assert.equal(duisErrorFromVerify("unknown-serial", "u").key, "certificateUnknown");
    assert.equal(duisErrorFromVerify("certificate-expired", "e").key, "certificateNotValid");
    assert.equal(duisErrorFromVerify("unsupported-algorithm", "a").key, "signatureUnsupported");
    assert.match(
      duisErrorFromVerify("bad-digest", "changed after signing").message,
      /bad-digest: changed after signing$/,
    );
  });
});

describe("DUIS boundary: error acknowledgements", () => {
  it("answers a coded error with its E-code and an uncoded one with nothing", () => {
    const id = parseRequestId("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000");
    const at = new Date("2026-01-01T00:00:00Z");
    const tree = buildErrorAcknowledgement(
      new DuisError("roleNotEligible", "ED may not send 1.1.1"),
      id,
      "1.1.1",
      at,
    );
    assert.ok(tree);
    const r = parseResponse(tree);
    assert.equal(r.header.responseCode, "E2");
    assert.deepEqual(r.header.requestId, id);
    assert.equal(buildErrorAcknowledgement(new DuisError("signatureInvalid"), id, "1.1.1", at), undefined);
  });
});
