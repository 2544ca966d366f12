/**
 * The JSON form of decoded GBCS messages, as `meterway gbcs decode` writes it and `meterway gbcs
 * encode` reads it. It is exact: `messageFromJson(messageToJson(m))` encodes to the same bytes.
 *
 * Values are readable as they are — bigint as a decimal string, bytes as an uppercase hex string,
 * Date as an ISO string — and, since a string alone cannot say which of these it was, a sidecar
 * object `payloadTypes` maps the JSON Pointer (RFC 6901) of each such value in `payload` to its
 * type: 'bigint', 'bytes', 'date', 'number' (NaN, ±Infinity, -0 written as strings) or 'undefined'
 * (an array hole, written null). Header fields have fixed types and need no sidecar.
 */
import { fromHex, toHex } from "./cursor.js";
import { DecodeError } from "./errors.js";
import { type Cra, cosemDateTime, encodeFrame, type GbcsFrame, type SupplementaryInfo } from "./frame.js";
import type { CheckResult, DecodedMessage } from "./message.js";
import { encodePayload, type GbcsPayload } from "./payload.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonType = "bigint" | "bytes" | "date" | "number" | "undefined";

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

/** A value tree as JSON plus the types of the values JSON cannot tell apart. */
export function toJsonTree(value: unknown, types: Record<string, JsonType> = {}, path = ""): JsonValue {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      types[path] = "number";
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      types[path] = "bigint";
      return value.toString();
    case "undefined":
      types[path] = "undefined";
      return null;
    case "object": {
      if (value instanceof Uint8Array) {
        types[path] = "bytes";
        return toHex(value);
      }
      if (value instanceof Date) {
        types[path] = "date";
        return value.toISOString();
      }
      if (Array.isArray(value)) return value.map((v, i) => toJsonTree(v, types, pointer(path, i)));
      const out: { [key: string]: JsonValue } = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        setOwn(out, k, toJsonTree(v, types, pointer(path, k)));
      }
      return out;
    }
    default:
      throw new TypeError(`cannot write a ${typeof value} as JSON`);
  }
}

/** The inverse of `toJsonTree`. Throws a DecodeError when a typed value is malformed. */
export function fromJsonTree(json: unknown, types: Readonly<Record<string, string>>, path = ""): unknown {
  const type = types[path];
  if (type !== undefined) {
    if (type === "undefined") return undefined;
    if (typeof json !== "string") throw bad(path, `${type} value must be a string`);
    switch (type) {
      case "bigint":
        if (!/^-?\d+$/.test(json)) throw bad(path, "not a decimal integer");
        return BigInt(json);
      case "bytes":
        return fromHex(json);
      case "date": {
        const t = Date.parse(json);
        if (Number.isNaN(t)) throw bad(path, "not an ISO date");
        return new Date(t);
      }
      case "number":
        return json === "-0" ? -0 : Number(json);
      default:
        throw bad(path, `unknown type '${type}'`);
    }
  }
  if (Array.isArray(json)) return json.map((v, i) => fromJsonTree(v, types, pointer(path, i)));
  if (json !== null && typeof json === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) setOwn(out, k, fromJsonTree(v, types, pointer(path, k)));
    return out;
  }
  return json;
}

/** Sets an own property, even one named `__proto__` (plain assignment would set the prototype). */
function setOwn(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function bad(path: string, why: string): DecodeError {
  return new DecodeError(why, { code: "unexpected", offset: 0, path: `json${path.replaceAll("/", ".")}` });
}

function checkJson(c: CheckResult, bytes: Uint8Array | undefined): JsonValue {
  return {
    present: c.present,
    valid: c.valid,
    reason: c.reason,
    bytes: bytes === undefined ? null : toHex(bytes),
  };
}

/** The JSON object of a decoded message (what `meterway gbcs decode` prints). */
export function messageToJson(m: DecodedMessage): { [key: string]: JsonValue } {
  const f = m.frame;
  const payloadTypes: Record<string, JsonType> = {};
  const payload = toJsonTree(m.payload, payloadTypes);
  const out: { [key: string]: JsonValue } = {
    kind: m.kind,
    cra: f.cra,
    counter: f.counter.toString(),
    originator: f.originator,
    recipient: f.recipient,
    messageCode: f.messageCode,
    messageCodeHex: `0x${f.messageCode.toString(16).toUpperCase().padStart(4, "0")}`,
    useCase: m.useCase ?? null,
    name: m.info?.name ?? null,
    dateTime: f.dateTime === null ? null : toHex(f.dateTime),
    dateTimeIso: cosemDateTime(f.dateTime)?.toISOString() ?? null,
  };
  if (f.supplementary !== undefined) out.supplementary = supplementaryToJson(f.supplementary);
  out.payload = payload;
  out.payloadTypes = payloadTypes;
  out.signature = checkJson(m.signature, f.signature);
  out.mac = checkJson(m.mac, f.mac);
  return out;
}

function supplementaryToJson(s: SupplementaryInfo): JsonValue {
  const out: { [key: string]: JsonValue } = { remotePartyId: s.remotePartyId };
  if (s.remotePartyCounter !== undefined) out.remotePartyCounter = s.remotePartyCounter.toString();
  if (s.originatorCounter !== undefined) out.originatorCounter = s.originatorCounter.toString();
  if (s.remotePartyCertificate !== undefined) out.remotePartyCertificate = toHex(s.remotePartyCertificate);
  return out;
}

function field(o: Record<string, unknown>, key: string): unknown {
  if (!(key in o))
    throw new DecodeError(`missing '${key}'`, { code: "unexpected", offset: 0, path: `json.${key}` });
  return o[key];
}

function str(o: Record<string, unknown>, key: string): string {
  const v = field(o, key);
  if (typeof v !== "string")
    throw new DecodeError(`'${key}' must be a string`, {
      code: "unexpected",
      offset: 0,
      path: `json.${key}`,
    });
  return v;
}

function obj(v: unknown, key: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new DecodeError(`'${key}' must be an object`, {
      code: "unexpected",
      offset: 0,
      path: `json.${key}`,
    });
  }
  return v as Record<string, unknown>;
}

function bytesOrNull(check: Record<string, unknown>, key: string): Uint8Array | undefined {
  const v = check.bytes;
  if (v === null || v === undefined) return undefined;
  if (typeof v !== "string")
    throw new DecodeError(`'${key}.bytes' must be hex`, { code: "unexpected", offset: 0 });
  return fromHex(v);
}

function decimal(v: string, key: string): bigint {
  if (!/^\d+$/.test(v))
    throw new DecodeError(`'${key}' must be a decimal string`, {
      code: "unexpected",
      offset: 0,
      path: `json.${key}`,
    });
  return BigInt(v);
}

/**
 * A frame from the JSON of `messageToJson` (the payload is encoded back with its family codec).
 * Throws DecodeError (path `json.…`) for malformed JSON fields, RangeError for unencodable values.
 */
export function frameFromJson(input: unknown): GbcsFrame {
  const o = obj(input, "message");
  const cra = field(o, "cra");
  if (cra !== 1 && cra !== 2 && cra !== 3)
    throw new DecodeError("'cra' must be 1, 2 or 3", { code: "unexpected", offset: 0, path: "json.cra" });
  const messageCode = field(o, "messageCode");
  if (typeof messageCode !== "number")
    throw new DecodeError("'messageCode' must be a number", {
      code: "unexpected",
      offset: 0,
      path: "json.messageCode",
    });
  const dt = field(o, "dateTime");
  if (dt !== null && typeof dt !== "string")
    throw new DecodeError("'dateTime' must be hex or null", {
      code: "unexpected",
      offset: 0,
      path: "json.dateTime",
    });
  const types = o.payloadTypes === undefined ? {} : obj(o.payloadTypes, "payloadTypes");
  const typeMap: Record<string, string> = {};
  for (const [k, v] of Object.entries(types)) if (typeof v === "string") typeMap[k] = v;
  const payload = fromJsonTree(field(o, "payload"), typeMap) as GbcsPayload;
  const signature =
    o.signature === undefined ? undefined : bytesOrNull(obj(o.signature, "signature"), "signature");
  const mac = o.mac === undefined ? undefined : bytesOrNull(obj(o.mac, "mac"), "mac");
  let supplementary: SupplementaryInfo | undefined;
  if (o.supplementary !== undefined) {
    const s = obj(o.supplementary, "supplementary");
    supplementary = {
      remotePartyId: str(s, "remotePartyId"),
      ...(typeof s.remotePartyCounter === "string"
        ? { remotePartyCounter: decimal(s.remotePartyCounter, "supplementary.remotePartyCounter") }
        : {}),
      ...(typeof s.originatorCounter === "string"
        ? { originatorCounter: decimal(s.originatorCounter, "supplementary.originatorCounter") }
        : {}),
      ...(typeof s.remotePartyCertificate === "string"
        ? { remotePartyCertificate: fromHex(s.remotePartyCertificate) }
        : {}),
    };
  }
  return {
    cra: cra as Cra,
    counter: decimal(str(o, "counter"), "counter"),
    originator: str(o, "originator").toUpperCase(),
    recipient: str(o, "recipient").toUpperCase(),
    dateTime: dt === null ? null : fromHex(dt),
    messageCode,
    ...(supplementary !== undefined ? { supplementary } : {}),
    content: encodePayload(payload),
    ...(signature !== undefined ? { signature } : {}),
    ...(mac !== undefined ? { mac } : {}),
  };
}

/** The wire bytes of a message given as JSON (`meterway gbcs encode`). */
export function encodeJsonMessage(input: unknown): Uint8Array {
  return encodeFrame(frameFromJson(input));
}
