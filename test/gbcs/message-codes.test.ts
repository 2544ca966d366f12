import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { alertCodeName } from "../../src/gbcs/alert-codes.js";
import { fromHex } from "../../src/gbcs/cursor.js";
import { decodeFrame } from "../../src/gbcs/frame.js";
import { MESSAGE_CODES, messageCodeInfo, payloadFamily, useCaseOf } from "../../src/gbcs/message-codes.js";
import { reference } from "../support/reference.js";

describe("GBCS message codes", () => {
  it("names use cases by code", () => {
    assert.equal(useCaseOf(0x0027), "ECS17b");
    assert.equal(useCaseOf(0x00b3), "ECS04b");
    assert.equal(messageCodeInfo(0x00b3)?.critical, true);
    assert.equal(messageCodeInfo(0x0027)?.critical, false);
    assert.equal(messageCodeInfo(0x0074)?.family, "gbz");
    assert.equal(messageCodeInfo(0x009b)?.deviceOriginated, true);
    assert.equal(messageCodeInfo(0xfffe), undefined);
    assert.ok(MESSAGE_CODES.size >= 224);
  });

  it("knows every RTDS message's code, CRA flag and payload family", () => {
    const root = reference("rtds-4.5.0-gbcs");
    let n = 0;
    for (const dir of readdirSync(root)) {
      for (const file of readdirSync(join(root, dir))) {
        const frame = decodeFrame(fromHex(readFileSync(join(root, dir, file), "utf8")));
        const info = messageCodeInfo(frame.messageCode);
        assert.ok(info, `${file}: code 0x${frame.messageCode.toString(16)}`);
        assert.ok(info.cra.includes(frame.cra), `${file}: CRA ${frame.cra} for ${info.name}`);
        const b0 = frame.content[0];
        const expected = b0 === 0xd9 || b0 === 0xda || b0 === 0x0f ? "dlms" : b0 === 0x01 ? "gbz" : "asn1";
        assert.equal(payloadFamily(frame.messageCode, frame.content), expected, file);
        n++;
      }
    }
    assert.equal(n, 1275);
  });

  it("names device alert codes", () => {
    assert.match(alertCodeName(0x8f66) ?? "", /Future/i);
    assert.equal(alertCodeName(0x0001), undefined);
  });
});
