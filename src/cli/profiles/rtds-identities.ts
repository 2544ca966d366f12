/**
 * The ZAZ1 organisation identities of DCC Boxed (reference data `dccboxed-keys/`), as the `rtds`
 * profile registers them: `keystore.json` names, for each EUI, its certificates and private keys by
 * decimal serial with a GBCS remote-party role code and a name; the `Z1-…-ds.pem`, `Z1b-…-ds.pem`
 * and `xml-sign-…-ds.pem` files beside it are the same certificates as files (a client signs with
 * them). Every digital-signature certificate of a Service User becomes one of its user
 * certificates, so that a request signed with any DCC Boxed test key of its originator is found by
 * the serial in its `X509IssuerSerial` and accepted as it is.
 *
 * Read in place; nothing is copied into meterway or into the data folder.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decimalSerial, rfc2253Issuer } from "../../duis/signature/certificate.js";
import type { DeviceType, UserCertificate, UserRecord, UserRole } from "../../store/types.js";

/** Where the DCC Boxed keys are, under the reference root. */
export const DCCBOXED_KEYS_FOLDER = "dccboxed-keys";

/**
 * GBCS remote-party role codes as keystore.json writes them (`role`), and what each makes of the
 * EUI in the DCC: a Service User with DUIS user roles, or one of the DCC's own parties.
 */
export const KEYSTORE_ROLES = {
  1: { party: "recovery", userRoles: null },
  2: { party: "supplier", userRoles: ["IS", "ES", "GS"] },
  3: { party: "networkOperator", userRoles: ["ED", "GT"] },
  4: { party: "accessControlBroker", userRoles: null },
  5: { party: "transitionalCoS", userRoles: null },
  6: { party: "wanProvider", userRoles: null },
  /** A Load Controller: a SEC party that sends DUIS (7.16 Limit APC Level) but holds no DUIS user role. */
  8: { party: "loadController", userRoles: [] },
  127: { party: "otherUser", userRoles: ["OU"] },
  /** A DUIS XML-signing certificate of a Service User (not a GBCS role of its own). */
  135: { party: "xmlSigning", userRoles: undefined },
  /** The DSP's XML-signing certificate (the DCC signs its DUIS responses with it). */
  137: { party: "dspXmlSigning", userRoles: undefined },
} as const satisfies Record<
  number,
  { readonly party: string; readonly userRoles: readonly UserRole[] | null | undefined }
>;

type KeystoreRole = keyof typeof KEYSTORE_ROLES;

/** One certificate (and private key, when keystore.json holds it) of an organisation. */
export interface BoxedCredential {
  /** Owner EUI, 16 lowercase hex. */
  readonly eui: string;
  readonly usage: "digitalSignature" | "keyAgreement";
  /** Decimal serial, as `X509SerialNumber` writes it. */
  readonly serial: string;
  /** Issuer DN in RFC 2253 order (`CN=Z1,OU=07`), as DCC Boxed writes `X509IssuerName`. */
  readonly issuer: string;
  /** keystore.json's name, e.g. `Z1-supplier-ds`, `xml-sign-90B3D51F30010000-ds`. */
  readonly name: string;
  readonly role: number;
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject | undefined;
  /** The certificate and key as files in the reference folder, when there are such files. */
  readonly certificatePath: string | undefined;
  readonly keyPath: string | undefined;
}

/** The DCC Boxed identities, read once. */
export interface BoxedIdentities {
  readonly folder: string;
  readonly credentials: readonly BoxedCredential[];
  /** The Service Users (organisations with a DUIS user role kind), with all their DS certificates. */
  readonly users: readonly UserRecord[];
  /** The DSP XML-signing credential of the DCC (90-B3-D5-1F-30-00-00-02). */
  readonly dspXmlSigning: BoxedCredential & { readonly privateKey: KeyObject };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isKeystoreRole(role: number): role is KeystoreRole {
  return Object.hasOwn(KEYSTORE_ROLES, role);
}

/** Human names for the users, from their organisation certificate names (`Z1-supplier2-ds` → `supplier2`). */
function partyName(credentials: readonly BoxedCredential[]): string {
  const names = credentials
    .filter((c) => c.role !== 135 && c.role !== 137)
    .map((c) => c.name.replace(/^Z1b?-/, "").replace(/-(ds|ka)$/, ""));
  const first = names.sort((a, b) => a.length - b.length)[0];
  return first === undefined ? "DCC Boxed user" : `DCC Boxed ${first}`;
}

/** Reads keystore.json (and notes the PEM/key files that hold the same certificates). */
export function readBoxedCredentials(referenceRoot: string): BoxedCredential[] {
  const folder = join(referenceRoot, DCCBOXED_KEYS_FOLDER);
  const json: unknown = JSON.parse(readFileSync(join(folder, "keystore.json"), "utf8"));
  if (!isRecord(json)) throw new Error(`${folder}/keystore.json: not an object`);
  const out: BoxedCredential[] = [];
  for (const [eui, usages] of Object.entries(json)) {
    if (!/^[0-9a-f]{16}$/.test(eui) || !isRecord(usages)) {
      throw new Error(`${folder}/keystore.json: entry '${eui}' is not an EUI with usages`);
    }
    for (const usage of ["digitalSignature", "keyAgreement"] as const) {
      const bySerial = usages[usage];
      if (bySerial === undefined) continue;
      if (!isRecord(bySerial)) throw new Error(`keystore.json ${eui}.${usage}: not an object`);
      for (const [serial, entry] of Object.entries(bySerial)) {
        if (!isRecord(entry) || typeof entry.certificate !== "string" || typeof entry.name !== "string") {
          throw new Error(`keystore.json ${eui}.${usage}.${serial}: certificate and name expected`);
        }
        const certificate = new X509Certificate(entry.certificate);
        if (decimalSerial(certificate) !== serial) {
          throw new Error(`keystore.json ${eui}.${usage}.${serial}: the certificate's serial differs`);
        }
        const certificatePath = join(folder, `${entry.name}.pem`);
        const keyPath = join(folder, `${entry.name}.key`);
        const file = existsSync(certificatePath) ? certificatePath : undefined;
        if (file !== undefined && decimalSerial(new X509Certificate(readFileSync(file))) !== serial) {
          throw new Error(`${file}: not the certificate keystore.json names ${entry.name}`);
        }
        out.push({
          eui,
          usage,
          serial,
          issuer: rfc2253Issuer(certificate),
          name: entry.name,
          role: typeof entry.role === "number" ? entry.role : -1,
          certificate,
          privateKey: typeof entry.privateKey === "string" ? createPrivateKey(entry.privateKey) : undefined,
          certificatePath: file,
          keyPath: file !== undefined && existsSync(keyPath) ? keyPath : undefined,
        });
      }
    }
  }
  return out;
}

/** The DUIS user roles of an EUI from its credentials' role codes; null when it is a DCC party. */
function userRolesOf(credentials: readonly BoxedCredential[]): UserRole[] | null {
  const roles = new Set<UserRole>();
  let user = false;
  for (const c of credentials) {
    if (!isKeystoreRole(c.role)) continue;
    const r: readonly UserRole[] | null | undefined = KEYSTORE_ROLES[c.role].userRoles;
    if (r === null) return null;
    if (r === undefined) continue;
    user = true;
    for (const role of r) roles.add(role);
  }
  return user ? [...roles] : null;
}

/** Reads the identities and builds the Service Users (see the file comment). */
export function readBoxedIdentities(referenceRoot: string): BoxedIdentities {
  const credentials = readBoxedCredentials(referenceRoot);
  const byEui = new Map<string, BoxedCredential[]>();
  for (const c of credentials) byEui.set(c.eui, [...(byEui.get(c.eui) ?? []), c]);
  const users: UserRecord[] = [];
  for (const [eui, own] of byEui) {
    const roles = userRolesOf(own);
    if (roles === null) continue;
    const certificates: UserCertificate[] = own.map((c) => ({
      serial: c.serial,
      issuer: c.issuer,
      usage: c.usage === "keyAgreement" ? "ka" : c.role === 135 ? "xml" : "ds",
      pem: c.certificate.toString(),
    }));
    users.push({ eui, name: partyName(own), roles, receiveResponseUrl: null, certificates });
  }
  const dsp = credentials.find((c) => c.role === 137 && c.usage === "digitalSignature");
  if (dsp === undefined) throw new Error(`${DCCBOXED_KEYS_FOLDER}/keystore.json: no DSP XML-signing entry`);
  const dspKey =
    dsp.privateKey ??
    (dsp.keyPath === undefined
      ? undefined
      : createPrivateKey({ key: readFileSync(dsp.keyPath), format: "der", type: "pkcs8" }));
  if (dspKey === undefined) throw new Error(`${dsp.name}: no private key`);
  return {
    folder: join(referenceRoot, DCCBOXED_KEYS_FOLDER),
    credentials,
    users: users.sort((a, b) => a.eui.localeCompare(b.eui)),
    dspXmlSigning: { ...dsp, privateKey: dspKey },
  };
}

/** The certificates that are expired (or not yet valid) at `at`, for the start-up notice. */
export function certificatesNotValidAt(
  credentials: readonly BoxedCredential[],
  at: number,
): BoxedCredential[] {
  return credentials.filter(
    (c) => Date.parse(c.certificate.validTo) < at || Date.parse(c.certificate.validFrom) > at,
  );
}

/** Roles tied to a fuel: the electricity parties and the gas parties. */
const ELECTRICITY_ROLES: ReadonlySet<string> = new Set(["IS", "ES", "ED"]);
const GAS_ROLES: ReadonlySet<string> = new Set(["GS", "GT"]);

/**
 * The role a user acts in for an SRV to a device type without a store to ask (the conformance
 * table, the benchmark): the first of its roles the SRV allows, of the device's fuel where the role
 * has one (the access check finds the same role through the registrations).
 */
export function actingRole(
  roles: readonly UserRole[],
  srvRoles: readonly string[],
  deviceType: DeviceType,
): UserRole | undefined {
  const wrongFuel =
    deviceType === "ESME"
      ? GAS_ROLES
      : deviceType === "GSME" || deviceType === "GPF"
        ? ELECTRICITY_ROLES
        : new Set<string>();
  return roles.find((r) => srvRoles.includes(r) && !wrongFuel.has(r));
}
