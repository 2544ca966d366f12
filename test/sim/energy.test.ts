import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ImportEnergy, profileFromSeed, seedFromEui } from "../../src/sim/energy.js";

describe("import energy model", () => {
  it("never decreases, and advances about the mean power over a day", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 10 * 365 * 86_400 }),
        (seed, t) => {
          const energy = new ImportEnergy(profileFromSeed(seed));
          const t0 = Date.UTC(2025, 0, 1) + t * 1000;
          const a = energy.at(t0);
          const b = energy.at(t0 + 60_000);
          const day = energy.at(t0 + 86_400_000);
          assert.ok(b.activeWh >= a.activeWh && b.reactiveVarh >= a.reactiveVarh);
          const expected = energy.profile.meanW * 24;
          assert.ok(
            Math.abs(day.activeWh - a.activeWh - expected) <= 2,
            `${day.activeWh - a.activeWh} vs ${expected}`,
          );
        },
      ),
    );
  });

  it("is the same for the same EUI and differs between EUIs", () => {
    const at = Date.UTC(2026, 0, 1);
    const a = new ImportEnergy(profileFromSeed(seedFromEui("00DB1234567890A0"))).at(at);
    const b = new ImportEnergy(profileFromSeed(seedFromEui("00db1234567890a0"))).at(at);
    const c = new ImportEnergy(profileFromSeed(seedFromEui("00DB1234567890A1"))).at(at);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it("reads the start value before installation", () => {
    const energy = new ImportEnergy(profileFromSeed(3));
    assert.equal(energy.at(0).activeWh, energy.profile.startWh);
  });
});
