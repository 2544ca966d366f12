import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { SQLITE_MIGRATIONS } from "../../src/store/migrations.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import { euiFromDuis, euiToDuis } from "../../src/store/types.js";
import { device } from "../support/store-records.js";
import { storeContract, upgradeWithTwoInFlight } from "./contract.js";

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "meterway-store-"));
  dirs.push(dir);
  return join(dir, "test.db");
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

storeContract("sqlite in memory", () => openSqliteStore({ file: ":memory:" }));
storeContract("sqlite file", () => openSqliteStore({ file: tempFile() }));

describe("sqlite store", () => {
  it("applies migrations once and reopens without reapplying", async () => {
    const file = tempFile();
    const first = openSqliteStore({ file });
    assert.equal(first.schemaVersion, SQLITE_MIGRATIONS.at(-1)!.version);
    await first.meta.set("k", "v");
    await first.close();
    const second = openSqliteStore({ file });
    assert.equal(await second.meta.get("k"), "v");
    await second.close();
    const third = openSqliteStore({
      file,
      migrations: [
        ...SQLITE_MIGRATIONS,
        { version: 99, name: "extra", sql: "CREATE TABLE extra (x INTEGER)" },
      ],
    });
    assert.equal(third.schemaVersion, 99);
    await third.close();
    // The file now has a migration this code does not know: refuse rather than guess.
    assert.throws(() => openSqliteStore({ file }), /newer version/);
  });

  it("upgrades requests to custody: final ones answered, open ones unowned", async () => {
    const file = tempFile();
    await openSqliteStore({ file, migrations: SQLITE_MIGRATIONS.slice(0, 2) }).close();
    const db = new Database(file);
    const insert = db.prepare(
      `INSERT INTO requests (id, request_id, originator, target, counter, srv, command_variant, state,
         received_at, updated_at) VALUES (?, 'A:B:1', 'a', 'b', '00000000000000000001', '4.1.1', 1, ?, 1, 1)`,
    );
    for (const [id, state] of [
      ["done", "responded"],
      ["refused", "failed"],
      ["open", "acknowledged"],
      ["onWan", "sent"],
    ]) {
      insert.run(id, state);
    }
    db.close();
    const upgraded = openSqliteStore({ file });
    const custody = async (id: string) => (await upgraded.requests.custody(id))?.answered;
    assert.deepEqual(await Promise.all(["done", "refused", "open", "onWan"].map(custody)), [
      true,
      true,
      false,
      false,
    ]);
    assert.equal((await upgraded.requests.custody("open"))?.owner, null);
    assert.deepEqual(
      (await upgraded.requests.takeOver({ owner: "n", expiresAt: 2 }, 1, { own: false })).map((r) => r.id),
      ["open", "onWan"],
    );
    await upgraded.close();
  });

  it("upgrades a store written by an older version", async () => {
    const file = tempFile();
    const old = openSqliteStore({ file, migrations: SQLITE_MIGRATIONS.slice(0, 1) });
    assert.equal(old.schemaVersion, 1);
    await old.devices.put([device("00000000000000b1")]);
    await old.close();
    const upgraded = openSqliteStore({ file });
    assert.equal(upgraded.schemaVersion, SQLITE_MIGRATIONS.at(-1)!.version);
    assert.ok(upgraded.schemaVersion >= 2);
    assert.equal((await upgraded.devices.counts())[0]?.count, 1);
    await upgraded.close();
  });

  it("upgrades a store with two commands in flight to one device (migration 6)", async () => {
    const file = tempFile();
    await upgradeWithTwoInFlight(
      async () => openSqliteStore({ file, migrations: SQLITE_MIGRATIONS.filter((m) => m.version < 6) }),
      async () => openSqliteStore({ file }),
    );
  });

  it("keeps data across reopen in WAL mode", async () => {
    const file = tempFile();
    const a = openSqliteStore({ file });
    await a.devices.put([device("00000000000000a1")]);
    await a.close();
    const b = openSqliteStore({ file });
    assert.deepEqual(await b.devices.get("00000000000000a1"), device("00000000000000a1"));
    await b.close();
  });

  it("keeps counters race-free across two connections to one file", async () => {
    const file = tempFile();
    const a = openSqliteStore({ file });
    const b = openSqliteStore({ file });
    const calls = [];
    for (let i = 1n; i <= 20n; i++) calls.push(a.counters.advance("o", i), b.counters.advance("o", i));
    const results = await Promise.all(calls);
    // Each counter value is accepted by exactly one of the two connections.
    for (let i = 0; i < results.length; i += 2) assert.equal(Number(results[i]) + Number(results[i + 1]), 1);
    assert.equal(await a.counters.get("o"), 20n);
    await a.close();
    await b.close();
  });

  it("makes calls outside a running transaction wait for its commit", async () => {
    const store = openSqliteStore({ file: ":memory:" });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const order: string[] = [];
    const tx = store.transaction(async (t) => {
      await t.meta.set("b", "inside");
      await gate;
      order.push("tx-commit");
    });
    const outside = store.meta.get("b").then((v) => {
      order.push(`outside:${v}`);
    });
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([tx, outside]);
    assert.deepEqual(order, ["tx-commit", "outside:inside"]);
    await store.close();
  });

  it("converts EUIs between DUIS and GBCS forms", () => {
    assert.equal(euiFromDuis("90-B3-D5-1F-30-00-00-02"), "90b3d51f30000002");
    assert.equal(euiToDuis("90b3d51f30000002"), "90-B3-D5-1F-30-00-00-02");
    assert.throws(() => euiFromDuis("90-B3"), RangeError);
  });
});
