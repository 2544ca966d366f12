/**
 * The critical supply SRVs against RTDS (ESME and GSME): the DUIS templates of 7.1/7.2/7.3 (CV4) transform into the
 * RTDS PRECOMMAND bytes, byte for byte; the RTDS COMMAND's signature appended and the ACB's MAC
 * added (`protectSigned`, with the RTDS keys) give the RTDS COMMAND bytes; and the RTDS supplier's
 * signature verifies with its GBCS DS certificate.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CommandTransformer } from "../../src/dcc/transform/index.js";
import { el } from "../../src/duis/model/element.js";
import { parseRequest } from "../../src/duis/model/request.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { verifySignature } from "../../src/gbcs/crypto/signature.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { decodeFrame } from "../../src/gbcs/frame.js";
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
  readonly gbcs: { readonly PRECOMMAND?: readonly PairFile[]; readonly COMMAND?: readonly PairFile[] };
}

const CASES = [
  { srv: "7.1", useCase: "ECS42", type: "ESME" },
  { srv: "7.2", useCase: "ECS43", type: "ESME" },
  { srv: "7.3", useCase: "ECS44", type: "ESME" },
  { srv: "7.2", useCase: "GCS32", type: "GSME" },
  { srv: "7.3", useCase: "GCS39", type: "GSME" },
] as const;

/** When RTDS made its pre-commands (the GBZ Issuer Event ID is that time). */
const RTDS_AT = Date.UTC(2015, 0, 1);

function pairsOf(srv: string, useCase: string): { template: string; pre: string; command: string }[] {
  const doc = JSON.parse(readFileSync(reference("catalogue", "duis-to-gbcs-pairs.json"), "utf8")) as {
    pairs: Pair[];
  };
  const out: { template: string; pre: string; command: string }[] = [];
  for (const pair of doc.pairs) {
    if (pair.serviceReferenceVariant !== srv || !pair.template.includes(useCase)) continue;
    for (const p of pair.gbcs.PRECOMMAND ?? []) {
      if (p.matchesRequestId !== true) continue;
      out.push({
        template: pair.template,
        pre: p.file,
        command: p.file.replace("_PRECOMMAND_", "_COMMAND_"),
      });
    }
  }
  return out;
}

const hex = (file: string) => readFileSync(reference(file), "utf8").trim().toUpperCase();

describe("transform 7.1/7.2/7.3 → ECS42/43/44, GCS32/39 Pre-Commands (CV4) and commands (CV5)", () => {
  const keys = KeyStore.fromDirectory(reference("rtds-keystore"));
  const transformer = new CommandTransformer(keys);

  for (const { srv, useCase, type } of CASES) {
    const pairs = pairsOf(srv, useCase);
    it(`${srv} ${useCase}: has its RTDS template and pre-command`, () => {
      assert.ok(pairs.length >= 1);
    });
    for (const { template, pre, command } of pairs) {
      it(`${template} → ${pre} and ${command}`, () => {
        const request = parseRequest(parseXml(readFileSync(reference(template))).root);
        const { requestId } = request.header;
        assert.equal(request.header.commandVariant, 4);
        const result = transformer.preCommand(srv, type, {
          originator: euiFromDuis(requestId.originator),
          device: euiFromDuis(requestId.target),
          counter: requestId.counter,
          body: request.body,
          at: RTDS_AT,
        });
        assert.ok(result.ok, result.ok ? "" : result.reason);
        assert.equal(result.useCase, useCase);
        assert.equal(toHex(result.bytes), hex(pre));

        // CV5: the RTDS supplier's signature on these bytes, then the ACB's MAC.
        const sent = decodeFrame(fromHex(hex(command)));
        const signed = decodeFrame(
          Buffer.concat([result.bytes, Uint8Array.of(0x40), sent.signature ?? new Uint8Array(0)]),
        );
        const supplierDs = keys.signingPublicKey(signed.originator);
        assert.ok(supplierDs, "the RTDS supplier's DS certificate");
        assert.equal(verifySignature(signed, supplierDs), true);
        const protectedCommand = transformer.protectSigned(signed);
        assert.ok(protectedCommand.ok);
        assert.equal(toHex(protectedCommand.bytes), hex(command));
      });
    }
  }

  it("refuses a non-critical use case as a Pre-Command, and a critical one as a CV1 command", () => {
    const input = {
      originator: "90b3d51f30010000",
      device: "00db1234567890a0",
      counter: 5n,
      body: el("Empty"),
      at: 0,
    };
    assert.equal(transformer.preCommand("4.1.1", "ESME", input).ok, false);
    assert.equal(transformer.transform("7.1", "ESME", input).ok, false);
    assert.equal(transformer.preCommand("7.1", "GSME", input).ok, false, "no gas Enable Supply");
  });
});
