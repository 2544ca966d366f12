/**
 * Secrets at rest: the data folder, the SQLite files and the generated key folder are the DCC's own
 * user's only, on a fresh folder and on one an earlier run left open; and the PostgreSQL password,
 * given in a file or the environment, reaches the server and is never printed.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { parseStartArgs, runStart } from "../../src/cli/start.js";
import { ConfigError, type MeterwayConfig, resolveConfig } from "../../src/config/config.js";
import { captureIo } from "../support/cli-io.js";
import { testPostgres } from "../support/postgres.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "meterway-secrets-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const NOW = Date.UTC(2026, 10, 28, 12);
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** Every private-key file under `dir` (the RTDS layout's `*.key`, the CA's keys). */
function keyFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".key"))
    .map((name) => join(dir, name));
}

function assertPrivate(dcc: Dcc): void {
  const data = dcc.config.dataDir;
  const db = join(data, "meterway.db");
  assert.equal(mode(data), "700", "data folder");
  for (const file of [db, `${db}-wal`, `${db}-shm`]) {
    assert.ok(existsSync(file), file);
    assert.equal(mode(file), "600", file);
  }
  assert.equal(mode(dcc.pki.dir), "700", "key folder");
  assert.equal(mode(join(dcc.pki.dir, "ca")), "700", "CA folder");
  const keys = keyFiles(dcc.pki.dir);
  assert.ok(keys.length >= 10, `${keys.length} keys`);
  for (const key of keys) assert.equal(mode(key), "600", key);
}

describe("secrets at rest", () => {
  it("creates the data folder, store and keys for the owner only, and tightens a loose folder", async () => {
    const data = join(tempDir(), "var");
    const config = resolveConfig({ dataDir: data, premises: 1, port: 0 });
    const first = await compose(config, { now: () => NOW });
    try {
      await first.store.meta.set("written", "yes");
      assertPrivate(first);
    } finally {
      await first.close();
    }

    // As an older version (or a hand-made folder) would have left it: everything open to others.
    const db = join(data, "meterway.db");
    for (const dir of [data, join(data, "pki"), join(data, "pki", "ca")]) chmodSync(dir, 0o755);
    chmodSync(db, 0o644);
    for (const leftover of [`${db}-wal`, `${db}-shm`]) {
      if (!existsSync(leftover)) writeFileSync(leftover, "");
      chmodSync(leftover, 0o644);
    }
    const lines: string[] = [];
    const second = await compose(config, { now: () => NOW, log: (line) => lines.push(line) });
    try {
      assert.equal(await second.store.meta.get("written"), "yes");
      assertPrivate(second);
    } finally {
      await second.close();
    }
    assert.ok(
      lines.some((l) => l.includes(`data folder ${data} was open to others (mode 0755): tightened to 0700`)),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((l) => /^key folder .* was open to others/.test(l)),
      lines.join("\n"),
    );
  });
});

/**
 * A PostgreSQL server as far as the password: it asks for the password in clear, keeps it, and
 * refuses the login, as a server with password authentication does.
 */
async function passwordCatcher(): Promise<{ port: number; passwords: string[]; close(): Promise<void> }> {
  const passwords: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!started) {
        if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
        buffer = buffer.subarray(buffer.readInt32BE(0));
        started = true;
        // AuthenticationCleartextPassword.
        socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]));
      }
      if (buffer.length < 5 || buffer[0] !== 0x70 || buffer.length < 1 + buffer.readInt32BE(1)) return;
      passwords.push(buffer.subarray(5, buffer.indexOf(0, 5)).toString("utf8"));
      const fields = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed for user "meter"\0\0');
      const error = Buffer.alloc(5);
      error[0] = 0x45;
      error.writeInt32BE(4 + fields.length, 1);
      socket.end(Buffer.concat([error, fields]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(typeof address === "object" && address !== null);
  return {
    port: address.port,
    passwords,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("PostgreSQL credentials", () => {
  it("sends the password from a file or the environment, and never prints it", async () => {
    const catcher = await passwordCatcher();
    try {
      const cwd = tempDir();
      const url = `postgres://meter@127.0.0.1:${catcher.port}/meterway`;
      writeFileSync(join(cwd, "pg-password"), "from-the-file-7Q\n", { mode: 0o600 });
      const cases: Array<{ args: string[]; env: NodeJS.ProcessEnv; password: string }> = [
        {
          args: ["--store", url],
          env: { METERWAY_STORE_PASSWORD: "from-env-4Xb" },
          password: "from-env-4Xb",
        },
        { args: ["--store", url], env: { PGPASSWORD: "from-pgpassword-9" }, password: "from-pgpassword-9" },
        {
          args: ["--store", url, "--store-password-file", "pg-password"],
          env: { METERWAY_STORE_PASSWORD: "not-this-one" },
          password: "from-the-file-7Q",
        },
        // The whole URL from the environment, the password beside it.
        {
          args: [],
          env: { METERWAY_STORE: url, METERWAY_STORE_PASSWORD: "url-from-env-2" },
          password: "url-from-env-2",
        },
      ];
      for (const { args, env, password } of cases) {
        const config = parseStartArgs([...args, "--data", join(cwd, "var"), "--port", "0"], cwd, env);
        assert.notEqual(config, "help");
        const c = config as MeterwayConfig;
        assert.equal(c.store.kind, "postgres");
        assert.ok(c.store.kind === "postgres" && !c.store.url.includes(password), "not in the URL");
        const io = captureIo();
        assert.equal(await runStart(c, io.io, { now: () => NOW }), 2);
        assert.equal(catcher.passwords.at(-1), password, "the server got it");
        assert.match(io.err(), /cannot open the PostgreSQL store: password authentication failed/);
        assert.ok(!`${io.out()}${io.err()}`.includes(password), `${password} printed: ${io.err()}`);
      }
    } finally {
      await catcher.close();
    }
  });

  it("refuses a password given both in the URL and in a file, and an unreadable file", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "pw"), "x\n");
    assert.throws(
      () => parseStartArgs(["--store", "postgres://u:p@h/db", "--store-password-file", "pw"], cwd),
      (e: unknown) => e instanceof ConfigError && /has a password already/.test(e.message),
    );
    assert.throws(
      () => parseStartArgs(["--store-password-file", "pw"], cwd),
      (e: unknown) => e instanceof ConfigError && /only a PostgreSQL store/.test(e.message),
    );
    assert.throws(
      () => parseStartArgs(["--store", "postgres://u@h/db", "--store-password-file", "missing"], cwd),
      (e: unknown) => e instanceof ConfigError && /cannot read it/.test(e.message),
    );
  });
});

const server = await testPostgres("start on PostgreSQL with a password from the environment");
if (server !== undefined) {
  describe("PostgreSQL credentials, started", () => {
    it("starts with the password from the environment and prints it nowhere", async () => {
      const schema = await server.schema();
      const cwd = tempDir();
      const password = "never-print-me-5Kz";
      const config = parseStartArgs(
        ["--data", join(cwd, "var"), "--port", "0", "--host", "127.0.0.1", "--premises", "1"],
        cwd,
        { METERWAY_STORE: server.urlFor(schema), METERWAY_STORE_PASSWORD: password },
      ) as MeterwayConfig;
      const io = captureIo();
      const stop = new AbortController();
      let kind = "";
      const code = await runStart(config, io.io, {
        signal: stop.signal,
        now: () => NOW,
        onListening: (dcc) => {
          kind = dcc.store.kind;
          stop.abort();
        },
      });
      assert.equal(code, 0, io.err());
      assert.equal(kind, "postgres");
      assert.match(io.out(), /PostgreSQL postgres:\/\/postgres@127\.0\.0\.1/);
      assert.ok(!`${io.out()}${io.err()}`.includes(password));
    });
  });
}
