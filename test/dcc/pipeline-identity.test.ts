/**
 * Who sent a DUIS request, through the composed DCC: the signer's certificate is found by the
 * issuer and serial its KeyInfo names (the issuer compared as a name, however it is spelt), a
 * certificate with a known serial under another issuer is unknown, and the audit lines of received
 * and refused requests keep the client's address.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { readImportRegistersRequest } from "../../src/cli/request-client.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { ZERO_DELAY_MODELS } from "../../src/wan/regions.js";
import { userIdentity } from "../support/composed-dcc.js";

const ISSUER = /(<(?:\w+:)?X509IssuerName>)([^<]*)(<)/;

describe("pipeline: the signer by issuer and serial, the client in the audit", () => {
  let dir: string;
  let dcc: Dcc;
  const now = () => Date.UTC(2026, 10, 28, 9, 30);
  let counter = 5000n;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-identity-"));
    dcc = await compose(resolveConfig({ dataDir: dir, premises: 1, port: 0 }), {
      now,
      wan: { models: ZERO_DELAY_MODELS },
    });
  });
  after(async () => {
    await dcc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A signed 4.1.1 by the demo supplier, its KeyInfo issuer rewritten (KeyInfo is not signed). */
  function request(issuer?: (written: string) => string): string {
    const xml = readImportRegistersRequest(
      userIdentity(dcc, DEMO_SUPPLIER.eui),
      premisesPlan(0).esme,
      counter++,
    );
    assert.match(xml, ISSUER);
    return issuer === undefined
      ? xml
      : xml.replace(ISSUER, (_m, open, name: string, close) => open + issuer(name) + close);
  }

  const post = (payload: string, remoteAddress = "192.0.2.7") =>
    dcc.app.inject({
      method: "POST",
      url: "/api/v1/serviceS",
      headers: { "content-type": "application/xml" },
      payload,
      remoteAddress,
    });

  it("accepts the issuer however a tool spells it", async () => {
    // `CN=…,OU=…` as meterway writes it; DCC Boxed puts a space after the comma; OpenSSL writes the
    // least specific RDN first, with spaces around `=`.
    const spellings: Array<(name: string) => string> = [
      (name) => name,
      (name) => name.replaceAll(",", ", "),
      (name) => name.toLowerCase(),
      (name) =>
        name
          .split(",")
          .reverse()
          .map((rdn) => rdn.replace("=", " = "))
          .join(", "),
    ];
    for (const spell of spellings) {
      const r = await post(request(spell));
      assert.equal(r.statusCode, 200, `${spell.toString()}: ${r.body}`);
      assert.match(r.body, /I99/);
    }
  });

  it("refuses a known serial under another issuer as an unknown certificate", async () => {
    const r = await post(request((name) => name.replace(/CN=[^,]*/, "CN=Someone Else")));
    assert.equal(r.statusCode, 401);
    assert.match(r.body, /no organisation certificate is known/);
  });

  it("keeps the client's address in the audit lines of received and refused requests", async () => {
    const accepted = await post(request(), "198.51.100.23");
    assert.equal(accepted.statusCode, 200, accepted.body);
    const refused = await post("<not-duis/>", "203.0.113.9");
    assert.equal(refused.statusCode, 400);
    const lines = await dcc.store.audit.list({ limit: 10_000 });
    const clientOf = (kind: string) => {
      const detail = lines.filter((l) => l.kind === kind).at(-1)?.detail;
      return typeof detail === "object" && detail !== null && "client" in detail ? detail.client : undefined;
    };
    assert.equal(clientOf("request.acknowledged"), "198.51.100.23");
    assert.equal(clientOf("request.refused"), "203.0.113.9");
  });
});
