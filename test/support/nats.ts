/**
 * The machine's NATS server (JetStream on) for tests: every test file gets its own subject prefixes
 * (`mwtest.<random>.<n>.`, so streams `MWTEST_<RANDOM>_<N>_…`), and its streams are deleted when the
 * file's tests end, so runs never collide and leave nothing behind.
 *
 * The server is nats://127.0.0.1:4222 (METERWAY_TEST_NATS_URL overrides). When it cannot be reached
 * or has JetStream off, the tests fail, saying how to start it (CI starts it: .ci/run); a developer
 * without NATS sets METERWAY_TEST_NO_NATS=1 to skip them instead.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, it } from "node:test";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";

export const NATS_TEST_URL = process.env.METERWAY_TEST_NATS_URL ?? "nats://127.0.0.1:4222";

export interface TestNats {
  readonly url: string;
  /** A fresh subject prefix no other run or test uses. */
  prefix(): string;
  /** A plain connection and its JetStream manager, for checks and raw messages the port does not offer. */
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
}

/**
 * Connects to the test server, or registers one test that fails (or, with METERWAY_TEST_NO_NATS=1,
 * is skipped) with the reason, and resolves undefined. Deletes this file's streams when its tests end.
 */
export async function testNats(what: string): Promise<TestNats | undefined> {
  let nc: NatsConnection | undefined;
  let jsm: JetStreamManager;
  try {
    nc = await connect({ servers: NATS_TEST_URL, timeout: 3000, name: "meterway-test" });
    jsm = await jetstreamManager(nc);
  } catch (error) {
    await nc?.close().catch(() => {});
    const reason = `NATS with JetStream is not reachable at ${NATS_TEST_URL} (${error instanceof Error ? error.message : String(error)})`;
    if (process.env.METERWAY_TEST_NO_NATS === "1") {
      it(what, { skip: `${reason}; skipped because METERWAY_TEST_NO_NATS=1` }, () => {});
    } else {
      it(what, () => {
        assert.fail(
          `${reason}. Start it (Debian: apt install nats-server; nats-server -a 127.0.0.1 -p 4222 -js &), point METERWAY_TEST_NATS_URL at another server, or set METERWAY_TEST_NO_NATS=1 to skip these tests.`,
        );
      });
    }
    return undefined;
  }
  const run = randomBytes(5).toString("hex");
  let made = 0;
  const connection = nc;
  after(async () => {
    const mine = `MWTEST_${run.toUpperCase()}_`;
    const names: string[] = [];
    for await (const name of jsm.streams.names()) if (name.startsWith(mine)) names.push(name);
    for (const name of names) await jsm.streams.delete(name);
    await connection.close();
  });
  return {
    url: NATS_TEST_URL,
    prefix: () => `mwtest.${run}.${++made}.`,
    nc,
    jsm,
  };
}
