/**
 * Builds the namespace-aware `XmlDocument` from the events of a reading of the text: start tags with
 * their attributes, end tags, text. Both readers feed it (`plain-scan.ts` for the plain documents DUIS
 * almost always is, saxes for everything else), so a document gets the same tree from either.
 *
 * Namespaces are resolved here rather than by saxes' own `xmlns` mode because that mode costs a quarter
 * of all parsing time (an object per attribute, a Set per element, a prefix lookup through every open
 * tag), while DUIS declares its few namespaces on the root. The checks are those of Namespaces in XML
 * 1.0: every prefix bound, names with at most one colon, no `xmlns:p=""`, the `xml` and `xmlns`
 * prefixes and namespaces reserved, no two attributes with the same expanded name. Depth, element
 * count and attributes per element are capped here, before the tree grows past them.
 *
 * What breaks a rule is thrown as a `TreeBuildError` without a position: the reader knows where it is
 * and says so.
 */
import type { XmlErrorCode } from "./errors.js";
import {
  type SourceLayout,
  wellKnownNamespace,
  XML_NAMESPACE,
  XMLNS_NAMESPACE,
  type XmlAttribute,
  type XmlElement,
  type XmlNamespaceDeclaration,
  type XmlNode,
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

/** A rule of XML Namespaces or of the limits broken; the reader adds where. */
export class TreeBuildError {
  constructor(
    readonly code: XmlErrorCode,
    readonly message: string,
  ) {}
}

// Shared by every element without attributes or declarations (most of them); never mutated.
const NO_ATTRIBUTES: readonly XmlAttribute[] = Object.freeze([]);
const NO_DECLARATIONS: readonly XmlNamespaceDeclaration[] = Object.freeze([]);
const NO_CHILDREN: readonly XmlNode[] = Object.freeze([]);

/**
 * Tree nodes as the builder makes them: plain data with the `XmlElement` / `XmlText` shape. Classes
 * rather than object literals because V8 decides per literal whether to allocate its objects straight
 * into the old generation ("pretenuring"), and it does so for literals as soon as a few parsed
 * documents are kept (a schema being compiled, a batch of requests): after that every request's tree,
 * garbage a moment later, went to the old generation and was only reclaimed by full collections.
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

/** The tree of one document, built from its reader's events in document order. */
export class TreeBuilder {
  /**
   * Each element is made at its start tag; its children are copied in when it closes, once, at their
   * final length, out of one list shared by the whole document (`pending`): no per-element growing
   * array. Open elements wait in parallel stacks, innermost last.
   */
  private readonly pending: XmlNode[] = [];
  private readonly openElements: ParsedElement[] = [];
  /** Index in `pending` of each open element's first child. */
  private readonly firstChild: number[] = [];
  /**
   * Namespace bindings in scope, innermost last, as prefix/URI pairs; `bindingsMark[i]` is how many
   * pairs were in scope before open element i declared its own. `xml` is bound in every document.
   */
  private readonly bindings: string[] = ["xml", XML_NAMESPACE];
  private readonly bindingsMark: number[] = [];
  /** The attributes of the start tag being read, names and values alternating. */
  private tagAttributes: string[] = [];
  private elements = 0;
  root: XmlElement | undefined;
  // Elements repeat the same URI string: it is mapped to the shared constant once per distinct string.
  private lastUri = "";
  private lastNamespace = "";
  /**
   * The layout of the source, for canonicalising from it (`SourceLayout`); `canonical` turns false at
   * the first thing seen that canonical form would write differently.
   */
  private canonical = true;
  private rootStart = -1;
  private rootEnd = -1;
  private readonly spanned: XmlElement[] = [];
  private readonly spans: number[] = [];
  /** Index in `spans` of each open spanned element's end. */
  private readonly openSpans: number[] = [];
  private readonly emptyTagEnds: number[] = [];
  private readonly emptyTagNames: string[] = [];

  constructor(
    private readonly source: string,
    private readonly limits: XmlLimits,
  ) {}

  /** An attribute of the start tag being read (before its `startTag`), value normalised. */
  attribute(name: string, value: string): void {
    this.tagAttributes.push(name, value);
  }

  /**
   * A start tag read up to `end`, just after its `>`; its attributes came before. An empty-element tag
   * (`<a/>`) is followed by its `endTag` at once.
   */
  startTag(name: string, end: number, isEmpty: boolean): void {
    const lim = this.limits;
    const openElements = this.openElements;
    const bindings = this.bindings;
    this.elements++;
    if (this.elements > lim.maxElements) {
      throw new TreeBuildError("too-many-elements", `more than ${lim.maxElements} elements`);
    }
    if (openElements.length + 1 > lim.maxDepth) {
      throw new TreeBuildError("too-deep", `element <${name}> nests deeper than ${lim.maxDepth}`);
    }
    // Declarations take effect at once (they are in scope for the element's own name and attributes,
    // wherever they are written in the tag); the other attributes wait in `others` until all
    // declarations are known.
    const attrs = this.tagAttributes;
    const count = attrs.length >> 1;
    if (count > 0) this.tagAttributes = [];
    this.bindingsMark.push(bindings.length);
    let namespaceDeclarations: XmlNamespaceDeclaration[] | undefined;
    let others: number[] | undefined; // indices in attrs of the names of the other attributes
    for (let i = 0; i < attrs.length; i += 2) {
      const aName = attrs[i]!;
      const prefix = declaredPrefix(aName);
      if (prefix === undefined) {
        others ??= [];
        others.push(i);
        continue;
      }
      const value = attrs[i + 1]!;
      const uri = value.trim();
      if (prefix !== "" && uri === "") malformed(`invalid attempt to undefine prefix in XML 1.0: ${aName}`);
      checkReservedBinding(prefix, uri);
      // Canonical form writes declarations first, by prefix, and only where the binding changes.
      if (
        this.canonical &&
        (others !== undefined ||
          (this.resolve(prefix) ?? "") === uri ||
          (namespaceDeclarations !== undefined &&
            namespaceDeclarations[namespaceDeclarations.length - 1]!.prefix >= prefix))
      ) {
        this.canonical = false;
      }
      bindings.push(prefix, uri);
      namespaceDeclarations ??= [];
      namespaceDeclarations.push({ prefix, uri: value });
    }
    if (count > lim.maxAttributes) {
      throw new TreeBuildError(
        "too-many-attributes",
        `element <${name}> has ${count} attributes, more than ${lim.maxAttributes}`,
      );
    }
    const colon = name.indexOf(":");
    let prefix = "";
    let localName = name;
    let uri: string;
    if (colon === -1) {
      uri = this.resolve("") ?? "";
    } else {
      prefix = name.slice(0, colon);
      localName = localPart(name, colon);
      if (prefix === "xmlns") malformed(`tags may not have "xmlns" as prefix: ${name}`);
      const bound = this.resolve(prefix);
      if (bound === undefined || bound === "") malformed(`unbound namespace prefix: "${prefix}"`);
      uri = bound as string;
    }
    let attributes: XmlAttribute[] | undefined;
    if (others !== undefined) {
      attributes = [];
      for (const at of others) {
        const aName = attrs[at]!;
        const aColon = aName.indexOf(":");
        let aPrefix = "";
        let aLocal = aName;
        let aUri = "";
        if (aColon !== -1) {
          aPrefix = aName.slice(0, aColon);
          aLocal = localPart(aName, aColon);
          const bound = this.resolve(aPrefix);
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
          this.canonical = false;
        }
        attributes.push({ namespace: aUri, localName: aLocal, prefix: aPrefix, value: attrs[at + 1]! });
      }
    }
    if (uri !== this.lastUri) {
      this.lastUri = uri;
      this.lastNamespace = wellKnownNamespace(uri);
    }
    const el = new ParsedElement(
      this.lastNamespace,
      localName,
      prefix,
      attributes ?? NO_ATTRIBUTES,
      namespaceDeclarations ?? NO_DECLARATIONS,
    );
    const depth = openElements.length;
    if (depth <= 2) {
      // The tag ends at `end`; it starts at the last "<" before that (an attribute value cannot hold
      // one). A loop, because String.prototype.lastIndexOf is a slow call in V8.
      const source = this.source;
      let start = end - 1;
      while (source.charCodeAt(start) !== 0x3c /* < */) start--;
      if (depth === 0) {
        this.rootStart = start;
      } else {
        this.spanned.push(el);
        this.openSpans.push(this.spans.length + 1);
        this.spans.push(start, -1);
      }
    }
    if (isEmpty) {
      this.emptyTagEnds.push(end);
      this.emptyTagNames.push(name);
    }
    openElements.push(el);
    this.firstChild.push(this.pending.length);
  }

  /** The end tag of the innermost open element, read up to `end`, just after its `>`. */
  endTag(end: number): void {
    const el = this.openElements.pop()!;
    const mark = this.bindingsMark.pop()!;
    if (this.bindings.length !== mark) this.bindings.length = mark; // (setting length is not free)
    // The element's children leave `pending` as a new array of exactly their number.
    const first = this.firstChild.pop()!;
    if (this.pending.length > first) el.children = this.pending.splice(first);
    const depth = this.openElements.length;
    if (depth === 1 || depth === 2) this.spans[this.openSpans.pop()!] = end;
    if (depth === 0) {
      this.root = el;
      this.rootEnd = end;
    } else {
      this.pending.push(el);
    }
  }

  /** Character data, references replaced; whitespace around the root is dropped. */
  text(t: string): void {
    const firstChild = this.firstChild;
    if (firstChild.length === 0 || t.length === 0) return;
    if (this.canonical && t.includes(">")) this.canonical = false; // canonical text escapes it
    const pending = this.pending;
    const n = pending.length;
    const last = n > firstChild[firstChild.length - 1]! ? pending[n - 1]! : undefined;
    if (last !== undefined && last.kind === "text") {
      pending[n - 1] = new ParsedText(last.text + t);
    } else {
      pending.push(new ParsedText(t));
    }
  }

  /** A CDATA section: text, but not as canonical form writes it. */
  cdata(t: string): void {
    this.canonical = false;
    this.text(t);
  }

  /**
   * Where the root lies in the source, when nothing seen rules out its being canonical already and
   * the document is XML 1.0 (`version` as its declaration says, undefined without one).
   */
  layout(version: string | undefined): SourceLayout | undefined {
    if (!this.canonical || (version !== undefined && version !== "1.0")) return undefined;
    return {
      source: this.source,
      rootStart: this.rootStart,
      rootEnd: this.rootEnd,
      spanned: this.spanned,
      spans: this.spans,
      emptyTagEnds: this.emptyTagEnds,
      emptyTagNames: this.emptyTagNames,
    };
  }

  /** The URI bound to `prefix` ("" for none), innermost binding first. */
  private resolve(prefix: string): string | undefined {
    const bindings = this.bindings;
    for (let i = bindings.length - 2; i >= 0; i -= 2) if (bindings[i] === prefix) return bindings[i + 1];
    return undefined;
  }
}

function malformed(message: string): never {
  throw new TreeBuildError("malformed", message);
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
function declaredPrefix(name: string): string | undefined {
  if (name.charCodeAt(0) !== 0x78 /* x */ || !name.startsWith("xmlns")) return undefined;
  if (name.length === 5) return "";
  if (name.charCodeAt(5) === 0x3a /* : */) return localPart(name, 5);
  return undefined; // a name like "xmlnsfoo" is an ordinary attribute
}

/**
 * The local part of a qualified name that was read as an XML Name, whose first colon is at `colon`:
 * the prefix before it is not empty, and the rest has no colon and could start a name.
 */
function localPart(name: string, colon: number): string {
  const local = name.slice(colon + 1);
  if (colon === 0 || local === "" || local.includes(":") || notNameStart(local.charCodeAt(0))) {
    malformed(`malformed name: ${name}`);
  }
  return local;
}

/** The bindings Namespaces in XML reserves: `xml` only to its namespace, `xmlns` and its URI never. */
function checkReservedBinding(prefix: string, uri: string): void {
  if (prefix === "xml" && uri !== XML_NAMESPACE) malformed(`xml prefix must be bound to ${XML_NAMESPACE}`);
  if (prefix === "xmlns") malformed("the xmlns prefix may not be declared");
  if (uri === XMLNS_NAMESPACE)
    malformed(`may not bind a prefix or the default namespace to ${XMLNS_NAMESPACE}`);
  if (uri === XML_NAMESPACE && prefix !== "xml")
    malformed(`only the xml prefix may be bound to ${XML_NAMESPACE}`);
}
