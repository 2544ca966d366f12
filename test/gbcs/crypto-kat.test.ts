/**
 * Known-answer tests for GBCS crypto: the GBCS §18.4 test vector, the NIST GCM example and every
 * row of gbcs-known-answers/README.md. Values are read from the reference files where they are in
 * a parsable form; the README table rows are parsed, not copied.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  computeMac,
  deriveKey,
  deriveKeyFromSecret,
  gbcsIv,
  gcmDecrypt,
  gcmEncrypt,
  privateKeyFromRaw,
  protectFrame,
  publicKeyFromRaw,
  sharedSecret,
  signFrame,
  verifyMac,
  verifySignature,
} from "../../src/gbcs/crypto/index.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { decodeFrame, encodeFrame } from "../../src/gbcs/frame.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

/** `name = value` lines of the §18.4 vector file. */
function vectorFile(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(reference("gbcs-18.4-test-vector.txt"), "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

function get(m: Map<string, string>, key: string): string {
  const v = m.get(key);
  assert.ok(v !== undefined, `vector file has ${key}`);
  return v.split(/\s/)[0]!;
}

describe("GBCS §18.4 test vector (ECS04b critical command)", () => {
  const v = vectorFile();
  const message = fromHex(get(v, "message"));
  const frame = decodeFrame(message);

  it("verifies the supplier's signature over the received bytes", () => {
    assert.equal(verifySignature(frame, publicKeyFromRaw(fromHex(get(v, "SupplierA.dspubkey")))), true);
    assert.equal(verifySignature(frame, publicKeyFromRaw(fromHex(get(v, "DeviceA.dspubkey")))), false);
  });

  it("computes the ACB MAC that ends the message", () => {
    const key = deriveKey({
      privateKey: privateKeyFromRaw(fromHex(get(v, "ACB.kaprvkey"))),
      publicKey: publicKeyFromRaw(fromHex(get(v, "DeviceA.kapubkey"))),
      cra: frame.cra,
      counter: frame.counter,
      originator: frame.originator,
      recipient: frame.recipient,
    });
    assert.equal(toHex(computeMac(frame, key)), toHex(message.subarray(message.length - 12)));
    assert.equal(verifyMac(frame, key), true);
    const flipped = new Uint8Array(message);
    flipped[40] = flipped[40]! ^ 1;
    assert.equal(verifyMac(decodeFrame(flipped), key), false);
  });

  it("re-signs and re-protects to a valid message (signature randomised, MAC deterministic)", () => {
    const dsPrivate = privateKeyFromRaw(fromHex(get(v, "SupplierA.dsprvkey")));
    const signed = signFrame(frame, dsPrivate);
    assert.equal(verifySignature(signed, publicKeyFromRaw(fromHex(get(v, "SupplierA.dspubkey")))), true);
    const z = sharedSecret(
      privateKeyFromRaw(fromHex(get(v, "ACB.kaprvkey"))),
      publicKeyFromRaw(fromHex(get(v, "DeviceA.kapubkey"))),
    );
    const key = deriveKeyFromSecret(z, frame);
    const original = protectFrame({ ...frame, signature: frame.signature! }, key);
    assert.equal(toHex(encodeFrame(original)), toHex(message));
    assert.equal(verifyMac(decodeFrame(encodeFrame(protectFrame(signed, key))), key), true);
  });

  it("matches the NIST GCM example 6 values (12-byte tag)", () => {
    const key = fromHex(get(v, "key"));
    const iv = fromHex(get(v, "iv"));
    const aad = fromHex(get(v, "aad"));
    const { ciphertext, tag } = gcmEncrypt(key, iv, fromHex(get(v, "plaintext")), aad);
    assert.equal(toHex(ciphertext), get(v, "ciphertext"));
    assert.equal(toHex(tag), get(v, "tag (12 bytes)"));
    assert.equal(toHex(gcmDecrypt(key, iv, ciphertext, tag, aad)!), get(v, "plaintext"));
    const badTag = new Uint8Array(tag);
    badTag[0] = badTag[0]! ^ 0x80;
    assert.equal(gcmDecrypt(key, iv, ciphertext, badTag, aad), undefined);
  });
});

/** Rows of the markdown table under the heading that starts with `heading`. */
function table(heading: string): string[][] {
  const text = readFileSync(reference("gbcs-known-answers", "README.md"), "utf8");
  const start = text.indexOf(`## ${heading}`);
  assert.ok(start >= 0, `README has ${heading}`);
  const rows: string[][] = [];
  for (const line of text.slice(start).split("\n").slice(1)) {
    if (line.startsWith("## ")) break;
    if (!line.startsWith("|") || line.startsWith("|---")) continue;
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows.slice(1); // drop the header row
}

const store = new KeyStore({ directories: [reference("rtds-keystore"), reference("gbcs-known-answers")] });

function keyFile(name: string): { eui: string; usage: "ka" | "pp-ka"; kind: "private" | "public" } {
  const m = /^([0-9a-f]{16})-(ka|pp-ka)\.(key|pem)$/.exec(name);
  assert.ok(m, `key file name ${name}`);
  return { eui: m[1]!, usage: m[2] as "ka" | "pp-ka", kind: m[3] === "key" ? "private" : "public" };
}

describe("GBCS KDF known answers", () => {
  const rows = table("KDF");
  it("has the six rows", () => assert.equal(rows.length, 6));
  for (const [caseName, priv, pub, counter, originator, recipient, purpose, expected] of rows) {
    it(`${caseName}`, () => {
      const a = keyFile(priv!);
      const b = keyFile(pub!);
      const privateKey = store.privateKey(a.eui, a.usage);
      const publicKey = store.publicKey(b.eui, b.usage);
      assert.ok(privateKey && publicKey);
      const cra = purpose === "command" ? 1 : purpose === "response" ? 2 : 3;
      const key = deriveKey({
        privateKey,
        publicKey,
        cra,
        counter: BigInt(`0x${counter}`),
        originator: originator!.toUpperCase(),
        recipient: recipient!.toUpperCase(),
      });
      assert.equal(toHex(key), expected);
    });
  }
});

describe("AES-GCM with the GBCS IV known answers", () => {
  const text = readFileSync(reference("gbcs-known-answers", "README.md"), "utf8");
  const section = text.slice(text.indexOf("## AES-GCM"));
  const key = fromHex(/Key `([0-9A-F]+)`/.exec(section)![1]!);
  const originator = /originator\s+`([0-9a-f]{16})`/.exec(section)![1]!.toUpperCase();
  const iv = gbcsIv(originator);
  const aad = new TextEncoder().encode(/ASCII `([^`]+)`/.exec(section)![1]!);
  const rows = table("AES-GCM");
  it("has three rows and the IV is originator || 00000000", () => {
    assert.equal(rows.length, 3);
    assert.equal(toHex(iv), `${originator}00000000`);
  });
  for (const [plain, tagLength, ciphertext, tag] of rows) {
    it(`plaintext ${plain}, tag ${tagLength} bytes`, () => {
      const pt =
        plain === "(empty)" ? new Uint8Array(0) : new TextEncoder().encode(/`([^`]+)`/.exec(plain!)![1]!);
      const out = gcmEncrypt(key, iv, pt, aad, Number(tagLength));
      assert.equal(toHex(out.ciphertext), ciphertext === "(empty)" ? "" : ciphertext);
      assert.equal(toHex(out.tag), tag);
      assert.deepEqual(gcmDecrypt(key, iv, out.ciphertext, out.tag, aad), pt);
    });
  }
});
