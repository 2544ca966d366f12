import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { afterEach, describe, it } from "node:test";
import { ReceivePoster } from "../../src/dcc/receive-poster.js";
import { ReceiveUrlPolicy, ReceiveUrlRefused } from "../../src/dcc/receive-url.js";

describe("receive-URL policy", () => {
  const strict = new ReceiveUrlPolicy();

  it("refuses internal addresses with the reason, and passes public ones", () => {
    for (const [address, reason] of [
      ["10.1.2.3", /private/],
      ["172.16.0.1", /private/],
      ["172.31.255.255", /private/],
      ["192.168.1.1", /private/],
      ["127.0.0.1", /loopback/],
      ["127.255.0.9", /loopback/],
      ["169.254.10.1", /link-local/],
      ["169.254.169.254", /metadata/],
      ["100.100.100.200", /metadata/],
      ["100.64.0.1", /carrier-grade NAT/],
      ["0.0.0.0", /unspecified/],
      ["224.0.0.1", /multicast/],
      ["255.255.255.255", /broadcast/],
      ["::1", /loopback/],
      ["::", /unspecified/],
      ["fc00::1", /unique local/],
      ["fd12:3456::1", /unique local/],
      ["fd00:ec2::254", /metadata/],
      ["fe80::1", /link-local/],
      ["ff02::1", /multicast/],
      ["::ffff:7f00:1", /IPv4-mapped/],
    ] as const) {
      assert.match(strict.refusal(address) ?? "allowed", reason, address);
    }
    for (const address of ["8.8.8.8", "172.32.0.1", "192.169.0.1", "2001:4860:4860::8888", "100.128.0.1"]) {
      assert.equal(strict.refusal(address), null, address);
    }
  });

  it("allows what the operator lists: loopback, addresses, ranges and host names", async () => {
    const policy = new ReceiveUrlPolicy({
      allow: ["loopback", "10.20.0.0/16", "192.168.5.5", "fd00:1::/32", "Receiver.Internal"],
      resolve: async () => [{ address: "10.99.0.1", family: 4 }],
    });
    assert.equal(policy.refusal("127.0.0.1"), null);
    assert.equal(policy.refusal("::1"), null);
    assert.equal(policy.refusal("10.20.1.1"), null);
    assert.match(policy.refusal("10.21.0.1") ?? "", /private/);
    assert.equal(policy.refusal("192.168.5.5"), null);
    assert.match(policy.refusal("192.168.5.6") ?? "", /private/);
    assert.equal(policy.refusal("fd00:1:2::3"), null);
    assert.equal(await policy.check("http://receiver.internal:8080/r"), null, "a listed name, any address");
    assert.match(
      (await policy.check("http://other.internal/r")) ?? "",
      /other\.internal resolves to 10\.99\.0\.1 is a private/,
    );
    for (const bad of ["10.0.0.0/33", "10.0.0.0/x", "under_score", "http://x", ""]) {
      assert.throws(() => new ReceiveUrlPolicy({ allow: [bad] }), RangeError, bad);
    }
  });

  it("checks a URL's form and host when it is registered", async () => {
    const policy = new ReceiveUrlPolicy({
      resolve: async (host) =>
        host === "public.example"
          ? [{ address: "203.0.113.7", family: 4 }]
          : [{ address: "10.0.0.7", family: 4 }],
    });
    assert.equal(await policy.check("https://public.example/duis"), null);
    assert.equal(await policy.check("http://203.0.113.9:8080/x"), null);
    assert.match((await policy.check("ftp://public.example/")) ?? "", /ftp: is not http: or https:/);
    assert.match((await policy.check("file:///etc/passwd")) ?? "", /not http/);
    assert.match((await policy.check("http://u:p@public.example/")) ?? "", /no user name or password/);
    assert.match((await policy.check("not a url")) ?? "", /not a URL/);
    assert.match((await policy.check("http://10.0.0.1/")) ?? "", /10\.0\.0\.1 is a private address/);
    assert.match((await policy.check("http://[::1]:8079/")) ?? "", /::1 is a loopback address/);
    // Other spellings of 127.0.0.1 are normalised by the URL parser before the check.
    assert.match((await policy.check("http://2130706433/")) ?? "", /127\.0\.0\.1 is a loopback/);
    assert.match((await policy.check("http://0x7f.1/")) ?? "", /loopback/);
    assert.match((await policy.check("http://internal.example/")) ?? "", /resolves to 10\.0\.0\.7/);
  });

  it("refuses a name that does not resolve", async () => {
    const policy = new ReceiveUrlPolicy({
      resolve: async () => {
        throw Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.invalid"), { code: "ENOTFOUND" });
      },
    });
    assert.match((await policy.check("http://nowhere.invalid/")) ?? "", /cannot be resolved.*ENOTFOUND/);
  });
});

describe("receive-URL lookup", () => {
  it("answers a name with no address of the family asked for as not found, for an allowed host too", async () => {
    const policy = new ReceiveUrlPolicy({
      allow: ["receiver.internal"],
      resolve: async () => [{ address: "10.20.0.5", family: 4 }],
    });
    const error = await new Promise<unknown>((resolve) =>
      policy.lookup("receiver.internal", { family: 6 }, (e) => resolve(e)),
    );
    assert.ok(error instanceof Error && (error as { code?: unknown }).code === "ENOTFOUND", String(error));
    const found = await new Promise<string>((resolve, reject) =>
      policy.lookup("receiver.internal", { family: 4 }, (e, address) =>
        e ? reject(e) : resolve(String(address)),
      ),
    );
    assert.equal(found, "10.20.0.5");
  });
});

describe("receive poster", () => {
  const servers: Server[] = [];
  const posters: ReceivePoster[] = [];
  afterEach(async () => {
    for (const p of posters.splice(0)) p.close();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  async function serve(
    handler: (request: IncomingMessage, response: ServerResponse) => void,
  ): Promise<number> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }

  function poster(policy: ReceiveUrlPolicy, limits = {}): ReceivePoster {
    const p = new ReceivePoster(policy, limits);
    posters.push(p);
    return p;
  }

  const loopback = new ReceiveUrlPolicy({ allow: ["loopback"] });

  it("POSTs the body as XML and returns the status", async () => {
    const got: string[] = [];
    const port = await serve((request, response) => {
      let body = "";
      request.on("data", (c: Buffer) => {
        body += c.toString();
      });
      request.on("end", () => {
        got.push(`${request.headers["content-type"]} ${body}`);
        response.writeHead(200).end("ok");
      });
    });
    assert.equal(await poster(loopback).post(`http://127.0.0.1:${port}/r`, "<m/>", 2000), 200);
    assert.deepEqual(got, ["application/xml; charset=utf-8 <m/>"]);
  });

  it("refuses a loopback address, literal or resolved, unless allowed, and sends nothing", async () => {
    let hits = 0;
    const port = await serve((_request, response) => {
      hits++;
      response.writeHead(200).end();
    });
    const strict = poster(new ReceiveUrlPolicy());
    await assert.rejects(strict.post(`http://127.0.0.1:${port}/`, "<m/>", 2000), ReceiveUrlRefused);
    // `localhost` is a name: the policy's lookup resolves it when connecting, and refuses it.
    await assert.rejects(
      strict.post(`http://localhost:${port}/`, "<m/>", 2000),
      /localhost resolves to .*loopback/,
    );
    assert.equal(hits, 0);
  });

  it("checks the address at connect time, not only at registration (DNS rebinding)", async () => {
    let hits = 0;
    const port = await serve((_request, response) => {
      hits++;
      response.writeHead(200).end();
    });
    // The name resolves to a public address when registered, then to loopback.
    const answers: LookupAddress[][] = [
      [{ address: "203.0.113.10", family: 4 }],
      [{ address: "127.0.0.1", family: 4 }],
    ];
    const policy = new ReceiveUrlPolicy({ resolve: async () => answers.shift() ?? [] });
    assert.equal(await policy.check(`http://rebind.example:${port}/`), null);
    await assert.rejects(
      poster(policy).post(`http://rebind.example:${port}/`, "<m/>", 2000),
      /rebind\.example resolves to 127\.0\.0\.1 is a loopback address/,
    );
    assert.equal(hits, 0);
  });

  it("does not follow a redirect: the redirect's target receives nothing", async () => {
    let targetHits = 0;
    const target = await serve((_request, response) => {
      targetHits++;
      response.writeHead(200).end();
    });
    const redirecting = await serve((request, response) => {
      request.resume();
      response.writeHead(307, { location: `http://127.0.0.1:${target}/steal` }).end();
    });
    assert.equal(await poster(loopback).post(`http://127.0.0.1:${redirecting}/r`, "<m/>", 2000), 307);
    assert.equal(targetHits, 0);
  });

  it("reads a large reply only up to the cap, then drops the connection", async () => {
    const size = 50 * 1024 * 1024;
    let written = 0;
    let closed!: () => void;
    const done = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const port = await serve((request, response) => {
      request.resume();
      response.writeHead(200, { "content-length": String(size) });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = (): void => {
        while (written < size) {
          written += chunk.length;
          if (!response.write(chunk)) {
            response.once("drain", pump);
            return;
          }
        }
        response.end();
      };
      response.on("close", () => closed());
      pump();
    });
    const status = await poster(loopback, { maxReplyBytes: 64 * 1024 }).post(
      `http://127.0.0.1:${port}/`,
      "<m/>",
      10_000,
    );
    assert.equal(status, 200);
    await done;
    // What the endpoint managed to hand to its socket before the DCC hung up: socket buffers' worth,
    // not the 50 MiB it meant to send.
    assert.ok(written < size / 4, `${written} bytes written of ${size}`);
  });

  it("times out an endpoint that does not answer, or answers too slowly", async () => {
    const silent = await serve((request) => {
      request.resume(); // reads the request, never answers
    });
    await assert.rejects(
      poster(loopback).post(`http://127.0.0.1:${silent}/`, "<m/>", 300),
      /PostTimeout: no complete answer within 300 ms/,
    );
    const dribbling = await serve((request, response) => {
      request.resume();
      response.writeHead(200, { "content-length": "1000" });
      response.write("x"); // then nothing more
    });
    await assert.rejects(
      poster(loopback, { bodyTimeoutMs: 200 }).post(`http://127.0.0.1:${dribbling}/`, "<m/>", 5000),
      /PostTimeout: reply body not read within 200 ms/,
    );
  });

  it("times out a connection whose TLS handshake never completes", async () => {
    // A TCP listener that accepts and then says nothing: the https connection is never established.
    const sockets: Socket[] = [];
    const mute = createNetServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => mute.listen(0, "127.0.0.1", resolve));
    try {
      const port = (mute.address() as AddressInfo).port;
      await assert.rejects(
        poster(loopback, { connectTimeoutMs: 200 }).post(`https://127.0.0.1:${port}/`, "<m/>", 5000),
        /PostTimeout: no connection within 200 ms/,
      );
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });
});
