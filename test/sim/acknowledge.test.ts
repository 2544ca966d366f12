/**
 * A simulated meter's acknowledgement of a command it does not model (`sim/acknowledge.ts`): DLMS
 * sets and actions succeed and gets answer object-unavailable; GBZ commands get Default Responses
 * and read attributes come back unsupported; critical commands are not acknowledged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { messageCodeOf } from "../../src/catalogue/index.js";
import { CommandTransformer } from "../../src/dcc/transform/index.js";
import { type DuisElement, el } from "../../src/duis/model/element.js";
import { decodeDlmsPayload } from "../../src/gbcs/dlms/index.js";
import { decodeGbzPayload } from "../../src/gbcs/gbz/index.js";
import { acknowledgement, acknowledges } from "../../src/sim/acknowledge.js";
import { KeyStore } from "../../src/smki/keystore.js";
import type { DeviceType } from "../../src/store/types.js";
import { reference } from "../support/reference.js";

const transformer = new CommandTransformer(KeyStore.fromDirectory(reference("rtds-keystore")));

function frameOf(srv: string, type: DeviceType, body: DuisElement) {
  const result = transformer.transform(srv, type, {
    originator: "90B3D51F30010000",
    device: type === "ESME" ? "00DB1234567890A0" : "00DB1234567890A1",
    counter: 77n,
    body,
    at: Date.UTC(2024, 0, 1),
  });
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.frame;
}

describe("sim: acknowledging commands of use cases not modelled", () => {
  it("DLMS: each set succeeds, in one access-response with the command's invoke id", () => {
    const frame = frameOf(
      "3.4",
      "ESME",
      el("UpdateSupplierName", [el("SupplierName", "X"), el("SupplierTelephoneNumber", "1")]),
    );
    const content = acknowledgement(frame);
    assert.ok(content !== undefined);
    const { apdu } = decodeDlmsPayload(content);
    assert.equal(apdu.apdu, "access-response");
    if (apdu.apdu !== "access-response") return;
    assert.equal(apdu.longInvokeIdAndPriority.invokeId, 77);
    assert.deepEqual(apdu.accessResponseSpecification, [
      { kind: "access-response-set", result: 0 },
      { kind: "access-response-set", result: 0 },
    ]);
  });

  it("DLMS: a get is answered object-unavailable", () => {
    const content = acknowledgement(frameOf("7.4", "ESME", el("ReadSupplyStatus")));
    assert.ok(content !== undefined);
    const { apdu } = decodeDlmsPayload(content);
    assert.ok(apdu.apdu === "access-response");
    assert.deepEqual(apdu.accessResponseSpecification, [{ kind: "access-response-get", result: 11 }]);
  });

  it("GBZ: a Read Attributes gets each attribute unsupported, a command its Default Response", () => {
    for (const [srv, body, expected] of [
      ["7.4", el("ReadSupplyStatus"), "readAttributesResponse"],
      ["3.1", el("DisplayMessage", [el("SupplierMessage", "Hi")]), "defaultResponse"],
    ] as const) {
      const frame = frameOf(srv, "GSME", body);
      const content = acknowledgement(frame);
      assert.ok(content !== undefined, srv);
      const payload = decodeGbzPayload(content, {
        messageCode: frame.messageCode,
        cra: 2,
        useCase: undefined,
        originator: frame.recipient,
        recipient: frame.originator,
        counter: frame.counter,
      });
      assert.ok(payload.kind === "components");
      const [component] = payload.components;
      assert.ok(component !== undefined && !component.body.encrypted);
      const answer = component.body.frame.payload;
      assert.equal(answer.kind, expected, srv);
      if (answer.kind === "readAttributesResponse") {
        assert.deepEqual(
          answer.records.map((r) => r.status),
          [0x86, 0x86],
        );
      }
      if (answer.kind === "defaultResponse")
        assert.deepEqual([answer.commandId, answer.status], [0x00, 0x00]);
    }
  });

  it("does not acknowledge a critical command", () => {
    assert.equal(acknowledges(messageCodeOf("ECS07")), false);
    assert.equal(acknowledges(messageCodeOf("ECS45")), true);
  });
});
