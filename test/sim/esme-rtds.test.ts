/**
 * The simulated ESME against every RTDS 4.5.0 command sent to it with a DLMS payload: a fresh ESME
 * with the RTDS keys handles the COMMAND and answers; the answer decodes, with the requester's keys,
 * to a payload tree of the same shape as the RTDS RESPONSE of that use case (APDU kind, the number
 * and kinds of results, and per successful result the data's types and nesting, the decrypted
 * plaintext of sensitive data included; lengths of strings and tables aside). The ESME answers every
 * command with success: where RTDS shows a device failure (the ERROR vectors), only the kinds of
 * results are compared there. Then every attribute the command set is read back with a get, which
 * answers the value written.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { macKey, protectFrame } from "../../src/gbcs/crypto/mac.js";
import { fromHex } from "../../src/gbcs/cursor.js";
import {
  type AccessRequest,
  ActionResult,
  type CosemAttributeDescriptor,
  DataAccessResult,
  type DlmsData,
  decodeDlmsPayload,
  encodeApdu,
  gbcsInvokeIdAndPriority,
  isDlmsContent,
} from "../../src/gbcs/dlms/index.js";
import { decodeFrame, encodeFrame, type GbcsFrame } from "../../src/gbcs/frame.js";
import { type DecodedMessage, decodeMessage } from "../../src/gbcs/message.js";
import { ESME_ATTRIBUTES, ESME_METHODS } from "../../src/sim/cosem/esme-objects.js";
import { CosemInterpreter, methodKey } from "../../src/sim/cosem/interpreter.js";
import { CosemStore } from "../../src/sim/cosem/store.js";
import { ImportEnergy, profileFromSeed } from "../../src/sim/energy.js";
import { SimEsme } from "../../src/sim/esme.js";
import { DeviceKeyring } from "../../src/sim/keyring.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const DEVICE = "00DB1234567890A0";
const ACB = "90B3D51F30000002";
/** The RTDS era: the profiles of a new ESME end at this instant, where the RTDS ranges end. */
const NOW = Date.UTC(2015, 0, 1);
/** A non-critical read use case (ECS26c) for the gets that read back what a command set. */
const READ_BACK_MESSAGE_CODE = 0x003d;

/** Files that cannot pass, with why (none so far: every RTDS ESME command is answered in shape). */
const CANNOT_PASS: ReadonlyMap<string, string> = new Map();

const rtdsRoot = () => reference("rtds-4.5.0-gbcs");
const read = (dir: string, file: string) =>
  fromHex(readFileSync(`${rtdsRoot()}/${dir}/${file}`, "utf8").trim());

/** The requester's side: the RTDS users' keys (not the ESME's private key). */
const requesterKeys = KeyStore.fromDirectory(reference("rtds-keystore"));
/** The device's side: the RTDS keystore and the ESME's KA private key of the known-answer folder. */
const deviceStore = new KeyStore({
  directories: [reference("rtds-keystore"), reference("gbcs-known-answers")],
});

interface Case {
  readonly dir: string;
  readonly file: string;
  readonly command: Uint8Array;
  readonly frame: GbcsFrame;
}

function esmeCommands(): Case[] {
  const out: Case[] = [];
  for (const dir of readdirSync(rtdsRoot()).sort()) {
    for (const file of readdirSync(`${rtdsRoot()}/${dir}`).sort()) {
      if (!file.includes("_COMMAND")) continue;
      const command = read(dir, file);
      const frame = decodeFrame(command);
      if (frame.recipient !== DEVICE || !isDlmsContent(frame.content)) continue;
      out.push({ dir, file, command, frame });
    }
  }
  return out;
}

/** A fresh RTDS ESME that trusts the command's originator and supplementary party as well as the ACB. */
function freshEsme(c: Case): SimEsme {
  const parties = [
    ACB,
    c.frame.originator,
    ...(c.frame.supplementary ? [c.frame.supplementary.remotePartyId] : []),
  ];
  return new SimEsme({
    keys: DeviceKeyring.fromKeyStore(deviceStore, DEVICE, parties),
    energy: new ImportEnergy(profileFromSeed(7)),
    now: () => NOW,
    twin: c.file.includes("_TWIN_"),
  });
}

/** Whether two values have the same types and nesting (lengths aside; an empty table matches any). */
function sameShape(a: DlmsData, b: DlmsData): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "structure" && b.type === "structure") {
    return (
      a.elements.length === b.elements.length && a.elements.every((e, i) => sameShape(e, b.elements[i]!))
    );
  }
  if (a.type === "array" && b.type === "array") {
    if (a.elements.length === 0 || b.elements.length === 0) return true;
    const covered = (xs: readonly DlmsData[], ys: readonly DlmsData[]) =>
      xs.every((x) => ys.some((y) => sameShape(x, y)));
    return covered(a.elements, b.elements) && covered(b.elements, a.elements);
  }
  if (a.type === "compact-array" && b.type === "compact-array") {
    return JSON.stringify(a.contentsDescription) === JSON.stringify(b.contentsDescription);
  }
  return true;
}

function accessResponse(m: DecodedMessage) {
  assert.equal(m.payload.family, "dlms");
  const payload = m.payload.family === "dlms" ? m.payload : undefined;
  const apdu = payload?.apdu;
  assert.equal(apdu?.apdu, "access-response");
  return { payload: payload!, apdu: apdu?.apdu === "access-response" ? apdu : undefined! };
}

function assertSameShape(ours: DecodedMessage, theirs: DecodedMessage): void {
  const o = accessResponse(ours);
  const t = accessResponse(theirs);
  const kinds = (x: typeof o) => x.apdu.accessResponseSpecification.map((s) => s.kind);
  assert.deepEqual(kinds(o), kinds(t), "result kinds");
  assert.equal(o.apdu.accessResponseListOfData.length, o.apdu.accessResponseSpecification.length);
  for (const [i, result] of o.apdu.accessResponseSpecification.entries()) {
    assert.equal(result.result, 0, `result ${i} is success`);
    if (t.apdu.accessResponseSpecification[i]!.result !== 0) continue; // an RTDS error vector
    const ourData = o.apdu.accessResponseListOfData[i]!;
    const theirData = t.apdu.accessResponseListOfData[i]!;
    assert.ok(sameShape(ourData, theirData), `data ${i}: ${ourData.type} like ${theirData.type}`);
    const ourView = o.payload.protectedAttributes.find((p) => p.index === i);
    const theirView = t.payload.protectedAttributes.find((p) => p.index === i);
    assert.equal(ourView === undefined, theirView === undefined, `data ${i} sensitive in both or neither`);
    if (ourView === undefined || theirView === undefined) continue;
    assert.ok(ourView.decrypted?.ok, `data ${i} decrypts for the requester`);
    assert.ok(theirView.decrypted?.ok, `RTDS data ${i} decrypts`);
    if (ourView.decrypted?.ok && theirView.decrypted?.ok) {
      assert.ok(sameShape(ourView.decrypted.data, theirView.decrypted.data), `protected values ${i}`);
    }
  }
}

/** A get of `attributes`, MACed by the ACB as the DCC sends it, after `after` from the same originator. */
function getCommand(
  after: GbcsFrame,
  attributes: readonly CosemAttributeDescriptor[],
  messageCode = READ_BACK_MESSAGE_CODE,
): Uint8Array {
  const gets: AccessRequest = {
    apdu: "access-request",
    longInvokeIdAndPriority: gbcsInvokeIdAndPriority(after.counter + 1n),
    dateTime: null,
    accessRequestSpecification: attributes.map((d) => ({
      kind: "access-request-get" as const,
      cosemAttributeDescriptor: d,
    })),
    accessRequestListOfData: attributes.map(() => ({ type: "null-data" as const })),
  };
  const frame: GbcsFrame = {
    cra: 1,
    counter: after.counter + 1n,
    originator: after.originator,
    recipient: DEVICE,
    dateTime: null,
    messageCode,
    content: encodeApdu(gets),
    signature: new Uint8Array(0),
  };
  const z = requesterKeys.sharedSecret(ACB, DEVICE);
  assert.ok(z);
  return encodeFrame(protectFrame(frame, macKey(frame, z)));
}

describe("simulated ESME: every RTDS command with a DLMS payload", () => {
  const cases = esmeCommands();

  it("finds the RTDS ESME commands", () => {
    assert.ok(cases.length >= 250, `${cases.length} commands`);
  });

  for (const c of cases) {
    const why = CANNOT_PASS.get(c.file);
    it(`${c.dir} ${c.file}`, { skip: why }, async () => {
      const esme = freshEsme(c);
      const outcome = await esme.handle(c.command, c.frame);
      assert.equal(outcome.dropped, undefined, "answered");
      assert.ok(outcome.response);
      const ours = decodeMessage(outcome.response, { keys: requesterKeys });
      assert.equal(ours.frame.cra, 2);
      assert.equal(ours.frame.counter, c.frame.counter);
      assert.equal(ours.frame.recipient, c.frame.originator);
      assert.equal(ours.frame.messageCode, c.frame.messageCode);
      // Protected as RTDS's: signed where it is (MACed instead, as here, when the ESME has no DS key).
      if (ours.mac.present) assert.equal(ours.mac.valid, true, "the MAC verifies for the requester");
      else assert.equal(ours.signature.valid, true, "the signature verifies");
      const responseFile = c.file.replace("_COMMAND", "_RESPONSE");
      if (existsSync(`${rtdsRoot()}/${c.dir}/${responseFile}`)) {
        const theirs = decodeMessage(read(c.dir, responseFile), { keys: requesterKeys });
        assert.equal(ours.frame.dateTime === null, theirs.frame.dateTime === null, "dated as RTDS's");
        assertSameShape(ours, theirs);
      }

      const request = decodeDlmsPayload(c.frame.content).apdu;
      assert.equal(request.apdu, "access-request");
      if (request.apdu !== "access-request") return;
      const sets = request.accessRequestSpecification
        .map((s, i) => ({ s, value: request.accessRequestListOfData[i]! }))
        .filter(({ s }) => s.kind === "access-request-set" || s.kind === "access-request-set-with-selection");
      if (sets.length === 0) return;
      const get = getCommand(
        c.frame,
        sets.map(({ s }) => ("cosemAttributeDescriptor" in s ? s.cosemAttributeDescriptor : undefined)!),
      );
      const answer = await esme.handle(get, decodeFrame(get));
      assert.ok(answer.response, "the read back is answered");
      const back = accessResponse(decodeMessage(answer.response, { keys: requesterKeys })).apdu;
      for (const [i, { value }] of sets.entries()) {
        assert.equal(back.accessResponseSpecification[i]?.result, 0);
        assert.deepEqual(back.accessResponseListOfData[i], value, `set ${i} reads back`);
      }
    });
  }
});

describe("the ESME's COSEM interpreter", () => {
  const store = () => new CosemStore(ESME_ATTRIBUTES, ESME_METHODS);
  const invoke = {
    invokeId: 7,
    highPriority: false,
    confirmed: false,
    breakOnError: true,
    selfDescriptive: false,
    reserved: 0,
  };
  const NULL: DlmsData = { type: "null-data" };
  const request = (specs: AccessRequest["accessRequestSpecification"], data: DlmsData[]): AccessRequest => ({
    apdu: "access-request",
    longInvokeIdAndPriority: invoke,
    dateTime: null,
    accessRequestSpecification: specs,
    accessRequestListOfData: data,
  });
  const attr = (classId: number, instanceId: string, attributeId: number) => ({
    classId,
    instanceId,
    attributeId,
  });

  it("answers object-undefined for an unknown object, and stops there (break-on-error)", () => {
    const interpreter = new CosemInterpreter<undefined>(store(), new Map());
    const response = interpreter.answer(
      request(
        [
          { kind: "access-request-get", cosemAttributeDescriptor: attr(1, "0-0:96.1.1.255", 2) },
          { kind: "access-request-get", cosemAttributeDescriptor: attr(1, "0-0:1.2.3.255", 2) },
          { kind: "access-request-get", cosemAttributeDescriptor: attr(1, "0-0:96.1.1.255", 2) },
        ],
        [NULL, NULL, NULL],
      ),
      undefined,
    );
    assert.deepEqual(
      response.accessResponseSpecification.map((s) => s.result),
      [0, DataAccessResult["object-undefined"], DataAccessResult["other-reason"]],
    );
    assert.deepEqual(response.accessResponseListOfData.slice(1), [NULL, NULL]);
    assert.equal(response.longInvokeIdAndPriority.invokeId, 7);
  });

  it("refuses a set of another type (type-unmatched) and keeps the value", () => {
    const objects = store();
    const before = objects.get(1, "0-0:94.44.0.1", 2);
    assert.equal(before?.type, "long-unsigned");
    assert.equal(
      objects.set(1, "0-0:94.44.0.1", 2, { type: "boolean", value: true }),
      DataAccessResult["type-unmatched"],
    );
    assert.deepEqual(objects.get(1, "0-0:94.44.0.1", 2), before);
    assert.equal(objects.set(1, "0-0:94.44.0.1", 2, { type: "long-unsigned", value: 900 }), 0);
    assert.deepEqual(objects.get(1, "0-0:94.44.0.1", 2), { type: "long-unsigned", value: 900 });
  });

  it("runs a method's handler, succeeds for a method without one, refuses an unknown method", () => {
    const calls: DlmsData[] = [];
    const handlers = new Map([
      [
        methodKey(9, "0-0:10.0.106.255", 1),
        (p: DlmsData) => {
          calls.push(p);
          return { result: 0 };
        },
      ],
    ]);
    const interpreter = new CosemInterpreter<undefined>(store(), handlers);
    const action = (classId: number, instanceId: string, methodId: number) => ({
      kind: "access-request-action" as const,
      cosemMethodDescriptor: { classId, instanceId, methodId },
    });
    const script: DlmsData = { type: "long-unsigned", value: 52 };
    const response = interpreter.answer(
      request(
        [action(9, "0-0:10.0.106.255", 1), action(4, "1-0:1.6.0.255", 1), action(9, "0-0:10.0.106.255", 9)],
        [script, NULL, NULL],
      ),
      undefined,
    );
    assert.deepEqual(calls, [script]);
    assert.deepEqual(
      response.accessResponseSpecification.map((s) => s.result),
      [0, 0, ActionResult["object-undefined"]],
    );
  });

  it("reads a profile for a range of capture times (selector 1)", async () => {
    const c = esmeCommands().find((x) => x.file === "ECS23_4.10_SUCCESS_COMMAND_GBCS.HEX")!;
    const esme = freshEsme(c);
    const buffer = esme.attribute(7, "1-0:32.24.0.255", 2);
    assert.equal(buffer?.type, "compact-array");
    const outcome = await esme.handle(c.command, c.frame);
    const answer = accessResponse(decodeMessage(outcome.response!, { keys: requesterKeys })).apdu;
    const rows = answer.accessResponseListOfData[4]!;
    assert.equal(rows.type, "compact-array");
    // RTDS asks from 473212740 to 473385600 (2014-12-30T00:59Z to 2015-01-01T00:00Z, seconds since 2000).
    const times =
      rows.type === "compact-array"
        ? rows.elements.map((r) => (r.type === "structure" ? r.elements[0] : undefined))
        : [];
    assert.ok(times.length > 0 && buffer?.type === "compact-array" && times.length < buffer.elements.length);
    for (const t of times)
      assert.ok(t?.type === "double-long-unsigned" && t.value >= 473212740 && t.value <= 473385600);
  });

  it("reads the supply switch's state (ECS45's control state) as the last supply command left it", async () => {
    const c = esmeCommands().find((x) => x.file === "ECS43_7.2_SUCCESS_COMMAND_GBCS.HEX")!;
    const esme = freshEsme(c);
    assert.deepEqual(esme.attribute(70, "0-0:96.3.10.255", 3), { type: "enum", value: 1 });
    assert.ok((await esme.handle(c.command, c.frame)).response);
    assert.equal(esme.supplyState, "Disabled");
    const get = getCommand(c.frame, [{ classId: 70, instanceId: "0-0:96.3.10.255", attributeId: 3 }]);
    const answer = accessResponse(
      decodeMessage((await esme.handle(get, decodeFrame(get))).response!, { keys: requesterKeys }),
    );
    assert.deepEqual(answer.apdu.accessResponseListOfData, [{ type: "enum", value: 0 }]);
  });

  it("answers a DLMS use case RTDS has no vector for (a non-critical read of an unknown message code)", async () => {
    const c = esmeCommands().find((x) => x.file === "ECS26e_6.2.4_SUCCESS_COMMAND_GBCS.HEX")!;
    const esme = freshEsme(c);
    const get = getCommand(c.frame, [{ classId: 1, instanceId: "0-0:96.1.1.255", attributeId: 2 }], 0x7ffe);
    const outcome = await esme.handle(get, decodeFrame(get));
    assert.ok(outcome.response);
    const answer = decodeMessage(outcome.response, { keys: requesterKeys });
    assert.equal(answer.frame.messageCode, 0x7ffe);
    assert.equal(answer.mac.valid, true);
    assert.deepEqual(accessResponse(answer).apdu.accessResponseSpecification, [
      { kind: "access-response-get", result: 0 },
    ]);
  });
});
