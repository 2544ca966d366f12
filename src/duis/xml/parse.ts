/**
 * Safe XML parsing for DUIS: saxes (a strict, non-validating SAX parser that never fetches anything)
 * reads the text, and namespaces are resolved here while the `XmlDocument` is built, under limits.
 *
 * Namespaces are resolved here rather than by saxes' own `xmlns` mode because that mode costs a quarter
 * of all parsing time (an object per attribute, a Set per element, a prefix lookup through every open
 * tag), while DUIS declares its few namespaces on the root. The checks are those of Namespaces in XML
 * 1.0: every prefix bound, names with at most one colon, no `xmlns:p=""`, the `xml` and `xmlns`
 * prefixes and namespaces reserved, no two attributes with the same expanded name.
 *
 * Hostile input is the normal case here (DUIS arrives over HTTP from anyone who can reach the port):
 * - any DOCTYPE is refused, so no DTD, no entity declaration, no external entity (XXE) and no
 *   entity expansion (billion laughs) is ever processed; undefined entity references are malformed;
 * - processing instructions are refused (DUIS has none, and a signature would silently cover them);
 * - body size, nesting depth, element count and attributes per element are capped before the tree
 *   grows past them;
 * - bytes must be UTF-8 (the only encoding DUIS uses); a different encoding declaration is refused.
 * Comments are dropped; CDATA becomes text.
 */
import { isUtf8 } from "node:buffer";
import type { SaxesAttributePlain } from "saxes";
import { XmlError } from "./errors.js";
import { NameScanningSaxesParser } from "./name-scan.js";
import {
  type SourceLayout,
  wellKnownNamespace,
  XML_NAMESPACE,
  XMLNS_NAMESPACE,
  type XmlAttribute,
  type XmlDocument,
  type XmlElement,
  type XmlNamespaceDeclaration,
  type XmlNode,
  type XmlPosition,
  type XmlText,
} from "./tree.js";

/** Caps on what one document may contain. */
export interface XmlLimits {
  /** Size of the body in bytes (UTF-8). DUIS requests are a few kB; the largest responses are well under this. */
  readonly maxBytes: number;
  /** Nesting depth of elements, the root being depth 1. */
  readonly maxDepth: number;
  /** Elements in the whole document. */
  readonly maxElements: number;
  /** Attributes on one element, namespace declarations included. */
  readonly maxAttributes: number;
}

/** The defaults: generous for any DUIS message, small enough to refuse abuse cheaply. */
export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxElements: 100_000,
  maxAttributes: 64,
});

// Shared by every element without attributes or declarations (most of them); never mutated.
const NO_ATTRIBUTES: readonly XmlAttribute[] = Object.freeze([]);
const NO_DECLARATIONS: readonly XmlNamespaceDeclaration[] = Object.freeze([]);
const NO_CHILDREN: readonly XmlNode[] = Object.freeze([]);

/**
 * Tree nodes as the parser makes them: plain data with the `XmlElement` / `XmlText` shape. Classes
 * rather than object literals because V8 decides per literal whether to allocate its objects straight
 * into the old generation ("pretenuring"), and it does so for the parser's literals as soon as a few
 * parsed documents are kept (a schema being compiled, a batch of requests): after that every request's
 * tree, garbage a moment later, went to the old generation and was only reclaimed by full collections.
 * Instances of a class are always allocated young.
 */
class ParsedElement implements XmlElement {
  readonly kind = "element";
  /** Set once, when the element closes; the tree is never seen before that. */
  children: readonly XmlNode[] = NO_CHILDREN;
  constructor(
    readonly namespace: string,
    readonly localName: string,
    readonly prefix: string,
    readonly attributes: readonly XmlAttribute[],
    readonly namespaceDeclarations: readonly XmlNamespaceDeclaration[],
  ) {}
}

class ParsedText implements XmlText {
  readonly kind = "text";
  constructor(readonly text: string) {}
}

/** Thrown inside saxes handlers to stop the parse; carries the XmlError out. */
class Abort {
  constructor(readonly error: XmlError) {}
}

const ERROR_POSITION = /^(\d+):(\d+): ([\s\S]*)$/;

/**
 * Parses a whole document into an element tree. Throws `XmlError` (and nothing else) when the input
 * is not acceptable; the error says what, and where when it can.
 */
export function parseXml(input: string | Uint8Array, limits: Partial<XmlLimits> = {}): XmlDocument {
  const lim: XmlLimits = { ...DEFAULT_XML_LIMITS, ...limits };
  const source = decode(input, lim);

  checkDeclaredEncoding(source);
  refuseDoctype(source);
  // Six handlers at most: saxes stores each as a new property on the parser, and a seventh pushes the
  // object into slow (dictionary) mode, which makes every character read ~5x slower. So the XML
  // declaration and any DOCTYPE are checked from the text above instead of with handlers.
  const parser = new NameScanningSaxesParser({ xmlns: false, position: true });
  // Each element is made at its start tag; its children are copied in when it closes, once, at their
  // final length, out of one list shared by the whole document (`pending`): no per-element growing
  // array. Open elements wait in parallel stacks, innermost last.
  const pending: XmlNode[] = [];
  const openElements: ParsedElement[] = [];
  const firstChild: number[] = []; // index in `pending` of each open element's first child
  // Namespace bindings in scope, innermost last, as prefix/URI pairs; `bindingsMark[i]` is how many
  // pairs were in scope before open element i declared its own. `xml` is bound in every document.
  const bindings: string[] = ["xml", XML_NAMESPACE];
  const bindingsMark: number[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  // The layout of the source, for canonicalising from it (`SourceLayout`); `canonical` turns false at
  // the first thing seen that canonical form would write differently.
  let canonical = true;
  let rootStart = -1;
  let rootEnd = -1;
  const spanned: XmlElement[] = [];
  const spans: number[] = [];
  const openSpans: number[] = []; // index in `spans` of each open spanned element's end
  const emptyTagEnds: number[] = [];
  const emptyTagNames: string[] = [];

  const fail = (error: XmlError): never => {
    throw new Abort(error);
  };

  // Attributes arrive one event each, before their start tag's "opentag": collecting them here is
  // far cheaper than enumerating the tag's attribute object (a dictionary-mode object in V8).
  let tagAttributes: SaxesAttributePlain[] = [];
  parser.on("attribute", (attribute) => {
    tagAttributes.push(attribute);
  });
  parser.on("processinginstruction", (pi) => {
    fail(
      new XmlError(
        "processing-instruction-forbidden",
        `processing instruction '<?${pi.target}' is not allowed`,
        parser.line,
        parser.column,
      ),
    );
  });
  // Elements repeat the same URI string: map it to the shared constant once per distinct string.
  let lastUri = "";
  let lastNamespace = "";
  const namespaceOf = (uri: string): string => {
    lastUri = uri;
    lastNamespace = wellKnownNamespace(uri);
    return lastNamespace;
  };
  const malformed = (message: string): never =>
    fail(new XmlError("malformed", message, parser.line, parser.column));
  /** The URI bound to `prefix` ("" for none), innermost binding first. */
  const resolve = (prefix: string): string | undefined => {
    for (let i = bindings.length - 2; i >= 0; i -= 2) if (bindings[i] === prefix) return bindings[i + 1];
    return undefined;
  };
  parser.on("opentag", (tag) => {
    elements++;
    if (elements > lim.maxElements) {
      fail(
        new XmlError(
          "too-many-elements",
          `more than ${lim.maxElements} elements`,
          parser.line,
          parser.column,
        ),
      );
    }
    if (openElements.length + 1 > lim.maxDepth) {
      fail(
        new XmlError(
          "too-deep",
          `element <${tag.name}> nests deeper than ${lim.maxDepth}`,
          parser.line,
          parser.column,
        ),
      );
    }
    // Declarations take effect at once (they are in scope for the element's own name and attributes,
    // wherever they are written in the tag); the other attributes wait in `others` until all
    // declarations are known.
    const attrs = tagAttributes;
    const count = attrs.length;
    if (count > 0) tagAttributes = [];
    bindingsMark.push(bindings.length);
    let namespaceDeclarations: XmlNamespaceDeclaration[] | undefined;
    let others: SaxesAttributePlain[] | undefined;
    for (let i = 0; i < count; i++) {
      const attribute = attrs[i]!;
      const name = attribute.name;
      const prefix = declaredPrefix(name, malformed);
      if (prefix === undefined) {
        others ??= [];
        others.push(attribute);
        continue;
      }
      const value = attribute.value;
      const uri = value.trim();
      if (prefix !== "" && uri === "") malformed(`invalid attempt to undefine prefix in XML 1.0: ${name}`);
      checkReservedBinding(prefix, uri, malformed);
      // Canonical form writes declarations first, by prefix, and only where the binding changes.
      if (
        canonical &&
        (others !== undefined ||
          (resolve(prefix) ?? "") === uri ||
          (namespaceDeclarations !== undefined &&
            namespaceDeclarations[namespaceDeclarations.length - 1]!.prefix >= prefix))
      ) {
        canonical = false;
      }
      bindings.push(prefix, uri);
      namespaceDeclarations ??= [];
      namespaceDeclarations.push({ prefix, uri: value });
    }
    if (count > lim.maxAttributes) {
      fail(
        new XmlError(
          "too-many-attributes",
          `element <${tag.name}> has ${count} attributes, more than ${lim.maxAttributes}`,
          parser.line,
          parser.column,
        ),
      );
    }
    const name = tag.name;
    const colon = name.indexOf(":");
    let prefix = "";
    let localName = name;
    let uri: string;
    if (colon === -1) {
      uri = resolve("") ?? "";
    } else {
      prefix = name.slice(0, colon);
      localName = localPart(name, colon, malformed);
      if (prefix === "xmlns") malformed(`tags may not have "xmlns" as prefix: ${name}`);
      const bound = resolve(prefix);
      if (bound === undefined || bound === "") malformed(`unbound namespace prefix: "${prefix}"`);
      uri = bound as string;
    }
    let attributes: XmlAttribute[] | undefined;
    if (others !== undefined) {
      attributes = [];
      for (const other of others) {
        const aName = other.name;
        const aColon = aName.indexOf(":");
        let aPrefix = "";
        let aLocal = aName;
        let aUri = "";
        if (aColon !== -1) {
          aPrefix = aName.slice(0, aColon);
          aLocal = localPart(aName, aColon, malformed);
          const bound = resolve(aPrefix);
          if (bound === undefined || bound === "") malformed(`unbound namespace prefix: "${aPrefix}"`);
          aUri = wellKnownNamespace(bound as string);
          // Two prefixes bound to one URI make two spellings of the same expanded name.
          for (const earlier of attributes) {
            if (earlier.localName === aLocal && earlier.namespace === aUri) {
              malformed(`duplicate attribute: {${aUri}}${aLocal}`);
            }
          }
        }
        // Canonical form writes attributes by namespace URI, then local name.
        const previous = attributes[attributes.length - 1];
        if (
          previous !== undefined &&
          (previous.namespace > aUri || (previous.namespace === aUri && previous.localName > aLocal))
        ) {
          canonical = false;
        }
        attributes.push({ namespace: aUri, localName: aLocal, prefix: aPrefix, value: other.value });
      }
    }
    const el = new ParsedElement(
      uri === lastUri ? lastNamespace : namespaceOf(uri),
      localName,
      prefix,
      attributes ?? NO_ATTRIBUTES,
      namespaceDeclarations ?? NO_DECLARATIONS,
    );
    const depth = openElements.length;
    if (depth <= 2) {
      // The tag ends where saxes now is; it starts at the last "<" before that (an attribute value
      // cannot hold one). A loop, because String.prototype.lastIndexOf is a slow call in V8.
      let start = parser.position - 1;
      while (source.charCodeAt(start) !== 0x3c /* < */) start--;
      if (depth === 0) {
        rootStart = start;
      } else {
        spanned.push(el);
        openSpans.push(spans.length + 1);
        spans.push(start, -1);
      }
    }
    if (tag.isSelfClosing) {
      emptyTagEnds.push(parser.position);
      emptyTagNames.push(name);
    }
    openElements.push(el);
    firstChild.push(pending.length);
  });
  parser.on("closetag", () => {
    const el = openElements.pop()!;
    const mark = bindingsMark.pop()!;
    if (bindings.length !== mark) bindings.length = mark; // (setting length is not free)
    // The element's children leave `pending` as a new array of exactly their number.
    const first = firstChild.pop()!;
    if (pending.length > first) el.children = pending.splice(first);
    const depth = openElements.length;
    if (depth === 1 || depth === 2) spans[openSpans.pop()!] = parser.position;
    if (depth === 0) {
      root = el;
      rootEnd = parser.position;
    } else {
      pending.push(el);
    }
  });
  const onText = (t: string) => {
    if (openElements.length === 0 || t.length === 0) return; // whitespace around the root
    if (canonical && t.includes(">")) canonical = false; // canonical text escapes it
    const n = pending.length;
    const last = n > firstChild[firstChild.length - 1]! ? pending[n - 1]! : undefined;
    if (last !== undefined && last.kind === "text") {
      pending[n - 1] = new ParsedText(last.text + t);
    } else {
      pending.push(new ParsedText(t));
    }
  };
  parser.on("text", onText);
  parser.on("cdata", (t) => {
    canonical = false;
    onText(t);
  });

  let version: string | undefined;
  try {
    parser.write(source);
    version = parser.xmlDecl.version; // (close() forgets it)
    parser.close();
  } catch (e) {
    if (e instanceof Abort) throw e.error;
    if (e instanceof Error) {
      const m = ERROR_POSITION.exec(e.message);
      if (m !== null) throw new XmlError("malformed", m[3]!, Number(m[1]), Number(m[2]));
      throw new XmlError("malformed", e.message, parser.line, parser.column);
    }
    throw new XmlError("malformed", String(e), parser.line, parser.column);
  }
  if (root === undefined) throw new XmlError("malformed", "no root element");
  const layout: SourceLayout | undefined =
    canonical && (version === undefined || version === "1.0")
      ? { source, rootStart, rootEnd, spanned, spans, emptyTagEnds, emptyTagNames }
      : undefined;
  return new ParsedDocument(root, source, layout);
}

/** Whether a character may continue a name but not start one: a local part may not begin with it. */
function notNameStart(c: number): boolean {
  return (
    c === 0x2d || // -
    c === 0x2e || // .
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0xb7 ||
    (c >= 0x300 && c <= 0x36f) ||
    c === 0x203f ||
    c === 0x2040
  );
}

/** The prefix a namespace declaration declares ("" for `xmlns`), or undefined for another attribute. */
function declaredPrefix(name: string, malformed: (message: string) => never): string | undefined {
  if (name.charCodeAt(0) !== 0x78 /* x */ || !name.startsWith("xmlns")) return undefined;
  if (name.length === 5) return "";
  if (name.charCodeAt(5) === 0x3a /* : */) return localPart(name, 5, malformed);
  return undefined; // a name like "xmlnsfoo" is an ordinary attribute
}

/**
 * The local part of a qualified name that saxes has read as an XML Name, whose first colon is at
 * `colon`: the prefix before it is not empty, and the rest has no colon and could start a name.
 */
function localPart(name: string, colon: number, malformed: (message: string) => never): string {
  const local = name.slice(colon + 1);
  if (colon === 0 || local === "" || local.includes(":") || notNameStart(local.charCodeAt(0))) {
    malformed(`malformed name: ${name}`);
  }
  return local;
}

/** The bindings Namespaces in XML reserves: `xml` only to its namespace, `xmlns` and its URI never. */
function checkReservedBinding(prefix: string, uri: string, malformed: (message: string) => never): void {
  if (prefix === "xml" && uri !== XML_NAMESPACE) malformed(`xml prefix must be bound to ${XML_NAMESPACE}`);
  if (prefix === "xmlns") malformed("the xmlns prefix may not be declared");
  if (uri === XMLNS_NAMESPACE)
    malformed(`may not bind a prefix or the default namespace to ${XMLNS_NAMESPACE}`);
  if (uri === XML_NAMESPACE && prefix !== "xml")
    malformed(`only the xml prefix may be bound to ${XML_NAMESPACE}`);
}

/**
 * Refuses a DOCTYPE: any DTD, entity declaration or external entity (XXE, billion laughs). A DOCTYPE
 * is well-formed only in the prolog, after at most the XML declaration, comments, processing
 * instructions and whitespace, so the prolog is all that needs reading; saxes refuses one anywhere
 * else as misplaced, and a processing instruction before it is refused by its own handler first.
 */
function refuseDoctype(source: string): void {
  let pos = source.startsWith("<?xml") ? source.indexOf("?>") + 2 : 0;
  if (pos === 1) return; // an unterminated declaration: saxes says so
  for (;;) {
    while (pos < source.length && isXmlWhitespaceCode(source.charCodeAt(pos))) pos++;
    if (source.startsWith("<!--", pos)) {
      const end = source.indexOf("-->", pos + 4);
      if (end === -1) return;
      pos = end + 3;
    } else if (source.startsWith("<!DOCTYPE", pos)) {
      const before = source.slice(0, pos);
      const line = before.split("\n").length;
      throw new XmlError(
        "doctype-forbidden",
        "DOCTYPE is not allowed: DTDs and entity declarations are refused",
        line,
        pos - before.lastIndexOf("\n"),
      );
    } else {
      return;
    }
  }
}

function isXmlWhitespaceCode(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

const ENCODING_DECLARATION = /^<\?xml\s[^>]*?encoding\s*=\s*["']([^"']*)["']/;

/** Refuses an XML declaration that names an encoding other than UTF-8. */
function checkDeclaredEncoding(source: string): void {
  if (!source.startsWith("<?xml")) return;
  const m = ENCODING_DECLARATION.exec(source.slice(0, 200));
  const enc = m?.[1];
  if (enc !== undefined && enc.toLowerCase() !== "utf-8" && enc.toLowerCase() !== "utf8") {
    throw new XmlError("encoding", `encoding '${enc}' is not supported: DUIS is UTF-8`, 1, 1);
  }
}

/**
 * A parsed document. Its `positions` map is built on first use, which is only ever an error message:
 * by reading the source again and pairing each start tag, in order, with the tree's elements in
 * document order. Recording positions during every parse cost more than this does on the rare error.
 */
class ParsedDocument implements XmlDocument {
  #positions: Map<XmlElement, XmlPosition> | undefined;

  constructor(
    readonly root: XmlElement,
    private readonly source: string,
    readonly layout: SourceLayout | undefined,
  ) {}

  get positions(): ReadonlyMap<XmlElement, XmlPosition> {
    if (this.#positions === undefined) {
      const elements: XmlElement[] = [];
      const walk = (el: XmlElement) => {
        elements.push(el);
        for (const c of el.children) if (c.kind === "element") walk(c);
      };
      walk(this.root);
      const map = new Map<XmlElement, XmlPosition>();
      // The same parser and options as parseXml, so the same line and column at each start tag.
      const parser = new NameScanningSaxesParser({ xmlns: false, position: true });
      parser.on("opentag", () => {
        const el = elements[map.size];
        if (el !== undefined) map.set(el, { line: parser.line, column: parser.column });
      });
      parser.write(this.source).close();
      this.#positions = map;
    }
    return this.#positions;
  }
}

/** The text to parse: size checked, bytes checked to be UTF-8, a byte-order mark removed. */
function decode(input: string | Uint8Array, lim: XmlLimits): string {
  if (typeof input === "string") {
    // A UTF-16 code unit is at most 3 UTF-8 bytes: measure exactly only when it could matter.
    if (input.length * 3 > lim.maxBytes) {
      const bytes = Buffer.byteLength(input, "utf8");
      if (bytes > lim.maxBytes) {
        throw new XmlError("too-large", `body is ${bytes} bytes, more than the limit of ${lim.maxBytes}`);
      }
    }
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.byteLength > lim.maxBytes) {
    throw new XmlError(
      "too-large",
      `body is ${input.byteLength} bytes, more than the limit of ${lim.maxBytes}`,
    );
  }
  if ((input[0] === 0xfe && input[1] === 0xff) || (input[0] === 0xff && input[1] === 0xfe)) {
    throw new XmlError("encoding", "UTF-16 is not supported: DUIS is UTF-8");
  }
  if (!isUtf8(input)) throw new XmlError("encoding", "body is not valid UTF-8");
  const start = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  return Buffer.from(input.buffer, input.byteOffset + start, input.byteLength - start).toString("utf8");
}
