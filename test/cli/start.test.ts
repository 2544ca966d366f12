import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Dcc } from "../../src/cli/compose.js";
import { parseStartArgs, runStart, start } from "../../src/cli/start.js";
import { ConfigError, DEFAULT_LIMITS, type MeterwayConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { captureIo } from "../support/cli-io.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "meterway-start-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const capture = () => captureIo();

const NOW = Date.UTC(2026, 10, 28, 12);

/** Runs the DCC, calls `use` once it listens, then stops it; returns the exit code and output. */
async function runOnce(config: MeterwayConfig, use: (dcc: Dcc, url: string) => Promise<void>) {
  const io = capture();
  const stop = new AbortController();
  let failure: unknown;
  const code = await runStart(config, io.io, {
    signal: stop.signal,
    now: () => NOW,
    onListening: (dcc, url) => {
      use(dcc, url)
        .catch((error: unknown) => {
          failure = error;
        })
        .finally(() => stop.abort());
    },
  });
  if (failure !== undefined) throw failure;
  return { code, out: io.out(), err: io.err() };
}

describe("meterway start flags", () => {
  it("resolves delivery flags: receive-URL allow-list, who sets URLs, the backlog cap, the admin token", () => {
    const cwd = tempDir();
    const cluster = parseStartArgs(["--store", "postgres://x@127.0.0.1/db"], cwd, {}) as MeterwayConfig;
    assert.deepEqual(cluster.delivery.receiveUrlAllow, [], "cluster mode: no internal address by default");
    assert.equal(cluster.delivery.usersSetReceiveUrl, false, "cluster mode: the operator sets receive URLs");
    const set = parseStartArgs(
      [
        "--receive-url-allow",
        "loopback, 10.20.0.0/16,receiver.internal",
        "--user-receive-url",
        "refuse",
        "--max-pending-per-user",
        "500",
      ],
      cwd,
      {},
    ) as MeterwayConfig;
    assert.deepEqual(set.delivery, {
      receiveUrlAllow: ["loopback", "10.20.0.0/16", "receiver.internal"],
      usersSetReceiveUrl: false,
      maxPendingPerUser: 500,
    });
    const none = parseStartArgs(["--receive-url-allow", "none"], cwd, {}) as MeterwayConfig;
    assert.deepEqual(none.delivery.receiveUrlAllow, []);
  });

  it("resolves defaults and flags", () => {
    const cwd = tempDir();
    const defaults = parseStartArgs([], cwd, {});
    assert.notEqual(defaults, "help");
    const d = defaults as MeterwayConfig;
    assert.equal(d.premises, 100);
    assert.equal(d.port, 8079);
    assert.equal(d.dataDir, join(cwd, "var"));
    assert.deepEqual(d.store, {
      kind: "sqlite",
      file: join(cwd, "var", "meterway.db"),
      synchronous: "NORMAL",
    });
    assert.deepEqual(d.bus, { kind: "memory" });
    assert.equal(d.pkiDir, join(cwd, "var", "pki"));
    assert.equal(d.pkiGiven, false);
    assert.equal(d.profile, "demo");
    assert.equal(d.host, "127.0.0.1", "this machine only unless --host opens it");
    assert.deepEqual(d.tls, { kind: "off" });
    assert.deepEqual(d.limits, DEFAULT_LIMITS);
    const c = parseStartArgs(
      [
        "--premises",
        "7",
        "--port",
        "0",
        "--data",
        "d",
        "--store",
        "postgres://db/x",
        "--pki",
        "/keys",
        "--profile",
        "rtds",
      ],
      cwd,
    ) as MeterwayConfig;
    assert.equal(c.premises, 7);
    assert.equal(c.port, 0);
    assert.equal(c.dataDir, join(cwd, "d"));
    assert.deepEqual(c.store, { kind: "postgres", url: "postgres://db/x" });
    assert.equal(c.pkiDir, "/keys");
    assert.equal(c.pkiGiven, true);
    assert.equal(c.profile, "rtds");
    assert.deepEqual(d.delivery, {
      receiveUrlAllow: ["loopback"],
      usersSetReceiveUrl: true,
      maxPendingPerUser: 10_000,
    });
    assert.equal(parseStartArgs(["-h"], cwd), "help");
    assert.equal(d.wanTimeScale, 1);
    assert.equal((parseStartArgs(["--wan-time-scale", "0.05"], cwd) as MeterwayConfig).wanTimeScale, 0.05);
    const full = parseStartArgs(["--store", "sqlite:db/x.db?synchronous=full"], cwd) as MeterwayConfig;
    assert.deepEqual(full.store, {
      kind: "sqlite",
      file: join(cwd, "db/x.db"),
      synchronous: "FULL",
    });
  });

  it("resolves the TLS, operator and limit flags", () => {
    const cwd = tempDir();
    const generated = parseStartArgs(
      ["--tls", "--tls-client-ca", "ca.pem", "--operator-cert-sha256", `${"AB:".repeat(31)}AB`],
      cwd,
    ) as MeterwayConfig;
    assert.deepEqual(generated.tls, { kind: "generated", clientCaFile: join(cwd, "ca.pem") });
    assert.deepEqual(generated.operator.certSha256, ["ab".repeat(32)]);
    const files = parseStartArgs(
      ["--tls-cert", "s.pem", "--tls-key", "s.key", "--operator-token-file", "/run/token"],
      cwd,
    ) as MeterwayConfig;
    assert.deepEqual(files.tls, { kind: "files", certFile: join(cwd, "s.pem"), keyFile: join(cwd, "s.key") });
    assert.equal(files.operator.tokenFile, "/run/token");
    const limits = (
      parseStartArgs(
        [
          "--request-timeout",
          "5",
          "--headers-timeout",
          "2.5",
          "--max-connections",
          "10",
          "--max-streams-per-address",
          "2",
          "--address-rate",
          "50/200",
          "--refusal-rate",
          "0",
          "--user-rate",
          "20",
        ],
        cwd,
      ) as MeterwayConfig
    ).limits;
    assert.equal(limits.requestTimeoutMs, 5000);
    assert.equal(limits.headersTimeoutMs, 2500);
    assert.equal(limits.maxConnections, 10);
    assert.equal(limits.maxStreamsPerAddress, 2);
    assert.deepEqual(limits.addressRate, { ratePerSecond: 50, burst: 200 });
    assert.equal(limits.refusalRate, null, "0 turns a limit off");
    assert.deepEqual(limits.userRate, { ratePerSecond: 20, burst: 40 });
  });

  it("refuses bad TLS, operator and limit flags with a reason", () => {
    assert.throws(() => parseStartArgs(["--tls-cert", "s.pem"]), /--tls-cert and --tls-key go together/);
    assert.throws(() => parseStartArgs(["--tls-client-ca", "ca.pem"]), /needs TLS/);
    assert.throws(() => parseStartArgs(["--tls", "--operator-ca", "op.pem"]), /need mutual TLS/);
    assert.throws(
      () => parseStartArgs(["--tls", "--tls-client-ca", "c", "--operator-cert-sha256", "abc"]),
      /64 hex/,
    );
    assert.throws(
      () => parseStartArgs(["--headers-timeout", "40"]),
      /cannot be longer than --request-timeout/,
    );
    assert.throws(() => parseStartArgs(["--max-connections", "0"]), /above 0/);
    assert.throws(() => parseStartArgs(["--user-rate", "fast"]), /RATE\/BURST/);
  });

  it("refuses bad flags with a reason", () => {
    // The node id: given, or the host and the data folder (the same across restarts).
    assert.equal((parseStartArgs(["--node-id", "dcc-a:1"]) as MeterwayConfig).nodeId, "dcc-a:1");
    const again = parseStartArgs(["--port", "0"]) as MeterwayConfig;
    assert.equal(again.nodeId, (parseStartArgs(["--port", "9"]) as MeterwayConfig).nodeId);
    assert.ok(again.nodeId.endsWith(`:${again.dataDir}`), again.nodeId);
    assert.throws(() => parseStartArgs(["--node-id", "a b"]), /--node-id/);
    assert.throws(() => parseStartArgs(["--premises", "many"]), ConfigError);
    assert.throws(() => parseStartArgs(["--user-receive-url", "maybe"]), /allow or refuse/);
    assert.throws(() => parseStartArgs(["--max-pending-per-user", "0"]), /1 or more/);
    assert.throws(() => parseStartArgs(["--port", "70000"]), /0-65535/);
    assert.throws(() => parseStartArgs(["--profile", "boxed"]), /demo and rtds/);
    assert.throws(() => parseStartArgs(["--bus", "kafka://x"]), /unknown bus/);
    assert.throws(() => parseStartArgs(["--store", "mysql://x"]), /unknown store/);
    assert.throws(() => parseStartArgs(["--store", "x.db?journal=off"]), /synchronous=normal\|full/);
    assert.throws(() => parseStartArgs(["--frobnicate"]), ConfigError);
    assert.throws(() => parseStartArgs(["extra"]), /unexpected argument/);
    assert.throws(() => parseStartArgs(["--wan-time-scale=-1"]), /expected a number/);
  });

  it("prints usage for --help and exits 2 on bad usage", async () => {
    const help = capture();
    assert.equal(await start(["--help"], help.io), 0);
    assert.match(help.out(), /--premises N/);
    const bad = capture();
    assert.equal(await start(["--port", "x"], bad.io), 2);
    assert.match(bad.err(), /--port x: expected a whole number/);
  });

  it("says clearly why a store or bus cannot be opened", async () => {
    const data = tempDir();
    const base = { port: 0, host: "127.0.0.1", premises: 1 };
    for (const [flags, message] of [
      [
        ["--store", "postgres://meter:s3cret@127.0.0.1:1/meterway"],
        /--store postgres:\/\/meter:\*\*\*@127\.0\.0\.1:1\/meterway: cannot open the PostgreSQL store/,
      ],
      [
        ["--bus", "nats://meter:s3cret@127.0.0.1:1"],
        /--bus nats:\/\/meter:\*\*\*@127\.0\.0\.1:1: the NATS server at nats:\/\/meter:\*\*\*@127\.0\.0\.1:1 is unreachable/,
      ],
    ] as const) {
      const config = parseStartArgs([
        ...flags,
        "--data",
        data,
        "--port",
        String(base.port),
        "--premises",
        "1",
      ]);
      const io = capture();
      assert.equal(await runStart(config as MeterwayConfig, io.io), 2);
      assert.match(io.err(), message);
    }
  });
});

describe("meterway start", () => {
  it("creates the data folder on first run and reuses it after a restart", async () => {
    const data = join(tempDir(), "var");
    const config = parseStartArgs(["--data", data, "--port", "0", "--host", "127.0.0.1", "--premises", "3"]);
    const plan = premisesPlan(1);
    let supplierSerial = "";

    const first = await runOnce(config as MeterwayConfig, async (dcc, url) => {
      assert.equal(dcc.firstRun, true);
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: "ok", checks: { store: "ok", bus: "ok" } });
      // /metrics is the operator's: refused without the token, served with it.
      assert.equal((await fetch(`${url}/metrics`)).status, 401);
      const operator = { authorization: `Bearer ${dcc.operator.token}` };
      const metrics = await (await fetch(`${url}/metrics`, { headers: operator })).text();
      assert.match(metrics, /^meterway_devices\{status="Commissioned",type="ESME",region="Central"\} 1$/m);
      supplierSerial = (await dcc.store.users.get(DEMO_SUPPLIER.eui))!.certificates.find(
        (c) => c.usage === "ds",
      )!.serial;
      // State to find again after the restart.
      await dcc.inventory.setStatus(plan.esme, "Suspended", NOW);
      assert.equal(await dcc.store.counters.advance(DEMO_SUPPLIER.eui, 41n), true);
    });
    assert.equal(first.code, 0);
    assert.match(first.out, /created and started/);
    assert.match(first.out, /dashboard {6}http:\/\/127\.0\.0\.1:\d+\//);
    assert.match(
      first.out,
      /operator login http:\/\/127\.0\.0\.1:\d+\/login\?token=[A-Za-z0-9_-]{43} .*operator-token, new/,
    );
    assert.match(first.out, /listening on {3}127\.0\.0\.1: this machine only/);
    assert.match(first.out, /TLS {12}off/);
    assert.equal(
      statSync(join(data, "operator-token")).mode & 0o777,
      0o600,
      "the token is the owner's alone",
    );
    assert.match(first.out, /\/api\/v1\/serviceS/);
    assert.match(first.out, /90-B3-D5-1F-30-A0-00-01 {2}Demo Supplier +roles IS, GS/);
    assert.match(first.out, /90b3d51f30a00001-ds\.pem/);
    assert.match(first.out, /Fleet: 3 premises, 15 devices \(Central 5, North 5, South 5\)/);
    assert.ok(existsSync(join(data, "meterway.db")));
    assert.ok(existsSync(join(data, "pki", `${plan.gsme}-ka.pem`)));
    assert.ok(existsSync(join(data, "pki", "90b3d51f30000002-xml.key")));

    const second = await runOnce(config as MeterwayConfig, async (dcc) => {
      assert.equal(dcc.firstRun, false);
      assert.equal(dcc.fleet.added, 0);
      assert.equal((await dcc.inventory.device(plan.esme))?.status, "Suspended");
      assert.equal(await dcc.store.counters.advance(DEMO_SUPPLIER.eui, 41n), false, "counter kept: a replay");
      const supplier = await dcc.store.users.get(DEMO_SUPPLIER.eui);
      assert.equal(supplier?.certificates.find((c) => c.usage === "ds")?.serial, supplierSerial);
    });
    assert.equal(second.code, 0);
    assert.match(second.out, /\(reused\)/);
    assert.match(second.out, /Fleet: 3 premises, 15 devices/);
  });

  it("uses a key folder given with --pki as it is, registering the demo users it has keys for", async () => {
    const base = tempDir();
    const first = parseStartArgs([
      "--data",
      join(base, "a"),
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--premises",
      "1",
    ]);
    let serial = "";
    await runOnce(first as MeterwayConfig, async (dcc) => {
      serial = (await dcc.store.users.get(DEMO_SUPPLIER.eui))!.certificates.find(
        (c) => c.usage === "ds",
      )!.serial;
    });
    const pki = join(base, "a", "pki");
    const second = parseStartArgs([
      "--data",
      join(base, "b"),
      "--pki",
      pki,
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--premises",
      "1",
    ]);
    const run = await runOnce(second as MeterwayConfig, async (dcc) => {
      assert.equal(dcc.pki.generated, false);
      assert.equal(dcc.pki.dir, pki);
      const supplier = await dcc.store.users.get(DEMO_SUPPLIER.eui);
      assert.equal(supplier?.certificates.find((c) => c.usage === "ds")?.serial, serial);
    });
    assert.equal(run.code, 0);
    assert.ok(!existsSync(join(base, "b", "pki")), "nothing generated beside the given folder");
  });

  it("says so when the port is taken, and closes what it opened", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    assert.ok(typeof address === "object" && address !== null);
    const data = join(tempDir(), "var");
    try {
      const config = parseStartArgs([
        "--data",
        data,
        "--port",
        String(address.port),
        "--host",
        "127.0.0.1",
        "--premises",
        "1",
      ]);
      const io = capture();
      assert.equal(await runStart(config as MeterwayConfig, io.io), 1);
      assert.match(io.err(), /cannot listen on 127\.0\.0\.1:\d+ \(in use\); choose another with --port/);
      // The store was closed: the same data folder opens again at once.
      const again = await runOnce(
        parseStartArgs([
          "--data",
          data,
          "--port",
          "0",
          "--host",
          "127.0.0.1",
          "--premises",
          "1",
        ]) as MeterwayConfig,
        async (dcc) => {
          assert.equal(dcc.firstRun, false);
        },
      );
      assert.equal(again.code, 0);
    } finally {
      blocker.close();
    }
  });

  it("refuses a data folder another running DCC holds, and takes over a stale lock", async () => {
    const data = join(tempDir(), "var");
    const config = parseStartArgs(["--data", data, "--port", "0", "--host", "127.0.0.1", "--premises", "1"]);
    await runOnce(config as MeterwayConfig, async () => {
      const second = capture();
      assert.equal(await runStart(config as MeterwayConfig, second.io), 2);
      assert.match(
        second.err(),
        /is in use by meterway process \d+; stop it or choose another folder with --data/,
      );
    });
    assert.ok(!existsSync(join(data, "meterway.pid")), "released on close");
    // A lock left by a process that is gone does not stop the next start.
    writeFileSync(join(data, "meterway.pid"), "999999999\n");
    const again = await runOnce(config as MeterwayConfig, async (dcc) => {
      assert.equal(dcc.firstRun, false);
    });
    assert.equal(again.code, 0);
  });
});
