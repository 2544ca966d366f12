/**
 * GBCS alerts: the alert code of every RTDS ALERT vector, whatever its payload family (DLMS, GBZ,
 * ASN.1), equals the code its file is named after; and `encodeDlmsAlert` writes the content of the
 * RTDS Generic Critical and Non-Critical Alert vectors byte for byte.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { alertCodeOf } from "../../src/gbcs/alert.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import {
  decodeDlmsPayload,
  encodeDlmsAlert,
  gbcsInvokeIdAndPriority,
  readDlmsAlert,
} from "../../src/gbcs/dlms/index.js";
import { decodeFrame } from "../../src/gbcs/frame.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { reference } from "../support/reference.js";

function alertVectors(): { name: string; bytes: Uint8Array }[] {
  const root = reference("rtds-4.5.0-gbcs");
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const dir of readdirSync(root).sort()) {
    for (const name of readdirSync(join(root, dir)).sort()) {
      if (!name.includes("_ALERT")) continue;
      out.push({ name, bytes: fromHex(readFileSync(join(root, dir, name), "utf8").trim()) });
    }
  }
  return out;
}

describe("alertCodeOf: the alert code in any alert payload", () => {
  it("gives, for every RTDS ALERT vector, the code its file name carries", () => {
    const vectors = alertVectors();
    assert.equal(vectors.length, 93);
    let named = 0;
    const families = new Set<string>();
    for (const { name, bytes } of vectors) {
      const message = decodeMessage(bytes);
      assert.equal(message.kind, "alert", name);
      const code = alertCodeOf(message.payload);
      assert.notEqual(code, undefined, name);
      families.add(message.payload.family);
      const inName = /_(8[0-9A-F]{3})_/.exec(name)?.[1];
      if (inName === undefined) continue;
      named += 1;
      assert.equal(code!.toString(16).toUpperCase(), inName, name);
    }
    assert.ok(named >= 90, `${named} vectors name their code`);
    assert.deepEqual([...families].sort(), ["asn1", "dlms", "gbz"]);
  });

  it("is undefined for a DLMS payload that is not an alert", () => {
    const response = fromHex(
      readFileSync(
        reference("rtds-4.5.0-gbcs", "7.3_ECS44", "ECS44_7.3_SUCCESS_RESPONSE_GBCS.HEX"),
        "utf8",
      ).trim(),
    );
    const message = decodeMessage(response);
    assert.equal(message.payload.family, "dlms");
    assert.equal(alertCodeOf(message.payload), undefined);
  });
});

describe("encodeDlmsAlert", () => {
  for (const [dir, file, code] of [
    ["NA_GCA-DLMS", "GCA-DLMS_NA_8F30_ALERT_GBCS.HEX", 0x8f30],
    ["NA_GNCA-DLMS", "GNCA-DLMS_NA_810E_ALERT_GBCS.HEX", 0x810e],
  ] as const) {
    it(`writes the content of ${file} byte for byte`, () => {
      const frame = decodeFrame(
        fromHex(readFileSync(reference("rtds-4.5.0-gbcs", dir, file), "utf8").trim()),
      );
      const alert = readDlmsAlert(decodeDlmsPayload(frame.content));
      assert.equal(alert.alertCode, code);
      const dateTime = frame.content.subarray(frame.content.length - 12);
      const ours = encodeDlmsAlert({
        longInvokeIdAndPriority: gbcsInvokeIdAndPriority(frame.counter),
        alertCode: code,
        dateTime,
      });
      assert.equal(toHex(ours), toHex(frame.content));
    });
  }

  it("refuses a date-time that is not 12 bytes", () => {
    assert.throws(
      () =>
        encodeDlmsAlert({
          longInvokeIdAndPriority: gbcsInvokeIdAndPriority(1n),
          alertCode: 0x8f32,
          dateTime: new Uint8Array(11),
        }),
      RangeError,
    );
  });
});
