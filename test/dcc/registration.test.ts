import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMpan, isMprn, Registration } from "../../src/dcc/registration.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import type { DeviceRecord } from "../../src/store/types.js";

const D = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const OLD = "90b3d51f30a00001";
const NEW = "90b3d51f30b00001";
const DNO = "90b3d51f30a00002";
const MPAN = "1612345678903";

describe("RDP registration", () => {
  it("follows a change of supplier by effective date", async () => {
    const store = openSqliteStore({ file: ":memory:" });
    const rdp = new Registration(store.registrations);
    await store.registrations.put([
      { mpxn: MPAN, role: "IS", partyEui: OLD, effectiveFrom: D(2020, 1, 1), effectiveTo: null },
      { mpxn: MPAN, role: "ED", partyEui: DNO, effectiveFrom: D(2020, 1, 1), effectiveTo: null },
    ]);
    await store.registrations.close(MPAN, "IS", D(2026, 6, 1));
    await store.registrations.put([
      { mpxn: MPAN, role: "IS", partyEui: NEW, effectiveFrom: D(2026, 6, 1), effectiveTo: null },
    ]);
    assert.equal(await rdp.importSupplier(MPAN, D(2026, 5, 31)), OLD);
    assert.equal(await rdp.importSupplier(MPAN, D(2026, 6, 1)), NEW);
    assert.equal(await rdp.networkOperator(MPAN, D(2026, 6, 1)), DNO);
    assert.equal(await rdp.holds(OLD, "IS", MPAN, D(2026, 7, 1)), false);
    const esme: DeviceRecord = {
      eui: "0a03000000000001",
      type: "ESME",
      status: "Commissioned",
      hubEui: "0a01000000000001",
      mpxn: MPAN,
      region: "North",
      updatedAt: 0,
    };
    assert.deepEqual(await rdp.rolesOnDevice(esme, NEW, D(2026, 7, 1)), ["IS"]);
    assert.deepEqual(await rdp.rolesOnDevice(esme, OLD, D(2026, 7, 1)), []);
    assert.deepEqual(await rdp.rolesOnDevice({ ...esme, mpxn: null }, NEW, D(2026, 7, 1)), []);
    await store.close();
  });

  it("tells MPANs from MPRNs", () => {
    assert.ok(isMpan("1612345678903"));
    assert.ok(!isMpan("161234567890"));
    assert.ok(isMprn("7000000001"));
    assert.ok(isMprn("123456"));
    assert.ok(!isMprn("12345"));
    assert.ok(!isMprn("1612345678903"));
  });
});
