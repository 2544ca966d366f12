/**
 * TLS on the composed DCC, over real sockets: `--tls` issues a server certificate from the test CA
 * that a client trusting the test root accepts for localhost and 127.0.0.1; with a client CA
 * (mutual TLS) a client without a certificate is refused at the handshake, a user's certificate
 * reaches /healthz but not the operator's /metrics, and the operator's certificate (by fingerprint)
 * opens /metrics without a token.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { type ConfigInput, resolveConfig } from "../../src/config/config.js";
import { issueOrganisation, openTestCa } from "../../src/smki/test-pki.js";

const NOW = Date.UTC(2026, 11, 7, 12);
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "meterway-tls-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(input: ConfigInput): Promise<{ dcc: Dcc; base: string }> {
  const dcc = await compose(resolveConfig({ dataDir: tempDir(), premises: 1, port: 0, ...input }), {
    now: () => NOW,
  });
  after(() => dcc.close());
  return { dcc, base: await dcc.listen() };
}

interface Client {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  readonly host?: string;
  readonly headers?: Record<string, string>;
}

/** A GET over TLS; resolves with the status, or rejects when the handshake or connection fails. */
function httpsGet(base: string, path: string, client: Client): Promise<number> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: client.host ?? url.hostname,
        port: url.port,
        path: url.pathname,
        ca: client.ca,
        ...(client.cert === undefined ? {} : { cert: client.cert, key: client.key }),
        headers: client.headers ?? {},
        agent: false,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("TLS", () => {
  it("--tls serves HTTPS with a certificate from the test CA for localhost and 127.0.0.1", async () => {
    const { dcc, base } = await start({ tls: true, host: "127.0.0.1" });
    assert.match(base, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(dcc.tls?.issued, "issued on first run");
    assert.equal(dcc.tls?.mutual, false);
    const ca = readFileSync(dcc.tls!.rootPath!, "utf8");
    assert.equal(await httpsGet(base, "/healthz", { ca }), 200);
    assert.equal(await httpsGet(base, "/healthz", { ca, host: "localhost" }), 200);
    const token = { authorization: `Bearer ${dcc.operator.token}` };
    assert.equal(await httpsGet(base, "/metrics", { ca }), 401);
    assert.equal(await httpsGet(base, "/metrics", { ca, headers: token }), 200);
    // A client that does not trust the test root refuses the server.
    await assert.rejects(
      httpsGet(base, "/healthz", { ca: readFileSync(dcc.pki.xmlSigning!.certificatePath, "utf8") }),
    );
    const served = new X509Certificate(readFileSync(dcc.tls!.certificatePath));
    assert.equal(served.checkHost("localhost"), "localhost");
    assert.equal(served.checkIP("::1"), "::1");
    // Login cookies are Secure under TLS.
    const login = await dcc.app.inject({ url: `/login?token=${dcc.operator.token}` });
    assert.match(String(login.headers["set-cookie"]), /; Secure$/);
  });

  it("mutual TLS: no certificate, no connection; a user's reaches /healthz; the operator's opens /metrics", async () => {
    const clients = tempDir();
    const ca = await openTestCa(clients, new Date(NOW));
    const [user] = await issueOrganisation(
      ca,
      { eui: "90B3D51F30A0F001", name: "TLS User", role: "supplier", usages: ["ds"] },
      new Date(NOW),
    );
    const [operator] = await issueOrganisation(
      ca,
      { eui: "90B3D51F30A0F002", name: "Operator", role: "other", usages: ["ds"] },
      new Date(NOW),
    );
    // The client CA file holds the chain to the root, as a server must be given it.
    const clientCaFile = join(clients, "client-ca.pem");
    writeFileSync(clientCaFile, readFileSync(ca.issuingPath, "utf8") + readFileSync(ca.rootPath, "utf8"));
    const operatorFingerprint = new X509Certificate(readFileSync(operator!.certificatePath)).fingerprint256;
    const { dcc, base } = await start({
      tls: true,
      host: "127.0.0.1",
      tlsClientCa: clientCaFile,
      operatorCertSha256: [operatorFingerprint],
    });
    assert.equal(dcc.tls?.mutual, true);
    const serverRoot = readFileSync(dcc.tls!.rootPath!, "utf8");
    const as = (c: { certificatePath: string; keyPath: string }) => ({
      ca: serverRoot,
      cert: readFileSync(c.certificatePath, "utf8"),
      key: readFileSync(c.keyPath, "utf8"),
    });

    await assert.rejects(httpsGet(base, "/healthz", { ca: serverRoot }), "no client certificate");
    assert.equal(await httpsGet(base, "/healthz", as(user!)), 200);
    assert.equal(await httpsGet(base, "/metrics", as(user!)), 401, "a user is not the operator");
    assert.equal(await httpsGet(base, "/metrics", as(operator!)), 200);
    assert.equal(await httpsGet(base, "/api/v1/dashboard/summary", as(operator!)), 200);
    // A certificate from a CA the server does not trust is refused at the handshake.
    const stranger = await openTestCa(tempDir(), new Date(NOW));
    const [outsider] = await issueOrganisation(
      stranger,
      { eui: "90B3D51F30A0F003", name: "Outsider", role: "supplier", usages: ["ds"] },
      new Date(NOW),
    );
    await assert.rejects(httpsGet(base, "/healthz", as(outsider!)));
  });

  it("mutual TLS: certificates an operator CA issued are the operator's", async () => {
    const usersCa = await openTestCa(tempDir(), new Date(NOW));
    const operatorsCa = await openTestCa(tempDir(), new Date(NOW));
    const chainFile = (ca: typeof usersCa, name: string) => {
      const file = join(tempDir(), name);
      writeFileSync(file, readFileSync(ca.issuingPath, "utf8") + readFileSync(ca.rootPath, "utf8"));
      return file;
    };
    const [user] = await issueOrganisation(
      usersCa,
      { eui: "90B3D51F30A0F011", name: "TLS User", role: "supplier", usages: ["ds"] },
      new Date(NOW),
    );
    const [operator] = await issueOrganisation(
      operatorsCa,
      { eui: "90B3D51F30A0F012", name: "Operator", role: "other", usages: ["ds"] },
      new Date(NOW),
    );
    const { dcc, base } = await start({
      tls: true,
      host: "127.0.0.1",
      tlsClientCa: chainFile(usersCa, "users.pem"),
      operatorCa: [chainFile(operatorsCa, "operators.pem")],
    });
    const serverRoot = readFileSync(dcc.tls!.rootPath!, "utf8");
    const as = (c: { certificatePath: string; keyPath: string }) => ({
      ca: serverRoot,
      cert: readFileSync(c.certificatePath, "utf8"),
      key: readFileSync(c.keyPath, "utf8"),
    });
    assert.equal(await httpsGet(base, "/metrics", as(operator!)), 200, "the operator CA's certificate");
    assert.equal(await httpsGet(base, "/metrics", as(user!)), 401, "the users' CA's certificate");
    assert.equal(await httpsGet(base, "/healthz", as(user!)), 200);
  });

  it("reuses the server certificate on restart while it covers the host, and issues a new one when not", async () => {
    const dataDir = tempDir();
    const first = await compose(resolveConfig({ dataDir, premises: 1, port: 0, tls: true }), {
      now: () => NOW,
    });
    const path = first.tls!.certificatePath;
    const pem = readFileSync(path, "utf8");
    await first.close();
    const again = await compose(resolveConfig({ dataDir, premises: 1, port: 0, tls: true }), {
      now: () => NOW,
    });
    assert.equal(again.tls?.issued, false);
    assert.equal(readFileSync(path, "utf8"), pem);
    await again.close();
    const moved = await compose(
      resolveConfig({ dataDir, premises: 1, port: 0, tls: true, host: "10.1.2.3" }),
      {
        now: () => NOW,
      },
    );
    assert.equal(moved.tls?.issued, true);
    assert.equal(new X509Certificate(readFileSync(path)).checkIP("10.1.2.3"), "10.1.2.3");
    await moved.close();
  });
});
