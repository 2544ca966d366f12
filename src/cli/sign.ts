/**
 * `meterway sign <request.xml> --key K --cert C`: signs a DUIS request as a Service User's client
 * does (enveloped XML signature, exclusive c14n, ECDSA P-256 SHA-256 raw r||s, X509IssuerSerial),
 * in the whitespace-free form DCC Boxed verifies, and writes it to stdout. An existing signature
 * (e.g. an RTDS template's placeholder) is replaced. `-` reads the request from stdin.
 *
 * The key is a PKCS#8 or SEC1 private key, PEM or DER (DCC Boxed ships DER); the certificate PEM or DER.
 * They must be a pair: a key that is not the certificate's is refused, because the signature would
 * name a certificate (by issuer and serial) that cannot verify it, and the DCC would answer with
 * a bare signature failure.
 */
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { signDuis } from "../duis/signature/sign.js";
import { XmlError } from "../duis/xml/errors.js";
import type { Command, CommandIo } from "./command.js";

const USAGE = `usage: meterway sign <request.xml|-> --key KEY --cert CERT

Signs a DUIS request (replacing any signature it has) and writes it to stdout.

options:
  --key KEY    the signer's private key (PKCS#8 or SEC1, PEM or DER)
  --cert CERT  the signer's certificate (PEM or DER)
  -h, --help   this text`;

/** A private key from PEM or DER bytes (PKCS#8, else SEC1). */
export function readPrivateKey(bytes: Buffer): KeyObject {
  if (bytes.includes("-----BEGIN")) return createPrivateKey(bytes);
  try {
    return createPrivateKey({ key: bytes, format: "der", type: "pkcs8" });
  } catch {
    return createPrivateKey({ key: bytes, format: "der", type: "sec1" });
  }
}

/** Whether `privateKey` is the key of `certificate` (their public keys, as SPKI, are the same). */
export function keyMatchesCertificate(privateKey: KeyObject, certificate: X509Certificate): boolean {
  const fromKey = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const fromCertificate = certificate.publicKey.export({ format: "der", type: "spki" });
  return fromKey.equals(fromCertificate);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: { key: { type: "string" }, cert: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
}

export const sign: Command = async (args: readonly string[], io: CommandIo) => {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.stderr.write(`meterway sign: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [input] = positionals;
  if (
    input === undefined ||
    positionals.length > 1 ||
    values.key === undefined ||
    values.cert === undefined
  ) {
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const privateKey = readPrivateKey(readFileSync(values.key));
    const certificate = new X509Certificate(readFileSync(values.cert));
    if (!keyMatchesCertificate(privateKey, certificate)) {
      io.stderr.write(
        `meterway sign: the key ${values.key} is not the key of the certificate ${values.cert} (serial ${certificate.serialNumber}): their public keys differ\n`,
      );
      return 1;
    }
    const xml = input === "-" ? await readAll(io.stdin) : readFileSync(input);
    io.stdout.write(`${signDuis(xml, { privateKey, certificate })}\n`);
    return 0;
  } catch (error) {
    const what =
      error instanceof XmlError
        ? `not acceptable XML: ${error.message}`
        : String(error instanceof Error ? error.message : error);
    io.stderr.write(`meterway sign: ${what}\n`);
    return 1;
  }
};
