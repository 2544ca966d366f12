/**
 * Issuer names compared as names, not as text. An XML signature's `X509IssuerName` is an RFC 4514
 * (RFC 2253) string, and tools write the same name differently: DCC Boxed writes `CN=U1, OU=07`,
 * Java's `X500Principal` `CN=U1,OU=07`, OpenSSL `OU = 07, CN = U1` (least specific first), others
 * `2.5.4.3=U1` or lower-case types. The directory stores the form meterway read from the
 * certificate, so the lookup compares normalised keys:
 *
 * - attribute types upper-cased, OIDs and aliases mapped to one short name (`2.5.4.3` → `CN`,
 *   `S` → `ST`, `E` → `EMAILADDRESS`);
 * - values unescaped (`\,`, `\2C`, quoted RFC 1779 values), trimmed, inner white space collapsed to
 *   one space, Unicode NFKC, lower-cased (X.520 caseIgnoreMatch, which the SMKI names use);
 * - the attribute-value pairs of a multi-valued RDN sorted, and the RDNs themselves sorted, because
 *   tools disagree on whether the most or the least specific comes first.
 *
 * Sorting the RDNs makes `OU=a,OU=b` and `OU=b,OU=a` one name; no issuer of SMKI (or of any sane
 * PKI) tells two CAs apart that way, and the certificate found must still verify the signature.
 */

/** Short names for the attribute types SMKI and common tools write, by OID and alias. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "SERIALNUMBER",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "STREET",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "T",
  "2.5.4.42": "GN",
  "2.5.4.46": "DNQUALIFIER",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "EMAILADDRESS",
  S: "ST",
  E: "EMAILADDRESS",
  EMAIL: "EMAILADDRESS",
  TITLE: "T",
  SURNAME: "SN",
  GIVENNAME: "GN",
};

/** One attribute-value pair, normalised. */
function normaliseAva(text: string): string | undefined {
  const at = indexOfUnescaped(text, "=");
  if (at <= 0) return undefined;
  let type = text.slice(0, at).trim().toUpperCase();
  if (type.startsWith("OID.")) type = type.slice(4);
  if (!/^([A-Z][A-Z0-9-]*|\d+(\.\d+)+)$/.test(type)) return undefined;
  type = TYPE_NAMES[type] ?? type;
  const value = unescapeValue(text.slice(at + 1));
  if (value === undefined) return undefined;
  const normal = value.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
  return `${type}=${normal.replace(/[\\,+=]/g, (c) => `\\${c}`)}`;
}

/** The value of an AVA without its escapes or quotes; undefined when malformed. */
function unescapeValue(raw: string): string | undefined {
  const text = raw.trim();
  // A BER-encoded value (`#04024869`): compared as its hex, case-insensitively.
  if (text.startsWith("#")) return /^#([0-9a-fA-F]{2})+$/.test(text) ? text.toLowerCase() : undefined;
  if (text.startsWith('"')) {
    if (text.length < 2 || !text.endsWith('"')) return undefined;
    return unescapeValue(text.slice(1, -1).replaceAll('\\"', "\\22"));
  }
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "\\") {
      const code = text.codePointAt(i)!;
      if (code > 0xffff) i++;
      bytes.push(...encoder.encode(String.fromCodePoint(code)));
      continue;
    }
    const next = text.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(next)) {
      bytes.push(Number.parseInt(next, 16));
      i += 2;
    } else if (i + 1 < text.length) {
      bytes.push(...encoder.encode(text[i + 1]!));
      i += 1;
    } else {
      return undefined;
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** Where `char` first occurs outside a backslash escape or quotes, or -1. */
function indexOfUnescaped(text: string, char: string, from = 0): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === char) return i;
  }
  return -1;
}

/** Splits at every unescaped, unquoted occurrence of one of `separators`. */
function splitUnescaped(text: string, separators: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && separators.includes(c)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * The comparison key of a distinguished name written as an RFC 4514/2253 string (`;` between RDNs
 * is read too, as RFC 2253 allows, and a line break, as node's `X509Certificate.issuer` writes it);
 * undefined when it is not a readable name.
 */
export function distinguishedNameKey(name: string): string | undefined {
  if (name.trim() === "" || name.length > 4096) return undefined;
  const rdns: string[] = [];
  for (const rdn of splitUnescaped(name, ",;\n")) {
    const avas: string[] = [];
    for (const ava of splitUnescaped(rdn, "+")) {
      const normal = normaliseAva(ava);
      if (normal === undefined) return undefined;
      avas.push(normal);
    }
    rdns.push(avas.sort().join("+"));
  }
  return rdns.sort().join(",");
}

/** Whether two issuer names are the same name (both readable, equal keys). */
export function sameDistinguishedName(a: string, b: string): boolean {
  const key = distinguishedNameKey(a);
  return key !== undefined && key === distinguishedNameKey(b);
}
