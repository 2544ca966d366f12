/**
 * A device's trust anchor cells (GBCS §12.2): one per remote party role, key usage (digital
 * signature or key agreement) and cell usage (management, or the supplier's prepayment top-up KA
 * key), each holding the certificate of the party placed there. The device reports them in CS02a/f
 * (subject unique id and subject key identifier) and replaces them in CS02b/g.
 *
 * Facts read from an SMKI certificate: the subject's EUI (x500UniqueIdentifier), its remote party
 * role (the organisation certificate's OU, two hex digits), its subject key identifier (extension
 * 2.5.29.14) and its public key.
 */
import { type KeyObject, X509Certificate } from "node:crypto";
import { KeyUsageBit } from "../../gbcs/asn1/index.js";
import type { KeyStore } from "../../smki/keystore.js";

export type CellKeyUsage = "digitalSignature" | "keyAgreement";

export interface TrustAnchorCell {
  readonly role: number;
  readonly keyUsage: CellKeyUsage;
  /** 0 management, 1 prepayment top-up. */
  readonly cellUsage: number;
  /** The party's EUI, 16 uppercase hex. */
  readonly eui: string;
  /** The certificate's subject key identifier (8 bytes in SMKI). */
  readonly subjectKeyId: Uint8Array;
  readonly publicKey: KeyObject;
}

export function cellKey(role: number, keyUsage: CellKeyUsage, cellUsage: number): string {
  return `${role}:${keyUsage}:${cellUsage}`;
}

/** The KeyUsage BIT STRING of a cell, as GBCS writes it (one bit set, trailing bits unused). */
export function keyUsageBits(usage: CellKeyUsage): { unusedBits: number; bytes: Uint8Array } {
  const bit = KeyUsageBit[usage];
  return { unusedBits: 7 - (bit & 7), bytes: Uint8Array.of(0x80 >> (bit & 7)) };
}

/** The cell usage a BIT STRING names, or undefined when it names neither usage a cell holds. */
export function cellKeyUsageOf(bits: { readonly bytes: Uint8Array }): CellKeyUsage | undefined {
  const byte = bits.bytes[0] ?? 0;
  if (byte & (0x80 >> KeyUsageBit.digitalSignature)) return "digitalSignature";
  if (byte & (0x80 >> KeyUsageBit.keyAgreement)) return "keyAgreement";
  return undefined;
}

/** The SMKI facts of a certificate (DER), or undefined when it is not one. */
export function certificateFacts(
  der: Uint8Array,
):
  | { eui: string | undefined; role: number | undefined; subjectKeyId: Uint8Array; publicKey: KeyObject }
  | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return undefined;
  }
  const raw = new Uint8Array(cert.raw);
  return {
    eui: subjectEui(raw),
    role: roleOf(cert),
    subjectKeyId: subjectKeyIdOf(raw),
    publicKey: cert.publicKey,
  };
}

/** OID 2.5.29.14 (subject key identifier), then OCTET STRING { OCTET STRING ski }. */
const SKI_OID = [0x06, 0x03, 0x55, 0x1d, 0x0e];
/** OID 2.5.4.45 (x500UniqueIdentifier), then a BIT STRING of the EUI. */
const UID_OID = [0x06, 0x03, 0x55, 0x04, 0x2d];

function indexOf(raw: Uint8Array, pattern: readonly number[]): number {
  outer: for (let i = 0; i + pattern.length <= raw.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (raw[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

function subjectKeyIdOf(raw: Uint8Array): Uint8Array {
  const at = indexOf(raw, SKI_OID);
  if (at < 0) return new Uint8Array(0);
  // 04 len { 04 len ski }
  const inner = at + SKI_OID.length + 2;
  const length = raw[inner + 1] ?? 0;
  return raw.slice(inner + 2, inner + 2 + length);
}

/**
 * The subject's EUI: the last x500UniqueIdentifier (the issuer's comes first, when it has one).
 * Undefined for a device certificate, which names its EUI in subjectAltName (not read here).
 */
function subjectEui(raw: Uint8Array): string | undefined {
  let at = -1;
  for (let from = 0; ; ) {
    const i = indexOf(raw.subarray(from), UID_OID);
    if (i < 0) break;
    at = from + i;
    from = at + 1;
  }
  if (at >= 0) {
    // 03 09 00 <8 bytes>
    const start = at + UID_OID.length + 3;
    return Buffer.from(raw.subarray(start, start + 8))
      .toString("hex")
      .toUpperCase();
  }
  return undefined;
}

function roleOf(cert: X509Certificate): number | undefined {
  const ou = /(?:^|\n)OU=([0-9A-Fa-f]{2})(?:\n|$)/.exec(cert.subject);
  return ou === null ? undefined : Number.parseInt(ou[1]!, 16);
}

/**
 * The cells of a device whose trust anchors hold the given parties' certificates (from a key store
 * in RTDS layout): their DS certificate in a digital signature cell, KA in a key agreement cell,
 * prepayment KA in the supplier's top-up cell.
 */
export function trustAnchorsFromKeyStore(store: KeyStore, parties: readonly string[]): TrustAnchorCell[] {
  const cells: TrustAnchorCell[] = [];
  for (const party of parties) {
    for (const [usage, keyUsage, cellUsage] of [
      ["ds", "digitalSignature", 0],
      ["ka", "keyAgreement", 0],
      ["pp-ka", "keyAgreement", 1],
    ] as const) {
      const cert = store.certificate(party, usage);
      if (cert === undefined) continue;
      const facts = certificateFacts(new Uint8Array(cert.raw));
      if (facts?.role === undefined || facts.eui === undefined) continue;
      cells.push({
        role: facts.role,
        keyUsage,
        cellUsage,
        eui: party.toUpperCase(),
        subjectKeyId: facts.subjectKeyId,
        publicKey: facts.publicKey,
      });
    }
  }
  return cells;
}
