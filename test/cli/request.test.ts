import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { request } from "../../src/cli/request.js";
import { duisEui, receiveUrlPath, userApiAuthorization } from "../../src/cli/request-client.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_NETWORK_OPERATOR, DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { buildServiceResponse, toXmlText } from "../../src/duis/model/index.js";
import { signDuis } from "../../src/duis/signature/sign.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { importRegisterCollection } from "../../src/sim/esme.js";
import { realTimer, type WanTimer } from "../../src/wan/memory.js";
import { captureIo } from "../support/cli-io.js";
import { postReadImportRegisters, userIdentity } from "../support/composed-dcc.js";

const io = () => captureIo();

/**
 * Real time, until `hold()`: then every WAN delay waits until `release()` and only then starts,
 * so a request is acknowledged but its response does not come until released (each held delay
 * then runs its full length, so the device's answer still beats the WAN's timeout).
 */
function holdableTimer() {
  let held = false;
  const waiting: Array<() => void> = [];
  const timer: WanTimer = {
    now: () => realTimer.now(),
    sleep: (ms, signal) =>
      held && ms > 0 && signal?.aborted !== true
        ? new Promise<void>((resolve) => waiting.push(resolve)).then(() => realTimer.sleep(ms, signal))
        : realTimer.sleep(ms, signal),
  };
  return {
    timer,
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const resume of waiting.splice(0)) resume();
    },
  };
}

describe("meterway request 4.1.1", () => {
  let dir: string;
  let dcc: Dcc;
  let url: string;
  // The DCC's clock stands still (the meter's registers are then known); near real time, because
  // the user API accepts signatures within 5 minutes of the DCC's clock.
  const at = Date.now();
  // RequestID counters for the tests below that give one, above the ones the first tests take
  // from the clock (a user's counters must increase).
  let counter = BigInt(at) * 1000n;
  const wan = holdableTimer();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-request-"));
    dcc = await compose(resolveConfig({ dataDir: dir, premises: 1, port: 0, host: "127.0.0.1" }), {
      now: () => at,
      // Short modelled WAN delays: the tests wait for responses, not for a realistic network.
      wan: { timer: wan.timer, timeScale: 0.01 },
    });
    url = await dcc.listen();
  });
  after(async () => {
    wan.release();
    await dcc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const receiveUrl = async () => (await dcc.store.users.get(DEMO_SUPPLIER.eui))?.receiveResponseUrl;

  it("sends the request, prints the I99 and I0 with their meaning, and the meter's register values", async () => {
    const esme = premisesPlan(0).esme;
    const t = io();
    const code = await request(
      ["4.1.1", "--device", esme, "--url", url, "--data", dir, "--timeout", "30"],
      t.io,
    );
    assert.equal(code, 0, t.err() + t.out());
    const expected = importRegisterCollection(deviceEnergy(esme), at);
    assert.match(t.out(), /← I99 \(Acknowledgement\), acknowledgement/);
    assert.match(t.out(), /← I0 \(Success\), response, DCC signature verified/);
    assert.match(t.out(), new RegExp(`active import: +${expected.activeImportValue} Wh`));
    assert.match(t.out(), new RegExp(`reactive import: +${expected.reactiveImportValue} varh`));
    assert.equal(await receiveUrl(), null, "back to pull-only, as it was");
  });

  it("sends other SRVs: a read with its body from a file, printed as the decoded GBCS payload", async () => {
    const esme = premisesPlan(0).esme;
    const body = join(dir, "read-voltage.xml");
    writeFileSync(body, "<ReadDeviceConfigurationVoltage/>");
    const t = io();
    const code = await request(
      ["6.2.1", "--device", esme, "--body", body, "--url", url, "--data", dir, "--timeout", "30"],
      t.io,
    );
    assert.equal(code, 0, t.err() + t.out());
    assert.match(t.out(), /→ 6\.2\.1 .* CV1 \(serviceS\)/);
    assert.match(t.out(), /GBCS ECS26b response from .*, MAC valid/);
    assert.match(t.out(), /"apdu": "access-response"/);
  });

  it("takes a critical SRV through CV4, the Pre-Command checked and signed, and CV5", async () => {
    const esme = premisesPlan(0).esme;
    const t = io();
    const code = await request(
      ["7.1", "--device", esme, "--url", url, "--data", dir, "--timeout", "30"],
      t.io,
    );
    assert.equal(code, 0, t.err() + t.out());
    assert.match(t.out(), /→ 7\.1 .* CV4 \(serviceT\)/);
    assert.match(t.out(), /← I0 \(Success\), Pre-Command/);
    assert.match(t.out(), /Pre-Command checked and signed/);
    assert.match(t.out(), /→ 7\.1 .* CV5 \(serviceS\)/);
    assert.match(t.out(), /GBCS ECS42 response from .*signature valid/);
  });

  it("9.1 as the Other User: the DCC's Customer Identification Number comes back with the meter's answer", async () => {
    const esme = premisesPlan(0).esme;
    const t = io();
    const code = await request(
      [
        "9.1",
        "--device",
        esme,
        "--user",
        "90-B3-D5-1F-30-A0-00-03",
        "--url",
        url,
        "--data",
        dir,
        "--timeout",
        "30",
      ],
      t.io,
    );
    assert.equal(code, 0, t.err() + t.out());
    assert.match(t.out(), /Customer Identification Number: [0-9]{4}/);
    assert.match(t.out(), /GBCS ECS50 response from/);
  });

  it("returns a command for local delivery with --cv 2, and refuses a body the schema refuses", async () => {
    const esme = premisesPlan(0).esme;
    const t = io();
    const code = await request(["6.2.1", "--device", esme, "--cv", "2", "--url", url, "--data", dir], t.io);
    assert.equal(code, 0, t.err() + t.out());
    assert.match(t.out(), /command for local delivery: DD00/);
    const bad = join(dir, "bad.xml");
    writeFileSync(
      bad,
      "<ReadDeviceConfigurationVoltage><Nonsense>1</Nonsense></ReadDeviceConfigurationVoltage>",
    );
    const u = io();
    assert.equal(
      await request(["6.2.1", "--device", esme, "--body", bad, "--url", url, "--data", dir], u.io),
      2,
    );
    assert.match(u.err(), /not valid DUIS 5\.4/);
  });

  it("prints the E-code of a refused request with its meaning and fails", async () => {
    const t = io();
    const code = await request(["4.1.1", "--device", "00DB1234567890FF", "--url", url, "--data", dir], t.io);
    assert.equal(code, 1);
    assert.match(t.out(), /← E19 \(Failed Authorisation – Device doesn't exist\), acknowledgement/);
  });

  it("waits for its own response: another request's, older in the queue, is reported, not printed", async () => {
    const { esme, gsme } = premisesPlan(0);
    const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
    // A gas read sent while the user is pull-only: its response waits in the user's queue, and
    // goes, first, to the endpoint `request` registers.
    const gasCounter = ++counter;
    const ack = await postReadImportRegisters(dcc, supplier, gsme, gasCounter);
    assert.match(ack.body, /I99/);
    const gasId = `${duisEui(DEMO_SUPPLIER.eui)}:${duisEui(gsme)}:${gasCounter}`;
    await waitForPending(gasId);

    const t = io();
    const code = await request(
      [
        "4.1.1",
        "--device",
        esme,
        "--url",
        url,
        "--data",
        dir,
        "--counter",
        String(++counter),
        "--timeout",
        "30",
      ],
      t.io,
    );
    assert.equal(code, 0, t.err() + t.out());
    const expected = importRegisterCollection(deviceEnergy(esme), at);
    assert.match(t.out(), new RegExp(`active import: +${expected.activeImportValue} Wh`));
    assert.doesNotMatch(t.out(), /gas consumption|GCS13a/);
    assert.match(t.out(), /← I0 .*response/);
    assert.match(
      t.err(),
      new RegExp(`received, not this request's: a response to ${gasId} I0 \\(Success\\)`),
    );
  });

  it("puts back the receive URL the user had registered, and the user API reads it", async () => {
    const mine = "http://127.0.0.1:9/the-suppliers-own-endpoint";
    const record = await dcc.store.users.get(DEMO_SUPPLIER.eui);
    await dcc.store.users.put({ ...record!, receiveResponseUrl: mine });
    const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
    const read = async (eui: string) => {
      const path = receiveUrlPath(eui);
      return fetch(`${url}${path}`, {
        headers: { authorization: userApiAuthorization(supplier, "GET", path, "") },
      });
    };
    const own = await read(DEMO_SUPPLIER.eui);
    assert.equal(own.status, 200);
    assert.deepEqual(await own.json(), { user: DEMO_SUPPLIER.eui, receiveResponseUrl: mine });
    assert.equal((await read(DEMO_NETWORK_OPERATOR.eui)).status, 401, "a user reads only its own");
    const unsigned = await fetch(`${url}${receiveUrlPath(DEMO_SUPPLIER.eui)}`);
    assert.equal(unsigned.status, 401);

    const t = io();
    const code = await request(
      [
        "4.1.1",
        "--device",
        premisesPlan(0).esme,
        "--url",
        url,
        "--data",
        dir,
        "--counter",
        String(++counter),
        "--timeout",
        "30",
      ],
      t.io,
    );
    assert.equal(code, 0, t.err() + t.out());
    assert.match(t.out(), new RegExp(`the user's receive URL, ${mine}, is put back`));
    assert.equal(await receiveUrl(), mine, "the user's own endpoint, as it was");
    await dcc.store.users.put({ ...record!, receiveResponseUrl: null });
  });

  it("does not take a message that names its RequestID without the DCC's signature for its answer", async () => {
    const esme = premisesPlan(0).esme;
    const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
    const mine = ++counter;
    // Anything on this host can POST to the endpoint: a response to this very RequestID, signed,
    // but by the supplier's key, not the DCC's.
    const forged = signDuis(
      toXmlText(
        buildServiceResponse({
          requestId: { originator: duisEui(DEMO_SUPPLIER.eui), target: duisEui(esme), counter: mine },
          responseCode: "I0",
          srv: "4.1.1",
          payload: { kind: "GBCSPayload", gbcsPayload: new Uint8Array([0xdf, 0x09]) },
          at: new Date(at),
        }),
      ),
      { privateKey: supplier.privateKey, certificate: supplier.certificate },
    );
    wan.hold();
    const t = io();
    let code: number | undefined;
    const running = request(
      ["4.1.1", "--device", esme, "--url", url, "--data", dir, "--counter", String(mine), "--timeout", "30"],
      t.io,
    ).then((c) => {
      code = c;
    });
    try {
      await until(() => /← I99/.test(t.out()) || code !== undefined);
      const endpoint = /receiving responses at (\S+)/.exec(t.out())?.[1];
      assert.ok(endpoint, t.out() + t.err());
      const posted = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/xml" },
        body: forged,
      });
      assert.equal(posted.status, 200);
      await until(() => /signature does not verify/.test(t.err()) || code !== undefined);
      assert.equal(code, undefined, "still waiting for the DCC's response");
    } finally {
      wan.release();
    }
    await running;
    assert.equal(code, 0, t.err() + t.out());
    assert.match(
      t.err(),
      /received, ignored: a response to \S+ I0 \(Success\) whose DCC signature does not verify/,
    );
    const expected = importRegisterCollection(deviceEnergy(esme), at);
    assert.match(t.out(), new RegExp(`active import: +${expected.activeImportValue} Wh`));
  });

  it("gives up after --timeout with a non-zero exit when its response does not come", async () => {
    const esme = premisesPlan(0).esme;
    const late = ++counter;
    wan.hold();
    try {
      const t = io();
      const code = await request(
        [
          "4.1.1",
          "--device",
          esme,
          "--url",
          url,
          "--data",
          dir,
          "--counter",
          String(late),
          "--timeout",
          "0.5",
        ],
        t.io,
      );
      assert.equal(code, 1, t.out());
      assert.match(t.out(), /← I99/);
      assert.match(t.err(), /no response to \S+ within 0\.5 s/);
      assert.equal(await receiveUrl(), null, "put back on the way out too");
    } finally {
      wan.release();
    }
    // The response comes after all, to the user's queue (pull only again); nothing is left in
    // flight when the DCC closes.
    await waitForPending(`${duisEui(DEMO_SUPPLIER.eui)}:${duisEui(esme)}:${late}`);
  });

  it("says how to use it", async () => {
    const t = io();
    assert.equal(await request(["4.2", "--device", premisesPlan(0).esme], t.io), 2);
    assert.match(t.err(), /usage: meterway request/);
    const bad = io();
    assert.equal(await request(["4.1.1", "--device", premisesPlan(0).esme, "--timeout", "soon"], bad.io), 2);
    assert.match(bad.err(), /--timeout 'soon'/);
  });

  /** Polls `done` until it holds (at most 15 s). */
  async function until(done: () => boolean): Promise<void> {
    for (let i = 0; i < 300 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(done(), "gave up waiting");
  }

  /** Waits until the user's queue holds the response to `requestId` (polling the store, as pull does). */
  async function waitForPending(requestId: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      const pending = await dcc.store.outbox.forUser(DEMO_SUPPLIER.eui, 50);
      if (pending.some((e) => e.requestId === requestId)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`no response to ${requestId} in the user's queue`);
  }
});
