import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { computeMac, protectFrame, signedData, verifyMac } from "../../src/gbcs/crypto/index.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { DecodeError } from "../../src/gbcs/errors.js";
import {
  cosemDateTime,
  decodeFrame,
  encodeFrame,
  type GbcsFrame,
  receivedLayout,
  toCosemDateTime,
} from "../../src/gbcs/frame.js";
import { reference } from "../support/reference.js";

function vectorMessage(): Uint8Array {
  const text = readFileSync(reference("gbcs-18.4-test-vector.txt"), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("message"));
  assert.ok(line);
  return fromHex(line.split("=")[1]!.trim());
}

describe("GBCS frame", () => {
  it("decodes the §18.4 ECS04b critical command header", () => {
    const bytes = vectorMessage();
    const f = decodeFrame(bytes);
    assert.equal(f.cra, 1);
    assert.equal(f.counter, 1n);
    assert.equal(f.originator, "123456789ABCDEF0");
    assert.equal(f.recipient, "FFFFFFFFFFFFFFFE");
    assert.equal(f.dateTime, null);
    assert.equal(f.messageCode, 0x00b3);
    assert.equal(f.supplementary, undefined);
    assert.equal(f.content.length, 0x35);
    assert.equal(f.content[0], 0xd9);
    assert.equal(f.signature?.length, 64);
    assert.equal(f.mac?.length, 12);
    assert.equal(toHex(f.mac!), toHex(bytes.subarray(bytes.length - 12)));
    assert.equal(f.received?.bodyStart, 14);
    assert.equal(toHex(encodeFrame(f)), toHex(bytes));
  });

  it("encodes a built frame and decodes it back (no MAC header, with date-time and supplementary)", () => {
    const frame: GbcsFrame = {
      cra: 2,
      counter: 0x0123456789abcdefn,
      originator: "00DB1234567890A0",
      recipient: "90B3D51F30010000",
      dateTime: toCosemDateTime(new Date("2024-03-01T12:34:56Z")),
      messageCode: 0x0019,
      supplementary: { remotePartyId: "90B3D51F30020000", remotePartyCounter: 7n, originatorCounter: 9n },
      content: new Uint8Array(300).fill(0xab),
      signature: new Uint8Array(0),
    };
    const bytes = encodeFrame(frame);
    const back = decodeFrame(bytes);
    assert.equal(back.cra, 2);
    assert.equal(back.counter, frame.counter);
    assert.deepEqual(back.supplementary, frame.supplementary);
    assert.equal(back.content.length, 300);
    assert.equal(back.signature?.length, 0);
    assert.equal(back.mac, undefined);
    assert.equal(cosemDateTime(back.dateTime)?.toISOString(), "2024-03-01T12:34:56.000Z");
    assert.equal(toHex(encodeFrame(back)), toHex(bytes));
  });

  it("tells an absent signature field (pre-command) from an empty one", () => {
    const base: GbcsFrame = {
      cra: 1,
      counter: 1n,
      originator: "90B3D51F30010000",
      recipient: "00DB1234567890A0",
      dateTime: null,
      messageCode: 0x0019,
      content: Uint8Array.of(1, 2, 3),
    };
    const pre = encodeFrame(base);
    const empty = encodeFrame({ ...base, signature: new Uint8Array(0) });
    assert.equal(empty.length, pre.length + 1);
    assert.equal(decodeFrame(pre).signature, undefined);
    assert.equal(decodeFrame(empty).signature?.length, 0);
  });

  it("refuses declared lengths beyond the input with a typed error", () => {
    const bytes = vectorMessage();
    const cut = bytes.subarray(0, 100);
    assert.throws(
      () => decodeFrame(cut),
      (e: unknown) => e instanceof DecodeError && e.code === "length" && e.path === "macHeader",
    );
    const noMacHeader = bytes.subarray(14, bytes.length - 12);
    // content length claims 0x35; make it claim 0x7F
    const edited = new Uint8Array(noMacHeader);
    edited[33] = 0x7f;
    assert.throws(
      () => decodeFrame(edited),
      (e: unknown) => e instanceof DecodeError && e.code === "length",
    );
  });

  it("refuses a non-shortest DER length, a bad tag and a bad CRA flag", () => {
    const bytes = vectorMessage();
    const body = bytes.subarray(14, bytes.length - 12);
    const longForm = new Uint8Array(body.length + 1);
    longForm.set(body.subarray(0, 33));
    longForm[33] = 0x81;
    longForm.set(body.subarray(33), 34);
    assert.throws(
      () => decodeFrame(longForm),
      (e: unknown) => e instanceof DecodeError && e.code === "unexpected",
    );
    const badTag = new Uint8Array(body);
    badTag[0] = 0xde;
    assert.throws(
      () => decodeFrame(badTag),
      (e: unknown) => e instanceof DecodeError && e.offset === 0,
    );
    const badCra = new Uint8Array(body);
    badCra[2] = 4;
    assert.throws(
      () => decodeFrame(badCra),
      (e: unknown) => e instanceof DecodeError && e.offset === 2,
    );
  });

  it("an edited copy of a decoded frame is signed and MACed over its new bytes, not the received ones", () => {
    const bytes = vectorMessage();
    const f = decodeFrame(bytes);
    assert.ok(receivedLayout(f));
    const edited = { ...f, counter: f.counter + 1n };
    assert.equal(receivedLayout(edited), undefined);
    const key = new Uint8Array(16).fill(7);
    assert.notEqual(toHex(computeMac(edited, key)), toHex(computeMac(f, key)));
    const reprotected = decodeFrame(encodeFrame(protectFrame(edited, key)));
    assert.equal(reprotected.counter, 2n);
    assert.equal(verifyMac(reprotected, key), true);
    assert.equal(toHex(signedData(edited)), toHex(signedData(decodeFrame(encodeFrame(edited)))));
  });

  it("round-trips an RTDS response with a 12-byte date-time", () => {
    const hex = readFileSync(
      reference("rtds-4.5.0-gbcs", "1.1.1_ECS01a", "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_RESPONSE_GBCS.HEX"),
      "utf8",
    ).trim();
    const f = decodeFrame(fromHex(hex));
    assert.equal(f.cra, 2);
    assert.equal(toHex(f.dateTime!), "07DF0101FF000000008000FF");
    assert.equal(cosemDateTime(f.dateTime)?.toISOString(), "2015-01-01T00:00:00.000Z");
    assert.equal(toHex(encodeFrame(f)), hex.toUpperCase());
  });
});
