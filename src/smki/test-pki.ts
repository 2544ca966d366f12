/**
 * A test SMKI: a root CA, an issuing CA, organisation certificates (digital signature and key
 * agreement, per GBCS/SMKI shapes) and device certificates, written in the RTDS folder layout so
 * that the GBCS KeyStore, the simulator and users' tools read them like the DCC's own test keys:
 *
 *   <dir>/<eui>-ds.pem, <eui>-ds.key     digital signing certificate and PKCS#8 private key
 *   <dir>/<eui>-ka.pem, <eui>-ka.key     key agreement
 *   <dir>/<eui>-pp-ka.pem, ...           prepayment key agreement (suppliers)
 *   <dir>/<eui>-xml.pem, <eui>-xml.key   XML (DUIS) signing of the DCC's responses
 *   <dir>/ca/root-ca.pem, issuing-ca.pem (and their keys, so a later run can issue more)
 *
 * EUIs in file names are lowercase hex. All keys are ECDSA/ECDH P-256; certificates are signed
 * ecdsa-with-SHA256 by the issuing CA.
 *
 * Speed matters (a fleet has thousands of devices): keys come from node:crypto's threaded
 * generateKeyPair in batches; each certificate's TBSCertificate is built with @peculiar/asn1-x509
 * and serialised once, signed with node:crypto, and wrapped without a second serialisation.
 */
import {
  createECDH,
  createHash,
  createPrivateKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from "node:crypto";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import * as asn from "@peculiar/asn1-x509";
import { writeTlv } from "../gbcs/asn1/der.js";
import { Writer } from "../gbcs/cursor.js";

const generateKeyPairAsync = promisify(generateKeyPair);

/** ecdsa-with-SHA256 (RFC 5758). */
const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
/** The SMKI organisation certificate policy, as in the RTDS test certificates. */
export const ORGANISATION_CERTIFICATE_POLICY = "1.2.826.0.1.8641679.1.2.1.4";
/** The SMKI device certificate policy, as in the RTDS test certificates. */
export const DEVICE_CERTIFICATE_POLICY = "1.2.826.0.1.1800000.1.2.1.4";
/** id-on-hardwareModuleName (RFC 4108): the otherName carrying a device's EUI. */
export const HARDWARE_MODULE_NAME = "1.3.6.1.5.5.7.8.4";
/** The hwType of SMKI device certificates. */
export const SMKI_HW_TYPE = "1.2.826.0.1.8641679.1.2.2.1";
/** x500UniqueIdentifier: the attribute carrying an organisation's EUI (as a BIT STRING). */
export const X500_UNIQUE_IDENTIFIER = "2.5.4.45";
/** DER of the hwType OBJECT IDENTIFIER 1.2.826.0.1.8641679.1.2.2.1 (checked by a test). */
const SMKI_HW_TYPE_DER = Uint8Array.from([
  0x06, 0x0d, 0x2a, 0x86, 0x3a, 0x00, 0x01, 0x84, 0x8f, 0xb9, 0x0f, 0x01, 0x02, 0x02, 0x01,
]);

/** Devices' certificates do not expire (SMKI device certificates end 9999-12-31T23:59:59Z). */
const NO_EXPIRY = new Date(Date.UTC(9999, 11, 31, 23, 59, 59));

/**
 * SMKI remote party roles, the organisation certificate's OU (two hex digits). Other User has no
 * remote party role in GBCS; 7F is used here for it.
 */
export const REMOTE_PARTY_ROLE = {
  root: "00",
  recovery: "01",
  supplier: "02",
  networkOperator: "03",
  accessControlBroker: "04",
  transitionalCoS: "05",
  wanProvider: "06",
  issuingAuthority: "07",
  other: "7F",
} as const;
export type RemotePartyRole = keyof typeof REMOTE_PARTY_ROLE;

/** Certificate usages: GBCS digital signature, key agreement, prepayment key agreement, XML signing. */
export type CredentialUsage = "ds" | "ka" | "pp-ka" | "xml";

/** An organisation to certify. */
export interface OrganisationSpec {
  /** 16 hex digits, any case. */
  readonly eui: string;
  readonly name: string;
  readonly role: RemotePartyRole;
  readonly usages: readonly CredentialUsage[];
}

/** Where one generated credential lives, and how XML signatures name it. */
export interface IssuedCredential {
  /** Lowercase hex. */
  readonly eui: string;
  readonly usage: CredentialUsage;
  readonly certificatePath: string;
  readonly keyPath: string;
  /** Decimal serial number (as XML `X509SerialNumber`). */
  readonly serial: string;
  /** Issuer DN as an RFC 4514 string. */
  readonly issuer: string;
}

/** The CA that issues organisation and device certificates, with its key in memory. */
export interface TestCa {
  readonly dir: string;
  readonly rootPath: string;
  readonly issuingPath: string;
  /** The issuing CA's name, as it appears in the certificates it issues. */
  readonly issuerName: asn.Name;
  readonly issuerDn: string;
  readonly issuingKey: KeyObject;
  /** The issuing CA's key identifier (AKI of what it issues). */
  readonly keyId: Uint8Array;
}

function lower(eui: string): string {
  const hex = eui.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new RangeError(`not an EUI-64: '${eui}'`);
  return hex;
}

export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A positive 16-byte serial (SMKI serials are 128-bit). */
function newSerial(): Uint8Array {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  return new Uint8Array(serial);
}

function serialDecimal(serial: Uint8Array): string {
  return BigInt(`0x${Buffer.from(serial).toString("hex")}`).toString(10);
}

/** An 8-byte key identifier from the public key (SMKI uses 8-byte identifiers). */
export function keyIdentifier(spki: asn.SubjectPublicKeyInfo): Uint8Array {
  return new Uint8Array(
    createHash("sha256").update(new Uint8Array(spki.subjectPublicKey)).digest().subarray(0, 8),
  );
}

function rdn(type: string, value: asn.AttributeValue): asn.RelativeDistinguishedName {
  return new asn.RelativeDistinguishedName([new asn.AttributeTypeAndValue({ type, value })]);
}

function utf8(value: string): asn.AttributeValue {
  return new asn.AttributeValue({ utf8String: value });
}

/** RFC 4514 text of a Name, for the few attribute types used here. */
function nameText(name: asn.Name): string {
  const short: Record<string, string> = { "2.5.4.3": "CN", "2.5.4.11": "OU", "2.5.4.10": "O" };
  return [...name]
    .reverse()
    .flatMap((set) =>
      [...set].map((atv) => {
        const label = short[atv.type] ?? atv.type;
        const text = atv.value.utf8String ?? atv.value.printableString ?? atv.value.toString();
        return `${label}=${text}`;
      }),
    )
    .join(", ");
}

function extension(id: string, critical: boolean, value: unknown): asn.Extension {
  return new asn.Extension({ extnID: id, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function keyUsageExtension(flags: number): asn.Extension {
  return extension(asn.id_ce_keyUsage, true, new asn.KeyUsage(flags));
}

function policyExtension(policy: string): asn.Extension {
  return extension(
    asn.id_ce_certificatePolicies,
    true,
    new asn.CertificatePolicies([new asn.PolicyInformation({ policyIdentifier: policy })]),
  );
}

function keyIdExtensions(subjectKeyId: Uint8Array, authorityKeyId: Uint8Array | undefined): asn.Extension[] {
  const out = [
    extension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(arrayBuffer(subjectKeyId))),
  ];
  if (authorityKeyId !== undefined) {
    out.push(
      extension(
        asn.id_ce_authorityKeyIdentifier,
        false,
        new asn.AuthorityKeyIdentifier({ keyIdentifier: new asn.KeyIdentifier(arrayBuffer(authorityKeyId)) }),
      ),
    );
  }
  return out;
}

/** The SAN of a device certificate: otherName hardwareModuleName { hwType, hwSerialNum = EUI }. */
function deviceSanExtension(eui: string): asn.Extension {
  const inner = new Writer(32);
  inner.bytes(SMKI_HW_TYPE_DER);
  writeTlv(inner, 0x04, hexBytes(eui));
  const hardwareModuleName = new Writer(40);
  writeTlv(hardwareModuleName, 0x30, inner.finish());
  const san = new asn.SubjectAlternativeName([
    new asn.GeneralName({
      otherName: new asn.OtherName({
        typeId: HARDWARE_MODULE_NAME,
        value: arrayBuffer(hardwareModuleName.finish()),
      }),
    }),
  ]);
  return extension(asn.id_ce_subjectAltName, true, san);
}

interface CertificateParams {
  readonly serial: Uint8Array;
  readonly issuer: asn.Name;
  readonly subject: asn.Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: asn.SubjectPublicKeyInfo;
  readonly extensions: asn.Extension[];
  readonly signer: KeyObject;
}

/** Serialises a TBSCertificate with @peculiar/asn1-x509. */
function tbsDer(params: Omit<CertificateParams, "signer">): Uint8Array {
  const tbs = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: arrayBuffer(params.serial),
    signature: ECDSA_WITH_SHA256_ALGORITHM,
    issuer: params.issuer,
    validity: new asn.Validity({ notBefore: params.notBefore, notAfter: params.notAfter }),
    subject: params.subject,
    subjectPublicKeyInfo: params.spki,
    extensions: new asn.Extensions(params.extensions),
  });
  return new Uint8Array(AsnConvert.serialize(tbs));
}

const ECDSA_WITH_SHA256_ALGORITHM = new asn.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
const ECDSA_WITH_SHA256_DER = new Uint8Array(AsnConvert.serialize(ECDSA_WITH_SHA256_ALGORITHM));

/** Signs a serialised TBSCertificate and wraps it: Certificate ::= SEQUENCE { tbs, algorithm, BIT STRING }. */
export function signCertificate(tbs: Uint8Array, signer: KeyObject): Uint8Array {
  const signature = new Uint8Array(sign("sha256", tbs, signer));
  const body = new Writer(tbs.length + 96);
  body.bytes(tbs);
  body.bytes(ECDSA_WITH_SHA256_DER);
  const bits = new Uint8Array(signature.length + 1);
  bits.set(signature, 1);
  writeTlv(body, 0x03, bits);
  const certificate = new Writer(tbs.length + 100);
  writeTlv(certificate, 0x30, body.finish());
  return certificate.finish();
}

/** Builds and signs a certificate; returns its DER. */
function issue(params: CertificateParams): Uint8Array {
  return signCertificate(tbsDer(params), params.signer);
}

/**
 * A device TBSCertificate serialised once by asn1-x509 with random placeholders in its fixed-width
 * fields (16-byte serial, 65-byte public point, 8-byte key identifier, 8-byte EUI); each device's
 * TBS is a copy with those bytes replaced. Every field keeps its length, so the DER stays valid and
 * the structure is the library's, while a certificate costs one copy and one signature.
 */
export class DeviceTbsTemplate {
  private readonly der: Uint8Array;
  private readonly at: { serial: number; point: number; keyId: number; eui: number };

  constructor(ca: TestCa, usage: "ds" | "ka", notBefore: Date) {
    const serial = newSerial();
    const point = new Uint8Array(randomBytes(65));
    const keyId = new Uint8Array(randomBytes(8));
    const eui = Buffer.from(randomBytes(8)).toString("hex");
    const spki = new asn.SubjectPublicKeyInfo({
      algorithm: EC_P256_ALGORITHM,
      subjectPublicKey: arrayBuffer(point),
    });
    this.der = tbsDer({
      serial,
      issuer: ca.issuerName,
      subject: new asn.Name([]),
      notBefore,
      notAfter: NO_EXPIRY,
      spki,
      extensions: [
        keyUsageExtension(USAGE_FLAGS[usage]),
        ...keyIdExtensions(keyId, ca.keyId),
        deviceSanExtension(eui),
        policyExtension(DEVICE_CERTIFICATE_POLICY),
      ],
    });
    this.at = {
      serial: this.find(serial, "serial"),
      point: this.find(point, "public key"),
      keyId: this.find(keyId, "key identifier"),
      eui: this.find(hexBytes(eui), "EUI"),
    };
  }

  /** The TBS of one device credential. */
  fill(serial: Uint8Array, point: Uint8Array, keyId: Uint8Array, eui: Uint8Array): Uint8Array {
    const out = this.der.slice();
    out.set(serial, this.at.serial);
    out.set(point, this.at.point);
    out.set(keyId, this.at.keyId);
    out.set(eui, this.at.eui);
    return out;
  }

  /** The one offset of a placeholder (random, so it occurs once; checked). */
  private find(needle: Uint8Array, what: string): number {
    const haystack = Buffer.from(this.der);
    const first = haystack.indexOf(needle);
    if (first < 0 || haystack.indexOf(needle, first + 1) >= 0) {
      throw new Error(`device certificate template: ${what} placeholder not found exactly once`);
    }
    return first;
  }
}

/** PEM text of a DER certificate. */
export function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
}

async function newKeyPair(): Promise<{ privateKey: KeyObject; spki: asn.SubjectPublicKeyInfo }> {
  const { publicKey, privateKey } = await generateKeyPairAsync("ec", { namedCurve: "P-256" });
  const spkiDer = publicKey.export({ type: "spki", format: "der" });
  return { privateKey, spki: AsnConvert.parse(spkiDer, asn.SubjectPublicKeyInfo) };
}

function privateKeyPem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/** DER prefix of a P-256 SubjectPublicKeyInfo: SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING header. */
const P256_SPKI_PREFIX = Uint8Array.from(
  Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex"),
);
/**
 * DER around a P-256 private key in PKCS#8 (RFC 5208 + RFC 5915), as OpenSSL writes it:
 * prefix, the 32-byte scalar, middle, the 65-byte uncompressed public point.
 */
const P256_PKCS8_PREFIX = Buffer.from(
  "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420",
  "hex",
);
const P256_PKCS8_MIDDLE = Buffer.from("a144034200", "hex");

/**
 * A P-256 key pair from OpenSSL's ECDH generator, encoded straight into SPKI and PKCS#8 PEM.
 * For thousands of device keys this is several times faster than generating KeyObjects and
 * exporting each (a test checks the encoding against node:crypto).
 */
export function rawP256KeyPair(): P256KeyPair {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return p256KeyPairFromEcdh(ecdh);
}

/** A P-256 key pair in the encodings the RTDS files and certificates need. */
export interface P256KeyPair {
  readonly spki: asn.SubjectPublicKeyInfo;
  readonly spkiDer: Uint8Array;
  /** The uncompressed public point (65 bytes). */
  readonly point: Uint8Array;
  readonly pkcs8Pem: string;
}

/** The key pair whose private scalar is `scalar` (32 bytes, 1 ≤ d < n). */
export function p256KeyPairFromScalar(scalar: Uint8Array): P256KeyPair {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(scalar);
  return p256KeyPairFromEcdh(ecdh);
}

function p256KeyPairFromEcdh(ecdh: ReturnType<typeof createECDH>): P256KeyPair {
  const point = ecdh.getPublicKey();
  let scalar = ecdh.getPrivateKey();
  if (scalar.length < 32) scalar = Buffer.concat([Buffer.alloc(32 - scalar.length), scalar]);
  const spkiDer = new Uint8Array(P256_SPKI_PREFIX.length + point.length);
  spkiDer.set(P256_SPKI_PREFIX);
  spkiDer.set(point, P256_SPKI_PREFIX.length);
  const pkcs8 = Buffer.concat([P256_PKCS8_PREFIX, scalar, P256_PKCS8_MIDDLE, point]);
  const b64 = pkcs8
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n");
  const spki = new asn.SubjectPublicKeyInfo({
    algorithm: EC_P256_ALGORITHM,
    subjectPublicKey: arrayBuffer(new Uint8Array(point)),
  });
  return {
    spki,
    spkiDer,
    point: new Uint8Array(point),
    pkcs8Pem: `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`,
  };
}

/** id-ecPublicKey with the prime256v1 curve, as an AlgorithmIdentifier. */
const EC_P256_ALGORITHM = AsnConvert.parse(
  Buffer.from("301306072a8648ce3d020106082a8648ce3d030107", "hex"),
  asn.AlgorithmIdentifier,
);

const CA_FILES = {
  root: "root-ca.pem",
  rootKey: "root-ca.key",
  issuing: "issuing-ca.pem",
  issuingKey: "issuing-ca.key",
} as const;

/**
 * Creates the test root and issuing CA under `<dir>/ca`, or loads them when they exist (so a later
 * run issues more certificates under the same root).
 */
export async function openTestCa(dir: string, now: Date): Promise<TestCa> {
  const caDir = join(dir, "ca");
  // The CA's private keys are here: the folder is the owner's only (tightened if left open).
  await mkdir(caDir, { recursive: true, mode: 0o700 });
  if (((await stat(caDir)).mode & 0o077) !== 0) await chmod(caDir, 0o700);
  const rootPath = join(caDir, CA_FILES.root);
  const issuingPath = join(caDir, CA_FILES.issuing);
  const issuingKeyPath = join(caDir, CA_FILES.issuingKey);
  if (existsSync(issuingPath) && existsSync(issuingKeyPath)) {
    const cert = AsnConvert.parse(pemToDer(await readFile(issuingPath, "utf8")), asn.Certificate);
    const issuingKey = createPrivateKey(await readFile(issuingKeyPath, "utf8"));
    const issuerName = cert.tbsCertificate.subject;
    return {
      dir,
      rootPath,
      issuingPath,
      issuerName,
      issuerDn: nameText(issuerName),
      issuingKey,
      keyId: keyIdentifier(cert.tbsCertificate.subjectPublicKeyInfo),
    };
  }
  const notBefore = new Date(now.getTime() - 86_400_000);
  const root = await newKeyPair();
  const rootName = new asn.Name([
    rdn("2.5.4.11", utf8(REMOTE_PARTY_ROLE.root)),
    rdn("2.5.4.3", utf8("meterway test root")),
  ]);
  const rootId = keyIdentifier(root.spki);
  const caExtensions = (subjectId: Uint8Array, authorityId: Uint8Array | undefined) => [
    extension(asn.id_ce_basicConstraints, true, new asn.BasicConstraints({ cA: true })),
    keyUsageExtension(asn.KeyUsageFlags.keyCertSign | asn.KeyUsageFlags.cRLSign),
    ...keyIdExtensions(subjectId, authorityId),
  ];
  const rootDer = issue({
    serial: newSerial(),
    issuer: rootName,
    subject: rootName,
    notBefore,
    notAfter: NO_EXPIRY,
    spki: root.spki,
    extensions: caExtensions(rootId, undefined),
    signer: root.privateKey,
  });
  const issuing = await newKeyPair();
  const issuerName = new asn.Name([
    rdn("2.5.4.11", utf8(REMOTE_PARTY_ROLE.issuingAuthority)),
    rdn("2.5.4.3", utf8("meterway test issuing CA")),
  ]);
  const keyId = keyIdentifier(issuing.spki);
  const issuingDer = issue({
    serial: newSerial(),
    issuer: rootName,
    subject: issuerName,
    notBefore,
    notAfter: NO_EXPIRY,
    spki: issuing.spki,
    extensions: caExtensions(keyId, rootId),
    signer: root.privateKey,
  });
  await writeFile(rootPath, pem(rootDer));
  await writeFile(join(caDir, CA_FILES.rootKey), privateKeyPem(root.privateKey), { mode: 0o600 });
  await writeFile(issuingPath, pem(issuingDer));
  await writeFile(issuingKeyPath, privateKeyPem(issuing.privateKey), { mode: 0o600 });
  return {
    dir,
    rootPath,
    issuingPath,
    issuerName,
    issuerDn: nameText(issuerName),
    issuingKey: issuing.privateKey,
    keyId,
  };
}

function pemToDer(text: string): Uint8Array {
  const b64 = text.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return new Uint8Array(Buffer.from(b64, "base64"));
}

/** File paths of one credential in the RTDS layout. */
export function credentialPaths(
  dir: string,
  eui: string,
  usage: CredentialUsage,
): { certificate: string; key: string } {
  const base = join(dir, `${lower(eui)}-${usage}`);
  return { certificate: `${base}.pem`, key: `${base}.key` };
}

const USAGE_FLAGS: Record<CredentialUsage, number> = {
  ds: asn.KeyUsageFlags.digitalSignature,
  xml: asn.KeyUsageFlags.digitalSignature,
  ka: asn.KeyUsageFlags.keyAgreement,
  "pp-ka": asn.KeyUsageFlags.keyAgreement,
};

/** Reads serial and issuer of an existing certificate file. */
async function describe(
  path: string,
  keyPath: string,
  eui: string,
  usage: CredentialUsage,
): Promise<IssuedCredential> {
  const cert = AsnConvert.parse(pemToDer(await readFile(path, "utf8")), asn.Certificate);
  return {
    eui,
    usage,
    certificatePath: path,
    keyPath,
    serial: serialDecimal(new Uint8Array(cert.tbsCertificate.serialNumber)),
    issuer: nameText(cert.tbsCertificate.issuer),
  };
}

/**
 * The credentials of `eui` already in `dir` (certificate and key both present), for the usages
 * asked, in that order: how a key folder given with `--pki` is read without writing to it.
 */
export async function readCredentials(
  dir: string,
  eui: string,
  usages: readonly CredentialUsage[],
): Promise<IssuedCredential[]> {
  const out: IssuedCredential[] = [];
  for (const usage of usages) {
    const paths = credentialPaths(dir, eui, usage);
    if (existsSync(paths.certificate) && existsSync(paths.key)) {
      out.push(await describe(paths.certificate, paths.key, lower(eui), usage));
    }
  }
  return out;
}

/**
 * Issues an organisation's certificates (one per usage) unless their files exist already; returns
 * every credential with its serial and issuer either way.
 */
export async function issueOrganisation(
  ca: TestCa,
  org: OrganisationSpec,
  now: Date,
): Promise<IssuedCredential[]> {
  const eui = lower(org.eui);
  const out: IssuedCredential[] = [];
  for (const usage of org.usages) {
    const paths = credentialPaths(ca.dir, eui, usage);
    if (existsSync(paths.certificate) && existsSync(paths.key)) {
      out.push(await describe(paths.certificate, paths.key, eui, usage));
      continue;
    }
    const keys = await newKeyPair();
    const serial = newSerial();
    // Subject as SMKI writes it: OU = remote party role, x500UniqueIdentifier = the EUI (BIT STRING),
    // plus a CN with the organisation's name for people reading it.
    const uniqueId = new Uint8Array(9);
    uniqueId.set(hexBytes(eui), 1);
    const subject = new asn.Name([
      rdn("2.5.4.11", utf8(REMOTE_PARTY_ROLE[org.role])),
      rdn(X500_UNIQUE_IDENTIFIER, new asn.AttributeValue({ anyValue: arrayBuffer(bitStringDer(eui)) })),
      rdn("2.5.4.3", utf8(org.name)),
    ]);
    const der = issue({
      serial,
      issuer: ca.issuerName,
      subject,
      notBefore: new Date(now.getTime() - 86_400_000),
      notAfter: new Date(Date.UTC(now.getUTCFullYear() + 20, 0, 1)),
      spki: keys.spki,
      extensions: [
        keyUsageExtension(USAGE_FLAGS[usage]),
        policyExtension(ORGANISATION_CERTIFICATE_POLICY),
        ...keyIdExtensions(keyIdentifier(keys.spki), ca.keyId),
      ],
      signer: ca.issuingKey,
    });
    await writeFile(paths.certificate, pem(der));
    await writeFile(paths.key, privateKeyPem(keys.privateKey), { mode: 0o600 });
    out.push({
      eui,
      usage,
      certificatePath: paths.certificate,
      keyPath: paths.key,
      serial: serialDecimal(serial),
      issuer: ca.issuerDn,
    });
  }
  return out;
}

/** DER BIT STRING (no unused bits) holding the 8 EUI bytes: 03 09 00 <eui>. */
function bitStringDer(eui: string): Uint8Array {
  const w = new Writer(11);
  const content = new Uint8Array(9);
  content.set(hexBytes(eui), 1);
  writeTlv(w, 0x03, content);
  return w.finish();
}

export interface DeviceIssueOptions {
  /** Key pairs generated at once (default 64). */
  readonly batchSize?: number;
  /** Called after each batch with devices done and total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Usages per device (default ds and ka). */
  readonly usages?: readonly ("ds" | "ka")[];
}

/**
 * Issues device certificates (DS and KA by default) for every EUI whose files are missing; returns
 * how many credentials were written. Already present files are kept, so a restart costs nothing.
 */
export async function issueDevices(
  ca: TestCa,
  euis: readonly string[],
  now: Date,
  options: DeviceIssueOptions = {},
): Promise<number> {
  const usages = options.usages ?? ["ds", "ka"];
  const batchSize = Math.max(1, options.batchSize ?? 64);
  // One directory listing instead of a stat per file: a fleet has thousands.
  const present = new Set(readdirSync(ca.dir));
  const todo: Array<{ eui: string; usage: "ds" | "ka" }> = [];
  for (const raw of euis) {
    const eui = lower(raw);
    for (const usage of usages) {
      if (!present.has(`${eui}-${usage}.pem`) || !present.has(`${eui}-${usage}.key`))
        todo.push({ eui, usage });
    }
  }
  const notBefore = new Date(now.getTime() - 86_400_000);
  const templates = {
    ds: new DeviceTbsTemplate(ca, "ds", notBefore),
    ka: new DeviceTbsTemplate(ca, "ka", notBefore),
  };
  let done = 0;
  for (let start = 0; start < todo.length; start += batchSize) {
    const batch = todo.slice(start, start + batchSize);
    for (const { eui, usage } of batch) {
      const keys = rawP256KeyPair();
      const tbs = templates[usage].fill(newSerial(), keys.point, keyIdentifier(keys.spki), hexBytes(eui));
      const der = signCertificate(tbs, ca.issuingKey);
      const paths = credentialPaths(ca.dir, eui, usage);
      // Synchronous writes: thousands of small files are written faster than through the thread pool.
      writeFileSync(paths.certificate, pem(der));
      writeFileSync(paths.key, keys.pkcs8Pem, { mode: 0o600 });
    }
    done += batch.length;
    options.onProgress?.(done, todo.length);
    // Let the event loop breathe between batches (progress bars, signals).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return todo.length;
}

/** A TLS server credential issued by the test CA: the chain to serve and its key. */
export interface TlsServerCredential {
  /** The server certificate followed by the issuing CA's (the chain a server sends). */
  readonly certificatePath: string;
  readonly keyPath: string;
  /** The root a client must trust (`curl --cacert`, a browser's authorities). */
  readonly rootPath: string;
  /** Whether this call issued it (false: the one on disk already covered the names). */
  readonly issued: boolean;
}

const TLS_FILES = { certificate: "server.pem", key: "server.key" } as const;
/** id-kp-serverAuth (RFC 5280). */
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

/** Whether `name` is written as an IPv4 or IPv6 address (then it goes in the SAN as iPAddress). */
function isIpAddress(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(":");
}

/**
 * A TLS server certificate for `names` (host names and IP addresses), issued by the test CA into
 * `<dir>/server.pem` (with the issuing CA's certificate after it) and `<dir>/server.key`. One on
 * disk is kept while it is valid at `now` and covers every name; otherwise it is issued again.
 */
export async function issueTlsServerCertificate(
  ca: TestCa,
  dir: string,
  names: readonly string[],
  now: Date,
): Promise<TlsServerCredential> {
  const certificatePath = join(dir, TLS_FILES.certificate);
  const keyPath = join(dir, TLS_FILES.key);
  const result = { certificatePath, keyPath, rootPath: ca.rootPath };
  if (existsSync(certificatePath) && existsSync(keyPath)) {
    const current = new X509Certificate(await readFile(certificatePath, "utf8"));
    const valid =
      Date.parse(current.validFrom) <= now.getTime() && now.getTime() < Date.parse(current.validTo);
    const covers = names.every((name) =>
      isIpAddress(name) ? current.checkIP(name) !== undefined : current.checkHost(name) !== undefined,
    );
    if (valid && covers) return { ...result, issued: false };
  }
  await mkdir(dir, { recursive: true });
  const keys = await newKeyPair();
  const san = new asn.SubjectAlternativeName(
    [...new Set(names)].map((name) =>
      isIpAddress(name) ? new asn.GeneralName({ iPAddress: name }) : new asn.GeneralName({ dNSName: name }),
    ),
  );
  const der = issue({
    serial: newSerial(),
    issuer: ca.issuerName,
    subject: new asn.Name([rdn("2.5.4.3", utf8(names[0] ?? "localhost"))]),
    notBefore: new Date(now.getTime() - 86_400_000),
    // Short-lived, as browsers require of server certificates (at most 398 days).
    notAfter: new Date(now.getTime() + 365 * 86_400_000),
    spki: keys.spki,
    extensions: [
      keyUsageExtension(asn.KeyUsageFlags.digitalSignature),
      extension(asn.id_ce_extKeyUsage, false, new asn.ExtendedKeyUsage([SERVER_AUTH])),
      extension(asn.id_ce_subjectAltName, false, san),
      ...keyIdExtensions(keyIdentifier(keys.spki), ca.keyId),
    ],
    signer: ca.issuingKey,
  });
  const issuing = await readFile(ca.issuingPath, "utf8");
  await writeFile(keyPath, privateKeyPem(keys.privateKey), { mode: 0o600 });
  await writeFile(certificatePath, `${pem(der)}${issuing}`);
  return { ...result, issued: true };
}
