import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeDlmsPayload, encodeDlmsPayload, pairAccessResponse } from "../../../src/gbcs/dlms/index.js";
import { hex, rtdsDlmsMessages, rtdsMessage } from "./rtds.js";

const RESPONSE_KIND = {
  "access-request-get": "access-response-get",
  "access-request-get-with-selection": "access-response-get",
  "access-request-set": "access-response-set",
  "access-request-set-with-selection": "access-response-set",
  "access-request-action": "access-response-action",
} as const;

describe("xDLMS APDUs", () => {
  it("decode the ECS17b command into Green Book fields", () => {
    const { frame } = rtdsMessage("4.1.1_ECS17b/ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX");
    const { apdu } = decodeDlmsPayload(frame.content);
    assert.equal(apdu.apdu, "access-request");
    if (apdu.apdu !== "access-request") return;
    assert.deepEqual(apdu.longInvokeIdAndPriority, {
      invokeId: 1000,
      highPriority: false,
      confirmed: false,
      breakOnError: true,
      selfDescriptive: false,
      reserved: 0,
    });
    assert.equal(apdu.dateTime, null);
    assert.deepEqual(apdu.accessRequestSpecification, [
      {
        kind: "access-request-action",
        cosemMethodDescriptor: { classId: 30, instanceId: "0-0:43.2.8.255", methodId: 1 },
      },
    ]);
    assert.equal(apdu.accessRequestListOfData.length, 1);
  });

  it("pair every RTDS success response with its command: one result per specification, of the same kind", () => {
    const messages = rtdsDlmsMessages();
    let pairs = 0;
    for (const command of messages.filter((m) => m.name.endsWith("_COMMAND_GBCS.HEX"))) {
      const response = messages.find((m) => m.name === command.name.replace("_COMMAND_", "_RESPONSE_"));
      if (!response?.name.includes("SUCCESS")) continue;
      const request = decodeDlmsPayload(command.frame.content).apdu;
      const answer = decodeDlmsPayload(response.frame.content).apdu;
      assert.equal(request.apdu, "access-request", command.name);
      assert.equal(answer.apdu, "access-response", response.name);
      if (request.apdu !== "access-request" || answer.apdu !== "access-response") continue;
      assert.equal(
        answer.longInvokeIdAndPriority.invokeId,
        request.longInvokeIdAndPriority.invokeId,
        response.name,
      );
      for (const outcome of pairAccessResponse(request, answer)) {
        assert.ok(outcome.result, `${response.name}: a result per specification`);
        assert.equal(outcome.result.kind, RESPONSE_KIND[outcome.specification.kind], response.name);
        assert.ok(outcome.data, response.name);
      }
      pairs++;
    }
    assert.ok(pairs > 150, `${pairs} pairs`);
  });

  it("a decrypter that returns something that is not DLMS data gives a reason, not an exception", () => {
    const { frame } = rtdsMessage("4.1.1_ECS17b/ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX");
    const payload = decodeDlmsPayload(frame.content, {
      decrypt: () => ({ ok: true, plaintext: Uint8Array.of(0x09, 0x05, 0x01) }),
    });
    const decrypted = payload.protectedAttributes[0]?.decrypted;
    assert.equal(decrypted?.ok, false);
    if (decrypted && !decrypted.ok) assert.match(decrypted.reason, /^plaintext: /);
    assert.equal(hex(encodeDlmsPayload(payload)), hex(frame.content));
  });
});
