/**
 * DUIS Service Requests: the typed model, `parseRequest` from the XML tree and `buildRequest` back.
 *
 * The header is fully typed. Bodies: the ones the pipeline acts on first are typed (4.1.1 Read
 * Instantaneous Import Registers, 8.2 Read Inventory, and the Signed Pre-Command of CV5/6/7); every
 * other SRV's body is a generic `DuisElement` of its DUIS 5.4 element, which the schema validator
 * checks and the transform reads. Parsing checks the structure (what the schema would refuse) and
 * that header and body agree; `checkRouting` checks the Command Variant against the SRV and the web
 * service (E12/E13), after the sender is authenticated.
 */
import {
  type CommandVariant,
  isCommandVariant,
  isServiceReference,
  isSrv,
  type ServiceReference,
  type Srv,
  srvEntry,
  type WebService,
  webServiceFor,
} from "../../catalogue/index.js";
import { DuisError } from "../errors.js";
import { attribute, element, type XmlElement } from "../xml/tree.js";
import {
  ChildReader,
  container,
  type DuisElement,
  decodeBase64,
  encodeBase64,
  fromXml,
  leaf,
  leafText,
  parseBoolean,
  parseDateTime,
  toXml,
} from "./element.js";
import { type Eui, formatRequestId, parseEui, parseRequestId, type RequestId } from "./ids.js";
import { DS_NAMESPACE, DUIS_SCHEMA_VERSION, SR_NAMESPACE } from "./namespaces.js";

/** Request/Header. */
export interface RequestHeader {
  readonly requestId: RequestId;
  /** Header/FirstInSequence: the first of a sequence of dependent requests. */
  readonly firstInSequence?: boolean;
  /** Header/PrecedingServiceRequestID: the request this one depends on. */
  readonly precedingRequestId?: RequestId;
  readonly commandVariant: CommandVariant;
  readonly serviceReference: ServiceReference;
  readonly serviceReferenceVariant: Srv;
}

/** 4.1.1 Read Instantaneous Import Registers (ECS17b on ESME, GCS13a on GSME). */
export interface ReadInstantaneousImportRegistersBody {
  readonly kind: "ReadInstantaneousImportRegisters";
  /** Future-dated execution, xs:dateTime as written. */
  readonly executionDateTime?: string;
}

/** 8.2 Read Inventory: one of four ways to select devices. */
export interface ReadInventoryBody {
  readonly kind: "ReadInventory";
  readonly selector:
    | { readonly by: "UPRN"; readonly uprn: string }
    | { readonly by: "DeviceID"; readonly deviceId: Eui }
    | { readonly by: "MPxN"; readonly mpxn: string }
    | { readonly by: "PropertyFilter"; readonly postCode: string; readonly addressIdentifier: string };
}

/** CV5/6/7: the user's signed GBCS Pre-Command, sent with the RequestID of its CV4 request. */
export interface SignedPreCommandBody {
  readonly kind: "SignedPreCommand";
  readonly executionDateTime?: string;
  /** The GBCS command with the user's signature appended. */
  readonly gbcsPayload: Uint8Array;
}

/** Any other SRV's body, as its DUIS element (`element.name` is the SRV's body element). */
export interface GenericRequestBody {
  readonly kind: "generic";
  readonly element: DuisElement;
}

export type RequestBody =
  | ReadInstantaneousImportRegistersBody
  | ReadInventoryBody
  | SignedPreCommandBody
  | GenericRequestBody;

/** The SRVs whose body the model types; every other SRV's body is generic. */
export interface TypedRequestBodies {
  "4.1.1": ReadInstantaneousImportRegistersBody;
  "8.2": ReadInventoryBody;
}

/** The body of a request for SRV `S` sent with CV1-4 or 8 (CV5-7 carry a SignedPreCommand). */
export type RequestBodyFor<S extends Srv> = S extends keyof TypedRequestBodies
  ? TypedRequestBodies[S]
  : GenericRequestBody;

/** A request for SRV `S`, its body narrowed accordingly. */
export type DuisRequestFor<S extends Srv> = DuisRequest & {
  readonly header: RequestHeader & { readonly serviceReferenceVariant: S };
  readonly body: RequestBodyFor<S> | SignedPreCommandBody;
};

/** A DUIS Service Request. */
export interface DuisRequest {
  /** The `schemaVersion` attribute, e.g. `5.4`. */
  readonly schemaVersion: string;
  readonly header: RequestHeader;
  readonly body: RequestBody;
  /** The `ds:Signature` element as received, for the verifier; absent on an unsigned request. */
  readonly signature?: XmlElement;
}

/** Whether `request` is for SRV `srv` (narrowing its body type). */
export function isRequestFor<S extends Srv>(request: DuisRequest, srv: S): request is DuisRequestFor<S> {
  return request.header.serviceReferenceVariant === srv;
}

/**
 * The execution date-time of a future-dated request (xs:dateTime as written), whatever its SRV: the
 * typed bodies' field, or the `ExecutionDateTime` child that every future-datable DUIS body starts
 * with. Undefined for an on-demand request.
 */
export function executionDateTimeOf(request: DuisRequest): string | undefined {
  const b = request.body;
  switch (b.kind) {
    case "ReadInventory":
      return undefined;
    case "generic":
      return b.element.children.find((c) => c.name === "ExecutionDateTime")?.text;
    default:
      return b.executionDateTime;
  }
}

/** The element name a body is written as. */
export function bodyElementName(body: RequestBody): string {
  return body.kind === "generic" ? body.element.name : body.kind;
}

/**
 * Reads a DUIS Request from its XML tree (the parser's root element). Throws DuisError with key
 * `schemaInvalid`, `unknownServiceReferenceVariant` or `requestInconsistent`, and a path.
 */
export function parseRequest(root: XmlElement): DuisRequest {
  if (root.namespace !== SR_NAMESPACE || root.localName !== "Request") {
    throw new DuisError("schemaInvalid", `root element ${root.localName} is not sr:Request`);
  }
  const schemaVersion = root.attributes.find(
    (a) => a.localName === "schemaVersion" && a.namespace === "",
  )?.value;
  if (schemaVersion === undefined || !/^\d+(\.\d+)?$/.test(schemaVersion.trim())) {
    throw new DuisError("schemaInvalid", "Request/@schemaVersion: missing or not a decimal");
  }
  const top = new ChildReader(root, "Request");
  const header = parseHeader(top.required("Header"));
  const bodyXml = top.required("Body");
  let signature: XmlElement | undefined;
  const next = top.peek();
  if (next !== undefined) {
    const sig = top.any();
    if (sig.namespace !== DS_NAMESPACE || sig.localName !== "Signature") {
      throw new DuisError("schemaInvalid", `Request: unexpected ${sig.localName}`);
    }
    signature = sig;
  }
  top.end();

  const bodyReader = new ChildReader(bodyXml, "Request/Body");
  const content = bodyReader.any();
  bodyReader.end();
  const entry = srvEntry(header.serviceReferenceVariant);
  const path = `Request/Body/${content.localName}`;
  if (content.namespace !== SR_NAMESPACE)
    throw new DuisError("schemaInvalid", `${path}: not in the DUIS namespace`);
  if (content.localName !== "SignedPreCommand" && content.localName !== entry.body) {
    throw new DuisError(
      "requestInconsistent",
      `Body/${content.localName} is not the body of SRV ${entry.srv} (${entry.body})`,
    );
  }
  const body = parseBody(content, path);
  return signature === undefined
    ? { schemaVersion: schemaVersion.trim(), header, body }
    : { schemaVersion: schemaVersion.trim(), header, body, signature };
}

function parseHeader(node: XmlElement): RequestHeader {
  const r = new ChildReader(node, "Request/Header");
  const requestId = parseRequestId(r.requiredText("RequestID"), "Header/RequestID");
  const first = r.optionalText("FirstInSequence");
  const preceding = r.optionalText("PrecedingServiceRequestID");
  const cvText = r.requiredText("CommandVariant").trim();
  const sr = r.requiredText("ServiceReference").trim();
  const srv = r.requiredText("ServiceReferenceVariant").trim();
  r.end();
  const cv = /^[0-9]{1,2}$/.test(cvText) ? Number(cvText) : Number.NaN;
  if (!isCommandVariant(cv)) {
    // CV 9 is in the schema but internal to the DCC: a user may not send it.
    throw new DuisError(
      cv === 9 ? "commandVariantNotAllowed" : "schemaInvalid",
      `Header/CommandVariant: '${cvText}'`,
    );
  }
  if (!isServiceReference(sr)) throw new DuisError("schemaInvalid", `Header/ServiceReference: '${sr}'`);
  if (!isSrv(srv))
    throw new DuisError("unknownServiceReferenceVariant", `Header/ServiceReferenceVariant: '${srv}'`);
  if (srvEntry(srv).sr !== sr) {
    throw new DuisError(
      "requestInconsistent",
      `Header: SRV ${srv} belongs to Service Reference ${srvEntry(srv).sr}, not ${sr}`,
    );
  }
  return {
    requestId,
    ...(first === undefined ? {} : { firstInSequence: parseBoolean(first, "Header/FirstInSequence") }),
    ...(preceding === undefined
      ? {}
      : { precedingRequestId: parseRequestId(preceding, "Header/PrecedingServiceRequestID") }),
    commandVariant: cv,
    serviceReference: sr,
    serviceReferenceVariant: srv,
  };
}

function parseBody(node: XmlElement, path: string): RequestBody {
  switch (node.localName) {
    case "ReadInstantaneousImportRegisters": {
      if (node.attributes.length > 0) break;
      const r = new ChildReader(node, path);
      const when = r.optionalText("ExecutionDateTime");
      r.end();
      return when === undefined
        ? { kind: "ReadInstantaneousImportRegisters" }
        : {
            kind: "ReadInstantaneousImportRegisters",
            executionDateTime: parseDateTime(when, `${path}/ExecutionDateTime`),
          };
    }
    case "ReadInventory": {
      if (node.attributes.length > 0) break;
      return { kind: "ReadInventory", selector: parseInventorySelector(node, path) };
    }
    case "SignedPreCommand": {
      const r = new ChildReader(node, path);
      const when = r.optionalText("ExecutionDateTime");
      const payload = decodeBase64(r.requiredText("GBCSPayload"), `${path}/GBCSPayload`);
      r.end();
      return when === undefined
        ? { kind: "SignedPreCommand", gbcsPayload: payload }
        : {
            kind: "SignedPreCommand",
            executionDateTime: parseDateTime(when, `${path}/ExecutionDateTime`),
            gbcsPayload: payload,
          };
    }
  }
  return { kind: "generic", element: fromXml(node, path) };
}

function parseInventorySelector(node: XmlElement, path: string): ReadInventoryBody["selector"] {
  const r = new ChildReader(node, path);
  const choice = r.any();
  r.end();
  const at = `${path}/${choice.localName}`;
  const text = () => leafText(choice, at).trim();
  switch (choice.localName) {
    case "UPRN": {
      const uprn = text();
      if (!/^[0-9]{1,12}$/.test(uprn) || /^0+$/.test(uprn))
        throw new DuisError("schemaInvalid", `${at}: '${uprn}'`);
      return { by: "UPRN", uprn };
    }
    case "DeviceID":
      return { by: "DeviceID", deviceId: parseEui(text(), at) };
    case "MPxN": {
      const mpxn = text();
      if (mpxn.length < 1 || mpxn.length > 13) throw new DuisError("schemaInvalid", `${at}: '${mpxn}'`);
      return { by: "MPxN", mpxn };
    }
    case "PropertyFilter": {
      const c = new ChildReader(choice, at);
      const postCode = c.requiredText("PostCode");
      const addressIdentifier = c.requiredText("AddressIdentifier");
      c.end();
      return { by: "PropertyFilter", postCode, addressIdentifier };
    }
    default:
      throw new DuisError("schemaInvalid", `${at}: expected UPRN, DeviceID, MPxN or PropertyFilter`);
  }
}

/**
 * Checks the Command Variant against the SRV and the web service the request arrived on:
 * DuisError `commandVariantNotAllowed` (E12) when the SRV does not allow the CV, or the body does not
 * fit the CV (a Signed Pre-Command is CV5/6/7 and only they carry one); `wrongWebService` (E13) when
 * the CV belongs to another web service.
 */
export function checkRouting(request: DuisRequest, webService: WebService): void {
  const { commandVariant: cv, serviceReferenceVariant: srv } = request.header;
  const entry = srvEntry(srv);
  if (!(entry.cvs as readonly number[]).includes(cv)) {
    throw new DuisError(
      "commandVariantNotAllowed",
      `CV${cv} for SRV ${srv} (allowed: ${entry.cvs.join(", ")})`,
    );
  }
  const signed = request.body.kind === "SignedPreCommand";
  const wantsSigned = cv === 5 || cv === 6 || cv === 7;
  if (signed !== wantsSigned) {
    throw new DuisError(
      "commandVariantNotAllowed",
      wantsSigned
        ? `CV${cv} needs a SignedPreCommand body`
        : `a SignedPreCommand body needs CV5, 6 or 7, not CV${cv}`,
    );
  }
  const expected = webServiceFor(cv);
  if (expected !== webService) {
    throw new DuisError("wrongWebService", `CV${cv} goes to ${expected}, not ${webService}`);
  }
}

/**
 * Writes a request as a DUIS 5.4 XML tree: `sr` prefix declared on the root, no whitespace between
 * elements (the form to sign), and no signature (sign the result with `signDuisTree`).
 */
export function buildRequest(request: DuisRequest): XmlElement {
  const h = request.header;
  const header = container("Header", [
    leaf("RequestID", formatRequestId(h.requestId)),
    h.firstInSequence === undefined ? undefined : leaf("FirstInSequence", String(h.firstInSequence)),
    h.precedingRequestId === undefined
      ? undefined
      : leaf("PrecedingServiceRequestID", formatRequestId(h.precedingRequestId)),
    leaf("CommandVariant", String(h.commandVariant)),
    leaf("ServiceReference", h.serviceReference),
    leaf("ServiceReferenceVariant", h.serviceReferenceVariant),
  ]);
  const children = [header, container("Body", [buildBody(request.body)])];
  if (request.signature !== undefined) children.push(request.signature);
  return element(SR_NAMESPACE, "sr:Request", {
    attributes: [attribute("schemaVersion", request.schemaVersion)],
    namespaceDeclarations: [{ prefix: "sr", uri: SR_NAMESPACE }],
    children,
  });
}

function buildBody(body: RequestBody): XmlElement {
  switch (body.kind) {
    case "ReadInstantaneousImportRegisters":
      return container(body.kind, [
        body.executionDateTime === undefined ? undefined : leaf("ExecutionDateTime", body.executionDateTime),
      ]);
    case "ReadInventory": {
      const s = body.selector;
      switch (s.by) {
        case "UPRN":
          return container(body.kind, [leaf("UPRN", s.uprn)]);
        case "DeviceID":
          return container(body.kind, [leaf("DeviceID", s.deviceId)]);
        case "MPxN":
          return container(body.kind, [leaf("MPxN", s.mpxn)]);
        case "PropertyFilter":
          return container(body.kind, [
            container("PropertyFilter", [
              leaf("PostCode", s.postCode),
              leaf("AddressIdentifier", s.addressIdentifier),
            ]),
          ]);
      }
      break;
    }
    case "SignedPreCommand":
      return container(body.kind, [
        body.executionDateTime === undefined ? undefined : leaf("ExecutionDateTime", body.executionDateTime),
        leaf("GBCSPayload", encodeBase64(body.gbcsPayload)),
      ]);
    case "generic":
      return toXml(body.element);
  }
  throw new RangeError("unreachable request body");
}

/** A new request for an SRV, with the schema version meterway writes. */
export function newRequest(header: RequestHeader, body: RequestBody): DuisRequest {
  return { schemaVersion: DUIS_SCHEMA_VERSION, header, body };
}
