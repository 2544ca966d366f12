/**
 * ZigBee OTA Upgrade File: an annotated vector decodes to exact values and back; random images
 * round-trip; truncations and inconsistent sizes give DecodeError.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fromHex, toHex } from "../../../src/gbcs/cursor.js";
import { DecodeError } from "../../../src/gbcs/errors.js";
import {
  decodeOtherAs,
  decodeOtherPayload,
  encodeOtherPayload,
  OtaSubElementTag,
  type OtaUpgradeImage,
} from "../../../src/gbcs/other/index.js";

const headerString = new Uint8Array(32);
headerString.set(Buffer.from("GSME firmware 2.1"));

// The destination EUI-64 00DB123456789012 is sent least significant byte first.
const VECTOR = [
  "1EF1EE0B",
  "0001",
  "4400",
  "0600",
  "3412",
  "0100",
  "04030201",
  "0200",
  toHex(headerString),
  "59000000",
  "1290785634 12DB00".replace(" ", ""),
  "0100", // minimum hardware version 1
  "0300", // maximum hardware version 3
  "0000", // sub-element tag: Upgrade Image
  "0F000000", // length 15
  "4D414E55464143545552455220494D", // "MANUFACTURER IM"
].join("");

describe("ZigBee OTA Upgrade File", () => {
  it("decodes an annotated vector to exact values and encodes it back", () => {
    const bytes = fromHex(VECTOR);
    assert.equal(bytes.length, 89);
    const p = decodeOtherAs("zigbeeOtaUpgradeImage", bytes);
    assert.deepEqual(p, {
      family: "other",
      format: "zigbeeOtaUpgradeImage",
      image: {
        header: {
          otaHeaderVersion: 0x0100,
          reservedFieldControlBits: 0,
          manufacturerCode: 0x1234,
          imageType: 1,
          fileVersion: 0x01020304,
          zigbeeStackVersion: 2,
          otaHeaderString: headerString,
          upgradeFileDestination: "00DB123456789012",
          minimumHardwareVersion: 1,
          maximumHardwareVersion: 3,
        },
        subElements: [{ tag: OtaSubElementTag.upgradeImage, data: Buffer.from("MANUFACTURER IM") }].map(
          (s) => ({
            tag: s.tag,
            data: new Uint8Array(s.data),
          }),
        ),
      },
    });
    assert.equal(toHex(encodeOtherPayload(p)), VECTOR);
  });

  it("random images round-trip", () => {
    const image = fc.record({
      header: fc.record(
        {
          otaHeaderVersion: fc.constant(0x0100),
          reservedFieldControlBits: fc.constant(0),
          manufacturerCode: fc.nat(0xffff),
          imageType: fc.nat(0xffff),
          fileVersion: fc.nat(0xffffffff),
          zigbeeStackVersion: fc.nat(0xffff),
          otaHeaderString: fc.uint8Array({ minLength: 32, maxLength: 32 }),
          securityCredentialVersion: fc.nat(0xff),
          upgradeFileDestination: fc
            .uint8Array({ minLength: 8, maxLength: 8 })
            .map((b) => Buffer.from(b).toString("hex").toUpperCase()),
          minimumHardwareVersion: fc.nat(0xffff),
          maximumHardwareVersion: fc.nat(0xffff),
          headerExtension: fc.uint8Array({ minLength: 1, maxLength: 8 }),
        },
        {
          requiredKeys: [
            "otaHeaderVersion",
            "reservedFieldControlBits",
            "manufacturerCode",
            "imageType",
            "fileVersion",
            "zigbeeStackVersion",
            "otaHeaderString",
          ],
        },
      ),
      subElements: fc.array(fc.record({ tag: fc.nat(0xffff), data: fc.uint8Array({ maxLength: 40 }) }), {
        maxLength: 4,
      }),
    });
    fc.assert(
      fc.property(image, (img) => {
        // Hardware versions travel as a pair.
        const h = { ...img.header };
        if ((h.minimumHardwareVersion === undefined) !== (h.maximumHardwareVersion === undefined)) {
          delete h.minimumHardwareVersion;
          delete h.maximumHardwareVersion;
        }
        const subElements = img.subElements.map((s) => ({ tag: s.tag, data: s.data }));
        const value = { header: { ...h }, subElements } as OtaUpgradeImage;
        const bytes = encodeOtherPayload({ family: "other", format: "zigbeeOtaUpgradeImage", image: value });
        const back = decodeOtherAs("zigbeeOtaUpgradeImage", bytes);
        assert.deepEqual(back.image, value);
        assert.equal(toHex(encodeOtherPayload(back)), toHex(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("refuses truncations, a wrong total size, a wrong identifier, and message codes without a format", () => {
    const bytes = fromHex(VECTOR);
    for (let n = 0; n < bytes.length; n++) {
      assert.throws(() => decodeOtherAs("zigbeeOtaUpgradeImage", bytes.subarray(0, n)), DecodeError);
    }
    const longer = fromHex(`${VECTOR}00`);
    assert.throws(
      () => decodeOtherAs("zigbeeOtaUpgradeImage", longer),
      (e: DecodeError) => e.code === "trailing",
    );
    const wrongId = bytes.slice();
    wrongId[0] = 0;
    assert.throws(() => decodeOtherAs("zigbeeOtaUpgradeImage", wrongId), DecodeError);
    const oversized = bytes.slice();
    oversized.set([0xff, 0xff, 0xff, 0x7f], bytes.length - 15 - 4); // sub-element length 2^31-1
    assert.throws(
      () => decodeOtherAs("zigbeeOtaUpgradeImage", oversized),
      (e: DecodeError) => e.code === "length",
    );
    assert.throws(() => decodeOtherPayload(bytes, { messageCode: 0x0074, cra: 1 }), DecodeError);
  });
});
