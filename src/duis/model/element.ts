/**
 * The generic DUIS element model and the strict readers the typed model is built from.
 *
 * Most of the 129 request bodies are carried as `DuisElement`s: the element structure of the DUIS
 * 5.4 schema (names, attributes, leaf text, order), without XML prefixes or whitespace. The schema
 * validator checks their content; the typed parts of the model read the few bodies the pipeline
 * acts on. Everything here is immutable.
 */
import { DuisError } from "../errors.js";
import type { XmlElement } from "../xml/tree.js";
import {
  isXmlWhitespace,
  qualifiedName,
  attribute as xmlAttribute,
  element as xmlElement,
} from "../xml/tree.js";
import { SR_NAMESPACE } from "./namespaces.js";

/** An element in the DUIS namespace: a leaf with text, or a container of child elements. */
export interface DuisElement {
  /** Local name in the DUIS namespace, e.g. `ReadInventory`. */
  readonly name: string;
  /** Unprefixed attributes in document order, e.g. `[["index", "1"]]`. */
  readonly attributes: readonly (readonly [name: string, value: string])[];
  /** The text of a leaf element; undefined for an element with children (or an empty one). */
  readonly text?: string;
  readonly children: readonly DuisElement[];
}

/** Builds a generic element: `el("DeviceID", "00-DB-…")` or `el("PropertyFilter", [children])`. */
export function el(
  name: string,
  content: string | readonly DuisElement[] = [],
  attributes: readonly (readonly [string, string])[] = [],
): DuisElement {
  return typeof content === "string"
    ? { name, attributes, text: content, children: [] }
    : { name, attributes, children: content };
}

/** The first child element with this name. */
export function child(e: DuisElement, name: string): DuisElement | undefined {
  return e.children.find((c) => c.name === name);
}

/** All child elements with this name, in order. */
export function childrenNamed(e: DuisElement, name: string): DuisElement[] {
  return e.children.filter((c) => c.name === name);
}

/** The text of a leaf child, if the child is there. */
export function childText(e: DuisElement, name: string): string | undefined {
  return child(e, name)?.text;
}

/** The value of an attribute, e.g. `index`. */
export function attr(e: DuisElement, name: string): string | undefined {
  return e.attributes.find(([n]) => n === name)?.[1];
}

/** Reads an XML element (and everything below it) in the DUIS namespace as a DuisElement. */
export function fromXml(node: XmlElement, path: string): DuisElement {
  if (node.namespace !== SR_NAMESPACE) {
    throw new DuisError("schemaInvalid", `${path}: ${qualifiedName(node)} is not in the DUIS namespace`);
  }
  const attributes: (readonly [string, string])[] = [];
  for (const a of node.attributes) {
    if (a.namespace !== "")
      throw new DuisError("schemaInvalid", `${path}/@${qualifiedName(a)}: unexpected attribute`);
    attributes.push([a.localName, a.value]);
  }
  const children: DuisElement[] = [];
  let text = "";
  for (const c of node.children) {
    if (c.kind === "element") children.push(fromXml(c, `${path}/${c.localName}`));
    else text += c.text;
  }
  if (children.length > 0) {
    if (!isXmlWhitespace(text)) throw new DuisError("schemaInvalid", `${path}: text beside child elements`);
    return { name: node.localName, attributes, children };
  }
  return node.children.length === 0
    ? { name: node.localName, attributes, children }
    : { name: node.localName, attributes, text, children };
}

/** Writes a DuisElement as an XML element with the `sr` prefix, no whitespace added. */
export function toXml(e: DuisElement): XmlElement {
  return xmlElement(SR_NAMESPACE, `sr:${e.name}`, {
    attributes: e.attributes.map(([n, v]) => xmlAttribute(n, v)),
    children: e.text !== undefined ? (e.text === "" ? [] : [e.text]) : e.children.map(toXml),
  });
}

/** A DUIS element with text content only. */
export function leaf(name: string, value: string): XmlElement {
  return xmlElement(SR_NAMESPACE, `sr:${name}`, { children: value === "" ? [] : [value] });
}

/** A DUIS element with element children (undefined entries are left out: optional elements). */
export function container(name: string, children: readonly (XmlElement | undefined)[]): XmlElement {
  return xmlElement(SR_NAMESPACE, `sr:${name}`, {
    children: children.filter((c): c is XmlElement => c !== undefined),
  });
}

/** The text of a leaf element; throws schemaInvalid when it has element children. */
export function leafText(node: XmlElement, path: string): string {
  let out = "";
  for (const c of node.children) {
    if (c.kind === "element")
      throw new DuisError("schemaInvalid", `${path}: expected text, found element ${c.localName}`);
    out += c.text;
  }
  return out;
}

/**
 * Reads the child elements of a DUIS element in schema order: `optional`/`required` take the next
 * child when it has the name, `end` checks that nothing is left. Whitespace between elements is
 * skipped; other text, and elements outside the DUIS namespace, are schema errors.
 */
export class ChildReader {
  private readonly items: readonly XmlElement[];
  private at = 0;

  constructor(
    readonly parent: XmlElement,
    readonly path: string,
  ) {
    const items: XmlElement[] = [];
    for (const c of parent.children) {
      if (c.kind === "text") {
        if (!isXmlWhitespace(c.text)) throw new DuisError("schemaInvalid", `${path}: unexpected text`);
      } else {
        items.push(c);
      }
    }
    this.items = items;
  }

  /** The next child's local name, if any (without taking it). */
  peek(): string | undefined {
    return this.items[this.at]?.localName;
  }

  /** The next child when it is a DUIS element with this name. */
  optional(name: string): XmlElement | undefined {
    const next = this.items[this.at];
    if (next === undefined || next.localName !== name || next.namespace !== SR_NAMESPACE) return undefined;
    this.at++;
    return next;
  }

  /** The next child, which must be a DUIS element with this name. */
  required(name: string): XmlElement {
    const found = this.optional(name);
    if (found === undefined) {
      const next = this.items[this.at];
      throw new DuisError(
        "schemaInvalid",
        `${this.path}: expected ${name}${next === undefined ? "" : `, found ${qualifiedName(next)}`}`,
      );
    }
    return found;
  }

  /** The text of the next child when it has this name. */
  optionalText(name: string): string | undefined {
    const e = this.optional(name);
    return e === undefined ? undefined : leafText(e, `${this.path}/${name}`);
  }

  /** The text of the next child, which must have this name. */
  requiredText(name: string): string {
    return leafText(this.required(name), `${this.path}/${name}`);
  }

  /** The next child, whatever it is (for a choice); throws when there is none. */
  any(): XmlElement {
    const next = this.items[this.at];
    if (next === undefined) throw new DuisError("schemaInvalid", `${this.path}: expected an element`);
    this.at++;
    return next;
  }

  /** Checks that every child was read. */
  end(): void {
    const next = this.items[this.at];
    if (next !== undefined)
      throw new DuisError("schemaInvalid", `${this.path}: unexpected ${qualifiedName(next)}`);
  }
}

/** xs:base64Binary → bytes (whitespace allowed, as the schema type allows it). */
export function decodeBase64(text: string, path: string): Uint8Array {
  const compact = text.replace(/[ \t\r\n]/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new DuisError("schemaInvalid", `${path}: not base64`);
  }
  return new Uint8Array(Buffer.from(compact, "base64"));
}

/** bytes → xs:base64Binary, on one line (no whitespace: the form DUIS signs). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** xs:unsignedInt / unsignedShort text → number within [0, max]. */
export function parseUnsigned(text: string, path: string, max = 0xffff_ffff): number {
  const t = text.trim();
  if (!/^\+?[0-9]{1,10}$/.test(t) || Number(t) > max) {
    throw new DuisError("schemaInvalid", `${path}: '${text}' is not an unsigned integer up to ${max}`);
  }
  return Number(t);
}

/** xs:boolean text → boolean. */
export function parseBoolean(text: string, path: string): boolean {
  const t = text.trim();
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  throw new DuisError("schemaInvalid", `${path}: '${text}' is not a boolean`);
}

const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * An xs:dateTime as written, checked for form. DUIS date-times are kept as their text so that a
 * message reads back exactly as it was written; `dateTimeToDate` gives the instant.
 */
export function parseDateTime(text: string, path: string): string {
  const t = text.trim();
  if (!DATE_TIME.test(t)) throw new DuisError("schemaInvalid", `${path}: '${text}' is not an xs:dateTime`);
  return t;
}

/** The instant of an xs:dateTime (one without a zone is read as UTC). */
export function dateTimeToDate(value: string): Date {
  return new Date(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`);
}

/** An instant as xs:dateTime in UTC with milliseconds, as DCC Boxed writes ResponseDateTime. */
export function dateToDateTime(date: Date): string {
  return date.toISOString();
}
