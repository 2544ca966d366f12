import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_RECEIVED_BYTES, ResponseReceiver } from "../../src/cli/request-receiver.js";

describe("a user's receive endpoint", () => {
  it("refuses a body over its limit with 413 and keeps nothing of it", async () => {
    const seen: string[] = [];
    const receiver = await ResponseReceiver.start("127.0.0.1", 0, (message) => {
      seen.push(message.body);
      return 200;
    });
    try {
      const big = await fetch(receiver.url, {
        method: "POST",
        headers: { "content-type": "application/xml" },
        body: "x".repeat(MAX_RECEIVED_BYTES + 1),
      }).catch((error: unknown) => error);
      // Either the 413 arrives or the connection is cut while the body is still being sent.
      if (big instanceof Response) assert.equal(big.status, 413);
      else assert.ok(big instanceof Error);
      const small = await fetch(receiver.url, { method: "POST", body: "<ok/>" });
      assert.equal(small.status, 200);
      assert.deepEqual(seen, ["<ok/>"]);
    } finally {
      await receiver.close();
    }
  });
});
