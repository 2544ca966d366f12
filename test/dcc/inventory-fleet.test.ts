import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryBus } from "../../src/bus/memory.js";
import {
  DEMO_NETWORK_OPERATOR,
  DEMO_SUPPLIER,
  FLEET_PREMISES_KEY,
  fleetEuis,
  mpanCheckDigit,
  premisesPlan,
  provisionFleet,
} from "../../src/dcc/fleet.js";
import { Inventory } from "../../src/dcc/inventory.js";
import { isMpan, isMprn, Registration } from "../../src/dcc/registration.js";
import { openSqliteStore } from "../../src/store/sqlite.js";

const NOW = Date.UTC(2026, 10, 28);

describe("fleet provisioning", () => {
  it("lays out premises deterministically with valid MPANs and MPRNs", () => {
    const p0 = premisesPlan(0);
    assert.deepEqual(p0, premisesPlan(0));
    assert.equal(p0.chf, "0a01000000000000");
    assert.equal(premisesPlan(255).esme, "0a030000000000ff");
    const plans = Array.from({ length: 6 }, (_, i) => premisesPlan(i));
    assert.deepEqual(
      plans.map((p) => p.region),
      ["North", "Central", "South", "North", "Central", "South"],
    );
    for (const p of plans) {
      assert.ok(isMpan(p.mpan) && !isMprn(p.mpan), p.mpan);
      assert.ok(isMprn(p.mprn), p.mprn);
      assert.equal(Number(p.mpan[12]), mpanCheckDigit(p.mpan.slice(0, 12)));
    }
    // Known check digit: 1200023305967 is a published example MPAN core.
    assert.equal(mpanCheckDigit("120002330596"), 7);
    const euis = fleetEuis(100);
    assert.equal(euis.length, 500);
    assert.equal(new Set(euis).size, 500);
    assert.throws(() => premisesPlan(-1), RangeError);
  });

  it("provisions devices and registrations, and adds only missing premises on rerun", async () => {
    const store = openSqliteStore({ file: ":memory:" });
    const progress: number[] = [];
    const first = await provisionFleet(store, {
      premises: 10,
      now: NOW,
      batchSize: 4,
      onProgress: (done) => progress.push(done),
    });
    assert.deepEqual(first, { premises: 10, added: 10 });
    assert.deepEqual(progress, [4, 8, 10]);
    const counts = await store.devices.counts();
    assert.equal(
      counts.reduce((n, c) => n + c.count, 0),
      50,
    );
    assert.ok(counts.every((c) => c.status === "Commissioned"));
    const north = counts.filter((c) => c.region === "North").reduce((n, c) => n + c.count, 0);
    assert.equal(north, 4 * 5); // premises 0, 3, 6, 9

    const plan = premisesPlan(7);
    const inventory = new Inventory(store.devices);
    const esme = await inventory.device(plan.esme);
    assert.deepEqual(esme, {
      eui: plan.esme,
      type: "ESME",
      status: "Commissioned",
      hubEui: plan.chf,
      mpxn: plan.mpan,
      region: plan.region,
      updatedAt: NOW,
    });
    assert.equal((await inventory.hubOf(plan.gsme))?.type, "CHF");
    assert.equal((await inventory.hubOf(plan.chf))?.eui, plan.chf);
    assert.equal((await inventory.premisesOf(plan.ihd)).length, 5);
    assert.deepEqual((await inventory.byMpxn(plan.mprn)).map((d) => d.type).sort(), ["GPF", "GSME"]);
    assert.equal(await inventory.device("ffffffffffffffff"), undefined);

    const rdp = new Registration(store.registrations);
    assert.equal(await rdp.importSupplier(plan.mpan, NOW), DEMO_SUPPLIER.eui);
    assert.equal(await rdp.gasSupplier(plan.mprn, NOW), DEMO_SUPPLIER.eui);
    assert.equal(await rdp.networkOperator(plan.mpan, NOW), DEMO_NETWORK_OPERATOR.eui);
    assert.equal(await rdp.networkOperator(plan.mprn, NOW), DEMO_NETWORK_OPERATOR.eui);
    assert.equal(await rdp.importSupplier(plan.mpan, Date.UTC(2019, 0, 1)), undefined);
    assert.deepEqual(await rdp.rolesOnDevice(esme!, DEMO_SUPPLIER.eui, NOW), ["IS"]);
    assert.deepEqual(await rdp.rolesOnDevice(esme!, DEMO_NETWORK_OPERATOR.eui, NOW), ["ED"]);
    const gsme = (await inventory.device(plan.gsme))!;
    assert.deepEqual(await rdp.rolesOnDevice(gsme, DEMO_SUPPLIER.eui, NOW), ["GS"]);
    assert.deepEqual(await rdp.rolesOnDevice(gsme, DEMO_NETWORK_OPERATOR.eui, NOW), ["GT"]);
    assert.deepEqual(
      await rdp.rolesOnDevice((await inventory.device(plan.ihd))!, DEMO_SUPPLIER.eui, NOW),
      [],
    );
    assert.equal(await rdp.holds(DEMO_SUPPLIER.eui, "IS", plan.mpan, NOW), true);
    assert.equal(await rdp.holds(DEMO_NETWORK_OPERATOR.eui, "IS", plan.mpan, NOW), false);

    // A status change survives a rerun of provisioning, which adds only the new premises.
    await inventory.setStatus(plan.esme, "Suspended", NOW + 1);
    assert.deepEqual(await provisionFleet(store, { premises: 10, now: NOW + 2 }), { premises: 10, added: 0 });
    assert.deepEqual(await provisionFleet(store, { premises: 12, now: NOW + 2 }), { premises: 12, added: 2 });
    assert.deepEqual(await provisionFleet(store, { premises: 5, now: NOW + 2 }), { premises: 12, added: 0 });
    assert.equal((await inventory.device(plan.esme))?.status, "Suspended");
    assert.equal(await store.meta.get(FLEET_PREMISES_KEY), "12");
    assert.equal((await store.devices.list({ limit: 100 })).length, 60);
    await store.close();
  });

  it("publishes SMI status changes on the bus", async () => {
    const store = openSqliteStore({ file: ":memory:" });
    await provisionFleet(store, { premises: 1, now: NOW });
    const bus = new MemoryBus();
    const seen: string[] = [];
    bus.subscribe("device.status", (e) => {
      seen.push(`${e.eui}:${e.status}`);
    });
    const inventory = new Inventory(store.devices, bus);
    assert.equal(await inventory.setStatus(premisesPlan(0).gsme, "Suspended", NOW), true);
    assert.equal(await inventory.setStatus("ffffffffffffffff", "Suspended", NOW), false);
    await bus.drain();
    assert.deepEqual(seen, [`${premisesPlan(0).gsme}:Suspended`]);
    await bus.close();
    await store.close();
  });
});
