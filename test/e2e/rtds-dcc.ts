/**
 * A whole DCC in process, built from the real parts (SQLite store in a temp dir, in-process bus and
 * zero-delay WAN, the pipeline, delivery over real HTTP, the Fastify app), with the RTDS and DCC
 * Boxed test identities: the ZAZ1 keys for GBCS (the ACB, the RTDS ESME 00DB1234567890A0) and the
 * DCC Boxed XML-signing keys for DUIS. Two premises:
 *
 *   premises 1: hub 00DB1234567890A4, ESME 00DB1234567890A0 (the RTDS ESME), MPAN 1100000000001,
 *               import supplier 90B3D51F30010000, distributor 90B3D51F30020000
 *   premises 2: hub 00DB1234567890B4, ESME 00DB1234567890B0 (fresh keys), MPAN 1100000000002,
 *               import supplier 90B3D51F30030000 (supplier 2)
 *
 * Users: supplier 90B3D51F30010000 (IS), supplier 2 90B3D51F30030000 (IS), network operator
 * 90B3D51F30020000 (ED), other user 00DB123456780004 (OU).
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { MemoryBus } from "../../src/bus/memory.js";
import { Delivery, type DeliveryPolicy } from "../../src/dcc/delivery.js";
import { Inventory } from "../../src/dcc/inventory.js";
import { Pipeline } from "../../src/dcc/pipeline.js";
import { ReceiveUrlPolicy } from "../../src/dcc/receive-url.js";
import { Registration } from "../../src/dcc/registration.js";
import { duisSchemaCheck } from "../../src/dcc/schema-check.js";
import { signDuis } from "../../src/duis/signature/sign.js";
import { appPlugin, buildApp } from "../../src/server/app.js";
import { duisRoutes } from "../../src/server/duis-routes.js";
import { DccMetrics } from "../../src/server/metrics.js";
import { SimFleet } from "../../src/sim/fleet.js";
import { KeyStore } from "../../src/smki/keystore.js";
import type { Store } from "../../src/store/port.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite.js";
import type { UserRecord, UserRole } from "../../src/store/types.js";
import { memoryWanPair } from "../../src/wan/memory.js";
import { reference } from "../support/reference.js";

export const ACB = "90b3d51f30000002";
export const SUPPLIER = "90b3d51f30010000";
export const SUPPLIER2 = "90b3d51f30030000";
export const NETWORK_OPERATOR = "90b3d51f30020000";
export const OTHER_USER = "00db123456780004";
export const ESME1 = "00db1234567890a0";
export const HUB1 = "00db1234567890a4";
export const ESME2 = "00db1234567890b0";
export const HUB2 = "00db1234567890b4";
export const MPAN1 = "1100000000001";
export const MPAN2 = "1100000000002";

/** A user's DUIS signing identity (DCC Boxed keys). */
export interface Signer {
  readonly eui: string;
  readonly privateKey: KeyObject;
  readonly certificate: X509Certificate;
}

function boxedKey(name: string): { privateKey: KeyObject; certificate: X509Certificate } {
  return {
    // DCC Boxed keys are PKCS#8 DER.
    privateKey: createPrivateKey({
      key: readFileSync(reference("dccboxed-keys", `${name}.key`)),
      format: "der",
      type: "pkcs8",
    }),
    certificate: new X509Certificate(readFileSync(reference("dccboxed-keys", `${name}.pem`))),
  };
}

export const SIGNERS = {
  supplier: { eui: SUPPLIER, ...boxedKey("xml-sign-90B3D51F30010000-ds") },
  supplier2: { eui: SUPPLIER2, ...boxedKey("Z1-supplier2-ds") },
  networkOperator: { eui: NETWORK_OPERATOR, ...boxedKey("xml-sign-90B3D51F30020000-ds") },
  otherUser: { eui: OTHER_USER, ...boxedKey("xml-sign-00DB123456780004-ds") },
} as const satisfies Record<string, Signer>;

/** The DCC's XML-signing identity (DSP XML signing key of 90B3D51F30000002). */
export const DCC_SIGNER = boxedKey("dsp-xml-sign-90B3D51F30000002-ds");

function user(signer: Signer, name: string, roles: UserRole[]): UserRecord {
  return {
    eui: signer.eui,
    name,
    roles,
    receiveResponseUrl: null,
    certificates: [
      {
        serial: BigInt(`0x${signer.certificate.serialNumber}`).toString(10),
        issuer: signer.certificate.issuer,
        usage: "xml",
        pem: signer.certificate.toString(),
      },
    ],
  };
}

export class Clock {
  constructor(public t: number) {}
  readonly now = (): number => this.t;
}

export interface RtdsDcc {
  readonly dir: string;
  readonly store: SqliteStore;
  readonly bus: MemoryBus;
  readonly clock: Clock;
  readonly app: FastifyInstance;
  readonly pipeline: Pipeline;
  readonly delivery: Delivery;
  readonly fleet: SimFleet;
  /**
   * Another pipeline over the same store (or `over` it: a store with injected faults), WAN and fleet
   * (a restarted DCC), on its own bus.
   */
  makePipeline(bus: MemoryBus, over?: Store): Pipeline;
  /** What the users hold: their KA private keys (RTDS) and the devices' KA certificates. */
  readonly userKeys: KeyStore;
  /** Stops everything and removes the temp dir. */
  close(): Promise<void>;
}

export async function startRtdsDcc(
  options: { deliveryPolicy?: Partial<DeliveryPolicy>; startPipeline?: boolean } = {},
): Promise<RtdsDcc> {
  const dir = mkdtempSync(join(tmpdir(), "meterway-e2e-"));
  const clock = new Clock(Date.UTC(2026, 10, 28, 12, 0, 0));
  const store = openSqliteStore({ file: join(dir, "dcc.sqlite"), synchronous: "NORMAL", now: clock.now });
  const bus = new MemoryBus();
  const { wan, hubs } = memoryWanPair();

  // Keys: premises 2's ESME gets a fresh KA key pair (public half for the DCC, private for the device).
  const esme2 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const dccKeys = KeyStore.fromDirectory(reference("rtds-keystore")).add({
    eui: ESME2,
    usage: "ka",
    publicKey: esme2.publicKey,
  });
  const deviceKeys = new KeyStore({
    directories: [reference("rtds-keystore"), reference("gbcs-known-answers")],
  }).add({ eui: ESME2, usage: "ka", privateKey: esme2.privateKey });

  await store.users.put(user(SIGNERS.supplier, "Supplier 1", ["IS", "GS"]));
  await store.users.put(user(SIGNERS.supplier2, "Supplier 2", ["IS", "GS"]));
  await store.users.put(user(SIGNERS.networkOperator, "Network Operator", ["ED"]));
  await store.users.put(user(SIGNERS.otherUser, "Other User", ["OU"]));
  const t0 = Date.UTC(2020, 0, 1);
  await store.devices.put([
    {
      eui: HUB1,
      type: "CHF",
      status: "Commissioned",
      hubEui: HUB1,
      mpxn: null,
      region: "North",
      updatedAt: t0,
    },
    {
      eui: ESME1,
      type: "ESME",
      status: "Commissioned",
      hubEui: HUB1,
      mpxn: MPAN1,
      region: "North",
      updatedAt: t0,
    },
    {
      eui: HUB2,
      type: "CHF",
      status: "Commissioned",
      hubEui: HUB2,
      mpxn: null,
      region: "South",
      updatedAt: t0,
    },
    {
      eui: ESME2,
      type: "ESME",
      status: "Commissioned",
      hubEui: HUB2,
      mpxn: MPAN2,
      region: "South",
      updatedAt: t0,
    },
  ]);
  await store.registrations.put([
    { mpxn: MPAN1, role: "IS", partyEui: SUPPLIER, effectiveFrom: t0, effectiveTo: null },
    { mpxn: MPAN1, role: "ED", partyEui: NETWORK_OPERATOR, effectiveFrom: t0, effectiveTo: null },
    { mpxn: MPAN2, role: "IS", partyEui: SUPPLIER2, effectiveFrom: t0, effectiveTo: null },
    { mpxn: MPAN2, role: "ED", partyEui: NETWORK_OPERATOR, effectiveFrom: t0, effectiveTo: null },
  ]);

  const fleet = new SimFleet(deviceKeys, clock.now);
  const parties = [ACB, SUPPLIER, SUPPLIER2, NETWORK_OPERATOR];
  for (const [hub, esme] of [
    [HUB1, ESME1],
    [HUB2, ESME2],
  ] as const) {
    const simHub = fleet.addPremises({
      hubEui: hub,
      devices: [{ eui: esme, type: "ESME" }],
      remoteParties: parties,
    });
    hubs.attach(hub, hub === HUB1 ? "North" : "South", simHub.handle);
  }

  // The test's receivers listen on loopback, which the receive-URL policy allows only when told.
  const receiveUrls = new ReceiveUrlPolicy({ allow: ["loopback"] });
  const delivery = new Delivery({
    outbox: store.outbox,
    users: store.users,
    now: clock.now,
    receiveUrls,
    policy: { requestTimeoutMs: 2000, ...options.deliveryPolicy },
  });
  const inventory = new Inventory(store.devices);
  const makePipeline = (onBus: MemoryBus, over: Store = store) =>
    new Pipeline({
      store: over,
      bus: onBus,
      wan,
      inventory,
      registration: new Registration(store.registrations),
      gbcsKeys: dccKeys,
      signer: DCC_SIGNER,
      delivery,
      now: clock.now,
      validate: duisSchemaCheck(reference()),
    });
  const pipeline = makePipeline(bus);
  if (options.startPipeline !== false) await pipeline.start();
  const app = await buildApp({
    metrics: new DccMetrics(),
    health: [],
    plugins: [
      appPlugin("duis", duisRoutes, {
        pipeline,
        delivery,
        users: store.users,
        nonces: store.nonces,
        now: clock.now,
        receiveUrls,
        usersSetReceiveUrl: true,
        audit: store.audit,
      }),
    ],
  });
  return {
    dir,
    store,
    bus,
    clock,
    app,
    pipeline,
    delivery,
    fleet,
    makePipeline,
    userKeys: KeyStore.fromDirectory(reference("rtds-keystore")).add({
      eui: ESME2,
      usage: "ka",
      publicKey: esme2.publicKey,
    }),
    async close() {
      await app.close();
      pipeline.stop();
      await bus.drain();
      await delivery.stop();
      await bus.close();
      await wan.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A 4.1.1 request from the RTDS template, with our RequestID (and execution date), signed by `signer`. */
export function signedReadRegisters(
  signer: Signer,
  device: string,
  counter: bigint,
  executeAt?: Date,
): string {
  const template = readFileSync(
    reference("rtds-4.9.1-duis", "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"),
    "utf8",
  );
  const duis = (eui: string) => eui.toUpperCase().match(/../g)!.join("-");
  let xml = template.replace(
    /<sr:RequestID>[^<]*<\/sr:RequestID>/,
    `<sr:RequestID>${duis(signer.eui)}:${duis(device)}:${counter}</sr:RequestID>`,
  );
  if (executeAt !== undefined) {
    xml = xml.replace(
      "<sr:ReadInstantaneousImportRegisters/>",
      `<sr:ReadInstantaneousImportRegisters><sr:ExecutionDateTime>${executeAt.toISOString()}</sr:ExecutionDateTime></sr:ReadInstantaneousImportRegisters>`,
    );
  }
  return signDuis(xml, { privateKey: signer.privateKey, certificate: signer.certificate });
}
