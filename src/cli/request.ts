/**
 * `meterway request <SRV> --device <EUI>`: a Service User's client in one command, against a running
 * DCC (`meterway start`), for every device SRV the DCC carries. As the demo supplier (or `--user`),
 * with its keys from the data folder's PKI, it:
 *
 * 1. takes the body from `--body FILE` (the body element's XML), from `--template FILE` (a DUIS
 *    request, e.g. an RTDS template, whose Body is used), or, for an SRV whose body may be empty,
 *    makes it; checks the request against the DUIS 5.4 schema before anything is sent (where the
 *    reference schema is found);
 * 2. reads the user's receive-response URL, starts a receive-response endpoint on a free local
 *    port and registers its URL for the user through the DCC's signed user API;
 * 3. sends the request, each code printed with its DUIS meaning: CV1 (or `--cv`) to serviceS; for a
 *    critical SRV the whole round trip: CV4 to serviceT, the Pre-Command checked (originator,
 *    recipient, counter, no signature, no MAC) and signed with the user's GBCS key, then CV5 with the
 *    same RequestID to serviceS; CV2 to serviceD, whose I0 carries the command for local delivery;
 * 4. waits for its own response, the one whose RequestID is the one it sent and, when the DCC's
 *    certificate is in the PKI folder, whose DCC signature verifies (other messages that reach the
 *    endpoint meanwhile are reported on stderr, never taken for its answer); decodes the GBCS
 *    payload with the user's keys (MAC, signature, sensitive data) and prints it: the register
 *    values for 4.1.1, the payload tree as JSON for the others; no response within --timeout: exit
 *    status 1;
 * 5. puts the user's receive URL back as it found it (its endpoint goes away with the command).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  allowedCommandVariants,
  type CommandVariant,
  isCriticalSrv,
  type ResponseCode,
  responseCodeInfo,
  webServiceFor,
} from "../catalogue/index.js";
import { findReferenceRoot } from "../catalogue/reference.js";
import { DEFAULTS } from "../config/config.js";
import { ACB_EUI, DEMO_SUPPLIER } from "../dcc/fleet.js";
import {
  type DuisResponse,
  formatRequestId,
  parseResponse,
  type RequestId,
  sameRequestId,
} from "../duis/model/index.js";
import { loadSchemaValidator } from "../duis/schema/load.js";
import { verifyDuis } from "../duis/signature/verify.js";
import { parseXml } from "../duis/xml/parse.js";
import { toHex } from "../gbcs/cursor.js";
import { messageToJson } from "../gbcs/json.js";
import { decodeMessage } from "../gbcs/message.js";
import { KeyStore } from "../smki/keystore.js";
import type { Command, CommandIo } from "./command.js";
import { hexEui, UsageError } from "./duis-inbox.js";
import { requestContent, signedRequest, signPreCommand, unsignedRequest } from "./request-build.js";
import { duisEui, readReceiveUrl, setReceiveUrl, type UserIdentity } from "./request-client.js";
import { describeReading, readRegisters } from "./request-decode.js";
import { type ReceivedMessage, ResponseReceiver } from "./request-receiver.js";

const USAGE = `usage: meterway request <SRV> --device EUI [options]

Sends a device Service Request to a running DCC as a Service User (a critical SRV through its whole
round trip: CV4, the Pre-Command checked and signed, CV5), receives its response (the one with its
RequestID) on a local endpoint registered for the while, and prints it decoded: the register values
for 4.1.1, the GBCS payload as JSON for the others. The user's receive URL is put back as it was.

options:
  --device EUI    the device (XX-XX-XX-XX-XX-XX-XX-XX or 16 hex digits)
  --body FILE     the request body: the SRV's body element as XML (default: the empty element)
  --template FILE a DUIS request (e.g. an RTDS template) whose Body is sent; its SRV is the default
  --cv N          the command variant: 1 (default), 2 (returned for local delivery), 3 (both);
                  a critical SRV goes as CV4 then 5 (or --cv 6: returned, 7: both)
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
      body: { type: "string" },
      template: { type: "string" },
      cv: { type: "string" },
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
    if (positionals.length > 1) throw new UsageError(`one SRV, not '${positionals.join(" ")}'`);
    if (values.device === undefined) throw new UsageError("--device is required");
    const device = hexEui(values.device, "--device");
    const content = requestContent(positionals[0], {
      ...(values.body === undefined ? {} : { body: values.body }),
      ...(values.template === undefined ? {} : { template: values.template }),
    });
    const critical = isCriticalSrv(content.srv);
    const cv = commandVariantOf(values.cv, critical);
    if (!allowedCommandVariants(content.srv).includes(cv === 5 ? 4 : cv)) {
      throw new UsageError(
        `SRV ${content.srv} allows CV ${allowedCommandVariants(content.srv).join(", ")}, not ${cv}`,
      );
    }
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
    const requestId = formatRequestId(sent);
    const referenceRoot = findReferenceRoot(process.env, process.cwd());
    const schema =
      referenceRoot === undefined ? undefined : loadSchemaValidator(join(referenceRoot, "duis-schema"));
    if (schema === undefined)
      io.stderr.write("meterway request: the DUIS schema was not found: sent unchecked\n");
    const post = async (service: string, xml: string): Promise<DuisResponse | undefined> => {
      const answer = await fetch(`${base}/api/v1/${service}`, {
        method: "POST",
        headers: { "content-type": "application/xml" },
        body: xml,
      });
      const text = await answer.text();
      if (!(answer.headers.get("content-type") ?? "").includes("xml")) {
        io.stderr.write(`meterway request: refused: HTTP ${answer.status}: ${text.trim()}\n`);
        return undefined;
      }
      return parseResponse(parseXml(text).root);
    };

    let variant = cv;
    if (critical) {
      // CV4: the Pre-Command, checked and signed with the user's GBCS key, then CV5/6/7.
      io.stdout.write(`→ ${content.srv} ${requestId} CV4 (serviceT)\n`);
      const pre = await post(
        "serviceT",
        signedRequest(user, unsignedRequest(user, device, counter, 4, content), schema),
      );
      if (pre === undefined) return 1;
      io.stdout.write(`← ${withMeaning(pre.header.responseCode)}, Pre-Command\n`);
      const payload = pre.body.kind === "ResponseMessage" ? pre.body.payload : undefined;
      if (pre.header.responseCode !== "I0" || payload?.kind !== "PreCommand") return 1;
      const gbcsPayload = signPreCommand(
        payload.gbcsPayload,
        { user: userEui, device, counter },
        user.privateKey,
      );
      io.stdout.write(`  Pre-Command checked and signed (${payload.gbcsPayload.length} + 65 bytes)\n`);
      variant = cv === 4 ? 5 : cv;
      const signedPre = unsignedRequest(user, device, counter, variant, content, {
        kind: "SignedPreCommand",
        gbcsPayload,
      });
      io.stdout.write(`→ ${content.srv} ${requestId} CV${variant} (${webServiceFor(variant)})\n`);
      const ack = await post(webServiceFor(variant), signedRequest(user, signedPre, undefined));
      if (ack === undefined) return 1;
      if (!acknowledged(ack, io)) return ack.header.responseCode === "I0" ? 0 : 1;
    } else {
      io.stdout.write(`→ ${content.srv} ${requestId} CV${cv} (${webServiceFor(cv)})\n`);
      const ack = await post(
        webServiceFor(cv),
        signedRequest(user, unsignedRequest(user, device, counter, cv, content), schema),
      );
      if (ack === undefined) return 1;
      if (!acknowledged(ack, io)) return ack.header.responseCode === "I0" ? 0 : 1;
    }

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
    // CV3 and CV7: the copy for local delivery comes first, with the same RequestID; printed, and
    // the wait goes on for the device's response.
    for (;;) {
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
      if (payload?.kind === "LocalCommand") {
        io.stdout.write(`  command for local delivery: ${toHex(payload.gbcsPayload)}\n`);
        continue;
      }
      if (payload?.kind === "CINMessage") {
        io.stdout.write(`  Customer Identification Number: ${payload.customerIdentificationNumber}\n`);
        return describeGbcs(payload.gbcsPayload, keys, io) ? 0 : 1;
      }
      if (payload?.kind !== "GBCSPayload") return response.header.responseCode === "I0" ? 0 : 1;
      if (content.srv === "4.1.1") {
        const read = readRegisters(payload.gbcsPayload, keys);
        io.stdout.write(
          `GBCS ${read.reading.useCase} response from ${duisEui(read.frame.originator)}, MAC ${read.macValid ? "valid" : "NOT valid"}\n`,
        );
        for (const line of describeReading(read.reading)) io.stdout.write(`${line}\n`);
        return read.macValid && read.reading.result.outcome === "success" ? 0 : 1;
      }
      return describeGbcs(payload.gbcsPayload, keys, io) ? 0 : 1;
    }
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

/**
 * Prints a synchronous answer; true when a response is to come (I99). A command returned for local
 * delivery (CV2, CV6) is printed as hex.
 */
function acknowledged(ack: DuisResponse, io: CommandIo): boolean {
  io.stdout.write(`← ${withMeaning(ack.header.responseCode)}, acknowledgement\n`);
  const payload = ack.body.kind === "ResponseMessage" ? ack.body.payload : undefined;
  if (payload?.kind === "LocalCommand") {
    io.stdout.write(`  command for local delivery: ${toHex(payload.gbcsPayload)}\n`);
  }
  return ack.header.responseCode === "I99";
}

/** Prints a device's GBCS response: its checks and its payload tree as JSON; true when all checks hold. */
function describeGbcs(bytes: Uint8Array, keys: KeyStore, io: CommandIo): boolean {
  const message = decodeMessage(bytes, { keys });
  const json = messageToJson(message);
  const word = (valid: boolean | null) =>
    valid === true ? "valid" : valid === false ? "NOT valid" : "not checked";
  const checks = [
    message.mac.present ? `MAC ${word(message.mac.valid)}` : undefined,
    message.signature.present ? `signature ${word(message.signature.valid)}` : undefined,
  ].filter((c) => c !== undefined);
  io.stdout.write(
    `GBCS ${message.useCase ?? "?"} response from ${duisEui(message.frame.originator)}${checks.length > 0 ? `, ${checks.join(", ")}` : ""}\n`,
  );
  io.stdout.write(`${JSON.stringify(json.payload, null, 2)}\n`);
  return message.mac.valid !== false && message.signature.valid !== false;
}

/** The command variant asked for: --cv, or CV1 (CV4 then CV5 for a critical SRV). */
function commandVariantOf(flag: string | undefined, critical: boolean): CommandVariant {
  const cv = flag === undefined ? (critical ? 4 : 1) : Number(flag);
  const allowed = critical ? [4, 5, 6, 7] : [1, 2, 3];
  if (!allowed.includes(cv)) {
    throw new UsageError(
      `--cv ${flag}: ${critical ? "a critical SRV goes as 4 then 5 (or --cv 6, 7)" : "1, 2 or 3"}`,
    );
  }
  return cv as CommandVariant;
}

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
