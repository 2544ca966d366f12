/**
 * ECDSA P-256 with SHA-256 as GBCS uses it (GBCS §4.3.3.1): signatures travel as raw r||s, 64
 * bytes. This module is the one place that converts between raw r||s and the DER form
 * (X.690 SEQUENCE of two INTEGERs) that X.509 and some libraries use.
 */
import { type KeyObject, sign, verify } from "node:crypto";

/** Bytes of a raw P-256 signature: r and s, 32 bytes each, big-endian. */
export const RAW_SIGNATURE_LENGTH = 64;
const HALF = 32;

/** Signs `data` with a P-256 private key; returns raw r||s (64 bytes). */
export function ecdsaSign(data: Uint8Array, privateKey: KeyObject): Uint8Array {
  return new Uint8Array(sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" }));
}

/**
 * Verifies a raw r||s signature over `data`. Returns false (never throws) for a signature of the
 * wrong length or that does not verify.
 */
export function ecdsaVerify(data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (signature.length !== RAW_SIGNATURE_LENGTH) return false;
  try {
    return verify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
}

function derInteger(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const body = v.subarray(i);
  const pad = body[0]! & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + body.length);
  out[0] = 0x02;
  out[1] = pad + body.length;
  out.set(body, 2 + pad);
  return out;
}

/** DER ECDSA-Sig-Value for a raw r||s signature. */
export function rawToDerSignature(raw: Uint8Array): Uint8Array {
  if (raw.length !== RAW_SIGNATURE_LENGTH) throw new RangeError("a raw P-256 signature is 64 bytes");
  const r = derInteger(raw.subarray(0, HALF));
  const s = derInteger(raw.subarray(HALF));
  const out = new Uint8Array(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

/** Raw r||s for a DER ECDSA-Sig-Value; throws RangeError when it is not one for P-256. */
export function derToRawSignature(der: Uint8Array): Uint8Array {
  const fail = (why: string): never => {
    throw new RangeError(`not a DER P-256 ECDSA signature: ${why}`);
  };
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) fail("bad SEQUENCE");
  const out = new Uint8Array(RAW_SIGNATURE_LENGTH);
  let at = 2;
  for (let k = 0; k < 2; k++) {
    if (der[at] !== 0x02) fail("INTEGER expected");
    const len = der[at + 1]!;
    const value = der.subarray(at + 2, at + 2 + len);
    if (value.length !== len || len === 0) fail("short INTEGER");
    let v = value;
    while (v.length > HALF && v[0] === 0) v = v.subarray(1);
    if (v.length > HALF) fail("INTEGER longer than 32 bytes");
    out.set(v, k * HALF + HALF - v.length);
    at += 2 + len;
  }
  if (at !== der.length) fail("trailing bytes");
  return out;
}
