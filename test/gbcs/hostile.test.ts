/**
 * Hostile input: every truncation of every RTDS message, truncations of every payload inside a
 * well-formed frame, and seeded random byte flips. Each gives a typed DecodeError or a decoded
 * message — never another exception, never a hang — and declared lengths beyond the input are
 * refused before anything is allocated for them.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fromHex } from "../../src/gbcs/cursor.js";
import { DecodeError } from "../../src/gbcs/errors.js";
import { decodeFrame, encodeFrame, withoutReceived } from "../../src/gbcs/frame.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const root = reference("rtds-4.5.0-gbcs");
const messages = readdirSync(root)
  .sort()
  .flatMap((dir) =>
    readdirSync(join(root, dir))
      .sort()
      .map((f) => ({ name: `${dir}/${f}`, bytes: fromHex(readFileSync(join(root, dir, f), "utf8")) })),
  );
const keys = KeyStore.fromDirectory(reference("rtds-keystore"));

/** mulberry32: a small seeded generator, so that a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decodes `bytes`; returns 'ok' or 'error', or fails the test for any other exception. */
function attempt(bytes: Uint8Array, what: string, withKeys = false): "ok" | "error" {
  try {
    decodeMessage(bytes, withKeys ? { keys } : {});
    return "ok";
  } catch (error) {
    if (error instanceof DecodeError) {
      assert.ok(Number.isInteger(error.offset) && error.offset >= 0, `${what}: offset ${error.offset}`);
      return "error";
    }
    assert.fail(`${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

describe("hostile input", () => {
  it("every truncation of every RTDS message is refused, bar a signed frame cut before its signature", () => {
    let count = 0;
    for (const { name, bytes } of messages) {
      const macProtected = bytes[0] === 0xdd;
      // a General Signing frame cut just before its signature field is a well-formed unsigned one
      const rx = decodeFrame(bytes).received!;
      for (let n = 0; n < bytes.length; n++) {
        const outcome = attempt(bytes.subarray(0, n), `${name} cut at ${n}`);
        const allowed = !macProtected && n === rx.contentEnd;
        assert.ok(outcome === "error" || allowed, `${name} cut at ${n} decoded`);
        count++;
      }
    }
    assert.ok(count > 300_000);
  });

  it("truncated payloads inside well-formed frames give a DecodeError or a message", () => {
    const random = prng(17);
    for (const { name, bytes } of messages) {
      const frame = withoutReceived(decodeFrame(bytes));
      const len = frame.content.length;
      // every cut for short payloads, else 48 cuts: the first 16, the last 16 and 16 at random
      const cuts =
        len <= 48
          ? Array.from({ length: len }, (_, i) => i)
          : [
              ...Array.from({ length: 16 }, (_, i) => i),
              ...Array.from({ length: 16 }, (_, i) => len - 1 - i),
              ...Array.from({ length: 16 }, () => Math.floor(random() * len)),
            ];
      for (const cut of cuts) {
        const edited = encodeFrame({ ...frame, content: frame.content.subarray(0, cut), mac: undefined });
        attempt(edited, `${name} payload cut at ${cut}`);
      }
    }
  });

  it("random byte flips give a DecodeError or a message, with and without keys", () => {
    const random = prng(42);
    for (const { name, bytes } of messages) {
      for (let k = 0; k < 24; k++) {
        const copy = new Uint8Array(bytes);
        const flips = 1 + Math.floor(random() * 3);
        for (let j = 0; j < flips; j++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
        attempt(copy, `${name} flip #${k}`, k % 4 === 0);
      }
    }
  });

  it("refuses declared lengths beyond the input before allocating", () => {
    const header = fromHex("DF09 01 0000000000000001 08 90B3D51F30010000 08 00DB1234567890A0 00 02 0027");
    for (const length of ["84FFFFFFFF", "83FFFFFF", "827FFF", "8180"]) {
      const bytes = new Uint8Array([...header, ...fromHex(length), 0xd9]);
      assert.throws(
        () => decodeFrame(bytes),
        (e: unknown) => e instanceof DecodeError && e.code === "length" && e.available === 1,
      );
    }
    const mac = fromHex("DD000000000000 84FFFFFFF0 1100000000");
    assert.throws(
      () => decodeFrame(mac),
      (e: unknown) => e instanceof DecodeError && e.code === "length",
    );
    // a 5-byte DER length form is refused as a form, not read
    assert.throws(
      () => decodeFrame(new Uint8Array([...header, 0x85, 1, 2, 3, 4, 5])),
      (e: unknown) => e instanceof DecodeError && e.code === "unexpected",
    );
  });
});
