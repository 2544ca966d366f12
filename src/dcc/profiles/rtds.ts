/**
 * `meterway start --profile rtds`: a DCC that answers the RTDS test data as DCC Boxed does, built
 * from the reference data in place (`src/catalogue/reference.ts` finds it; nothing is copied):
 *
 * - **Service Users**: the ZAZ1 organisations of DCC Boxed (`dccboxed-keys/keystore.json` and the
 *   `Z1`/`Z1b`/`xml-sign` certificate files), each with every one of its digital-signature
 *   certificates, so a request signed with any DCC Boxed test key of its originator is found by the
 *   serial of its `X509IssuerSerial` and accepted as it is (`rtds-identities.ts`).
 * - **The DCC's XML signature**: the DSP XML-signing key of 90-B3-D5-1F-30-00-00-02
 *   (`dsp-xml-sign-90B3D51F30000002-ds.*`), so DCC Boxed tooling validates every response.
 * - **GBCS keys**: the RTDS key store (`rtds-keystore/`): the ACB's key-agreement key MACs
 *   commands, byte for byte as in the RTDS vectors where the device's key is the RTDS one.
 * - **The RTDS premises** (`rtds-devices.ts`): the devices the 297 templates address, Commissioned,
 *   on hub 00DB1234567890A2, with the meter points of the templates registered to the DCC Boxed
 *   supplier (90-B3-D5-1F-30-01-00-00) and network operator (90-B3-D5-1F-30-02-00-00).
 * - **Simulated devices** with their own keys: a device keeps its RTDS key-agreement private key
 *   where the reference data has one (only the ESME 00DB1234567890A0, from `gbcs-known-answers/`);
 *   every other key pair the RTDS set has no private key for is generated at start (see
 *   {@link RtdsDeviceKeys.generated}), and the DCC's key store takes the generated public key in
 *   place of the RTDS certificate, so the DCC and its devices agree.
 *
 * **Certificate validity.** The Z1/Z1b test certificates expired (Oct 2025, Jan 2026); DCC Boxed
 * tooling still signs with them. The profile does not check the validity period of the users'
 * certificates at all (the pipeline's `checkCertificateValidity` stays off): the identities are fixed
 * test data that the profile itself provisions, and moving the DCC's clock back into their validity
 * would make every response, schedule and device time wrong instead. The start-up log says which
 * certificates are outside their validity at the DCC's clock. A certificate that is unknown, of
 * another user, or whose signature does not verify is still refused. (docs/operations.md, "The rtds
 * profile".)
 *
 * The WAN of this profile has no delay and no loss (`ComposeOptions.wan` may still set models): it
 * is for conformance runs, where an answer should not depend on a random draw. Use the demo profile
 * to study the network.
 *
 * This file is a piece of the composition root (it builds the server and the simulator), called by
 * `compose()` for `--profile rtds`.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findReferenceRoot } from "../../catalogue/reference.js";
import {
  type ComposeOptions,
  type Dcc,
  type DccPki,
  openBus,
  openStore,
  type PlatformParts,
} from "../../cli/compose.js";
import { ConfigError, type MeterwayConfig } from "../../config/config.js";
import { lockDataDir } from "../../config/data-lock.js";
import { appPlugin, buildApp } from "../../server/app.js";
import { dashboardPlugin } from "../../server/dashboard.js";
import { StoreDashboardSource } from "../../server/dashboard-store-source.js";
import { duisRoutes } from "../../server/duis-routes.js";
import { DccMetrics } from "../../server/metrics.js";
import { SimFleet } from "../../sim/fleet.js";
import { KeyStore } from "../../smki/keystore.js";
import type { IssuedCredential } from "../../smki/test-pki.js";
import type { Store } from "../../store/port.js";
import type { UserRecord } from "../../store/types.js";
import { InProcessWan } from "../../wan/memory.js";
import { ZERO_DELAY_MODELS } from "../../wan/regions.js";
import { Delivery } from "../delivery.js";
import { ACB_EUI } from "../fleet.js";
import { Inventory } from "../inventory.js";
import { Pipeline } from "../pipeline.js";
import { Registration } from "../registration.js";
import { duisSchemaCheck } from "../schema-check.js";
import { RTDS_HUB, type RtdsPremises, rtdsPremises } from "./rtds-devices.js";
import { type BoxedIdentities, certificatesNotValidAt, readBoxedIdentities } from "./rtds-identities.js";
import { readRtdsTemplates } from "./rtds-templates.js";

/** The RTDS key store and the one device private key the GBCS known answers add. */
export const RTDS_KEYSTORE_FOLDER = "rtds-keystore";
export const KNOWN_ANSWERS_FOLDER = "gbcs-known-answers";

/** The project root (for web/dist), from src/dcc/profiles or dist/dcc/profiles alike. */
const PROJECT_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** The meta key set when the profile first provisioned a data folder. */
const PROVISIONED_KEY = "profile.rtds.provisionedAt";

/** meterway's version from package.json beside the code ("unknown" when it is not there). */
function packageVersion(): string {
  try {
    const json: unknown = JSON.parse(readFileSync(`${PROJECT_ROOT}package.json`, "utf8"));
    if (typeof json === "object" && json !== null && "version" in json && typeof json.version === "string") {
      return json.version;
    }
  } catch {
    // No package.json beside the code: report no version rather than fail.
  }
  return "unknown";
}

/** The keys of the simulated RTDS devices, and which of them were generated. */
export interface RtdsDeviceKeys {
  /** What the DCC holds: the RTDS key store, with generated devices' public keys in place of their certificates. */
  readonly dcc: KeyStore;
  /** What the devices hold: their own private keys and the remote parties' certificates. */
  readonly devices: KeyStore;
  /** `<eui>-ka` / `<eui>-ds` for every device key pair generated because the reference has no private key. */
  readonly generated: readonly string[];
}

/** Everything the profile reads from the reference data. */
export interface RtdsProfile {
  readonly referenceRoot: string;
  readonly identities: BoxedIdentities;
  readonly premises: RtdsPremises;
  readonly keys: RtdsDeviceKeys;
  /** The remote parties whose certificates sit on the simulated devices. */
  readonly remoteParties: readonly string[];
}

/**
 * Device keys (see the file comment): the RTDS private key where there is one, else a generated
 * P-256 pair whose public half replaces the RTDS certificate in the DCC's store.
 */
export function rtdsDeviceKeys(referenceRoot: string, deviceEuis: readonly string[]): RtdsDeviceKeys {
  const folders = [join(referenceRoot, RTDS_KEYSTORE_FOLDER), join(referenceRoot, KNOWN_ANSWERS_FOLDER)];
  const dcc = new KeyStore({ directories: [folders[0]!] });
  const devices = new KeyStore({ directories: folders });
  const generated: string[] = [];
  for (const eui of deviceEuis) {
    for (const usage of ["ka", "ds"] as const) {
      if (devices.privateKey(eui, usage) !== undefined) continue;
      const pair: { publicKey: KeyObject; privateKey: KeyObject } = generateKeyPairSync("ec", {
        namedCurve: "P-256",
      });
      devices.add({ eui, usage, privateKey: pair.privateKey });
      dcc.add({ eui, usage, publicKey: pair.publicKey });
      generated.push(`${eui}-${usage}`);
    }
  }
  return { dcc, devices, generated };
}

/** Reads the profile from the reference data (throws ConfigError when it is missing). */
export function loadRtdsProfile(referenceRoot: string | undefined, at: number): RtdsProfile {
  if (referenceRoot === undefined) {
    throw new ConfigError(
      "--profile rtds needs the reference data: set METERWAY_REFERENCE or place it at ../shared/reference",
    );
  }
  const identities = readBoxedIdentities(referenceRoot);
  const premises = rtdsPremises(readRtdsTemplates(referenceRoot), at);
  const keys = rtdsDeviceKeys(
    referenceRoot,
    premises.devices.map((d) => d.eui),
  );
  const remoteParties = [...new Set([ACB_EUI, ...identities.credentials.map((c) => c.eui)])];
  return { referenceRoot, identities, premises, keys, remoteParties };
}

/**
 * Puts the profile's users, devices and registrations in the store. Users are rewritten with the
 * reference identities on every start but keep a receive-response URL set at run time; devices and
 * registrations are written on the first start only (their status may change at run time).
 */
export async function provisionRtds(store: Store, profile: RtdsProfile, at: number): Promise<UserRecord[]> {
  const users: UserRecord[] = [];
  for (const user of profile.identities.users) {
    const existing = await store.users.get(user.eui);
    const record = { ...user, receiveResponseUrl: existing?.receiveResponseUrl ?? null };
    await store.users.put(record);
    users.push(record);
  }
  if ((await store.meta.get(PROVISIONED_KEY)) === undefined) {
    await store.devices.put(profile.premises.devices);
    await store.registrations.put(profile.premises.registrations);
    await store.meta.set(PROVISIONED_KEY, new Date(at).toISOString());
  }
  return users;
}

/** The users' credentials as `meterway start` prints them (the files in the reference folder). */
function organisations(identities: BoxedIdentities): Map<string, IssuedCredential[]> {
  const map = new Map<string, IssuedCredential[]>();
  for (const c of identities.credentials) {
    if (c.usage !== "digitalSignature") continue;
    const list = map.get(c.eui) ?? [];
    list.push({
      eui: c.eui,
      usage: c.role === 135 || c.role === 137 ? "xml" : "ds",
      // Entries of keystore.json without files of their own: the JSON holds certificate and key.
      certificatePath: c.certificatePath ?? join(identities.folder, "keystore.json"),
      keyPath: c.keyPath ?? join(identities.folder, "keystore.json"),
      serial: c.serial,
      issuer: c.issuer,
    });
    map.set(c.eui, list);
  }
  return map;
}

/** Builds the DCC of the rtds profile (see the file comment). Does not listen yet. */
export async function composeRtds(config: MeterwayConfig, options: ComposeOptions = {}): Promise<Dcc> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  if (config.pkiGiven) {
    throw new ConfigError(
      "--pki cannot be combined with --profile rtds: its keys come from the reference data",
    );
  }
  const profile = loadRtdsProfile(findReferenceRoot(process.env, PROJECT_ROOT), now());
  const expired = certificatesNotValidAt(profile.identities.credentials, now());
  if (expired.length > 0) {
    log(
      `rtds profile: ${expired.length} test certificates are outside their validity at the DCC's clock (${expired
        .map((c) => c.name)
        .join(", ")}); accepted: this profile does not check certificate validity periods`,
    );
  }
  if (profile.keys.generated.length > 0) {
    log(`rtds profile: generated device keys (no RTDS private key): ${profile.keys.generated.join(", ")}`);
  }
  await mkdir(config.dataDir, { recursive: true });
  // One DCC per data folder, as for the default profile.
  const unlock = await lockDataDir(config.dataDir);
  let store: Store;
  try {
    store = openStore(config);
  } catch (error) {
    await unlock();
    throw error;
  }
  const closers: Array<() => Promise<void>> = [unlock, () => store.close()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const firstRun = (await store.meta.get(PROVISIONED_KEY)) === undefined;
    const bus = openBus(config, log);
    closers.push(() => bus.close());
    const metrics = new DccMetrics();
    const wan = new InProcessWan({
      seed: config.seed,
      // No delay or loss unless the caller asks (see the file comment).
      models: ZERO_DELAY_MODELS,
      ...options.wan,
      onRoundTrip: (trip) => {
        metrics.wanRoundTrips.inc({ region: trip.region, outcome: trip.outcome });
        if (trip.outcome === "ok") metrics.wanLatency.observe({ region: trip.region }, trip.ms / 1000);
      },
    });
    closers.push(() => wan.close());

    const users = await provisionRtds(store, profile, now());
    metrics.registry.onCollect(async () => {
      metrics.devices.reset();
      for (const c of await store.devices.counts()) {
        metrics.devices.inc({ status: c.status, type: c.type, region: c.region }, c.count);
      }
    });
    const inventory = new Inventory(store.devices, bus);
    const registration = new Registration(store.registrations);
    const dsp = profile.identities.dspXmlSigning;
    const pki: DccPki = {
      dir: join(profile.referenceRoot, RTDS_KEYSTORE_FOLDER),
      generated: false,
      xmlSigning: {
        certificatePath: dsp.certificatePath ?? join(profile.identities.folder, "keystore.json"),
        keyPath: dsp.keyPath ?? join(profile.identities.folder, "keystore.json"),
      },
      organisations: organisations(profile.identities),
    };
    const parts: PlatformParts = {
      config,
      now,
      store,
      bus,
      wan,
      metrics,
      inventory,
      registration,
      keys: profile.keys.dcc,
      pki,
      users,
      fleet: { premises: 1, added: firstRun ? 1 : 0 },
      firstRun,
    };

    const delivery = new Delivery({
      outbox: store.outbox,
      users: store.users,
      now,
      onAttempt: (a) => metrics.deliveries.inc({ result: a.ok ? "delivered" : "retry" }),
    });
    const pipeline = new Pipeline({
      store,
      bus,
      wan,
      inventory,
      registration,
      gbcsKeys: profile.keys.dcc,
      signer: { privateKey: dsp.privateKey, certificate: dsp.certificate },
      delivery,
      now,
      validate: duisSchemaCheck(profile.referenceRoot),
      // Deliberately off: see "Certificate validity" in the file comment.
      checkCertificateValidity: false,
      log: (message, error) =>
        log(
          `pipeline: ${message}${error === undefined ? "" : `: ${error instanceof Error ? error.message : String(error)}`}`,
        ),
      onAnswered: (srv, code, ms) => {
        metrics.requests.inc({ srv: srv ?? "unknown", code });
        if (srv !== null) metrics.requestDuration.observe({ srv }, ms / 1000);
      },
    });
    const fleet = new SimFleet(profile.keys.devices, now);
    const hub = fleet.addPremises({
      hubEui: RTDS_HUB,
      devices: profile.premises.devices
        .filter((d) => d.type !== "CHF" && d.type !== "CAD")
        .map((d) => ({ eui: d.eui, type: d.type as Exclude<typeof d.type, "CHF" | "CAD"> })),
      remoteParties: profile.remoteParties,
    });
    const region = profile.premises.devices.find((d) => d.eui === RTDS_HUB)!.region;
    wan.attach(RTDS_HUB, region, hub.handle);
    closers.push(async () => {
      pipeline.stop();
      await delivery.stop();
    });

    const dashboardSource = new StoreDashboardSource({
      store,
      bus,
      instance: {
        name: "meterway (rtds profile)",
        version: packageVersion(),
        mode: "embedded",
        startedAt: new Date(now()),
      },
      now,
      log: (message, error) =>
        log(`dashboard: ${message}: ${error instanceof Error ? error.message : String(error)}`),
    });
    const app = await buildApp({
      metrics,
      health: [
        { name: "store", check: () => store.ping() },
        { name: "bus", check: () => bus.ping() },
      ],
      plugins: [
        appPlugin("duis", duisRoutes, { pipeline, delivery, users: store.users, now }),
        appPlugin("dashboard", dashboardPlugin, {
          source: dashboardSource,
          staticDir: options.staticDir ?? `${PROJECT_ROOT}web/dist`,
          clock: () => new Date(now()),
        }),
      ],
      logger: options.logger,
    });
    await pipeline.start();
    delivery.start();

    let closing: Promise<void> | undefined;
    return {
      ...parts,
      app,
      async listen() {
        return app.listen({ port: config.port, host: config.host });
      },
      close() {
        closing ??= (async () => {
          await app.close();
          await closeAll();
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
