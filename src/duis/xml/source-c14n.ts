/**
 * Canonical XML of a signed document, read from the text the document was parsed from instead of
 * written out from the tree: the root without its enveloped signature (the Reference digest), and
 * `ds:SignedInfo` (what the signature value signs).
 *
 * A DUIS request is usually canonical already, apart from empty-element tags: signers write what a
 * canonicaliser would. When it is, the canonical form is the source text of the root with the
 * `ds:Signature` element cut out and each `<a/>` written as `<a></a>`: a few slices of one string,
 * where serialising the tree makes a thousand small strings that must then be joined and encoded. The
 * digest check of every request does this, so it is worth knowing when the source can be used.
 *
 * The source is used only when every difference canonical form could make is ruled out:
 * - by the parser (`SourceLayout` is recorded only then): namespace declarations before attributes,
 *   sorted by prefix, and none that repeats a binding in scope;
 *   attributes sorted by namespace URI and local name; no `>` in character data; no CDATA section;
 *   XML 1.0 (1.1 treats more characters as line ends);
 * - here, in the text of the two slices: no comment or CDATA (`<!`), no entity or character reference
 *   other than `&amp;` and `&lt;` (canonical in text and in attribute values alike), no tab or line
 *   end (normalised in attribute values and, for CR, in text), no space that canonical form would
 *   drop (two in a row, around `=`, before `>` or `/>`), no single-quoted attribute value;
 * - and the signature is cut out between two tags, so no two text nodes are joined.
 * No whitespace between tags is allowed either, so the result is also the whitespace-free form.
 * Anything else, and the caller canonicalises the tree. When a string is returned it is equal to what
 * `inclusiveC14n` / `exclusiveC14n` write from the tree, character for character; tests check that on
 * every reference message and on generated ones.
 */
import { escapeAttribute } from "./c14n.js";
import type { SourceLayout, XmlDocument, XmlElement } from "./tree.js";

/**
 * Anything in a slice of source text that canonical form would write differently, or whitespace
 * between two tags (which the whitespace-free form DUIS signs would drop).
 */
const NOT_CANONICAL = /<!|&(?!amp;|lt;)|[\t\n\r]| [ =>/]|=[ ']|> +</;

const GT = 0x3e;
const LT = 0x3c;

/**
 * Inclusive canonical XML 1.0 (without comments) of `doc.root` without `signature`, one of the root's
 * element children, from the source text; undefined when the source is not known to be canonical.
 * Equal to `inclusiveC14n(root, { exclude: signature })`, with or without inter-element whitespace
 * dropped (there is none).
 */
export function inclusiveC14nFromSource(doc: XmlDocument, signature: XmlElement): string | undefined {
  const layout = doc.layout;
  if (layout === undefined) return undefined;
  const at = spanOf(layout, signature);
  if (at === -1 || !isChild(doc.root, signature)) return undefined;
  const { source, rootStart, rootEnd, spans } = layout;
  const cutStart = spans[at]!;
  const cutEnd = spans[at + 1]!;
  // Cut between two tags, so that no two text nodes meet.
  if (source.charCodeAt(cutStart - 1) !== GT || source.charCodeAt(cutEnd) !== LT) return undefined;
  const before = source.slice(rootStart, cutStart);
  const after = source.slice(cutEnd, rootEnd);
  if (NOT_CANONICAL.test(before) || NOT_CANONICAL.test(after)) return undefined;
  if (layout.emptyTagEnds.length === 0) return before + after;
  return withEmptyTagsExpanded(layout, rootStart, cutStart) + withEmptyTagsExpanded(layout, cutEnd, rootEnd);
}

/**
 * Exclusive canonical XML 1.0 (without comments, no InclusiveNamespaces) of `el`, a grandchild of the
 * root (`ds:SignedInfo`), from the source text; undefined when the source is not known to be
 * canonical. Used only when every element of the subtree has the apex's prefix and namespace, and none
 * declares a namespace or has a prefixed attribute: then the one declaration exclusive canonical form
 * writes is the apex's own, first in its start tag. Equal to `exclusiveC14n(el)`, with or without
 * inter-element whitespace dropped (there is none).
 */
export function exclusiveC14nFromSource(doc: XmlDocument, el: XmlElement): string | undefined {
  const layout = doc.layout;
  if (layout === undefined) return undefined;
  const at = spanOf(layout, el);
  if (at === -1 || !usesOnlyItsOwnNamespace(el, el.prefix, el.namespace)) return undefined;
  const { source, spans } = layout;
  const start = spans[at]!;
  const end = spans[at + 1]!;
  const text = source.slice(start, end);
  if (NOT_CANONICAL.test(text)) return undefined;
  const name = el.prefix === "" ? el.localName : `${el.prefix}:${el.localName}`;
  const declaration = `${el.prefix === "" ? " xmlns" : ` xmlns:${el.prefix}`}="${escapeAttribute(el.namespace)}"`;
  return `<${name}${declaration}${withEmptyTagsExpanded(layout, start + 1 + name.length, end)}`;
}

/** Index in `layout.spans` of where `el` lies, or -1 when it is not one of the spanned elements. */
function spanOf(layout: SourceLayout, el: XmlElement): number {
  const spanned = layout.spanned;
  for (let i = 0; i < spanned.length; i++) if (spanned[i] === el) return 2 * i;
  return -1;
}

function isChild(parent: XmlElement, child: XmlElement): boolean {
  const children = parent.children;
  for (let i = 0; i < children.length; i++) if (children[i] === child) return true;
  return false;
}

function usesOnlyItsOwnNamespace(el: XmlElement, prefix: string, namespace: string): boolean {
  if (el.prefix !== prefix || el.namespace !== namespace || el.namespaceDeclarations.length > 0) return false;
  const attributes = el.attributes;
  for (let i = 0; i < attributes.length; i++) if (attributes[i]!.prefix !== "") return false;
  const children = el.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.kind === "element" && !usesOnlyItsOwnNamespace(c, prefix, namespace)) return false;
  }
  return true;
}

/** The source from `from` to `to` with each `<a …/>` in it written `<a …></a>`. */
function withEmptyTagsExpanded(layout: SourceLayout, from: number, to: number): string {
  const { source, emptyTagEnds, emptyTagNames } = layout;
  let out = "";
  let at = from;
  for (let i = 0; i < emptyTagEnds.length; i++) {
    const end = emptyTagEnds[i]!;
    if (end <= from || end > to) continue;
    out += `${source.slice(at, end - 2)}></${emptyTagNames[i]!}>`;
    at = end;
  }
  return out + source.slice(at, to);
}
