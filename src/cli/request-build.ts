/**
 * Building a Service User's request for any SRV, as `meterway request` does: the body from a file
 * or a template (or the empty body element), the request signed, the DUIS 5.4 schema check before
 * sending, and the critical round trip's Pre-Command checked and signed with the user's GBCS key.
 */
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { type CommandVariant, isSrv, type Srv, srvEntry } from "../catalogue/index.js";
import { type DuisElement, el, fromXml } from "../duis/model/element.js";
import { buildRequest, newRequest, parseRequest, type RequestBody } from "../duis/model/index.js";
import { SR_NAMESPACE } from "../duis/model/namespaces.js";
import type { SchemaValidator } from "../duis/schema/validate.js";
import { signDuis } from "../duis/signature/sign.js";
import { serializeXml } from "../duis/xml/c14n.js";
import { parseXml } from "../duis/xml/parse.js";
import { signFrame } from "../gbcs/crypto/signature.js";
import { decodeFrame, encodeFrame } from "../gbcs/frame.js";
import { UsageError } from "./duis-inbox.js";
import { duisEui, type UserIdentity } from "./request-client.js";

/** The SRV and body element of a request to send. */
export interface RequestContent {
  readonly srv: Srv;
  readonly body: DuisElement;
}

/**
 * What to send: the Body of a DUIS request file (`template`), the body element of an XML file
 * (`body`, with or without the DUIS namespace), or the SRV's empty body element.
 */
export function requestContent(
  srv: string | undefined,
  files: { body?: string; template?: string },
): RequestContent {
  if (files.template !== undefined) {
    const request = parseRequest(parseXml(readFileSync(files.template)).root);
    const from = request.header.serviceReferenceVariant;
    if (srv !== undefined && srv !== from) {
      throw new UsageError(`the template is SRV ${from}, not ${srv}`);
    }
    const body = request.body;
    if (body.kind !== "generic" && body.kind !== "ReadInstantaneousImportRegisters") {
      throw new UsageError(`the template's body (${body.kind}) is not a request body to send`);
    }
    return {
      srv: from,
      body: body.kind === "generic" ? body.element : el("ReadInstantaneousImportRegisters"),
    };
  }
  if (srv === undefined || !isSrv(srv))
    throw new UsageError(`'${srv ?? ""}' is not a DUIS Service Reference Variant`);
  const entry = srvEntry(srv);
  if (entry.nonDevice) throw new UsageError(`SRV ${srv} is a non-device service: not sent by this command`);
  if (files.body === undefined) return { srv, body: el(entry.body) };
  let text = readFileSync(files.body, "utf8").replace(/^\s*<\?xml[^>]*\?>/, "");
  // A body written without the DUIS namespace is read in it.
  if (!/xmlns(:\w+)?=/.test(text.slice(0, text.indexOf(">") + 1))) {
    text = text.replace(/^\s*<([A-Za-z][\w.-]*)/, `<$1 xmlns="${SR_NAMESPACE}"`);
  }
  const element = fromXml(parseXml(text).root, "Body");
  if (element.name !== entry.body) {
    throw new UsageError(`the body is ${element.name}; SRV ${srv}'s is ${entry.body}`);
  }
  return { srv, body: element };
}

/** The DUIS request, unsigned, as its XML tree. */
export function unsignedRequest(
  user: UserIdentity,
  device: string,
  counter: bigint,
  cv: CommandVariant,
  content: RequestContent,
  body: RequestBody = { kind: "generic", element: content.body },
) {
  return buildRequest(
    newRequest(
      {
        requestId: { originator: duisEui(user.eui), target: duisEui(device), counter },
        commandVariant: cv,
        serviceReference: srvEntry(content.srv).sr,
        serviceReferenceVariant: content.srv,
      },
      body,
    ),
  );
}

/** The request signed with the user's key; refused with the schema's reasons when invalid. */
export function signedRequest(
  user: UserIdentity,
  tree: ReturnType<typeof unsignedRequest>,
  schema: SchemaValidator | undefined,
): string {
  if (schema !== undefined) {
    const result = schema.validate(parseXml(serializeXml(tree)));
    if (!result.valid) {
      throw new UsageError(
        `the request is not valid DUIS 5.4: ${result.errors
          .slice(0, 3)
          .map((e) => `${e.path}: ${e.message}`)
          .join("; ")}`,
      );
    }
  }
  return signDuis(tree, { privateKey: user.privateKey, certificate: user.certificate });
}

/**
 * The Pre-Command of a CV4, checked as a user's client checks it before signing (the grouping header
 * names this user, this device and this counter; it carries no signature and no MAC), and signed
 * with the user's GBCS digital-signing key.
 */
export function signPreCommand(
  pre: Uint8Array,
  expect: { readonly user: string; readonly device: string; readonly counter: bigint },
  key: KeyObject,
): Uint8Array {
  const frame = decodeFrame(pre);
  const problems = [
    frame.cra === 1 ? undefined : `CRA flag ${frame.cra}`,
    frame.originator.toLowerCase() === expect.user.toLowerCase()
      ? undefined
      : `originator ${frame.originator}`,
    frame.recipient.toLowerCase() === expect.device.toLowerCase()
      ? undefined
      : `recipient ${frame.recipient}`,
    frame.counter === expect.counter ? undefined : `counter ${frame.counter}`,
    frame.signature === undefined ? undefined : "a signature field",
    frame.mac === undefined ? undefined : "a MAC",
  ].filter((p) => p !== undefined);
  if (problems.length > 0) throw new Error(`the Pre-Command is not this request's: ${problems.join(", ")}`);
  return encodeFrame(signFrame(frame, key));
}
