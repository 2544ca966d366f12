/**
 * A small, immutable, namespace-aware XML element tree: what `parseXml` returns, what the DUIS model
 * reads and builds, and what canonicalisation and signatures work on.
 *
 * Only what DUIS needs is kept: elements and text. Comments are dropped by the parser (exclusive
 * canonicalisation without comments ignores them anyway); processing instructions, DOCTYPEs and
 * entity declarations are refused. CDATA sections become ordinary text, as in canonical XML.
 *
 * Values are plain readonly objects: build them with `element` and `text`, never mutate them.
 */

/** The namespace of the `xml:` prefix, bound in every document without a declaration. */
export const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
/** The namespace of namespace declarations themselves (`xmlns`, `xmlns:p`). */
export const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";

/**
 * The namespaces DUIS messages and schemas use, as string constants. The parser and the schema
 * compiler hand out these very string objects for them, so that comparing two names' namespaces is
 * a pointer comparison rather than a 48-character one (it is done for every element of every request).
 */
const WELL_KNOWN_NAMESPACES: ReadonlyMap<string, string> = new Map(
  [
    "http://www.dccinterface.co.uk/ServiceUserGateway",
    "http://www.dccinterface.co.uk/ResponseAndAlert",
    "http://www.w3.org/2000/09/xmldsig#",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/XMLSchema",
    "http://www.w3.org/2001/XMLSchema-instance",
    XML_NAMESPACE,
  ].map((uri) => [uri, uri]),
);

/** The shared string object for a well-known namespace URI, else the URI itself. */
export function wellKnownNamespace(uri: string): string {
  return WELL_KNOWN_NAMESPACES.get(uri) ?? uri;
}

/** An attribute. Unprefixed attributes have no namespace (`namespace === ""`), as XML Namespaces says. */
export interface XmlAttribute {
  /** Namespace URI, "" for an unprefixed attribute. */
  readonly namespace: string;
  readonly localName: string;
  /** Prefix as written, "" when unprefixed. */
  readonly prefix: string;
  /** The normalised value (entity and character references replaced). */
  readonly value: string;
}

/** A namespace declaration written on an element: `xmlns:prefix="uri"`, or `xmlns="uri"` when prefix is "". */
export interface XmlNamespaceDeclaration {
  readonly prefix: string;
  /** "" only for `xmlns=""`, which undeclares the default namespace. */
  readonly uri: string;
}

/** Character data. Adjacent text and CDATA are merged into one node by the parser. */
export interface XmlText {
  readonly kind: "text";
  readonly text: string;
}

export interface XmlElement {
  readonly kind: "element";
  /** Namespace URI of the element, "" when in no namespace. */
  readonly namespace: string;
  readonly localName: string;
  /** Prefix as written, "" for the default namespace. Kept so that output looks like the input. */
  readonly prefix: string;
  /** In document order (canonicalisation sorts them itself). Namespace declarations are not attributes. */
  readonly attributes: readonly XmlAttribute[];
  /** The declarations written on this element, in document order. */
  readonly namespaceDeclarations: readonly XmlNamespaceDeclaration[];
  readonly children: readonly XmlNode[];
}

export type XmlNode = XmlElement | XmlText;

/** Where an element's start tag ends in the source (its `>`), for error messages; 1-based. */
export interface XmlPosition {
  readonly line: number;
  readonly column: number;
}

/** A parsed document: its root element and, for error messages, where each element began. */
export interface XmlDocument {
  readonly root: XmlElement;
  /** Source positions of the parsed elements (absent for elements built in code). */
  readonly positions: ReadonlyMap<XmlElement, XmlPosition>;
  /**
   * The text the document was parsed from and where its parts lie, when the parser saw nothing that
   * rules out its being canonical already (see `source-c14n.ts`); absent for trees built in code.
   */
  readonly layout?: SourceLayout;
}

/**
 * Where a parsed document's root element lies in its source text, as character offsets into `source`.
 * Recorded by the parser only when what it saw of the markup is already in canonical form: namespace
 * declarations and attributes in canonical order, no redundant declaration, no `>` in character data.
 */
export interface SourceLayout {
  /** The document text as parsed (after UTF-8 decoding and without a byte-order mark). */
  readonly source: string;
  /** Offset of the root's `<`, and just after its end tag's `>`. */
  readonly rootStart: number;
  readonly rootEnd: number;
  /** The root's element children and grandchildren, in document order… */
  readonly spanned: readonly XmlElement[];
  /** …and where each lies: start (`<`) and end (after `>`) of `spanned[i]` at `2i` and `2i + 1`. */
  readonly spans: readonly number[];
  /** For each empty-element tag (`<a/>`), in document order: the offset just after its `/>`… */
  readonly emptyTagEnds: readonly number[];
  /** …and its qualified name as written. */
  readonly emptyTagNames: readonly string[];
}

/** Builds an element. `name` is `prefix:local` or `local`; the prefix is kept only for output. */
export function element(
  namespace: string,
  name: string,
  options: {
    readonly attributes?: readonly XmlAttribute[];
    readonly namespaceDeclarations?: readonly XmlNamespaceDeclaration[];
    readonly children?: readonly (XmlNode | string)[];
  } = {},
): XmlElement {
  const colon = name.indexOf(":");
  return {
    kind: "element",
    namespace,
    localName: colon < 0 ? name : name.slice(colon + 1),
    prefix: colon < 0 ? "" : name.slice(0, colon),
    attributes: options.attributes ?? [],
    namespaceDeclarations: options.namespaceDeclarations ?? [],
    children: (options.children ?? []).map((c) => (typeof c === "string" ? text(c) : c)),
  };
}

/** Builds a text node. */
export function text(value: string): XmlText {
  return { kind: "text", text: value };
}

/** Builds an unprefixed, namespace-less attribute (the usual kind, e.g. `schemaVersion`). */
export function attribute(localName: string, value: string): XmlAttribute {
  return { namespace: "", localName, prefix: "", value };
}

/** A copy of `el` with other children (the rest unchanged). */
export function withChildren(el: XmlElement, children: readonly XmlNode[]): XmlElement {
  return { ...el, children };
}

/** The element children of `el`, in order (text is skipped). */
export function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.kind === "element") out.push(c);
  return out;
}

/**
 * The first child element with this local name (and namespace, when given; otherwise any namespace).
 * DUIS elements are all in one namespace, so the local name is usually enough.
 */
export function childElement(el: XmlElement, localName: string, namespace?: string): XmlElement | undefined {
  for (const c of el.children) {
    if (
      c.kind === "element" &&
      c.localName === localName &&
      (namespace === undefined || c.namespace === namespace)
    ) {
      return c;
    }
  }
  return undefined;
}

/** All child elements with this local name (and namespace, when given). */
export function childElementsNamed(el: XmlElement, localName: string, namespace?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (
      c.kind === "element" &&
      c.localName === localName &&
      (namespace === undefined || c.namespace === namespace)
    ) {
      out.push(c);
    }
  }
  return out;
}

/** The concatenated text of `el` and all its descendants (as XPath `string()`). */
export function textContent(el: XmlElement): string {
  if (el.children.length === 1 && el.children[0]!.kind === "text") return el.children[0]!.text;
  let out = "";
  for (const c of el.children) out += c.kind === "text" ? c.text : textContent(c);
  return out;
}

/** The value of an attribute by local name and namespace ("" = unprefixed, the default). */
export function attributeValue(el: XmlElement, localName: string, namespace = ""): string | undefined {
  for (const a of el.attributes) if (a.localName === localName && a.namespace === namespace) return a.value;
  return undefined;
}

/** Whether a string is only XML whitespace (space, tab, CR, LF). */
export function isXmlWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/**
 * The tree without whitespace-only text between elements, everywhere below `el`: what a schema-aware
 * parser with "ignore element content whitespace" (DCC Boxed's Java verifier) sees. DUIS has no mixed
 * content, so whitespace beside an element is never data. Text of elements without element children
 * is kept as it is. Returns `el` itself when nothing changes.
 */
export function stripInterElementWhitespace(el: XmlElement): XmlElement {
  let hasElement = false;
  for (const c of el.children) {
    if (c.kind === "element") {
      hasElement = true;
      break;
    }
  }
  if (!hasElement) return el;
  let changed = false;
  const children: XmlNode[] = [];
  for (const c of el.children) {
    if (c.kind === "text") {
      if (isXmlWhitespace(c.text)) {
        changed = true;
        continue;
      }
      children.push(c);
    } else {
      const s = stripInterElementWhitespace(c);
      if (s !== c) changed = true;
      children.push(s);
    }
  }
  return changed ? { ...el, children } : el;
}

/** `prefix:local` or `local`, for messages. */
export function qualifiedName(node: { readonly prefix: string; readonly localName: string }): string {
  return node.prefix === "" ? node.localName : `${node.prefix}:${node.localName}`;
}

/**
 * The tree with a declaration added wherever an element or attribute uses a prefix that is not bound
 * to its namespace at that point (trees built in code often declare nothing). After this, serialising
 * and parsing give back the same tree, which signatures over inclusive canonical XML rely on.
 * Returns `el` itself when every name is already bound.
 */
export function withNamespaceDeclarations(
  el: XmlElement,
  inherited: ReadonlyMap<string, string> = new Map([["", ""]]),
): XmlElement {
  let scope: Map<string, string> | undefined;
  let added: XmlNamespaceDeclaration[] | undefined;
  const lookup = (p: string) => (scope ?? inherited).get(p) ?? (p === "" ? "" : undefined);
  const bind = (prefix: string, uri: string, declare: boolean) => {
    scope ??= new Map(inherited);
    scope.set(prefix, uri);
    if (declare) {
      added ??= [];
      added.push({ prefix, uri });
    }
  };
  for (const d of el.namespaceDeclarations) bind(d.prefix, d.uri, false);
  if (lookup(el.prefix) !== el.namespace) bind(el.prefix, el.namespace, true);
  for (const a of el.attributes) {
    if (a.prefix !== "" && a.prefix !== "xml" && lookup(a.prefix) !== a.namespace)
      bind(a.prefix, a.namespace, true);
  }
  const inner = scope ?? inherited;
  let changed = added !== undefined;
  const children = el.children.map((c) => {
    if (c.kind === "text") return c;
    const n = withNamespaceDeclarations(c, inner);
    if (n !== c) changed = true;
    return n;
  });
  if (!changed) return el;
  return {
    ...el,
    namespaceDeclarations:
      added === undefined ? el.namespaceDeclarations : [...el.namespaceDeclarations, ...added],
    children,
  };
}
