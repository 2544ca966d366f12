/**
 * `meterway transform` against the RTDS, byte for byte: every DUIS 4.9.1 template whose paired RTDS
 * 4.5.0 command (or, for a critical SRV, pre-command) carries the template's RequestID in its
 * grouping header is transformed with the RTDS keys at the DCC time RTDS built its commands with
 * (2015-01-01T00:00:00Z), and the bytes must equal the file's. The expected bytes come from the
 * reference files alone; the device type of each target is the RTDS premises' (profile table).
 * A file that cannot match is in `rtds-transform-exceptions.ts` with its reason, and must differ.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isCriticalSrv, type Srv, srvEntry } from "../../src/catalogue/index.js";
import { RTDS_DEVICE_TYPES, rtdsRecords } from "../../src/cli/profiles/rtds-devices.js";
import { actingRole, readBoxedIdentities } from "../../src/cli/profiles/rtds-identities.js";
import { CommandTransformer } from "../../src/dcc/transform/index.js";
import { parseRequest } from "../../src/duis/model/request.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { messageToJson } from "../../src/gbcs/json.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { euiFromDuis } from "../../src/store/types.js";
import { reference } from "../support/reference.js";
import { RTDS_TRANSFORM_EXCEPTIONS } from "./rtds-transform-exceptions.js";

interface PairFile {
  readonly file: string;
  readonly matchesRequestId: boolean | null;
}
interface Pair {
  readonly template: string;
  readonly serviceReferenceVariant: string;
  readonly commandVariant: number;
  readonly gbcs: { readonly COMMAND?: readonly PairFile[]; readonly PRECOMMAND?: readonly PairFile[] };
}

/** RTDS built its GBZ commands at this DCC time (their Issuer Event IDs say so). */
const RTDS_DCC_TIME = Date.UTC(2015, 0, 1);

/** Each template with the reference file its transform must equal. */
function rtdsTransformPairs(): { template: string; srv: string; expected: string; pre: boolean }[] {
  const doc = JSON.parse(readFileSync(reference("catalogue", "duis-to-gbcs-pairs.json"), "utf8")) as {
    pairs: Pair[];
  };
  const out: { template: string; srv: string; expected: string; pre: boolean }[] = [];
  for (const pair of doc.pairs) {
    const pre = isCriticalSrv(pair.serviceReferenceVariant);
    const files = pre ? pair.gbcs.PRECOMMAND : pair.gbcs.COMMAND;
    for (const f of files ?? []) {
      if (f.matchesRequestId === true) {
        out.push({ template: pair.template, srv: pair.serviceReferenceVariant, expected: f.file, pre });
      }
    }
  }
  return out;
}

/** Where two byte strings first differ, with the decoded trees of both (for the failure message). */
function explain(actual: Uint8Array, expected: Uint8Array): string {
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const tree = (b: Uint8Array): string => {
    try {
      return JSON.stringify(messageToJson(decodeMessage(b)).payload ?? null);
    } catch (error) {
      return `(undecodable: ${(error as Error).message})`;
    }
  };
  return [
    `first difference at byte ${i} (actual ${actual.length} bytes, expected ${expected.length})`,
    `actual:   ${toHex(actual)}`,
    `expected: ${toHex(expected)}`,
    `actual payload:   ${tree(actual)}`,
    `expected payload: ${tree(expected)}`,
  ].join("\n");
}

describe("conformance: transform of every RTDS template equals its RTDS command byte for byte", () => {
  const keys = KeyStore.fromDirectory(reference("rtds-keystore"));
  const transformer = new CommandTransformer(keys);
  // The DCC's records of the RTDS premises: the join partners' types, the devices' KA certificates.
  const records = rtdsRecords((eui) => keys.certificate(eui, "ka")?.raw);
  const userRoles = new Map(readBoxedIdentities(reference()).users.map((u) => [u.eui, u.roles]));
  const pairs = rtdsTransformPairs();

  it("finds the paired files", () => {
    assert.ok(pairs.length > 200, `${pairs.length} pairs`);
  });

  for (const { template, srv, expected, pre } of pairs) {
    const name = expected.split("/").pop() ?? expected;
    it(`${srv} ${name}`, () => {
      const request = parseRequest(parseXml(readFileSync(reference(template))).root);
      const { originator, target, counter } = request.header.requestId;
      const device = euiFromDuis(target);
      const type = RTDS_DEVICE_TYPES[device];
      assert.ok(type !== undefined, `${device}: not an RTDS device`);
      const input = {
        originator: euiFromDuis(originator),
        device,
        counter,
        body: request.body,
        at: RTDS_DCC_TIME,
        records,
        role: actingRole(userRoles.get(euiFromDuis(originator)) ?? [], srvEntry(srv as Srv).roles, type),
      };
      const result = pre ? transformer.preCommand(srv, type, input) : transformer.transform(srv, type, input);
      const want = fromHex(readFileSync(reference(expected), "utf8").trim());
      const exception = RTDS_TRANSFORM_EXCEPTIONS.get(name);
      if (exception !== undefined) {
        assert.ok(
          !result.ok || toHex(result.bytes) !== toHex(want),
          `${name} matches now: drop its exception`,
        );
        return;
      }
      assert.ok(result.ok, result.ok ? "" : `${result.kind}: ${result.reason}`);
      assert.ok(toHex(result.bytes) === toHex(want), explain(result.bytes, want));
    });
  }
});
