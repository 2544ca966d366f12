/**
 * `meterway start --profile rtds`: a DCC that answers the RTDS test data as DCC Boxed does, built
 * from the reference data in place (`src/catalogue/reference.ts` finds it; nothing is copied):
 *
 * - **Service Users**: the ZAZ1 organisations of DCC Boxed (`dccboxed-keys/keystore.json` and the
 *   `Z1`/`Z1b`/`xml-sign` certificate files), each with every one of its digital-signature
 *   certificates, so a request signed with any DCC Boxed test key of its originator is found by the
 *   issuer and serial of its `X509IssuerSerial` and accepted as it is (`rtds-identities.ts`).
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
 * This file supplies only what the profile changes in the DCC (`DccProfile`); `compose()` calls
 * {@link rtdsProfile} for `--profile rtds` and builds the rest with `assemble()`
 * (src/cli/compose.ts).
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { findReferenceRoot } from "../../catalogue/reference.js";
import { ConfigError, type MeterwayConfig } from "../../config/config.js";
import { ACB_EUI } from "../../dcc/fleet.js";
import { duisSchemaCheck } from "../../dcc/schema-check.js";
import { SimFleet } from "../../sim/fleet.js";
import { KeyStore } from "../../smki/keystore.js";
import type { IssuedCredential } from "../../smki/test-pki.js";
import type { Store } from "../../store/port.js";
import type { UserRecord } from "../../store/types.js";
import { ZERO_DELAY_MODELS } from "../../wan/regions.js";
import type { DccPki, DccProfile } from "../compose.js";
import { RTDS_HUB, type RtdsPremises, rtdsPremises } from "./rtds-devices.js";
import { type BoxedIdentities, certificatesNotValidAt, readBoxedIdentities } from "./rtds-identities.js";
import { readRtdsTemplates } from "./rtds-templates.js";

/** The RTDS key store and the one device private key the GBCS known answers add. */
export const RTDS_KEYSTORE_FOLDER = "rtds-keystore";
export const KNOWN_ANSWERS_FOLDER = "gbcs-known-answers";

/** The meta key set when the profile first provisioned a data folder. */
const PROVISIONED_KEY = "profile.rtds.provisionedAt";

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
 * registrations are written on the first start only (their status may change at run time; the
 * caller marks the data folder provisioned, {@link PROVISIONED_KEY}).
 */
export async function provisionRtds(
  store: Store,
  profile: RtdsProfile,
  firstRun: boolean,
): Promise<UserRecord[]> {
  const users: UserRecord[] = [];
  for (const user of profile.identities.users) {
    const existing = await store.users.get(user.eui);
    const record = { ...user, receiveResponseUrl: existing?.receiveResponseUrl ?? null };
    await store.users.put(record);
    users.push(record);
  }
  if (firstRun) {
    await store.devices.put([...profile.premises.devices, ...profile.premises.partners]);
    await store.registrations.put(profile.premises.registrations);
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

/**
 * The rtds profile (see the file comment). Reads the reference data now, before the data folder is
 * opened, so a missing reference or `--pki` fails without touching it.
 */
export function rtdsProfile(
  config: MeterwayConfig,
  context: { readonly now: () => number; readonly log: (line: string) => void; readonly projectRoot: string },
): DccProfile {
  const { now, log } = context;
  if (config.pkiGiven) {
    throw new ConfigError(
      "--pki cannot be combined with --profile rtds: its keys come from the reference data",
    );
  }
  const profile = loadRtdsProfile(findReferenceRoot(process.env, context.projectRoot), now());
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
  return {
    initialisedKey: PROVISIONED_KEY,
    instanceName: "meterway (rtds profile)",
    // No delay or loss unless the caller asks (see the file comment).
    wan: () => ({ models: ZERO_DELAY_MODELS }),
    logPipeline: true,
    async setup({ store, firstRun }) {
      const users = await provisionRtds(store, profile, firstRun);
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
      return {
        keys: profile.keys.dcc,
        pki,
        users,
        fleet: { premises: 1, added: firstRun ? 1 : 0 },
        signer: { privateKey: dsp.privateKey, certificate: dsp.certificate },
        validate: duisSchemaCheck(profile.referenceRoot),
        // Deliberately off: see "Certificate validity" in the file comment.
        checkCertificateValidity: false,
        attachDevices(wan) {
          const fleet = new SimFleet(profile.keys.devices, now, (hub, frame) =>
            wan.sendUnsolicited(hub, frame),
          );
          const hub = fleet.addPremises({
            hubEui: RTDS_HUB,
            devices: profile.premises.devices
              .filter((d) => d.type !== "CHF" && d.type !== "CAD")
              .map((d) => ({ eui: d.eui, type: d.type as Exclude<typeof d.type, "CHF" | "CAD"> })),
            remoteParties: profile.remoteParties,
          });
          const region = profile.premises.devices.find((d) => d.eui === RTDS_HUB)!.region;
          wan.attach(RTDS_HUB, region, hub.handle);
        },
      };
    },
  };
}
