import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { cinOfCommand } from "../../src/dcc/transform/customer-identification-number.js";
import { COMMAND_SPECS, CommandTransformer } from "../../src/dcc/transform/index.js";
import { el } from "../../src/duis/model/element.js";
import { parseRequest } from "../../src/duis/model/request.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { euiFromDuis } from "../../src/store/types.js";
import { reference } from "../support/reference.js";

interface PairFile {
  readonly file: string;
  readonly matchesRequestId: boolean | null;
}
interface Pair {
  readonly template: string;
  readonly serviceReferenceVariant: string;
  readonly gbcs: { readonly COMMAND?: readonly PairFile[] };
}

/** The RTDS pairs of 4.1.1 for a use case: DUIS template → the COMMAND whose header is its RequestID. */
function pairsOf(useCase: string): { template: string; command: string }[] {
  const doc = JSON.parse(readFileSync(reference("catalogue", "duis-to-gbcs-pairs.json"), "utf8")) as {
    pairs: Pair[];
  };
  const out: { template: string; command: string }[] = [];
  for (const pair of doc.pairs) {
    if (pair.serviceReferenceVariant !== "4.1.1") continue;
    for (const c of pair.gbcs.COMMAND ?? []) {
      if (c.matchesRequestId === true && c.file.includes(useCase))
        out.push({ template: pair.template, command: c.file });
    }
  }
  return out;
}

describe("transform 4.1.1 → ECS17b (ESME) and GCS13a (GSME)", () => {
  const keys = KeyStore.fromDirectory(reference("rtds-keystore"));
  const transformer = new CommandTransformer(keys);

  for (const [useCase, deviceType] of [
    ["ECS17b", "ESME"],
    ["GCS13a", "GSME"],
  ] as const) {
    const pairs = pairsOf(useCase);
    it(`has RTDS ${useCase} pairs to check against`, () => {
      assert.ok(pairs.length >= 2, `found ${pairs.length}`);
    });
    for (const { template, command } of pairs) {
      it(`${template} → ${command} byte for byte`, () => {
        const request = parseRequest(parseXml(readFileSync(reference(template))).root);
        const { originator, target, counter } = request.header.requestId;
        const result = transformer.transform("4.1.1", deviceType, {
          originator: euiFromDuis(originator),
          device: euiFromDuis(target),
          counter,
          body: request.body,
          at: 0,
        });
        assert.ok(result.ok, result.ok ? "" : result.reason);
        assert.equal(result.useCase, useCase);
        assert.equal(toHex(result.bytes), toHex(fromHex(readFileSync(reference(command), "utf8").trim())));
      });
    }
  }

  it("refuses what it does not implement, with a reason", () => {
    const input = {
      originator: "90b3d51f30010000",
      device: "00db1234567890a3",
      counter: 1n,
      body: el("Empty"),
      at: 0,
    };
    // A transformer that knows only ECS17b: the other device types and SRVs are not built there.
    const only = new CommandTransformer(
      keys,
      COMMAND_SPECS.filter((s) => s.useCase === "ECS17b"),
    );
    const gpf = only.transform("4.1.1", "GPF", input);
    assert.equal(gpf.ok, false);
    assert.match(gpf.ok ? "" : gpf.reason, /not supported yet/);
    assert.equal(only.transform("4.1.2", "ESME", input).ok, false);
  });

  it("refuses a device whose KA certificate the DCC does not hold", () => {
    const result = transformer.transform("4.1.1", "ESME", {
      originator: "90b3d51f30010000",
      device: "0123456789abcdef",
      counter: 5n,
      body: el("Empty"),
      at: 0,
    });
    assert.equal(result.ok, false);
  });

  it("tells its refusals apart by kind", () => {
    const input = (body = el("Empty"), device = "00db1234567890a0") => ({
      originator: "90b3d51f30010000",
      device,
      counter: 9n,
      body,
      at: 0,
    });
    const kind = (r: ReturnType<typeof transformer.transform>) => (r.ok ? "ok" : r.kind);
    // The SRV does not apply to the device type (E11 at the pipeline).
    assert.equal(kind(transformer.transform("4.1.1", "CHF", input())), "deviceType");
    // Applies, but not built (8.12.1 carries the old hub's device log, which the DCC does not keep).
    assert.equal(kind(transformer.transform("8.12.1", "CHF", input())), "notImplemented");
    // Critical: only through the Pre-Command; and no Pre-Command for a non-critical SRV.
    assert.equal(kind(transformer.transform("7.1", "ESME", input())), "criticality");
    assert.equal(kind(transformer.preCommand("4.1.1", "ESME", input())), "criticality");
    // A join whose other device the DCC's records do not know selects no join method.
    const join = el("JoinServiceNonCritical", [el("OtherDeviceID", "00-DB-12-34-56-78-90-FF")]);
    assert.equal(kind(transformer.transform("8.7.2", "GSME", input(join, "00db1234567890a1"))), "noVariant");
    // A field the command needs is missing: the refusal names it.
    const read = transformer.transform("4.8.1", "ESME", input(el("ReadActiveImportProfileData")));
    assert.equal(kind(read), "body");
    assert.match(read.ok ? "" : (read.path ?? ""), /ReadLogPeriod/);
    // No key agreement between the ACB and the device.
    assert.equal(
      kind(transformer.transform("4.1.1", "ESME", input(el("Empty"), "0123456789abcdef"))),
      "noKeyAgreement",
    );
  });

  it("9.1: a fresh four-digit Customer Identification Number, read back from the command it sent", () => {
    const sent = new Set<string>();
    for (const [type, device] of [
      ["ESME", "00db1234567890a0"],
      ["GSME", "00db1234567890a1"],
    ] as const) {
      for (let i = 0; i < 5; i++) {
        const built = transformer.transform("9.1", type, {
          originator: "90b3d51f30010000",
          device,
          counter: BigInt(100 + i),
          body: el("RequestCustomerIdentificationNumber"),
          at: 0,
        });
        assert.ok(built.ok, built.ok ? "" : built.reason);
        const cin = cinOfCommand(built.bytes);
        assert.match(cin ?? "", /^[0-9]{4}$/);
        sent.add(cin!);
      }
    }
    assert.ok(sent.size > 1, "random, not fixed");
  });
});
