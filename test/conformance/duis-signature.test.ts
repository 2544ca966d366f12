/**
 * Interoperability with DCC Boxed's own XML-signature tool (the Java signer/validator wrapped by
 * @smartdcc/duis-sign-wrap, a test-only dependency): it must accept what we sign, and we must accept
 * what it signs. Each check is one JVM start; they run side by side. Skipped when Java is absent.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { signDuis as dccBoxedSign, validateDuis as dccBoxedValidate } from "@smartdcc/duis-sign-wrap";
import { signDuis } from "../../src/duis/signature/sign.js";
import { verifyDuis } from "../../src/duis/signature/verify.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { childElement, textContent } from "../../src/duis/xml/tree.js";
import { dccBoxedCertificates, dccBoxedSigningKeys, xmlSigningKey } from "../duis/signature/dccboxed-keys.js";
import { reference } from "../support/reference.js";

const java = spawnSync("java", ["-version"], { encoding: "utf8" });
const skip =
  java.error !== undefined || java.status !== 0
    ? "java is not installed (DCC Boxed's signing tool needs it)"
    : false;

/** RTDS templates of different shapes and originators (supplier, network operator, DSP-bound). */
const TEMPLATES = [
  "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML",
  "ECS01a_1.1.1_IMMEDIATE_BLOCK_SUCCESS_REQUEST_DUIS.XML",
  "ECS17a_4.2_SUCCESS_REQUEST_DUIS.XML",
];

const certificates = dccBoxedCertificates();
const keys = dccBoxedSigningKeys();
const lookup = { lookupCertificate: (_issuer: string, serial: string) => certificates.get(serial) };

function template(name: string): Buffer {
  return readFileSync(reference("rtds-4.9.1-duis", name));
}

function originator(xml: string | Buffer): string {
  return textContent(childElement(childElement(parseXml(xml).root, "Header")!, "RequestID")!).split(":")[0]!;
}

describe("DCC Boxed signing tool interoperability", { skip }, () => {
  it("DCC Boxed's validator accepts RTDS templates signed by meterway, and refuses one altered after", async () => {
    const signed = TEMPLATES.map((name) => {
      const xml = template(name);
      const key = xmlSigningKey(originator(xml), keys);
      return signDuis(xml, { privateKey: key.privateKey, certificate: key.certificate });
    });
    const tampered = signed[0]!.replace(
      "<sr:CommandVariant>1</sr:CommandVariant>",
      "<sr:CommandVariant>2</sr:CommandVariant>",
    );
    assert.notEqual(tampered, signed[0]);
    const [accepted, refused] = await Promise.all([
      Promise.allSettled(signed.map((xml) => dccBoxedValidate({ xml }))),
      dccBoxedValidate({ xml: tampered }).then(
        () => "accepted",
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      ),
    ]);
    accepted.forEach((r, i) => {
      assert.equal(
        r.status,
        "fulfilled",
        `${TEMPLATES[i]}: ${r.status === "rejected" ? String(r.reason) : ""}`,
      );
    });
    assert.match(refused, /validation failed/);
  });

  it("meterway accepts a request signed by DCC Boxed's signer", async () => {
    const xml = template(TEMPLATES[0]!);
    const signed = await dccBoxedSign({ xml, preserveCounter: true });
    const r = verifyDuis(signed, lookup);
    assert.ok(r.valid, r.valid ? "" : `${r.reason}: ${r.detail}`);
    assert.equal(r.serial, xmlSigningKey(originator(xml), keys).serial);
    assert.equal(
      textContent(childElement(childElement(r.signedDocument.root, "Header")!, "RequestID")!),
      textContent(childElement(childElement(parseXml(xml).root, "Header")!, "RequestID")!),
      "counter preserved",
    );
  });
});
