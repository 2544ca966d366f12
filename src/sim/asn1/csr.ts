/**
 * CS02c Issue Security Credentials: the device makes a new key pair for the key usage asked and
 * answers a PKCS#10 certification request for it (RFC 2986), as RTDS's is: an empty subject (the
 * device is named by the certificate the CA issues), the P-256 public key, no attributes, signed
 * ecdsa-with-SHA256 with the new private key.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const head =
    length < 0x80
      ? [tag, length]
      : length < 0x100
        ? [tag, 0x81, length]
        : [tag, 0x82, length >> 8, length & 0xff];
  return Uint8Array.from([...head, ...parts.flatMap((p) => [...p])]);
}

const SEQUENCE = 0x30;
const VERSION_0 = Uint8Array.of(0x02, 0x01, 0x00);
const EMPTY_NAME = Uint8Array.of(0x30, 0x00);
const NO_ATTRIBUTES = Uint8Array.of(0xa0, 0x00);
/** AlgorithmIdentifier { ecdsa-with-SHA256 (1.2.840.10045.4.3.2) }. */
const ECDSA_WITH_SHA256 = Uint8Array.of(
  0x30,
  0x0a,
  0x06,
  0x08,
  0x2a,
  0x86,
  0x48,
  0xce,
  0x3d,
  0x04,
  0x03,
  0x02,
);

export interface IssuedCredentials {
  readonly privateKey: KeyObject;
  readonly certificationRequest: Uint8Array;
}

export function issueCredentials(): IssuedCredentials {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const info = tlv(SEQUENCE, VERSION_0, EMPTY_NAME, spki, NO_ATTRIBUTES);
  const signature = new Uint8Array(sign("sha256", info, privateKey));
  const request = tlv(SEQUENCE, info, ECDSA_WITH_SHA256, tlv(0x03, Uint8Array.of(0), signature));
  return { privateKey, certificationRequest: request };
}
