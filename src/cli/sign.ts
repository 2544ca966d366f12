/**
 * `meterway sign <request.xml> --key K --cert C`: signs a DUIS request as a Service User's client
 * does (enveloped XML signature, exclusive c14n, ECDSA P-256 SHA-256 raw r||s, X509IssuerSerial),
 * in the whitespace-free form DCC Boxed verifies, and writes it to stdout. An existing signature
 * (e.g. an RTDS template's placeholder) is replaced. `-` reads the request from stdin.
 *
 * The key is a PKCS#8 or SEC1 private key, PEM or DER (DCC Boxed ships DER); the certificate PEM or DER.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
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
