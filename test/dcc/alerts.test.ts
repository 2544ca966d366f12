/**
 * Device alerts, unit by unit: the AlertRouter with a real SQLite store and delivery, the RTDS key
 * store for the GBCS checks and the DCC Boxed XML-signing key. A real RTDS ALERT vector fed through
 * `Dispatcher.inbound()` becomes a signed, schema-valid DUIS DeviceAlertMessage in the recipient's
 * outbox, with its AlertCode and the vector's bytes; an alert that does not decode, comes from an
 * unknown device or through the wrong hub, is for an unknown recipient or for the DCC itself, or
 * whose signature or MAC fails, is audited with its reason and not delivered.
 */
import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type AlertOutcome, AlertRouter } from "../../src/dcc/alerts.js";
import { Delivery } from "../../src/dcc/delivery.js";
import { type DispatchEvent, Dispatcher } from "../../src/dcc/dispatch.js";
import { parseResponse } from "../../src/duis/model/index.js";
import { loadSchemaValidator } from "../../src/duis/schema/load.js";
import { signDuis } from "../../src/duis/signature/sign.js";
import { verifyDuis } from "../../src/duis/signature/verify.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { decodeFrame, encodeFrame } from "../../src/gbcs/frame.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite.js";
import type { AuditRecord, DeviceRecord } from "../../src/store/types.js";
import type { Wan } from "../../src/wan/port.js";
import { failingWrites } from "../support/intercepted-store.js";
import { reference } from "../support/reference.js";

const ESME = "00db1234567890a0";
const GSME = "00db1234567890a1";
const HUB = "00db1234567890a2";
const SUPPLIER = "90b3d51f30010000";
const AT = Date.UTC(2026, 10, 28, 9, 30);

const device = (eui: string, type: DeviceRecord["type"]): DeviceRecord => ({
  eui,
  type,
  status: "Commissioned",
  hubEui: HUB,
  mpxn: null,
  region: "North",
  updatedAt: 0,
});

function vector(dir: string, file: string): Uint8Array {
  return fromHex(readFileSync(reference("rtds-4.5.0-gbcs", dir, file), "utf8").trim());
}
const GCA = () => vector("NA_GCA-DLMS", "GCA-DLMS_NA_8F30_ALERT_GBCS.HEX");
const GNCA = () => vector("NA_GNCA-DLMS", "GNCA-DLMS_NA_810E_ALERT_GBCS.HEX");
const GCA_ZIGBEE = () => vector("NA_GCA-ZigBee", "GCA-ZigBee_NA_8F30_ALERT_GBCS.HEX");
const ECS80_TO_NETWORK_OPERATOR = () => vector("NA_ECS80", "ECS80_NA_8F36_ALERT_GBCS.HEX");
const CS14_TO_ACB = () => vector("NA_CS14", "CS14_NA_8F12_ALERT_GBCS.HEX");

const keys = new KeyStore({ directories: [reference("rtds-keystore")] });
const dccCertificate = new X509Certificate(
  readFileSync(reference("dccboxed-keys", "Z1-accessControlBroker-dSPXmlSign.pem")),
);
// DER PKCS#8, as DCC Boxed ships it.
const dccKey = createPrivateKey({
  key: readFileSync(reference("dccboxed-keys", "Z1-accessControlBroker-dSPXmlSign.key")),
  format: "der",
  type: "pkcs8",
});
const schema = loadSchemaValidator(reference("duis-schema"));

describe("device alerts: routing, checks and the DUIS Device Alert", () => {
  let dir: string;
  let store: SqliteStore;
  let router: AlertRouter;
  let devices: Map<string, DeviceRecord>;
  const routedCodes: string[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-alerts-"));
    store = openSqliteStore({ file: join(dir, "dcc.sqlite"), synchronous: "NORMAL" });
    // Pull only: the alert stays in the outbox for the test to read.
    await store.users.put({
      eui: SUPPLIER,
      name: "supplier",
      roles: ["IS"],
      receiveResponseUrl: null,
      certificates: [],
    });
    devices = new Map([
      [ESME, device(ESME, "ESME")],
      [GSME, device(GSME, "GSME")],
    ]);
    routedCodes.length = 0;
    const delivery = new Delivery({ outbox: store.outbox, users: store.users, now: () => AT });
    router = new AlertRouter({
      users: store.users,
      inventory: { device: async (eui) => devices.get(eui) },
      keys,
      delivery,
      store,
      sign: (tree) => signDuis(tree, { privateKey: dccKey, certificate: dccCertificate }),
      audit: async (kind, actor, detail) => {
        await store.audit.append({ at: AT, kind, actor, requestId: null, detail });
      },
      now: () => AT,
      onRouted: (code) => routedCodes.push(code),
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function outbox() {
    return store.outbox.forUser(SUPPLIER, 10);
  }

  async function audits(): Promise<AuditRecord[]> {
    return (await store.audit.list()).filter((a) => a.kind.startsWith("alert."));
  }

  /** The delivered message: its signature verifies with the DCC's certificate and it is schema-valid. */
  function check(body: string) {
    const verified = verifyDuis(body, { lookupCertificate: () => dccCertificate });
    assert.ok(verified.valid, verified.valid ? "" : `${verified.reason}: ${verified.detail}`);
    const doc = parseXml(body);
    const valid = schema.validate(doc);
    assert.ok(valid.valid, valid.valid ? "" : JSON.stringify(valid.errors.slice(0, 3)));
    return parseResponse(doc.root);
  }

  async function dropped(outcome: AlertOutcome, reason: string, kind: "alert.dropped" | "alert.refused") {
    assert.equal(outcome.routed, false);
    assert.ok(!outcome.routed && outcome.reason === reason, JSON.stringify(outcome));
    assert.equal((await outbox()).length, 0, "nothing delivered");
    const audited = await audits();
    assert.equal(audited.length, 1);
    assert.equal(audited[0]!.kind, kind);
    assert.equal((audited[0]!.detail as { reason: string }).reason, reason);
    assert.deepEqual(routedCodes, []);
  }

  it("feeds the RTDS Generic Critical Alert through inbound() to the supplier as a signed DeviceAlertMessage", async () => {
    const events: DispatchEvent[] = [];
    const wan: Wan = { send: async () => [], onInbound: () => () => {}, close: async () => {} };
    const dispatcher = new Dispatcher({
      requests: store.requests,
      inventory: { hubOf: async () => undefined },
      wan,
      now: () => AT,
      node: { id: "test", leaseMs: 30_000 },
      conclude: async () => assert.fail("an alert is not a response"),
      onEvent: (e) => events.push(e),
      alert: (bytes, hub) => router.receive(bytes, hub),
      enqueueDispatch: async () => assert.fail("no request is sent"),
    });
    const bytes = GCA();
    await dispatcher.inbound(bytes, HUB);
    assert.deepEqual(events, [], "no uncorrelated response, no undecodable frame");

    const [entry, ...rest] = await outbox();
    assert.equal(rest.length, 0);
    assert.equal(entry!.kind, "alert");
    assert.equal(entry!.requestId, null);
    const response = check(entry!.body);
    assert.equal(response.header.responseCode, "I0");
    assert.equal(response.header.requestId, undefined, "an alert answers no request");
    assert.equal(response.header.responseId?.originator, "00-DB-12-34-56-78-90-A0");
    assert.equal(response.header.responseId?.target, "90-B3-D5-1F-30-01-00-00");
    assert.equal(response.header.responseId?.counter, 2000n);
    assert.equal(response.header.responseDateTime.slice(0, 19), "2026-11-28T09:30:00");
    assert.ok(response.body.kind === "DeviceAlertMessage");
    assert.equal(response.body.alertCode, 0x8f30);
    assert.equal(toHex(response.body.gbcsPayload), toHex(bytes), "the alert's bytes as received");
    assert.match(entry!.body, /<sr:AlertCode>8F30<\/sr:AlertCode>/);

    const audited = await audits();
    assert.deepEqual(
      audited.map((a) => a.kind),
      ["alert.routed"],
    );
    assert.equal((audited[0]!.detail as { signature: boolean }).signature, true);
    assert.deepEqual(routedCodes, ["8F30"]);
  });

  it("delivers MACed (GNCA) and GBZ (GSME) alerts, the MAC checked with the supplier's key", async () => {
    const mac = await router.receive(GNCA(), HUB);
    assert.ok(mac.routed && mac.alertCode === "810E", JSON.stringify(mac));
    const gbz = await router.receive(GCA_ZIGBEE(), HUB);
    assert.ok(gbz.routed && gbz.alertCode === "8F30", JSON.stringify(gbz));
    const bodies = (await outbox()).map((e) => check(e.body));
    assert.deepEqual(
      bodies.map((b) => (b.body.kind === "DeviceAlertMessage" ? b.body.alertCode : 0)),
      [0x810e, 0x8f30],
    );
    assert.equal(bodies[1]!.header.responseId?.originator, "00-DB-12-34-56-78-90-A1");
    assert.equal((await audits())[0]!.detail && ((await audits())[0]!.detail as { mac: boolean }).mac, true);
  });

  it("has the alert in the store once receive() resolves: a restart loses nothing", async () => {
    const routed = await router.receive(GCA(), HUB);
    assert.ok(routed.routed);
    await store.close();
    store = openSqliteStore({ file: join(dir, "dcc.sqlite"), synchronous: "NORMAL" });
    const [entry] = await outbox();
    assert.equal(entry?.id, routed.outboxId);
    assert.equal(entry.state, "pending");
    const response = check(entry.body);
    assert.ok(response.body.kind === "DeviceAlertMessage" && response.body.alertCode === 0x8f30);
  });

  it("queues an alert with its audit line or not at all: a failed audit leaves no entry to double", async () => {
    const faulty = failingWrites(store, "audit.append", 1);
    const withFaults = new AlertRouter({
      users: store.users,
      inventory: { device: async (eui) => devices.get(eui) },
      keys,
      delivery: new Delivery({ outbox: store.outbox, users: store.users, now: () => AT }),
      store: faulty,
      sign: (tree) => signDuis(tree, { privateKey: dccKey, certificate: dccCertificate }),
      audit: async () => {},
      now: () => AT,
    });
    await assert.rejects(withFaults.receive(GCA(), HUB), /injected/);
    assert.deepEqual(await outbox(), []);
    // The frame's job, tried again: one alert, one audit line.
    const routed = await withFaults.receive(GCA(), HUB);
    assert.ok(routed.routed);
    assert.deepEqual(
      (await outbox()).map((e) => e.id),
      [routed.outboxId],
    );
    assert.deepEqual(
      (await audits()).map((a) => a.kind),
      ["alert.routed"],
    );
  });

  it("drops an alert for an unknown recipient", async () => {
    // The RTDS ECS80 alert goes to the network operator, who is not a user here.
    await dropped(
      await router.receive(ECS80_TO_NETWORK_OPERATOR(), HUB),
      "unknown-recipient",
      "alert.dropped",
    );
  });

  it("keeps an alert addressed to the ACB for the DCC, not for a user", async () => {
    devices.set(HUB, { ...device(HUB, "CHF"), hubEui: HUB });
    await dropped(await router.receive(CS14_TO_ACB(), HUB), "for-dcc", "alert.dropped");
  });

  it("drops an alert from a device the SMI does not know, or through another hub", async () => {
    devices.clear();
    await dropped(await router.receive(GCA(), HUB), "unknown-device", "alert.dropped");
  });

  it("drops an alert that came through a hub the device is not joined to", async () => {
    await dropped(await router.receive(GCA(), "00db1234567890ff"), "wrong-hub", "alert.dropped");
  });

  it("drops an alert whose payload does not decode", async () => {
    const frame = decodeFrame(GCA());
    const garbled = encodeFrame({ ...frame, received: undefined, content: Uint8Array.of(0x0f, 0x20) });
    await dropped(await router.receive(garbled, HUB), "undecodable", "alert.dropped");
  });

  it("audits an undecodable frame at inbound() and never throws", async () => {
    const events: DispatchEvent[] = [];
    const dispatcher = new Dispatcher({
      requests: store.requests,
      inventory: { hubOf: async () => undefined },
      wan: { send: async () => [], onInbound: () => () => {}, close: async () => {} },
      now: () => AT,
      node: { id: "test", leaseMs: 30_000 },
      conclude: async () => false,
      onEvent: (e) => events.push(e),
      alert: (bytes, hub) => router.receive(bytes, hub),
      enqueueDispatch: async () => assert.fail("no request is sent"),
    });
    await dispatcher.inbound(GCA().subarray(0, 30), HUB);
    assert.deepEqual(
      events.map((e) => e.kind),
      ["frame.undecodable"],
    );
    assert.equal((await outbox()).length, 0);
  });

  it("refuses an alert whose signature does not verify", async () => {
    const bytes = GCA();
    bytes[bytes.length - 1]! ^= 0x01;
    await dropped(await router.receive(bytes, HUB), "bad-signature", "alert.refused");
  });

  it("refuses an alert whose content was changed under its signature", async () => {
    const bytes = GCA();
    // The alert code's low byte (0x30 → 0x31): still decodes, no longer what the device signed.
    const at = toHex(bytes).indexOf("128F30") / 2 + 2;
    bytes[at]! ^= 0x01;
    await dropped(await router.receive(bytes, HUB), "bad-signature", "alert.refused");
  });

  it("refuses an alert whose MAC does not verify", async () => {
    const bytes = GNCA();
    bytes[bytes.length - 1]! ^= 0x01;
    await dropped(await router.receive(bytes, HUB), "bad-mac", "alert.refused");
  });

  it("refuses an alert that is neither signed nor MACed", async () => {
    const frame = decodeFrame(GCA());
    const bare = encodeFrame({ ...frame, received: undefined, signature: new Uint8Array(0) });
    await dropped(await router.receive(bare, HUB), "unprotected", "alert.refused");
  });
});
