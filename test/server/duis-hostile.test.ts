/**
 * Hostile input against the DUIS web services of a whole composed DCC (`--profile rtds`, served on
 * 127.0.0.1:0, real HTTP): each attack gets the answer the error registry gives it (HTTP status,
 * and for uncoded refusals the registry's message), and after each the server still answers a good
 * request with I99 and `/healthz` with 200.
 *
 * The parser's own limits are unit-tested in test/duis/xml/parse.test.ts, single replays through the
 * pipeline in test/e2e/read-import-registers-rtds.test.ts; this file checks the same refusals end
 * to end through the server, plus what only a running service can show: very large bodies on the
 * socket, and anti-replay under concurrent requests.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { resolveConfig } from "../../src/config/config.js";
import { type DuisErrorKey, duisErrors } from "../../src/duis/errors.js";
import { signDuis } from "../../src/duis/signature/sign.js";
import { type DccBoxedKey, dccBoxedSigningKeys, xmlSigningKey } from "../duis/signature/dccboxed-keys.js";
import { reference } from "../support/reference.js";

const SUPPLIER = "90b3d51f30010000";
const NETWORK_OPERATOR = "90b3d51f30020000";
const ESME = "00-DB-12-34-56-78-90-A0";
const TEMPLATE = readFileSync(
  reference("rtds-4.9.1-duis", "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"),
  "utf8",
);

/** The 4.1.1 template with RequestID `originator:ESME:counter` (unsigned). */
function readRegisters(originator: string, counter: bigint): string {
  const duis = originator.toUpperCase().match(/../g)!.join("-");
  return TEMPLATE.replace(
    /<sr:RequestID>[^<]*<\/sr:RequestID>/,
    `<sr:RequestID>${duis}:${ESME}:${counter}</sr:RequestID>`,
  );
}

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

describe("DUIS web services under hostile input (composed rtds DCC, real HTTP)", () => {
  let dir: string;
  let dcc: Dcc;
  let url: string;
  let counter = 1_000_000n;
  const keys = dccBoxedSigningKeys();
  const supplierKey = xmlSigningKey(SUPPLIER, keys);
  const operatorKey = xmlSigningKey(NETWORK_OPERATOR, keys);

  function sign(xml: string, key: DccBoxedKey = supplierKey): string {
    return signDuis(xml, { privateKey: key.privateKey, certificate: key.certificate });
  }

  async function post(body: string, service = "serviceS"): Promise<Reply> {
    const r = await fetch(`${url}/api/v1/${service}`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body,
    });
    return { status: r.status, contentType: r.headers.get("content-type") ?? "", body: await r.text() };
  }

  function assertRefused(reply: Reply, key: DuisErrorKey): void {
    const def = duisErrors[key];
    assert.equal(reply.status, def.httpStatus, `${key}: ${reply.body.slice(0, 200)}`);
    if (def.responseCode === null && reply.contentType.startsWith("text/plain")) {
      assert.ok(reply.body.startsWith(def.message), `${key}: ${reply.body.slice(0, 200)}`);
    }
  }

  /** The server still serves: a fresh good request is acknowledged, and health is ok. */
  async function assertStillServing(): Promise<void> {
    counter += 1n;
    const reply = await post(sign(readRegisters(SUPPLIER, counter)));
    assert.equal(reply.status, 200, reply.body.slice(0, 200));
    assert.match(reply.body, /<sr:ResponseCode>I99<\/sr:ResponseCode>/);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-hostile-"));
    dcc = await compose(resolveConfig({ dataDir: dir, port: 0, host: "127.0.0.1", profile: "rtds" }));
    url = await dcc.listen();
  });

  after(async () => {
    await dcc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses XXE (the reference sample, and a DOCTYPE in a signed request) before reading any entity", async () => {
    assertRefused(
      await post(readFileSync(reference("duis-samples", "signing-tool", "duis-xxe.xml"), "utf8")),
      "xmlForbidden",
    );
    counter += 1n;
    const signed = sign(readRegisters(SUPPLIER, counter));
    const xxe = signed
      .replace(/^<\?xml[^>]*\?>/, '$&<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
      .replace(
        "<sr:ReadInstantaneousImportRegisters/>",
        "<sr:ReadInstantaneousImportRegisters>&xxe;</sr:ReadInstantaneousImportRegisters>",
      );
    assert.notEqual(xxe, signed);
    const reply = await post(xxe);
    assertRefused(reply, "xmlForbidden");
    assert.doesNotMatch(reply.body, /root:/);
    await assertStillServing();
  });

  it("refuses billion laughs without expanding it", async () => {
    const lols = [
      '<?xml version="1.0"?>',
      "<!DOCTYPE lolz [",
      '<!ENTITY lol "lol">',
      ...Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`,
      ),
      "]>",
      '<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">&lol9;</sr:Request>',
    ].join("\n");
    assertRefused(await post(lols), "xmlForbidden");
    await assertStillServing();
  });

  it("refuses a 50 MB body with 413, announced or streamed, and keeps serving", async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, "<a>");
    assertRefused(await postRaw(url, big, { chunked: false }), "bodyTooLarge");
    assertRefused(await postRaw(url, big, { chunked: true }), "bodyTooLarge");
    await assertStillServing();
  });

  it("refuses deep nesting under the size limit", async () => {
    const depth = 10_000;
    const nested = `<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">${"<a>".repeat(depth)}${"</a>".repeat(depth)}</sr:Request>`;
    assert.ok(nested.length < 1024 * 1024);
    assertRefused(await post(nested), "xmlLimit");
    await assertStillServing();
  });

  it("refuses a signed request in the wrong namespace as schema-invalid", async () => {
    counter += 1n;
    const wrong = readRegisters(SUPPLIER, counter).replace(
      'xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"',
      'xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway/evil"',
    );
    assertRefused(await post(sign(wrong)), "schemaInvalid");
    await assertStillServing();
  });

  it("refuses a request without a signature, and one altered after signing", async () => {
    counter += 1n;
    const unsigned = readRegisters(SUPPLIER, counter).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
    assert.doesNotMatch(unsigned, /Signature/);
    assertRefused(await post(unsigned), "signatureMissing");

    counter += 1n;
    const signed = sign(readRegisters(SUPPLIER, counter));
    const altered = signed.replace(`:${counter}</sr:RequestID>`, `:${counter + 1n}</sr:RequestID>`);
    assert.notEqual(altered, signed);
    assertRefused(await post(altered), "signatureInvalid");
    await assertStillServing();
  });

  it("refuses a request signed with another user's certificate", async () => {
    counter += 1n;
    // Signed, validly, by the network operator; the RequestID says it comes from the supplier.
    assertRefused(
      await post(sign(readRegisters(SUPPLIER, counter), operatorKey)),
      "certificateNotOriginator",
    );
    await assertStillServing();
  });

  it("refuses a replayed and an equal counter", async () => {
    counter += 1n;
    const first = sign(readRegisters(SUPPLIER, counter));
    assert.match((await post(first)).body, /I99/);
    assertRefused(await post(first), "counterNotIncreasing");
    assertRefused(await post(sign(readRegisters(SUPPLIER, counter - 5n))), "counterNotIncreasing");
    await assertStillServing();
  });

  it("accepts exactly one of many concurrent requests with the same counter", async () => {
    counter += 1n;
    const same = counter;
    // Different signatures over the same RequestID (ECDSA is randomised), sent at once.
    const bodies = Array.from({ length: 24 }, () => sign(readRegisters(SUPPLIER, same)));
    assert.equal(new Set(bodies).size, bodies.length);
    const replies = await Promise.all(bodies.map((b) => post(b)));
    const accepted = replies.filter((r) => r.status === 200 && /I99/.test(r.body));
    const replays = replies.filter((r) => r.status === duisErrors.counterNotIncreasing.httpStatus);
    assert.equal(accepted.length, 1, replies.map((r) => r.status).join(","));
    assert.equal(replays.length, bodies.length - 1);
    for (const r of replays) assertRefused(r, "counterNotIncreasing");
    const stored = await dcc.store.requests.byCorrelation(`${SUPPLIER}:${same}`);
    assert.equal(stored?.counter, same);
    await assertStillServing();
  });
});

/**
 * POSTs `body` with node:http (fetch cannot stream without a length and stops at the first error):
 * with a Content-Length, or chunked. The server may answer before reading it all and close; the
 * answer is what counts.
 */
function postRaw(base: string, body: Buffer, options: { chunked: boolean }): Promise<Reply> {
  const target = new URL("/api/v1/serviceS", base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: {
          "content-type": "application/xml",
          ...(options.chunked ? { "transfer-encoding": "chunked" } : { "content-length": body.length }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    // The server may close the socket once it has answered: that is not a failure of the test.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    const piece = 1024 * 1024;
    let offset = 0;
    const write = (): void => {
      while (offset < body.length) {
        const ok = req.write(body.subarray(offset, offset + piece));
        offset += piece;
        if (!ok) {
          req.once("drain", write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}
