/**
 * Every sensitive ESME read of the reference set: the command is rebuilt byte for byte from the
 * header values (and, for profiles, the date range it asks for), and the response reads as one
 * value per object of the use case once decrypted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { payloadParties } from "../../../src/gbcs/crypto/index.js";
import { decodeDlmsPayload } from "../../../src/gbcs/dlms/index.js";
import { getProtectedAttributesRequestFromData } from "../../../src/gbcs/dlms/protection.js";
import {
  buildProtectedReadCommand,
  buildProtectedReadErrorResponse,
  buildProtectedReadResponse,
  PROTECTED_READS,
  protectedReadByMessageCode,
  readProtectedReadResponse,
} from "../../../src/gbcs/dlms/use-cases/protected-reads.js";
import { deviceEncrypter, hex, keyedContext, rtdsDlmsMessages } from "./rtds.js";

const messages = rtdsDlmsMessages().filter(
  (m) => protectedReadByMessageCode(m.frame.messageCode) !== undefined,
);
const commands = messages.filter((m) => m.frame.cra === 1);
const responses = messages.filter((m) => m.frame.cra === 2);

/** The date range a command asks for, read back from its restricting object. */
function rangeOf(content: Uint8Array): { from: Uint8Array; to: Uint8Array } | undefined {
  const { apdu } = decodeDlmsPayload(content);
  if (apdu.apdu !== "access-request") throw new Error("not a command");
  const restriction = getProtectedAttributesRequestFromData(apdu.accessRequestListOfData[0]!).objectList[0]!
    .restrictingObject;
  if (restriction.type !== "structure") throw new Error("restriction");
  const range = restriction.elements[1]!;
  if (range.type !== "structure") return undefined;
  const [from, to] = range.elements;
  if (from?.type !== "octet-string" || to?.type !== "octet-string") throw new Error("range");
  return { from: from.value, to: to.value };
}

describe("protected reads", () => {
  it("cover every use case of the table in the reference set", () => {
    const found = new Set(commands.map((m) => protectedReadByMessageCode(m.frame.messageCode)));
    assert.deepEqual([...found].sort(), Object.keys(PROTECTED_READS).sort());
  });

  for (const { name, frame } of commands) {
    it(`${name}: rebuilt from the header values`, () => {
      const useCase = protectedReadByMessageCode(frame.messageCode)!;
      const range = rangeOf(frame.content);
      const built = buildProtectedReadCommand(useCase, {
        counter: frame.counter,
        originator: frame.supplementary?.remotePartyId ?? frame.originator,
        recipient: frame.recipient,
        ...(range ? { range } : {}),
      });
      assert.equal(hex(built), hex(frame.content));
    });
  }

  for (const { name, frame } of responses) {
    it(`${name}: reads as one value per object (or a failure) and is rebuilt exactly`, () => {
      const useCase = protectedReadByMessageCode(frame.messageCode)!;
      const payload = decodeDlmsPayload(frame.content, keyedContext(frame, payloadParties(frame)[1]));
      const read = readProtectedReadResponse(payload);
      if (name.includes("ERROR")) {
        assert.equal(read.outcome, "failure");
        if (read.outcome !== "failure") return;
        const built = buildProtectedReadErrorResponse({
          counter: frame.counter,
          actionResult: read.actionResult,
        });
        assert.equal(hex(built), hex(frame.content));
        return;
      }
      assert.equal(read.outcome, "success", JSON.stringify(read));
      if (read.outcome !== "success") return;
      const objects = PROTECTED_READS[useCase].objects;
      assert.equal(read.values.length, objects.length);
      for (const [i, o] of objects.entries()) {
        // Registers are structures of values; profile buffers (class 7) come as compact arrays of entries.
        assert.equal(
          read.values[i]!.type,
          o.classId === 7 ? "compact-array" : "structure",
          `${name} value ${i}`,
        );
      }
      // The ESME side gives back the same bytes from the same values.
      const built = buildProtectedReadResponse({
        counter: frame.counter,
        originator: frame.originator,
        recipient: frame.recipient,
        values: read.values,
        encrypt: deviceEncrypter(frame),
      });
      assert.equal(hex(built), hex(frame.content));
    });
  }

  it("a range is required for profiles and refused for registers", () => {
    const header = { counter: 1n, originator: "90B3D51F30010000", recipient: "00DB1234567890A0" };
    assert.throws(() => buildProtectedReadCommand("ECS22b", header), RangeError);
    const range = { from: new Uint8Array(12), to: new Uint8Array(12) };
    assert.throws(() => buildProtectedReadCommand("ECS17b", { ...header, range }), RangeError);
  });
});
