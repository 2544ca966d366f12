/**
 * `meterway request 4.1.1 --device <EUI>` (an ESME or a GSME): a Service User's client in one command, against a
 * running DCC (`meterway start`). As the demo supplier (or `--user`), with its keys from the data
 * folder's PKI, it:
 *
 * 1. starts a receive-response endpoint on a free local port and registers its URL for the user
 *    through the DCC's signed user API (`PUT /api/v1/users/<EUI>/receive-url`);
 * 2. builds and signs the DUIS 4.1.1 request, POSTs it to `/api/v1/serviceS`, prints the
 *    acknowledgement (I99, or the E-code and exit status 1);
 * 3. waits for the I0, checks the DCC's signature when the DCC's certificate is in the PKI folder,
 *    checks the device's MAC and decrypts the GBCS payload with the user's KA key, and prints the
 *    register values;
 * 4. sets the user back to pull-only (its endpoint goes away when the command ends).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULTS } from "../config/config.js";
import { ACB_EUI, DEMO_SUPPLIER } from "../dcc/fleet.js";
import { parseResponse } from "../duis/model/index.js";
import { verifyDuis } from "../duis/signature/verify.js";
import { parseXml } from "../duis/xml/parse.js";
import { KeyStore } from "../smki/keystore.js";
import type { Command, CommandIo } from "./command.js";
import {
  duisEui,
  readImportRegistersRequest,
  receiveUrlPath,
  type UserIdentity,
  userApiAuthorization,
} from "./request-client.js";
import { describeReading, readRegisters } from "./request-decode.js";
import { ResponseReceiver } from "./request-receiver.js";

const USAGE = `usage: meterway request 4.1.1 --device EUI [options]

Sends SRV 4.1.1 Read Instantaneous Import Registers to a running DCC as a Service User, receives
the response on a local endpoint, and prints the meter's register values.

options:
  --device EUI    the ESME or GSME (XX-XX-XX-XX-XX-XX-XX-XX or 16 hex digits)
  --url URL       the DCC (default http://127.0.0.1:${DEFAULTS.port})
  --data DIR      the DCC's data folder, for the keys in DIR/pki (default ${DEFAULTS.dataDir})
  --pki DIR       the key folder (RTDS layout) instead of DIR/pki
  --user EUI      the sending user (default the demo supplier ${duisEui(DEMO_SUPPLIER.eui)})
  --counter N     the RequestID counter (default the current time in ms)
  --timeout S     seconds to wait for the response (default 60)
  -h, --help      this text`;

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: {
      device: { type: "string" },
      url: { type: "string" },
      data: { type: "string" },
      pki: { type: "string" },
      user: { type: "string" },
      counter: { type: "string" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
}

class UsageError extends Error {}

function hexEui(text: string, what: string): string {
  const hex = text.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new UsageError(`${what} '${text}' is not an EUI-64`);
  return hex;
}

export const request: Command = async (args: readonly string[], io: CommandIo) => {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.stderr.write(
      `meterway request: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`,
    );
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let receiver: ResponseReceiver | undefined;
  let restore: (() => Promise<void>) | undefined;
  try {
    if (positionals[0] !== "4.1.1" || positionals.length !== 1) {
      throw new UsageError(`only SRV 4.1.1 is supported (got '${positionals.join(" ")}')`);
    }
    if (values.device === undefined) throw new UsageError("--device is required");
    const device = hexEui(values.device, "--device");
    const userEui = values.user === undefined ? DEMO_SUPPLIER.eui : hexEui(values.user, "--user");
    const base = (values.url ?? `http://127.0.0.1:${DEFAULTS.port}`).replace(/\/+$/, "");
    const pki = values.pki ?? join(values.data ?? DEFAULTS.dataDir, "pki");
    const counter = values.counter === undefined ? BigInt(Date.now()) : BigInt(values.counter);
    const timeoutMs = Number(values.timeout ?? "60") * 1000;
    const keyPath = join(pki, `${userEui}-ds.key`);
    if (!existsSync(keyPath))
      throw new UsageError(`no signing key ${keyPath}: is --data (or --pki) the DCC's?`);
    const user: UserIdentity = {
      eui: userEui,
      privateKey: createPrivateKey(readFileSync(keyPath)),
      certificate: new X509Certificate(readFileSync(join(pki, `${userEui}-ds.pem`))),
    };
    const keys = KeyStore.fromDirectory(pki);
    const dccXml = join(pki, `${ACB_EUI}-xml.pem`);
    const dccCertificate = existsSync(dccXml) ? new X509Certificate(readFileSync(dccXml)) : undefined;

    receiver = await ResponseReceiver.start();
    await setReceiveUrl(base, user, receiver.url);
    restore = () => setReceiveUrl(base, user, null);
    io.stdout.write(`receiving responses at ${receiver.url}\n`);

    const xml = readImportRegistersRequest(user, device, counter);
    const requestId = `${duisEui(userEui)}:${duisEui(device)}:${counter}`;
    io.stdout.write(`→ 4.1.1 ${requestId}\n`);
    const answer = await fetch(`${base}/api/v1/serviceS`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: xml,
    });
    const ackText = await answer.text();
    if (!(answer.headers.get("content-type") ?? "").includes("xml")) {
      io.stderr.write(`meterway request: refused: HTTP ${answer.status}: ${ackText.trim()}\n`);
      return 1;
    }
    const ack = parseResponse(parseXml(ackText).root);
    io.stdout.write(`← ${ack.header.responseCode} (acknowledgement)\n`);
    if (ack.header.responseCode !== "I99") return 1;

    const message = await within(receiver.next(), timeoutMs, "no response");
    if (dccCertificate !== undefined) {
      const verified = verifyDuis(message.body, { lookupCertificate: () => dccCertificate });
      if (!verified.valid)
        throw new Error(`the response's DCC signature does not verify: ${verified.detail}`);
    }
    const response = parseResponse(parseXml(message.body).root);
    io.stdout.write(
      `← ${response.header.responseCode} (response${dccCertificate ? ", DCC signature verified" : ""})\n`,
    );
    const payload = response.body.kind === "ResponseMessage" ? response.body.payload : undefined;
    if (payload?.kind !== "GBCSPayload") return response.header.responseCode === "I0" ? 0 : 1;
    const read = readRegisters(payload.gbcsPayload, keys);
    io.stdout.write(
      `GBCS ${read.reading.useCase} response from ${duisEui(read.frame.originator)}, MAC ${read.macValid ? "valid" : "NOT valid"}\n`,
    );
    for (const line of describeReading(read.reading)) io.stdout.write(`${line}\n`);
    return read.macValid && read.reading.result.outcome === "success" ? 0 : 1;
  } catch (error) {
    const usage = error instanceof UsageError;
    io.stderr.write(
      `meterway request: ${error instanceof Error ? error.message : String(error)}\n${usage ? `${USAGE}\n` : ""}`,
    );
    return usage ? 2 : 1;
  } finally {
    // The endpoint goes away with this command: the user goes back to pull-only.
    await restore?.().catch(() => {});
    await receiver?.close();
  }
};

/** Registers (or, with null, removes) the user's receive-response URL through the signed user API. */
async function setReceiveUrl(base: string, user: UserIdentity, url: string | null): Promise<void> {
  const path = receiveUrlPath(user.eui);
  const body = JSON.stringify({ url });
  const response = await fetch(`${base}${path}`, {
    method: "PUT",
    headers: {
      "content-type": "application/json",
      authorization: userApiAuthorization(user, "PUT", path, body),
    },
    body,
  });
  if (response.status !== 200)
    throw new Error(`setting the receive URL: HTTP ${response.status}: ${await response.text()}`);
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
