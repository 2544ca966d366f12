/**
 * The PostgreSQL store against the machine's server (test/support/postgres.ts): the store contract,
 * then what only a networked, multi-node store has to get right: races between two pools (two
 * nodes), rollback, concurrent migration, uint64 and bytea fidelity.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore } from "../../src/cli/compose.js";
import { ConfigError, resolveConfig } from "../../src/config/config.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import { POSTGRES_MIGRATIONS } from "../../src/store/postgres-migrations.js";
import { redactPostgresUrl } from "../../src/store/postgres-url.js";
import { testPostgres } from "../support/postgres.js";
import { device, request, T0 } from "../support/store-records.js";
import { storeContract, upgradeWithTwoInFlight } from "./contract.js";

const UINT64_MAX = 18446744073709551615n;

const server = await testPostgres("postgres store");

if (server !== undefined) {
  const open = async (schema?: string) =>
    openPostgresStore({ url: server.url, schema: schema ?? (await server.schema()) });

  storeContract("postgres", () => open());

  describe("postgres store", () => {
    it("lets exactly one of two nodes accept each counter value", async () => {
      const schema = await server.schema();
      const [a, b] = await Promise.all([open(schema), open(schema)]);
      try {
        // Both nodes offer each value at once (values in turn: out of order, a lower one loses anyway).
        for (let i = 1n; i <= 50n; i++) {
          const [x, y] = await Promise.all([a.counters.advance("o", i), b.counters.advance("o", i)]);
          assert.equal(Number(x) + Number(y), 1, `counter ${i}`);
        }
        // A burst of one value from both nodes at once, on a new originator (the insert race).
        const burst = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).counters.advance("fresh", 7n)),
        );
        assert.equal(burst.filter(Boolean).length, 1);
        assert.equal(await b.counters.get("o"), 50n);
        const cas = await Promise.all([
          a.counters.compareAndSet("o", 50n, 51n),
          b.counters.compareAndSet("o", 50n, 52n),
        ]);
        assert.equal(cas.filter(Boolean).length, 1);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("rolls back a transaction that throws, and its connection serves again", async () => {
      const store = await open();
      try {
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.devices.put([device("00000000000000a1")]);
            await tx.requests.insert(request("r1"));
            await tx.requests.insert(request("r1")); // duplicate key: PostgreSQL aborts the transaction
          }),
          /duplicate key/,
        );
        assert.equal(await store.devices.get("00000000000000a1"), undefined);
        assert.equal(await store.requests.get("r1"), undefined);
        // Every pooled connection is usable afterwards (none left inside an aborted transaction).
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.meta.set(`k${i}`, "v")));
        await store.transaction(async (tx) => {
          await tx.requests.insert(request("r1"));
          await tx.counters.advance("o", 1n);
        });
        assert.equal((await store.requests.get("r1"))?.id, "r1");
        assert.equal(await store.counters.get("o"), 1n);
      } finally {
        await store.close();
      }
    });

    it("migrates once when several nodes start at the same time", async () => {
      const schema = await server.schema();
      const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema)));
      const latest = POSTGRES_MIGRATIONS.at(-1)!.version;
      for (const s of stores) assert.equal(s.schemaVersion, latest);
      const recorded = await server.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      assert.deepEqual(
        recorded.rows.map((r) => r.version),
        POSTGRES_MIGRATIONS.map((m) => m.version),
      );
      await Promise.all(stores.map((s) => s.close()));
    });

    it("upgrades an older schema and refuses one written by a newer version", async () => {
      const schema = await server.schema();
      const old = await openPostgresStore({
        url: server.url,
        schema,
        migrations: POSTGRES_MIGRATIONS.slice(0, 1),
      });
      assert.equal(old.schemaVersion, 1);
      await old.devices.put([device("00000000000000b1")]);
      await old.close();
      const upgraded = await open(schema);
      assert.ok(upgraded.schemaVersion >= 2);
      assert.equal((await upgraded.devices.counts())[0]?.count, 1);
      await upgraded.close();
      const newer = await openPostgresStore({
        url: server.url,
        schema,
        migrations: [
          ...POSTGRES_MIGRATIONS,
          { version: 99, name: "extra", sql: "CREATE TABLE extra (x INTEGER)" },
        ],
      });
      assert.equal(newer.schemaVersion, 99);
      await newer.close();
      await assert.rejects(open(schema), /newer version/);
    });

    it("upgrades a schema with two commands in flight to one device (migration 6)", async () => {
      const schema = await server.schema();
      await upgradeWithTwoInFlight(
        () =>
          openPostgresStore({
            url: server.url,
            schema,
            migrations: POSTGRES_MIGRATIONS.filter((m) => m.version < 6),
          }),
        () => open(schema),
      );
    });

    it("keeps uint64 counters, bytes and instants exact", async () => {
      const store = await open();
      try {
        assert.equal(await store.counters.advance("o", UINT64_MAX - 1n), true);
        assert.equal(await store.counters.advance("o", UINT64_MAX), true);
        assert.equal(await store.counters.get("o"), UINT64_MAX);
        assert.equal(await store.counters.advance("o", UINT64_MAX), false);
        assert.equal(await store.counters.compareAndSet("o", UINT64_MAX, 2n ** 53n + 1n), true);
        assert.equal(await store.counters.get("o"), 2n ** 53n + 1n);
        await assert.rejects(store.counters.advance("o", -1n), RangeError);

        const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
        const later = Date.UTC(2200, 0, 1, 0, 0, 0, 1);
        await store.requests.insert(
          request("big", { counter: UINT64_MAX, gbcsCommand: bytes.subarray(1, 200), executeAt: later }),
        );
        const got = await store.requests.get("big");
        assert.equal(got?.counter, UINT64_MAX);
        assert.deepEqual(got?.gbcsCommand, bytes.subarray(1, 200));
        assert.ok(got?.gbcsCommand instanceof Uint8Array && !Buffer.isBuffer(got.gbcsCommand));
        assert.equal(got?.executeAt, later);
        assert.equal(got?.gbcsResponse, null);
      } finally {
        await store.close();
      }
    });

    it("gives each user's delivery lease to one node only", async () => {
      const schema = await server.schema();
      const [a, b] = await Promise.all([open(schema), open(schema)]);
      try {
        const users = Array.from({ length: 20 }, (_, i) => `90b3d51f300${String(i).padStart(2, "0")}000`);
        for (const eui of users) {
          await a.users.put({
            eui,
            name: eui,
            roles: ["IS"],
            receiveResponseUrl: "http://192.0.2.1/",
            certificates: [],
          });
          await a.outbox.enqueue({
            id: `m-${eui}`,
            userEui: eui,
            kind: "response",
            requestId: null,
            body: "<x/>",
            nextAttemptAt: T0,
            createdAt: T0,
            expiresAt: T0 + 86_400_000,
          });
        }
        // Both nodes see every user due and race for each lease, several times over.
        const due = await Promise.all([a.outbox.dueUsers(T0, 100), b.outbox.dueUsers(T0, 100)]);
        assert.deepEqual(due[0]!.sort(), [...users].sort());
        const won = await Promise.all(
          users.flatMap((eui) =>
            [0, 1, 2, 3].map(async (i) => {
              const node = i % 2 === 0 ? a : b;
              const ok = await node.outbox.acquireLease(eui, `node-${i}`, T0, T0 + 30_000);
              return ok ? eui : null;
            }),
          ),
        );
        const winners = won.filter((eui) => eui !== null);
        assert.equal(winners.length, users.length);
        assert.equal(new Set(winners).size, users.length);
        assert.deepEqual(await b.outbox.dueUsers(T0 + 1, 100), [], "leased users are not due");
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("is opened by --store postgres://, and an unreachable server is a ConfigError without the password", async () => {
      const schema = await server.schema();
      const store = await openStore(resolveConfig({ store: server.urlFor(schema) }));
      assert.equal(store.kind, "postgres");
      await store.ping();
      await store.close();

      const url = "postgres://meter:s3cret@127.0.0.1:1/test";
      const error = await openStore(resolveConfig({ store: url })).then(
        () => assert.fail("opened a store on port 1"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, /127\.0\.0\.1:1/);
      assert.doesNotMatch(error.message, /s3cret/);
      assert.equal(redactPostgresUrl(url), "postgres://meter:***@127.0.0.1:1/test");
    });
  });
}
