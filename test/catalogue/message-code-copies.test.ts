/**
 * The layers that may not import the catalogue (gbcs, sim) keep their own message codes; the dcc
 * transforms read the catalogue's table. This checks every such copy against the one use-case
 * table, so a code changed in one place fails here rather than on a device.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  gbcsMessageCodes,
  linkExceptions,
  messageCodeEntry,
  messageCodeOf,
  type Srv,
  useCaseDisagreements,
  useCasesForSrv,
} from "../../src/catalogue/index.js";
import { COMMAND_SPECS } from "../../src/dcc/transform/index.js";
import { ECS17B_MESSAGE_CODE } from "../../src/gbcs/dlms/use-cases/ecs17b.js";
import { GCS13A_MESSAGE_CODE } from "../../src/gbcs/gbz/use-cases/gcs13a.js";
import { MESSAGE_CODES } from "../../src/gbcs/message-codes.js";
import { ESME_USE_CASES } from "../../src/sim/cosem/esme-objects.js";
import { GAS_SUPPLY_COMMANDS } from "../../src/sim/gas-supply.js";
import { SUPPLY_COMMANDS } from "../../src/sim/supply.js";

describe("catalogue: copies of the message codes agree with the use-case table", () => {
  it("gbcs use-case constants", () => {
    assert.equal(ECS17B_MESSAGE_CODE, messageCodeOf("ECS17b"));
    assert.equal(GCS13A_MESSAGE_CODE, messageCodeOf("GCS13a"));
  });

  it("the gbcs payload table names the table's use case for every code both know", () => {
    for (const e of gbcsMessageCodes) {
      const g = MESSAGE_CODES.get(e.messageCode);
      if (g === undefined || g.useCase === undefined) continue;
      const listed = useCaseDisagreements.some(
        (d) => d.messageCode === e.messageCode && d.about === "useCase",
      );
      if (!listed) assert.equal(g.useCase, e.useCase, `0x${e.messageCode.toString(16)}`);
    }
  });

  it("the simulated devices' supply commands", () => {
    for (const [code, c] of SUPPLY_COMMANDS) assert.equal(messageCodeEntry(code)?.useCase, c.useCase);
    assert.deepEqual([...GAS_SUPPLY_COMMANDS.keys()], [messageCodeOf("GCS32"), messageCodeOf("GCS39")]);
  });

  it("the simulated ESME's use-case facts (generated from RTDS) agree where the table knows the code", () => {
    for (const u of ESME_USE_CASES) {
      const e = messageCodeEntry(u.messageCode);
      if (e === undefined) continue; // codes after the table's sources (0x011A…): RTDS only
      assert.ok(e.useCase !== null && u.useCase.startsWith(e.useCase), `${u.useCase} is ${e.useCase}`);
      if (e.critical !== null) assert.equal(u.critical, e.critical, `${u.useCase} critical`);
    }
  });

  it("the dcc's command specs", () => {
    for (const t of COMMAND_SPECS) {
      // A use case newer than the reference list (linkExceptions): its code is the gbcs table's.
      if (linkExceptions.some((x) => x.srv === t.srv && x.useCase === t.useCase)) {
        assert.equal(MESSAGE_CODES.get(t.messageCode)?.useCase, t.useCase, `${t.srv} ${t.useCase}`);
        continue;
      }
      const e = messageCodeEntry(t.messageCode);
      assert.equal(e?.useCase, t.useCase, `${t.srv} ${t.useCase}`);
      // The table's SRVs for the code, or the SRV → use-case links (which name CS08 for 11.2).
      const linked = useCasesForSrv(t.srv as Srv).some((l) => l.useCase === t.useCase);
      assert.ok(
        linked || (e?.srvs as readonly string[] | undefined)?.includes(t.srv),
        `${t.useCase} serves ${t.srv}`,
      );
    }
  });
});
