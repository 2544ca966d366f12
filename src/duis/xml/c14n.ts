/**
 * Canonical XML for signatures, and a plain serializer.
 *
 * - `exclusiveC14n`: Exclusive XML Canonicalization 1.0 without comments
 *   (http://www.w3.org/2001/10/xml-exc-c14n#) of an element subtree, with the optional
 *   InclusiveNamespaces PrefixList. DUIS signs SignedInfo this way.
 * - `inclusiveC14n`: Canonical XML 1.0 without comments (http://www.w3.org/TR/2001/REC-xml-c14n-20010315)
 *   of a whole document's root element. An XML-DSig Reference whose transforms end with a node-set
 *   (DCC Boxed's `URI=""` + enveloped-signature, with no explicit canonicalisation transform) is turned
 *   into bytes this way, so the DUIS digest is over this form.
 * - `serializeXml`: ordinary output of a tree (declarations as written, empty elements self-closed).
 *
 * Both canonical forms: no XML declaration, attributes sorted by (namespace URI, local name) with
 * unqualified ones first, namespace declarations sorted by prefix with the default first, empty
 * elements as start/end tag pairs, the canonical escapes for text and attribute values.
 */
import { isXmlWhitespace, type XmlAttribute, type XmlDocument, type XmlElement } from "./tree.js";

/** Algorithm identifiers, as they appear in `Algorithm` attributes. */
export const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
export const EXC_C14N_WITH_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
export const C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";

export interface C14nOptions {
  /**
   * Exclusive only: the InclusiveNamespaces PrefixList, prefixes whose declarations in scope are
   * rendered as inclusive canonicalisation would (`#default` for the default namespace).
   */
  readonly inclusivePrefixes?: readonly string[];
  /**
   * Namespaces in scope at the subtree's apex from its ancestors (prefix → URI, "" for the default).
   * Needed only when `inclusivePrefixes` name a prefix declared above the apex.
   */
  readonly inheritedNamespaces?: ReadonlyMap<string, string>;
  /** An element left out with its whole subtree (the enveloped `ds:Signature`). */
  readonly exclude?: XmlElement;
  /**
   * Canonicalise as if whitespace-only text beside elements were absent (`stripInterElementWhitespace`),
   * in the same pass; `whitespace.dropped` counts the text nodes left out.
   */
  readonly dropInterElementWhitespace?: boolean;
  readonly whitespace?: { dropped: number };
}

/**
 * The canonical text as it grows: one string appended to in document order, rather than each element's
 * text returned and concatenated into its parent's (which copies and nests strings once per level).
 */
interface Output {
  text: string;
}

/** What one canonicalisation carries down the tree. */
interface Pass {
  readonly exclude: XmlElement | undefined;
  readonly drop: boolean;
  dropped: number;
  readonly inclusive: readonly string[];
}

function pass(options: C14nOptions): Pass {
  const prefixes = options.inclusivePrefixes ?? [];
  return {
    exclude: options.exclude,
    drop: options.dropInterElementWhitespace === true,
    dropped: 0,
    inclusive: prefixes.map((p) => (p === "#default" ? "" : p)),
  };
}

function report(p: Pass, options: C14nOptions): void {
  if (options.whitespace !== undefined) options.whitespace.dropped += p.dropped;
}

/** Exclusive XML Canonicalization 1.0 (without comments) of `el` and its descendants. */
export function exclusiveC14n(el: XmlElement, options: C14nOptions = {}): string {
  const p = pass(options);
  const inScope = p.inclusive.length > 0 ? new Map(options.inheritedNamespaces ?? []) : undefined;
  // What output ancestors have rendered: the default namespace starts as "" (none).
  const out: Output = { text: "" };
  exclusiveElement(el, new Map([["", ""]]), inScope, p, out);
  report(p, options);
  return out.text;
}

function exclusiveElement(
  el: XmlElement,
  rendered: ReadonlyMap<string, string>,
  parentScope: ReadonlyMap<string, string> | undefined,
  p: Pass,
  out: Output,
): void {
  let scope = parentScope;
  if (scope !== undefined && el.namespaceDeclarations.length > 0) {
    const s = new Map(scope);
    for (const d of el.namespaceDeclarations) s.set(d.prefix, d.uri);
    scope = s;
  }
  let decls: [string, string][] | undefined;
  let nextRendered = rendered;
  let simple = scope === undefined;
  for (const a of el.attributes) if (a.prefix !== "" && a.prefix !== "xml") simple = false;
  if (simple) {
    // The usual element: only its own prefix is visibly utilised.
    if ((rendered.get(el.prefix) ?? "") !== el.namespace) {
      decls = [[el.prefix, el.namespace]];
      const next = new Map(rendered);
      next.set(el.prefix, el.namespace);
      nextRendered = next;
    }
  } else {
    // Visibly utilised prefixes: the element's own, those of its prefixed attributes, the PrefixList's.
    const wanted = new Map<string, string>();
    wanted.set(el.prefix, el.namespace);
    for (const a of el.attributes) {
      if (a.prefix !== "" && a.prefix !== "xml") wanted.set(a.prefix, a.namespace);
    }
    if (scope !== undefined) {
      for (const prefix of p.inclusive) {
        const uri = scope.get(prefix);
        if (uri !== undefined && !wanted.has(prefix)) wanted.set(prefix, uri);
      }
    }
    for (const [prefix, uri] of wanted) {
      const current = rendered.get(prefix);
      if (prefix === "") {
        if ((current ?? "") === uri) continue;
      } else if (current === uri || uri === "") {
        continue;
      }
      if (decls === undefined) {
        decls = [];
        nextRendered = new Map(rendered);
      }
      decls.push([prefix, uri]);
      (nextRendered as Map<string, string>).set(prefix, uri);
    }
  }
  const name = qname(el);
  openTag(name, el, decls, out);
  const children = el.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.kind === "text") {
      if (p.drop && isXmlWhitespace(c.text) && hasElementChild(el)) p.dropped++;
      else out.text += escapeText(c.text);
    } else if (c !== p.exclude) exclusiveElement(c, nextRendered, scope, p, out);
  }
  out.text += `</${name}>`;
}

/**
 * Canonical XML 1.0 (without comments) of a document's root element (or of a subtree whose ancestors'
 * namespaces are given in `inheritedNamespaces`): every namespace in scope is rendered where its
 * binding changes, not only where it is used.
 */
export function inclusiveC14n(el: XmlElement, options: Omit<C14nOptions, "inclusivePrefixes"> = {}): string {
  const p = pass(options);
  const inherited = options.inheritedNamespaces ?? new Map<string, string>();
  const out: Output = { text: "" };
  inclusiveElement(el, inherited, true, p, out);
  report(p, options);
  return out.text;
}

function inclusiveElement(
  el: XmlElement,
  parentScope: ReadonlyMap<string, string>,
  apex: boolean,
  p: Pass,
  out: Output,
): void {
  let scope = parentScope;
  let decls: [string, string][] | undefined;
  if (apex) {
    const s = new Map(parentScope);
    for (const d of el.namespaceDeclarations) s.set(d.prefix, d.uri);
    scope = s;
    decls = [];
    for (const [prefix, uri] of s) if (!(prefix === "" && uri === "")) decls.push([prefix, uri]);
  } else if (el.namespaceDeclarations.length > 0) {
    const s = new Map(parentScope);
    for (const d of el.namespaceDeclarations) {
      const before = parentScope.get(d.prefix) ?? "";
      s.set(d.prefix, d.uri);
      if (before !== d.uri) {
        decls ??= [];
        decls.push([d.prefix, d.uri]);
      }
    }
    scope = s;
  }
  const name = qname(el);
  openTag(name, el, decls, out);
  const children = el.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.kind === "text") {
      if (p.drop && isXmlWhitespace(c.text) && hasElementChild(el)) p.dropped++;
      else out.text += escapeText(c.text);
    } else if (c !== p.exclude) inclusiveElement(c, scope, false, p, out);
  }
  out.text += `</${name}>`;
}

function hasElementChild(el: XmlElement): boolean {
  const children = el.children;
  for (let i = 0; i < children.length; i++) if (children[i]!.kind === "element") return true;
  return false;
}

/** Writes `<name xmlns… attrs…>` in canonical order. */
function openTag(name: string, el: XmlElement, decls: [string, string][] | undefined, out: Output): void {
  let t = `<${name}`;
  if (decls !== undefined && decls.length > 0) {
    if (decls.length > 1) decls.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [p, uri] of decls) {
      t += `${p === "" ? ' xmlns="' : ` xmlns:${p}="`}${escapeAttribute(uri)}"`;
    }
  }
  const attrs = el.attributes;
  if (attrs.length === 1) {
    t += attributeText(attrs[0]!);
  } else if (attrs.length > 1) {
    for (const a of attributesInOrder(attrs)) t += attributeText(a);
  }
  out.text += `${t}>`;
}

function attributeText(a: XmlAttribute): string {
  return a.prefix === ""
    ? ` ${a.localName}="${escapeAttribute(a.value)}"`
    : ` ${a.prefix}:${a.localName}="${escapeAttribute(a.value)}"`;
}

function compareAttributes(a: XmlAttribute, b: XmlAttribute): number {
  return a.namespace < b.namespace
    ? -1
    : a.namespace > b.namespace
      ? 1
      : a.localName < b.localName
        ? -1
        : a.localName > b.localName
          ? 1
          : 0;
}

/** The attributes in canonical order: the list itself when it is already sorted (the usual case). */
function attributesInOrder(attrs: readonly XmlAttribute[]): readonly XmlAttribute[] {
  for (let i = 1; i < attrs.length; i++) {
    if (compareAttributes(attrs[i - 1]!, attrs[i]!) > 0) return [...attrs].sort(compareAttributes);
  }
  return attrs;
}

function qname(el: XmlElement): string {
  return el.prefix === "" ? el.localName : `${el.prefix}:${el.localName}`;
}

const TEXT_SPECIAL = /[&<>\r]/;
const ATTRIBUTE_SPECIAL = /[&<"\t\n\r]/;

/** Canonical text escapes: & < > and CR (as &#xD;). */
export function escapeText(s: string): string {
  if (!TEXT_SPECIAL.test(s)) return s;
  let out = "";
  for (const ch of s) {
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === "\r") out += "&#xD;";
    else out += ch;
  }
  return out;
}

/** Canonical attribute escapes: & < " and TAB, LF, CR as character references. */
export function escapeAttribute(s: string): string {
  if (!ATTRIBUTE_SPECIAL.test(s)) return s;
  let out = "";
  for (const ch of s) {
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === '"') out += "&quot;";
    else if (ch === "\t") out += "&#x9;";
    else if (ch === "\n") out += "&#xA;";
    else if (ch === "\r") out += "&#xD;";
    else out += ch;
  }
  return out;
}

export interface SerializeOptions {
  /** Write `<?xml version="1.0" encoding="UTF-8"?>` first (default true). */
  readonly declaration?: boolean;
}

/**
 * Writes a tree as XML text. Namespace declarations are written as they are in the tree; where an
 * element or attribute uses a prefix that is not bound to its namespace at that point (a tree built in
 * code without declarations), the declaration is added, so the output is always namespace-well-formed
 * and parses back to the same names. Empty elements are self-closed.
 */
export function serializeXml(node: XmlElement | XmlDocument, options: SerializeOptions = {}): string {
  const el = "root" in node ? node.root : node;
  const out: string[] = [];
  if (options.declaration ?? true) out.push('<?xml version="1.0" encoding="UTF-8"?>');
  serializeElement(el, new Map([["", ""]]), out);
  return out.join("");
}

function serializeElement(el: XmlElement, parentScope: ReadonlyMap<string, string>, out: string[]): void {
  let scope = parentScope;
  const decls: [string, string][] = [];
  const bind = (prefix: string, uri: string) => {
    if (scope === parentScope) scope = new Map(parentScope);
    (scope as Map<string, string>).set(prefix, uri);
  };
  for (const d of el.namespaceDeclarations) {
    decls.push([d.prefix, d.uri]);
    bind(d.prefix, d.uri);
  }
  if ((scope.get(el.prefix) ?? "") !== el.namespace) {
    decls.push([el.prefix, el.namespace]);
    bind(el.prefix, el.namespace);
  }
  for (const a of el.attributes) {
    if (a.prefix !== "" && a.prefix !== "xml" && scope.get(a.prefix) !== a.namespace) {
      decls.push([a.prefix, a.namespace]);
      bind(a.prefix, a.namespace);
    }
  }
  out.push("<", qname(el));
  for (const [p, uri] of decls) out.push(p === "" ? ' xmlns="' : ` xmlns:${p}="`, escapeAttribute(uri), '"');
  for (const a of el.attributes) {
    out.push(
      " ",
      a.prefix === "" ? a.localName : `${a.prefix}:${a.localName}`,
      '="',
      escapeAttribute(a.value),
      '"',
    );
  }
  if (el.children.length === 0) {
    out.push("/>");
    return;
  }
  out.push(">");
  for (const c of el.children) {
    if (c.kind === "text") out.push(escapeText(c.text));
    else serializeElement(c, scope, out);
  }
  out.push("</", qname(el), ">");
}
