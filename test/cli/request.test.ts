import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { request } from "../../src/cli/request.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { importRegisterCollection } from "../../src/sim/esme.js";
import { captureIo } from "../support/cli-io.js";

const io = () => captureIo();

describe("meterway request 4.1.1", () => {
  let dir: string;
  let dcc: Dcc;
  let url: string;
  // The DCC's clock stands still (the meter's registers are then known); near real time, because
  // the user API accepts signatures within 5 minutes of the DCC's clock.
  const at = Date.now();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-request-"));
    dcc = await compose(resolveConfig({ dataDir: dir, premises: 1, port: 0, host: "127.0.0.1" }), {
      now: () => at,
    });
    url = await dcc.listen();
  });
  after(async () => {
    await dcc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends the request, prints the I99 and I0, and the meter's register values", async () => {
    const esme = premisesPlan(0).esme;
    const t = io();
    const code = await request(
      ["4.1.1", "--device", esme, "--url", url, "--data", dir, "--timeout", "30"],
      t.io,
    );
    assert.equal(code, 0, t.err() + t.out());
    const expected = importRegisterCollection(deviceEnergy(esme), at);
    assert.match(t.out(), /← I99 \(acknowledgement\)/);
    assert.match(t.out(), /← I0 \(response, DCC signature verified\)/);
    assert.match(t.out(), new RegExp(`active import: +${expected.activeImportValue} Wh`));
    assert.match(t.out(), new RegExp(`reactive import: +${expected.reactiveImportValue} varh`));
    assert.equal(
      (await dcc.store.users.get(DEMO_SUPPLIER.eui))?.receiveResponseUrl,
      null,
      "back to pull-only",
    );
  });

  it("prints the E-code of a refused request and fails", async () => {
    const t = io();
    const code = await request(["4.1.1", "--device", "00DB1234567890FF", "--url", url, "--data", dir], t.io);
    assert.equal(code, 1);
    assert.match(t.out(), /← E19/);
  });

  it("says how to use it", async () => {
    const t = io();
    assert.equal(await request(["4.2", "--device", premisesPlan(0).esme], t.io), 2);
    assert.match(t.err(), /usage: meterway request/);
  });
});
