/**
 * `meterway request 4.1.1 --device <EUI>` (an ESME or a GSME): a Service User's client in one command, against a
 * running DCC (`meterway start`). As the demo supplier (or `--user`), with its keys from the data
 * folder's PKI, it:
 *
 * 1. reads the user's receive-response URL, starts a receive-response endpoint on a free local
 *    port and registers its URL for the user through the DCC's signed user API
 *    (`GET` and `PUT /api/v1/users/<EUI>/receive-url`);
 * 2. builds and signs the DUIS 4.1.1 request, POSTs it to `/api/v1/serviceS`, prints the
 *    acknowledgement (I99, or the E-code and exit status 1), each code with its DUIS meaning;
 * 3. waits for its own response, the one whose RequestID is the one it sent and, when the DCC's
 *    certificate is in the PKI folder, whose DCC signature verifies (other messages that reach the
 *    endpoint meanwhile, older responses and alerts, are reported on stderr, never taken for its
 *    answer), checks the device's MAC and decrypts the GBCS payload with the user's KA key, and
 *    prints the register values; no response within --timeout: exit status 1;
 * 4. puts the user's receive URL back as it found it (its endpoint goes away with the command).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type ResponseCode, responseCodeInfo } from "../catalogue/index.js";
import { DEFAULTS } from "../config/config.js";
import { ACB_EUI, DEMO_SUPPLIER } from "../dcc/fleet.js";
import {
  type DuisResponse,
  formatRequestId,
  parseResponse,
  type RequestId,
  sameRequestId,
} from "../duis/model/index.js";
import { verifyDuis } from "../duis/signature/verify.js";
import { parseXml } from "../duis/xml/parse.js";
import { KeyStore } from "../smki/keystore.js";
import type { Command, CommandIo } from "./command.js";
import { hexEui, UsageError } from "./duis-inbox.js";
import {
  duisEui,
  readImportRegistersRequest,
  readReceiveUrl,
  setReceiveUrl,
  type UserIdentity,
} from "./request-client.js";
import { describeReading, readRegisters } from "./request-decode.js";
import { type ReceivedMessage, ResponseReceiver } from "./request-receiver.js";

const USAGE = `usage: meterway request 4.1.1 --device EUI [options]

Sends SRV 4.1.1 Read Instantaneous Import Registers to a running DCC as a Service User, receives
its response (the one with its RequestID) on a local endpoint registered for the while, and prints
the meter's register values. The user's receive URL is put back as it was.

options:
  --device EUI    the ESME or GSME (XX-XX-XX-XX-XX-XX-XX-XX or 16 hex digits)
  --url URL       the DCC (default http://127.0.0.1:${DEFAULTS.port})
  --data DIR      the DCC's data folder, for the keys in DIR/pki (default ${DEFAULTS.dataDir})
  --pki DIR       the key folder (RTDS layout) instead of DIR/pki
  --user EUI      the sending user (default the demo supplier ${duisEui(DEMO_SUPPLIER.eui)})
  --counter N     the RequestID counter (default the current time in ms)
  --timeout S     seconds to wait for the response (default 60); none by then: exit status 1
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
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new UsageError(`--timeout '${values.timeout}' is not a positive number of seconds`);
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

    // What the user had registered is put back at the end, whatever it was: an endpoint of its
    // own, or null (pull only).
    const previousUrl = await readReceiveUrl(base, user);
    receiver = await ResponseReceiver.start();
    await setReceiveUrl(base, user, receiver.url);
    restore = () => setReceiveUrl(base, user, previousUrl);
    io.stdout.write(
      `receiving responses at ${receiver.url} (the user's receive URL, ${previousUrl ?? "none"}, is put back at the end)\n`,
    );

    const sent: RequestId = { originator: duisEui(userEui), target: duisEui(device), counter };
    const xml = readImportRegistersRequest(user, device, counter);
    const requestId = formatRequestId(sent);
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
    io.stdout.write(`← ${withMeaning(ack.header.responseCode)}, acknowledgement\n`);
    if (ack.header.responseCode !== "I99") return 1;

    // The endpoint receives every message the DCC sends the user while it is registered: older
    // responses still undelivered, alerts. Only the one answering this RequestID is this
    // command's; the others are reported, never printed as its answer. They are answered 200
    // all the same: the DCC sends a user's messages in order, so refusing an older one would hold
    // this one back behind it.
    // A message that names this RequestID but is not signed by the DCC (anything on this host
    // can POST to the endpoint) is not taken for the answer either: the wait goes on.
    const ours = (message: ReceivedMessage): boolean => {
      const other = responseOf(message.body);
      if (other?.header.requestId === undefined || !sameRequestId(other.header.requestId, sent)) {
        io.stderr.write(`meterway request: received, not this request's: ${describeOther(other)}\n`);
        return false;
      }
      if (dccCertificate === undefined) return true;
      const verified = verifyDuis(message.body, { lookupCertificate: () => dccCertificate });
      if (verified.valid) return true;
      io.stderr.write(
        `meterway request: received, ignored: ${describeOther(other)} whose DCC signature does not verify (${verified.detail})\n`,
      );
      return false;
    };
    const message = await within(
      receiver.waitFor(ours),
      timeoutMs,
      `no response to ${requestId} within ${timeoutMs / 1000} s`,
    );
    const response = parseResponse(parseXml(message.body).root);
    io.stdout.write(
      `← ${withMeaning(response.header.responseCode)}, response${dccCertificate ? ", DCC signature verified" : ""}\n`,
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
    // The endpoint goes away with this command: the user's own URL (or pull only) comes back.
    await restore?.().catch((error: unknown) => {
      io.stderr.write(
        `meterway request: the receive URL was not put back: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
    await receiver?.close();
  }
};

/** A response code with its DUIS meaning: `E19 (Failed Authorisation – Device doesn't exist)`. */
function withMeaning(code: ResponseCode): string {
  return `${code} (${responseCodeInfo(code).title})`;
}

/** The DUIS response in a received body, or undefined when it is not one. */
function responseOf(body: string): DuisResponse | undefined {
  try {
    return parseResponse(parseXml(body).root);
  } catch {
    return undefined;
  }
}

const OTHER_KINDS: Readonly<Record<DuisResponse["body"]["kind"], string>> = {
  ResponseMessage: "a response to",
  DeviceAlertMessage: "a device alert",
  DCCAlertMessage: "a DCC alert",
  SMETS1ResponseMessage: "an SMETS1 response to",
};

/** One line about a message that is not this command's answer. */
function describeOther(response: DuisResponse | undefined): string {
  if (response === undefined) return "a message that is not a DUIS response";
  const { requestId, responseId, responseCode } = response.header;
  const id = requestId ?? responseId;
  const ids = id === undefined ? "" : ` ${formatRequestId(id)}`;
  return `${OTHER_KINDS[response.body.kind]}${ids} ${withMeaning(responseCode)}`;
}

function within<T>(promise: Promise<T>, ms: number, failure: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(failure)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
