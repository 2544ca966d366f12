/**
 * XSD built-in simple types and facet checking, for the types DUIS uses.
 *
 * Integers are checked as arbitrary-precision decimals (an `xs:integer` has no bound, so the 39-digit
 * serial numbers of SMKI certificates are fine here, unlike in libxml2), decimals compare exactly as
 * decimal strings, never as floating point.
 */
import type { Primitive, SimpleType, WhiteSpace } from "./model.js";

interface Builtin {
  readonly primitive: Primitive;
  readonly whiteSpace: WhiteSpace;
  readonly lexical?: RegExp;
  readonly minInclusive?: string;
  readonly maxInclusive?: string;
}

const HAS_WHITESPACE = /[\t\n\r ]/;
const INTEGER = /^[+-]?[0-9]+$/;
const DECIMAL = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;
const TZ = "(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?";
const DATE = "-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])";
const TIME = "(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?|24:00:00(\\.0+)?)";

function integer(min?: string, max?: string): Builtin {
  return {
    primitive: "integer",
    whiteSpace: "collapse",
    lexical: INTEGER,
    ...(min === undefined ? {} : { minInclusive: min }),
    ...(max === undefined ? {} : { maxInclusive: max }),
  };
}

/** The built-in types by local name in the XSD namespace. */
const BUILTINS: Readonly<Record<string, Builtin>> = {
  anySimpleType: { primitive: "string", whiteSpace: "preserve" },
  string: { primitive: "string", whiteSpace: "preserve" },
  normalizedString: { primitive: "string", whiteSpace: "replace" },
  token: { primitive: "string", whiteSpace: "collapse" },
  language: { primitive: "string", whiteSpace: "collapse", lexical: /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/ },
  NMTOKEN: { primitive: "string", whiteSpace: "collapse", lexical: /^[\w.:-]+$/u },
  Name: { primitive: "string", whiteSpace: "collapse", lexical: /^[\p{L}_:][\p{L}\p{N}._:-]*$/u },
  NCName: { primitive: "string", whiteSpace: "collapse", lexical: /^[\p{L}_][\p{L}\p{N}._-]*$/u },
  ID: { primitive: "string", whiteSpace: "collapse", lexical: /^[\p{L}_][\p{L}\p{N}._-]*$/u },
  IDREF: { primitive: "string", whiteSpace: "collapse", lexical: /^[\p{L}_][\p{L}\p{N}._-]*$/u },
  anyURI: { primitive: "anyURI", whiteSpace: "collapse" },
  boolean: { primitive: "boolean", whiteSpace: "collapse", lexical: /^(true|false|1|0)$/ },
  decimal: { primitive: "decimal", whiteSpace: "collapse", lexical: DECIMAL },
  float: {
    primitive: "float",
    whiteSpace: "collapse",
    lexical: /^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|-?INF|NaN)$/,
  },
  double: {
    primitive: "float",
    whiteSpace: "collapse",
    lexical: /^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|-?INF|NaN)$/,
  },
  integer: integer(),
  nonNegativeInteger: integer("0"),
  positiveInteger: integer("1"),
  nonPositiveInteger: integer(undefined, "0"),
  negativeInteger: integer(undefined, "-1"),
  long: integer("-9223372036854775808", "9223372036854775807"),
  int: integer("-2147483648", "2147483647"),
  short: integer("-32768", "32767"),
  byte: integer("-128", "127"),
  unsignedLong: integer("0", "18446744073709551615"),
  unsignedInt: integer("0", "4294967295"),
  unsignedShort: integer("0", "65535"),
  unsignedByte: integer("0", "255"),
  dateTime: { primitive: "dateTime", whiteSpace: "collapse", lexical: new RegExp(`^${DATE}T${TIME}${TZ}$`) },
  date: { primitive: "date", whiteSpace: "collapse", lexical: new RegExp(`^${DATE}${TZ}$`) },
  time: { primitive: "time", whiteSpace: "collapse", lexical: new RegExp(`^${TIME}${TZ}$`) },
  hexBinary: { primitive: "hexBinary", whiteSpace: "collapse", lexical: /^([0-9a-fA-F]{2})*$/ },
  base64Binary: {
    primitive: "base64Binary",
    whiteSpace: "collapse",
    // Canonical base64 (no inner spaces, which is what DUIS producers write): groups of four.
    lexical: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  },
};

/** The built-in type of this local name in the XSD namespace, or undefined if DUIS support lacks it. */
export function builtinType(localName: string): SimpleType | undefined {
  const b = BUILTINS[localName];
  if (b === undefined) return undefined;
  return {
    kind: "simple",
    name: `xs:${localName}`,
    primitive: b.primitive,
    whiteSpace: b.whiteSpace,
    lexical: b.lexical,
    enumeration: undefined,
    patterns: [],
    patternSources: [],
    length: undefined,
    minLength: undefined,
    maxLength: undefined,
    minInclusive: b.minInclusive,
    maxInclusive: b.maxInclusive,
    minExclusive: undefined,
    maxExclusive: undefined,
    totalDigits: undefined,
    fractionDigits: undefined,
  };
}

/** Applies the whiteSpace facet. */
export function normaliseWhiteSpace(value: string, ws: WhiteSpace): string {
  if (ws === "preserve") return value;
  if (ws === "replace") return value.replace(/[\t\n\r]/g, " ");
  // collapse: the usual value has no whitespace at all
  return HAS_WHITESPACE.test(value) ? value.replace(/[\t\n\r ]+/g, " ").trim() : value;
}

/**
 * The canonical form of a value in its value space, used for enumerations and bounds: integers and
 * decimals as canonical decimal strings (`+007.50` → `7.5`), booleans as true/false, others as is.
 */
export function canonicalValue(primitive: Primitive, value: string): string {
  if (primitive === "integer" || primitive === "decimal") return canonicalDecimal(value);
  if (primitive === "boolean") return value === "1" ? "true" : value === "0" ? "false" : value;
  return value;
}

/** A decimal literal in canonical form: no `+`, no leading zeros, no trailing fraction zeros, `-0` → `0`. */
export function canonicalDecimal(value: string): string {
  let s = value;
  let negative = false;
  if (s.startsWith("+")) s = s.slice(1);
  else if (s.startsWith("-")) {
    negative = true;
    s = s.slice(1);
  }
  const dot = s.indexOf(".");
  let int = dot < 0 ? s : s.slice(0, dot);
  let frac = dot < 0 ? "" : s.slice(dot + 1);
  int = int.replace(/^0+/, "");
  frac = frac.replace(/0+$/, "");
  if (int === "") int = "0";
  const body = frac === "" ? int : `${int}.${frac}`;
  return negative && body !== "0" ? `-${body}` : body;
}

/** Compares two canonical decimal strings exactly: -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  // Integers of up to 15 digits are exact as doubles: the usual case, compared without string work.
  if (a.length < 16 && b.length < 16 && !a.includes(".") && !b.includes(".")) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const an = a.startsWith("-");
  const bn = b.startsWith("-");
  if (an !== bn) return an ? -1 : 1;
  const sign = an ? -1 : 1;
  const [ai = "", af = ""] = (an ? a.slice(1) : a).split(".");
  const [bi = "", bf = ""] = (bn ? b.slice(1) : b).split(".");
  if (ai.length !== bi.length) return ai.length < bi.length ? -sign : sign;
  if (ai !== bi) return ai < bi ? -sign : sign;
  const width = Math.max(af.length, bf.length);
  const ap = af.padEnd(width, "0");
  const bp = bf.padEnd(width, "0");
  if (ap === bp) return 0;
  return ap < bp ? -sign : sign;
}

/** Integers already in canonical form (no sign other than '-', no leading zero). */
const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;

function hasNumericFacets(t: SimpleType): boolean {
  return (
    t.minInclusive !== undefined ||
    t.maxInclusive !== undefined ||
    t.minExclusive !== undefined ||
    t.maxExclusive !== undefined ||
    t.totalDigits !== undefined ||
    t.fractionDigits !== undefined
  );
}

function isOrdered(p: Primitive): boolean {
  return p === "integer" || p === "decimal";
}

/**
 * Checks a value (as written, before whitespace handling) against a simple type. Returns undefined
 * when valid, else a message that says why.
 */
export function checkSimpleValue(type: SimpleType, raw: string): string | undefined {
  const value = normaliseWhiteSpace(raw, type.whiteSpace);
  if (type.lexical !== undefined && !type.lexical.test(value)) {
    return `'${clip(value)}' is not a valid ${type.name === baseName(type) ? type.name : `${type.name} (${baseName(type)})`}`;
  }
  if (type.enumeration !== undefined) {
    if (!type.enumeration.has(value) && !type.enumeration.has(canonicalValue(type.primitive, value))) {
      const list = [...type.enumeration];
      const shown =
        list.length > 12 ? `${list.slice(0, 12).join(", ")}, … (${list.length} values)` : list.join(", ");
      return `'${clip(value)}' is not one of the values of ${type.name}: ${shown}`;
    }
  }
  for (let i = 0; i < type.patterns.length; i++) {
    const step = type.patterns[i]!;
    let ok = false;
    for (const re of step) {
      if (re.test(value)) {
        ok = true;
        break;
      }
    }
    if (!ok) {
      return `'${clip(value)}' does not match the pattern of ${type.name}: ${clip(type.patternSources[i]!.join(" | "), 120)}`;
    }
  }
  if (type.length !== undefined || type.minLength !== undefined || type.maxLength !== undefined) {
    const len = valueLength(type.primitive, value);
    if (type.length !== undefined && len !== type.length) {
      return `'${clip(value)}' has length ${len}; ${type.name} needs exactly ${type.length}`;
    }
    if (type.minLength !== undefined && len < type.minLength) {
      return `'${clip(value)}' has length ${len}; ${type.name} needs at least ${type.minLength}`;
    }
    if (type.maxLength !== undefined && len > type.maxLength) {
      return `value of length ${len} is longer than the ${type.maxLength} that ${type.name} allows`;
    }
  }
  if (isOrdered(type.primitive) && hasNumericFacets(type)) {
    const v = CANONICAL_INTEGER.test(value) ? value : canonicalDecimal(value);
    if (type.minInclusive !== undefined && compareDecimal(v, type.minInclusive) < 0) {
      return `${v} is less than the minimum ${type.minInclusive} of ${type.name}`;
    }
    if (type.maxInclusive !== undefined && compareDecimal(v, type.maxInclusive) > 0) {
      return `${v} is more than the maximum ${type.maxInclusive} of ${type.name}`;
    }
    if (type.minExclusive !== undefined && compareDecimal(v, type.minExclusive) <= 0) {
      return `${v} is not more than ${type.minExclusive}, as ${type.name} requires`;
    }
    if (type.maxExclusive !== undefined && compareDecimal(v, type.maxExclusive) >= 0) {
      return `${v} is not less than ${type.maxExclusive}, as ${type.name} requires`;
    }
    if (type.totalDigits !== undefined || type.fractionDigits !== undefined) {
      const digits = v.replace(/^-/, "");
      const dot = digits.indexOf(".");
      const fraction = dot < 0 ? 0 : digits.length - dot - 1;
      const total = (dot < 0 ? digits.length : digits.length - 1) - (digits.startsWith("0.") ? 1 : 0);
      if (type.fractionDigits !== undefined && fraction > type.fractionDigits) {
        return `${v} has ${fraction} fraction digits; ${type.name} allows ${type.fractionDigits}`;
      }
      if (type.totalDigits !== undefined && total > type.totalDigits) {
        return `${v} has ${total} digits; ${type.name} allows ${type.totalDigits}`;
      }
    }
  }
  return undefined;
}

function valueLength(p: Primitive, value: string): number {
  if (p === "hexBinary") return value.length / 2;
  if (p === "base64Binary") {
    const s = value.replace(/ /g, "");
    return (s.length / 4) * 3 - (s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0);
  }
  // Length counts characters (code points), not UTF-16 units.
  if (!SURROGATE.test(value)) return value.length;
  let n = 0;
  for (const _ of value) n++;
  return n;
}

const SURROGATE = /[\uD800-\uDBFF]/;

function baseName(type: SimpleType): string {
  return type.primitive === "integer" ? "integer" : type.primitive;
}

function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
