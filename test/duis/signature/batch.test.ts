import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { SignatureVerifier } from "../../../src/duis/signature/batch.js";
import { signDuis } from "../../../src/duis/signature/sign.js";
import { type VerifyResult, verifyDuis } from "../../../src/duis/signature/verify.js";
import { reference } from "../../support/reference.js";
import { dccBoxedCertificates, xmlSigningKey } from "./dccboxed-keys.js";

const certificates = dccBoxedCertificates();
const lookup = { lookupCertificate: (_issuer: string, serial: string) => certificates.get(serial) };

const key = xmlSigningKey("90-B3-D5-1F-30-01-00-00");
const signed = signDuis(
  readFileSync(reference("duis-samples", "duis-templates", "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML")),
  { privateKey: key.privateKey, certificate: key.certificate },
);
const value = /<ds:SignatureValue>([^<]*)<\/ds:SignatureValue>/;
const flipped = (() => {
  const sig = Buffer.from(value.exec(signed)![1]!, "base64");
  sig[5]! ^= 1;
  return signed.replace(value, `<ds:SignatureValue>${sig.toString("base64")}</ds:SignatureValue>`);
})();

/** Good, bad-signature, bad-digest, unknown-serial, malformed, in turn. */
const messages = [
  signed,
  flipped,
  signed.replace("<sr:Body>", '<sr:Body xml:lang="en">'),
  signed.replace(key.serial, "12345"),
  "<not-xml",
  signed.replace("<sr:CommandVariant>", "<sr:CommandVariant>1"),
  signed,
];

function outcome(r: VerifyResult): string {
  return r.valid ? `valid ${r.serial}` : r.reason;
}

describe("SignatureVerifier", () => {
  it("gives what verifyDuis gives, each request its own result, with one run for a batch", async () => {
    const runs: (() => void)[] = [];
    const sizes: number[] = [];
    const verifier = new SignatureVerifier({
      schedule: (run) => runs.push(run),
      onBatch: (n) => sizes.push(n),
    });
    const results = messages.map((m) => verifier.verify(m, lookup));
    assert.equal(runs.length, 1, "one run scheduled for the batch");
    assert.equal(verifier.waiting, 3, "the three whose ECDSA verification is left");
    runs[0]!();
    assert.equal(verifier.waiting, 0);
    assert.deepEqual(sizes, [3]);
    assert.deepEqual(
      (await Promise.all(results)).map(outcome),
      messages.map((m) => outcome(verifyDuis(m, lookup))),
    );
    assert.deepEqual((await Promise.all(results)).map(outcome), [
      `valid ${key.serial}`,
      "bad-signature",
      "bad-digest",
      "unknown-serial",
      "malformed",
      "bad-digest",
      `valid ${key.serial}`,
    ]);
  });

  it("answers a failure found before the ECDSA verification without waiting for the run", async () => {
    const verifier = new SignatureVerifier({ schedule: () => {} }); // never runs
    const r = await verifier.verify(signed.replace(key.serial, "12345"), lookup);
    assert.equal(outcome(r), "unknown-serial");
  });

  it("schedules a new run for what arrives after one", async () => {
    const runs: (() => void)[] = [];
    const verifier = new SignatureVerifier({ schedule: (run) => runs.push(run) });
    const first = verifier.verify(signed, lookup);
    runs[0]!();
    const second = verifier.verify(flipped, lookup);
    assert.equal(runs.length, 2);
    runs[1]!();
    assert.equal(outcome(await first), `valid ${key.serial}`);
    assert.equal(outcome(await second), "bad-signature");
  });

  it("runs on its own after this turn's I/O by default", async () => {
    const verifier = new SignatureVerifier();
    const results = await Promise.all([verifier.verify(signed, lookup), verifier.verify(flipped, lookup)]);
    assert.deepEqual(results.map(outcome), [`valid ${key.serial}`, "bad-signature"]);
  });

  it("rejects when the lookup throws, and goes on with the rest", async () => {
    const runs: (() => void)[] = [];
    const verifier = new SignatureVerifier({ schedule: (run) => runs.push(run) });
    const broken = verifier.verify(signed, {
      lookupCertificate: () => {
        throw new Error("directory down");
      },
    });
    const good = verifier.verify(signed, lookup);
    runs[0]!();
    await assert.rejects(broken, /directory down/);
    assert.equal(outcome(await good), `valid ${key.serial}`);
  });
});
