/**
 * DUIS Responses: Service Responses (acknowledgements, results, pre-commands, inventory…), Device
 * Alerts and DCC Alerts. `parseResponse` reads one from the XML tree, `buildResponse` writes one, and
 * `buildAcknowledgement`, `buildDeviceAlert` and `buildDccAlert` are the shapes the DCC sends most.
 */
import {
  type DccAlertCode,
  type DeviceStatus,
  type DeviceType,
  isDccAlertCode,
  isDeviceStatus,
  isDeviceType,
  isResponseCode,
  isServiceReference,
  isSrv,
  type ResponseCode,
  type ServiceReference,
  type Srv,
  srvEntry,
} from "../../catalogue/index.js";
import { DuisError } from "../errors.js";
import { attribute, element, type XmlElement } from "../xml/tree.js";
import {
  ChildReader,
  container,
  type DuisElement,
  dateToDateTime,
  decodeBase64,
  encodeBase64,
  fromXml,
  leaf,
  leafText,
  parseDateTime,
  parseUnsigned,
  toXml,
} from "./element.js";
import { type Eui, formatRequestId, parseEui, parseRequestId, type RequestId } from "./ids.js";
import { DS_NAMESPACE, DUIS_SCHEMA_VERSION, SR_NAMESPACE } from "./namespaces.js";

/** Response/Header. */
export interface ResponseHeader {
  /** The request answered (absent on alerts that answer none). */
  readonly requestId?: RequestId;
  /** `device:user:counter` of a device's response or alert. */
  readonly responseId?: RequestId;
  readonly responseCode: ResponseCode;
  /** xs:dateTime as written. */
  readonly responseDateTime: string;
}

/** One device of a DSPInventory (8.2 Read Inventory). Optional fields are absent when not known. */
export interface InventoryDevice {
  readonly deviceId: Eui;
  readonly deviceType: DeviceType;
  readonly deviceStatus?: DeviceStatus;
  readonly deviceManufacturer: string;
  readonly deviceModel: string;
  readonly smetsChtsVersion?: string;
  readonly deviceFirmwareVersion?: string;
  readonly deviceFirmwareVersionStatus?: string;
  readonly cplStatus?: string;
  /** xs:date as written. */
  readonly dateCommissioned?: string;
  readonly importMpxn?: string;
  readonly secondaryImportMpan?: string;
  readonly exportMpan?: string;
  readonly esmeVariant?: string;
  readonly uprn?: string;
  readonly propertyFilter?: { readonly postCode: string; readonly addressIdentifier: string };
  readonly cspRegion?: string;
  readonly deviceGbcsVersion?: string;
  readonly hanVariant?: string;
  readonly s1sp?: string;
  readonly connectivity?: string;
}

/** What a ResponseMessage carries after its SR and SRV (DUIS 5.4 choice), or nothing. */
export type ResponsePayload =
  /** A device's GBCS response, base64 in the XML. */
  | { readonly kind: "GBCSPayload"; readonly gbcsPayload: Uint8Array }
  /** CV4's answer: the GBCS command for the user to check and sign. */
  | { readonly kind: "PreCommand"; readonly gbcsVersion: string; readonly gbcsPayload: Uint8Array }
  /** CV2/3/6/7: a command for local delivery. */
  | { readonly kind: "LocalCommand"; readonly gbcsPayload: Uint8Array }
  /** A response to a command the DCC ran from a schedule. */
  | { readonly kind: "DSPScheduledMessage"; readonly gbcsPayload: Uint8Array; readonly scheduleId: number }
  /** 5.1 Create Schedule: the new schedule's id. */
  | { readonly kind: "DSPScheduleID"; readonly scheduleId: number }
  /** 8.2 Read Inventory. */
  | { readonly kind: "DSPInventory"; readonly devices: readonly InventoryDevice[] }
  /** 9.1: the device's response and the Customer Identification Number. */
  | {
      readonly kind: "CINMessage";
      readonly gbcsPayload: Uint8Array;
      readonly customerIdentificationNumber: string;
    }
  /** Any other choice (DSPOptIn, DSPSchedulesRead, DSPWANMatrix, firmware warnings…), as its element. */
  | { readonly kind: "other"; readonly element: DuisElement };

export interface ResponseMessageBody {
  readonly kind: "ResponseMessage";
  readonly serviceReference: ServiceReference;
  readonly serviceReferenceVariant: Srv;
  readonly payload?: ResponsePayload;
}

/** A Device Alert: a GBCS alert from a device, passed to the eligible users. */
export interface DeviceAlertBody {
  readonly kind: "DeviceAlertMessage";
  /** The GBCS alert code, e.g. 0x8F66 (two bytes, hexBinary in the XML). */
  readonly alertCode: number;
  readonly throttledAlertSequenceId?: number;
  readonly throttledAlertCount?: number;
  readonly gbcsPayload: Uint8Array;
}

/** A DCC Alert (N-codes, AD1): raised by the DCC itself. */
export interface DccAlertBody {
  readonly kind: "DCCAlertMessage";
  readonly dccAlertCode: DccAlertCode;
  readonly throttledAlertSequenceId?: number;
  readonly throttledAlertCount?: number;
  /** The one child of DCCAlert (PowerOutageEvent, DeviceStatusChangeEvent, CommandFailure, …). */
  readonly alert: DuisElement;
}

/** An SMETS1 response (MMC format): kept as its element. */
export interface Smets1ResponseBody {
  readonly kind: "SMETS1ResponseMessage";
  readonly element: DuisElement;
}

export type ResponseBody = ResponseMessageBody | DeviceAlertBody | DccAlertBody | Smets1ResponseBody;

/** A DUIS Response. */
export interface DuisResponse {
  readonly schemaVersion: string;
  readonly header: ResponseHeader;
  readonly body: ResponseBody;
  /** The `ds:Signature` element as received; absent before signing. */
  readonly signature?: XmlElement;
}

// --- parse ----------------------------------------------------------------------------------------

/** Reads a DUIS Response from its XML tree. Throws DuisError `schemaInvalid` with a path. */
export function parseResponse(root: XmlElement): DuisResponse {
  if (root.namespace !== SR_NAMESPACE || root.localName !== "Response") {
    throw new DuisError("schemaInvalid", `root element ${root.localName} is not sr:Response`);
  }
  const schemaVersion = root.attributes.find(
    (a) => a.localName === "schemaVersion" && a.namespace === "",
  )?.value;
  if (schemaVersion === undefined || !/^\d+(\.\d+)?$/.test(schemaVersion.trim())) {
    throw new DuisError("schemaInvalid", "Response/@schemaVersion: missing or not a decimal");
  }
  const top = new ChildReader(root, "Response");
  const header = parseResponseHeader(top.required("Header"));
  const bodyXml = top.required("Body");
  let signature: XmlElement | undefined;
  if (top.peek() !== undefined) {
    const sig = top.any();
    if (sig.namespace !== DS_NAMESPACE || sig.localName !== "Signature") {
      throw new DuisError("schemaInvalid", `Response: unexpected ${sig.localName}`);
    }
    signature = sig;
  }
  top.end();
  const b = new ChildReader(bodyXml, "Response/Body");
  const content = b.any();
  b.end();
  const body = parseResponseBody(content, `Response/Body/${content.localName}`);
  const v = schemaVersion.trim();
  return signature === undefined
    ? { schemaVersion: v, header, body }
    : { schemaVersion: v, header, body, signature };
}

function parseResponseHeader(node: XmlElement): ResponseHeader {
  const r = new ChildReader(node, "Response/Header");
  const requestId = r.optionalText("RequestID");
  const responseId = r.optionalText("ResponseID");
  const code = r.requiredText("ResponseCode").trim();
  const when = parseDateTime(r.requiredText("ResponseDateTime"), "Response/Header/ResponseDateTime");
  r.end();
  if (!isResponseCode(code)) throw new DuisError("schemaInvalid", `Response/Header/ResponseCode: '${code}'`);
  return {
    ...(requestId === undefined ? {} : { requestId: parseRequestId(requestId, "Response/Header/RequestID") }),
    ...(responseId === undefined
      ? {}
      : { responseId: parseRequestId(responseId, "Response/Header/ResponseID") }),
    responseCode: code,
    responseDateTime: when,
  };
}

function parseResponseBody(node: XmlElement, path: string): ResponseBody {
  if (node.namespace !== SR_NAMESPACE)
    throw new DuisError("schemaInvalid", `${path}: not in the DUIS namespace`);
  switch (node.localName) {
    case "ResponseMessage":
      return parseResponseMessage(node, path);
    case "DeviceAlertMessage": {
      const r = new ChildReader(node, path);
      const code = r.requiredText("AlertCode").trim();
      if (!/^[0-9A-Fa-f]{4}$/.test(code))
        throw new DuisError("schemaInvalid", `${path}/AlertCode: '${code}'`);
      const seq = r.optionalText("ThrottledAlertSequenceId");
      const count = r.optionalText("ThrottledAlertCount");
      const payload = decodeBase64(r.requiredText("GBCSPayload"), `${path}/GBCSPayload`);
      r.end();
      return {
        kind: "DeviceAlertMessage",
        alertCode: Number.parseInt(code, 16),
        ...(seq === undefined
          ? {}
          : { throttledAlertSequenceId: parseUnsigned(seq, `${path}/ThrottledAlertSequenceId`) }),
        ...(count === undefined
          ? {}
          : { throttledAlertCount: parseUnsigned(count, `${path}/ThrottledAlertCount`) }),
        gbcsPayload: payload,
      };
    }
    case "DCCAlertMessage": {
      const r = new ChildReader(node, path);
      const code = r.requiredText("DCCAlertCode").trim();
      if (!isDccAlertCode(code)) throw new DuisError("schemaInvalid", `${path}/DCCAlertCode: '${code}'`);
      const seq = r.optionalText("ThrottledAlertSequenceId");
      const count = r.optionalText("ThrottledAlertCount");
      const alertXml = r.required("DCCAlert");
      r.end();
      const a = new ChildReader(alertXml, `${path}/DCCAlert`);
      const inner = a.any();
      a.end();
      return {
        kind: "DCCAlertMessage",
        dccAlertCode: code,
        ...(seq === undefined
          ? {}
          : { throttledAlertSequenceId: parseUnsigned(seq, `${path}/ThrottledAlertSequenceId`) }),
        ...(count === undefined
          ? {}
          : { throttledAlertCount: parseUnsigned(count, `${path}/ThrottledAlertCount`) }),
        alert: fromXml(inner, `${path}/DCCAlert/${inner.localName}`),
      };
    }
    case "SMETS1ResponseMessage":
      return { kind: "SMETS1ResponseMessage", element: fromXml(node, path) };
    default:
      throw new DuisError("schemaInvalid", `${path}: not a Response body`);
  }
}

function parseResponseMessage(node: XmlElement, path: string): ResponseMessageBody {
  const r = new ChildReader(node, path);
  const sr = r.requiredText("ServiceReference").trim();
  const srv = r.requiredText("ServiceReferenceVariant").trim();
  if (!isServiceReference(sr)) throw new DuisError("schemaInvalid", `${path}/ServiceReference: '${sr}'`);
  if (!isSrv(srv)) throw new DuisError("schemaInvalid", `${path}/ServiceReferenceVariant: '${srv}'`);
  let payload: ResponsePayload | undefined;
  if (r.peek() !== undefined) {
    const p = r.any();
    payload = parsePayload(p, `${path}/${p.localName}`);
  }
  r.end();
  const base = { kind: "ResponseMessage" as const, serviceReference: sr, serviceReferenceVariant: srv };
  return payload === undefined ? base : { ...base, payload };
}

function parsePayload(node: XmlElement, path: string): ResponsePayload {
  if (node.namespace !== SR_NAMESPACE)
    throw new DuisError("schemaInvalid", `${path}: not in the DUIS namespace`);
  const sub = () => new ChildReader(node, path);
  switch (node.localName) {
    case "GBCSPayload":
      return { kind: "GBCSPayload", gbcsPayload: decodeBase64(leafText(node, path), path) };
    case "PreCommand": {
      const r = sub();
      const gbcsVersion = r.requiredText("GBCSVersion");
      const gbcsPayload = decodeBase64(r.requiredText("GBCSPayload"), `${path}/GBCSPayload`);
      r.end();
      return { kind: "PreCommand", gbcsVersion, gbcsPayload };
    }
    case "LocalCommand": {
      const r = sub();
      const gbcsPayload = decodeBase64(r.requiredText("GBCSPayload"), `${path}/GBCSPayload`);
      r.end();
      return { kind: "LocalCommand", gbcsPayload };
    }
    case "DSPScheduledMessage": {
      const r = sub();
      const gbcsPayload = decodeBase64(r.requiredText("GBCSPayload"), `${path}/GBCSPayload`);
      const scheduleId = parseUnsigned(r.requiredText("DSPScheduleID"), `${path}/DSPScheduleID`);
      r.end();
      return { kind: "DSPScheduledMessage", gbcsPayload, scheduleId };
    }
    case "DSPScheduleID":
      return { kind: "DSPScheduleID", scheduleId: parseUnsigned(leafText(node, path), path) };
    case "DSPInventory": {
      const r = sub();
      const devices: InventoryDevice[] = [];
      while (r.peek() !== undefined) {
        if (devices.length >= 17) throw new DuisError("schemaInvalid", `${path}: more than 17 devices`);
        devices.push(parseInventoryDevice(r.required("Device"), `${path}/Device[${devices.length + 1}]`));
      }
      if (devices.length === 0) throw new DuisError("schemaInvalid", `${path}: no Device`);
      return { kind: "DSPInventory", devices };
    }
    case "CINMessage": {
      const r = sub();
      const gbcsPayload = decodeBase64(r.requiredText("GBCSPayload"), `${path}/GBCSPayload`);
      const cin = r.requiredText("CustomerIdentificationNumber").trim();
      r.end();
      if (!/^[0-9]{4}$/.test(cin))
        throw new DuisError("schemaInvalid", `${path}/CustomerIdentificationNumber`);
      return { kind: "CINMessage", gbcsPayload, customerIdentificationNumber: cin };
    }
    default:
      return { kind: "other", element: fromXml(node, path) };
  }
}

/** Inventory fields after DeviceModel, in schema order: element name → model key. */
const inventoryOptionalText = [
  ["SMETSCHTSVersion", "smetsChtsVersion"],
  ["DeviceFirmwareVersion", "deviceFirmwareVersion"],
  ["DeviceFirmwareVersionStatus", "deviceFirmwareVersionStatus"],
  ["CPLStatus", "cplStatus"],
  ["DateCommissioned", "dateCommissioned"],
  ["ImportMPxN", "importMpxn"],
  ["SecondaryImportMPAN", "secondaryImportMpan"],
  ["ExportMPAN", "exportMpan"],
  ["ESMEVariant", "esmeVariant"],
  ["UPRN", "uprn"],
] as const;
const inventoryTrailingText = [
  ["CSPRegion", "cspRegion"],
  ["DeviceGBCSVersion", "deviceGbcsVersion"],
  ["HANVariant", "hanVariant"],
  ["S1SP", "s1sp"],
  ["Connectivity", "connectivity"],
] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function parseInventoryDevice(node: XmlElement, path: string): InventoryDevice {
  const r = new ChildReader(node, path);
  const deviceId = parseEui(r.requiredText("DeviceID").trim(), `${path}/DeviceID`);
  const type = r.requiredText("DeviceType").trim();
  if (!isDeviceType(type)) throw new DuisError("schemaInvalid", `${path}/DeviceType: '${type}'`);
  const status = r.optionalText("DeviceStatus")?.trim();
  if (status !== undefined && !isDeviceStatus(status)) {
    throw new DuisError("schemaInvalid", `${path}/DeviceStatus: '${status}'`);
  }
  const device: Mutable<InventoryDevice> = {
    deviceId,
    deviceType: type,
    ...(status === undefined ? {} : { deviceStatus: status }),
    deviceManufacturer: r.requiredText("DeviceManufacturer"),
    deviceModel: r.requiredText("DeviceModel"),
  };
  for (const [name, key] of inventoryOptionalText) {
    const v = r.optionalText(name);
    if (v !== undefined) device[key] = v;
  }
  const pf = r.optional("PropertyFilter");
  if (pf !== undefined) {
    const p = new ChildReader(pf, `${path}/PropertyFilter`);
    device.propertyFilter = {
      postCode: p.requiredText("PostCode"),
      addressIdentifier: p.requiredText("AddressIdentifier"),
    };
    p.end();
  }
  for (const [name, key] of inventoryTrailingText) {
    const v = r.optionalText(name);
    if (v !== undefined) device[key] = v;
  }
  r.end();
  return device;
}

// --- build ----------------------------------------------------------------------------------------

/**
 * Writes a response as a DUIS 5.4 XML tree: `sr` declared on the root, no whitespace between
 * elements, no signature (the DCC signs the result).
 */
export function buildResponse(response: DuisResponse): XmlElement {
  const h = response.header;
  const header = container("Header", [
    h.requestId === undefined ? undefined : leaf("RequestID", formatRequestId(h.requestId)),
    h.responseId === undefined ? undefined : leaf("ResponseID", formatRequestId(h.responseId)),
    leaf("ResponseCode", h.responseCode),
    leaf("ResponseDateTime", h.responseDateTime),
  ]);
  const children = [header, container("Body", [buildResponseBody(response.body)])];
  if (response.signature !== undefined) children.push(response.signature);
  return element(SR_NAMESPACE, "sr:Response", {
    attributes: [attribute("schemaVersion", response.schemaVersion)],
    namespaceDeclarations: [{ prefix: "sr", uri: SR_NAMESPACE }],
    children,
  });
}

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");

function buildResponseBody(body: ResponseBody): XmlElement {
  switch (body.kind) {
    case "ResponseMessage":
      return container("ResponseMessage", [
        leaf("ServiceReference", body.serviceReference),
        leaf("ServiceReferenceVariant", body.serviceReferenceVariant),
        body.payload === undefined ? undefined : buildPayload(body.payload),
      ]);
    case "DeviceAlertMessage":
      if (!Number.isInteger(body.alertCode) || body.alertCode < 0 || body.alertCode > 0xffff) {
        throw new RangeError(`alert code ${body.alertCode} is not two bytes`);
      }
      return container("DeviceAlertMessage", [
        leaf("AlertCode", hex4(body.alertCode)),
        body.throttledAlertSequenceId === undefined
          ? undefined
          : leaf("ThrottledAlertSequenceId", String(body.throttledAlertSequenceId)),
        body.throttledAlertCount === undefined
          ? undefined
          : leaf("ThrottledAlertCount", String(body.throttledAlertCount)),
        leaf("GBCSPayload", encodeBase64(body.gbcsPayload)),
      ]);
    case "DCCAlertMessage":
      return container("DCCAlertMessage", [
        leaf("DCCAlertCode", body.dccAlertCode),
        body.throttledAlertSequenceId === undefined
          ? undefined
          : leaf("ThrottledAlertSequenceId", String(body.throttledAlertSequenceId)),
        body.throttledAlertCount === undefined
          ? undefined
          : leaf("ThrottledAlertCount", String(body.throttledAlertCount)),
        container("DCCAlert", [toXml(body.alert)]),
      ]);
    case "SMETS1ResponseMessage":
      return toXml(body.element);
  }
}

function buildPayload(p: ResponsePayload): XmlElement {
  switch (p.kind) {
    case "GBCSPayload":
      return leaf("GBCSPayload", encodeBase64(p.gbcsPayload));
    case "PreCommand":
      return container("PreCommand", [
        leaf("GBCSVersion", p.gbcsVersion),
        leaf("GBCSPayload", encodeBase64(p.gbcsPayload)),
      ]);
    case "LocalCommand":
      return container("LocalCommand", [leaf("GBCSPayload", encodeBase64(p.gbcsPayload))]);
    case "DSPScheduledMessage":
      return container("DSPScheduledMessage", [
        leaf("GBCSPayload", encodeBase64(p.gbcsPayload)),
        leaf("DSPScheduleID", String(p.scheduleId)),
      ]);
    case "DSPScheduleID":
      return leaf("DSPScheduleID", String(p.scheduleId));
    case "DSPInventory":
      return container(
        "DSPInventory",
        p.devices.map((d) => buildInventoryDevice(d)),
      );
    case "CINMessage":
      return container("CINMessage", [
        leaf("GBCSPayload", encodeBase64(p.gbcsPayload)),
        leaf("CustomerIdentificationNumber", p.customerIdentificationNumber),
      ]);
    case "other":
      return toXml(p.element);
  }
}

function buildInventoryDevice(d: InventoryDevice): XmlElement {
  const opt = (name: string, v: string | undefined) => (v === undefined ? undefined : leaf(name, v));
  return container("Device", [
    leaf("DeviceID", d.deviceId),
    leaf("DeviceType", d.deviceType),
    opt("DeviceStatus", d.deviceStatus),
    leaf("DeviceManufacturer", d.deviceManufacturer),
    leaf("DeviceModel", d.deviceModel),
    ...inventoryOptionalText.map(([name, key]) => opt(name, d[key])),
    d.propertyFilter === undefined
      ? undefined
      : container("PropertyFilter", [
          leaf("PostCode", d.propertyFilter.postCode),
          leaf("AddressIdentifier", d.propertyFilter.addressIdentifier),
        ]),
    ...inventoryTrailingText.map(([name, key]) => opt(name, d[key])),
  ]);
}

// --- the usual shapes -----------------------------------------------------------------------------

/**
 * The synchronous answer to a request that carries no data: I99 (accepted for a device), I0, or an
 * E-code. The ResponseMessage names the request's SR and SRV, as DCC Boxed does.
 */
export function buildAcknowledgement(
  requestId: RequestId,
  responseCode: ResponseCode,
  srv: Srv,
  at: Date,
): XmlElement {
  return buildResponse({
    schemaVersion: DUIS_SCHEMA_VERSION,
    header: { requestId, responseCode, responseDateTime: dateToDateTime(at) },
    body: { kind: "ResponseMessage", serviceReference: srvEntry(srv).sr, serviceReferenceVariant: srv },
  });
}

/** A Service Response with a payload (I0 with GBCSPayload, PreCommand, DSPInventory…). */
export function buildServiceResponse(options: {
  readonly requestId?: RequestId;
  readonly responseId?: RequestId;
  readonly responseCode: ResponseCode;
  readonly srv: Srv;
  readonly payload?: ResponsePayload;
  readonly at: Date;
}): XmlElement {
  const header: ResponseHeader = {
    ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
    ...(options.responseId === undefined ? {} : { responseId: options.responseId }),
    responseCode: options.responseCode,
    responseDateTime: dateToDateTime(options.at),
  };
  const body: ResponseMessageBody = {
    kind: "ResponseMessage",
    serviceReference: srvEntry(options.srv).sr,
    serviceReferenceVariant: options.srv,
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  };
  return buildResponse({ schemaVersion: DUIS_SCHEMA_VERSION, header, body });
}

/** A Device Alert for a user: the device's GBCS alert, with ResponseCode I0. */
export function buildDeviceAlert(options: {
  /** `device:user:counter`, when the alert has one. */
  readonly responseId?: RequestId;
  /** The request it relates to (future-dated and some command alerts). */
  readonly requestId?: RequestId;
  readonly alertCode: number;
  readonly gbcsPayload: Uint8Array;
  readonly throttledAlertSequenceId?: number;
  readonly throttledAlertCount?: number;
  readonly at: Date;
}): XmlElement {
  return buildResponse({
    schemaVersion: DUIS_SCHEMA_VERSION,
    header: {
      ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
      ...(options.responseId === undefined ? {} : { responseId: options.responseId }),
      responseCode: "I0",
      responseDateTime: dateToDateTime(options.at),
    },
    body: {
      kind: "DeviceAlertMessage",
      alertCode: options.alertCode,
      ...(options.throttledAlertSequenceId === undefined
        ? {}
        : { throttledAlertSequenceId: options.throttledAlertSequenceId }),
      ...(options.throttledAlertCount === undefined
        ? {}
        : { throttledAlertCount: options.throttledAlertCount }),
      gbcsPayload: options.gbcsPayload,
    },
  });
}

/** A DCC Alert for a user, with ResponseCode I0. */
export function buildDccAlert(options: {
  readonly requestId?: RequestId;
  readonly dccAlertCode: DccAlertCode;
  /** The DCCAlert choice, e.g. `el("CommandFailure", [...])`. */
  readonly alert: DuisElement;
  readonly throttledAlertSequenceId?: number;
  readonly throttledAlertCount?: number;
  readonly at: Date;
}): XmlElement {
  return buildResponse({
    schemaVersion: DUIS_SCHEMA_VERSION,
    header: {
      ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
      responseCode: "I0",
      responseDateTime: dateToDateTime(options.at),
    },
    body: {
      kind: "DCCAlertMessage",
      dccAlertCode: options.dccAlertCode,
      ...(options.throttledAlertSequenceId === undefined
        ? {}
        : { throttledAlertSequenceId: options.throttledAlertSequenceId }),
      ...(options.throttledAlertCount === undefined
        ? {}
        : { throttledAlertCount: options.throttledAlertCount }),
      alert: options.alert,
    },
  });
}
