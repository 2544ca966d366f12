/**
 * How a signer is named in `X509IssuerSerial`: the issuer's distinguished name as an RFC 2253 string
 * (most specific RDN first, as Java's `X500Principal.getName()` writes it: `CN=Z1,OU=07`) and the
 * serial number in decimal (SMKI serials are 128-bit random numbers, up to 39 digits).
 */
import type { X509Certificate } from "node:crypto";

/** The signer's issuer name and decimal serial, as they go into `X509IssuerSerial`. */
export interface IssuerSerial {
  readonly issuer: string;
  /** Decimal, no leading zeros. */
  readonly serial: string;
}

/** The decimal serial number of a certificate (node gives it in hex). */
export function decimalSerial(certificate: X509Certificate): string {
  return BigInt(`0x${certificate.serialNumber}`).toString(10);
}

/**
 * The issuer DN of a certificate in RFC 2253 order. Node prints the DN one RDN a line, least specific
 * first, with special characters already escaped; RFC 2253 reverses the order and joins with commas.
 */
export function rfc2253Issuer(certificate: X509Certificate): string {
  return certificate.issuer.split("\n").reverse().join(",");
}

/** Issuer and serial of a certificate. */
export function issuerSerialOf(certificate: X509Certificate): IssuerSerial {
  return { issuer: rfc2253Issuer(certificate), serial: decimalSerial(certificate) };
}

/**
 * Normalises a decimal serial for lookups: digits only, leading zeros removed. Returns undefined for
 * anything that is not a decimal number (or is absurdly long), so that a lookup is never given junk.
 */
export function normaliseSerial(serial: string): string | undefined {
  const s = serial.trim();
  if (!/^[0-9]{1,60}$/.test(s)) return undefined;
  const t = s.replace(/^0+(?=.)/, "");
  return t;
}
