/**
 * Every RTDS message whose grouping-header content is DLMS decodes, and re-encodes to the same
 * bytes. One test per message, named after its file.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeDlmsPayload, encodeDlmsPayload } from "../../../src/gbcs/dlms/index.js";
import { hex, rtdsDlmsMessages } from "./rtds.js";

const messages = rtdsDlmsMessages();

describe("RTDS DLMS payloads round-trip", () => {
  it("finds the DLMS messages of the reference set", () => {
    const byApdu = { 217: 0, 218: 0, 15: 0 } as Record<number, number>;
    for (const m of messages) byApdu[m.frame.content[0]!]! += 1;
    // access-request commands and pre-commands, access-responses, data-notification alerts.
    assert.deepEqual(byApdu, { 217: 389, 218: 292, 15: 62 });
  });

  for (const { name, frame } of messages) {
    it(name, () => {
      const payload = decodeDlmsPayload(frame.content);
      assert.equal(payload.family, "dlms");
      assert.equal(hex(encodeDlmsPayload(payload)), hex(frame.content));
    });
  }
});
