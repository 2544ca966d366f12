/**
 * The machine's PostgreSQL for tests: every test file gets its own schemas (`mw_<random>`), created
 * on demand and dropped at the end, so runs never collide and leave nothing behind.
 *
 * The server is 127.0.0.1:5432, database `test`, trust auth (METERWAY_TEST_POSTGRES_URL overrides).
 * When it cannot be reached the tests fail, saying how to start it (CI starts it: .ci/run); a
 * developer without PostgreSQL sets METERWAY_TEST_NO_POSTGRES=1 to skip them instead.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, it } from "node:test";
import pg from "pg";

export const POSTGRES_TEST_URL =
  process.env.METERWAY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestPostgres {
  readonly url: string;
  /** Creates a fresh, empty schema and returns its name. */
  schema(): Promise<string>;
  /** A URL whose connections use `schema` (search_path in the startup options). */
  urlFor(schema: string): string;
  /** Runs one statement as the admin connection (for checks the port does not offer). */
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult<Record<string, unknown>>>;
}

/**
 * Connects to the test server, or registers one test that fails (or, with
 * METERWAY_TEST_NO_POSTGRES=1, is skipped) with the reason, and resolves undefined. Drops this file's
 * schemas when the file's tests end.
 */
export async function testPostgres(what: string): Promise<TestPostgres | undefined> {
  const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    await admin.end().catch(() => {});
    const reason = `PostgreSQL is not reachable at ${POSTGRES_TEST_URL} (${error instanceof Error ? error.message : String(error)})`;
    if (process.env.METERWAY_TEST_NO_POSTGRES === "1") {
      it(what, { skip: `${reason}; skipped because METERWAY_TEST_NO_POSTGRES=1` }, () => {});
    } else {
      it(what, () => {
        assert.fail(
          `${reason}. Start it (Debian: apt install postgresql; pg_ctlcluster 15 main start; createdb -U postgres test), point METERWAY_TEST_POSTGRES_URL at another server, or set METERWAY_TEST_NO_POSTGRES=1 to skip these tests.`,
        );
      });
    }
    return undefined;
  }
  const schemas: string[] = [];
  after(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });
  return {
    url: POSTGRES_TEST_URL,
    async schema() {
      const name = `mw_${randomBytes(6).toString("hex")}`;
      await admin.query(`CREATE SCHEMA ${name}`);
      schemas.push(name);
      return name;
    },
    urlFor(schema) {
      const url = new URL(POSTGRES_TEST_URL);
      url.searchParams.set("options", `-c search_path=${schema}`);
      return url.toString();
    },
    query: (sql, params = []) => admin.query(sql, params),
  };
}
