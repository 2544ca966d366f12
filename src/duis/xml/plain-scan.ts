/**
 * A fast reading of plain XML, for the documents DUIS almost always is; saxes reads everything else.
 *
 * saxes reads a character at a time through a general state machine (line and column kept, every
 * character checked, entities, CDATA, comments, DTDs…), and that was most of the cost of taking in a
 * signed request. Service users' systems write requests in a small, plain part of XML: ASCII names,
 * attribute values without line ends, text and attribute values whose only references are the five
 * predefined entities, comments, and no CDATA, processing instructions or DOCTYPE. This reads exactly
 * that part, a run of characters at a time, and feeds the same `TreeBuilder` saxes feeds, so the tree
 * is the same.
 *
 * It accepts a document only when it has read all of it and found it well-formed; at the first thing
 * outside the plain part, or anything not well-formed, it gives up (returns false) without saying
 * why, and the caller reads the document again with saxes, which is then the one to accept it or say
 * what is wrong and where. So errors, and every document outside the plain part, are exactly as
 * saxes has them; tests compare the two readers on the reference messages and on generated and
 * mutated documents.
 */
import type { TreeBuilder } from "./tree-builder.js";

const TAB = 0x09;
const NL = 0x0a;
const SPACE = 0x20;
const QUOT = 0x22;
const AMP = 0x26;
const APOS = 0x27;
const SLASH = 0x2f;
const LT = 0x3c;
const EQ = 0x3d;
const GT = 0x3e;
const CLOSE_BRACKET = 0x5d;
const BANG = 0x21;
const MINUS = 0x2d;

/**
 * The XML declarations read here: version 1.0, UTF-8 if an encoding is named, standalone yes or no,
 * separated by spaces, tabs and line feeds. (Not sticky or global: nothing is kept between uses.)
 */
const PLAIN_XML_DECLARATION =
  /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(?:"1\.0"|'1\.0')(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(?:"[Uu][Tt][Ff]-8"|'[Uu][Tt][Ff]-8'))?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>/;

/**
 * Reads `source` into `builder` if it is a plain, well-formed XML 1.0 document; returns whether it
 * did. When it returns false (or the builder throws) the builder holds part of a tree: discard it.
 */
export function scanPlainXml(source: string, builder: TreeBuilder): boolean {
  // An ASCII XML Name. Made anew for each reading: a sticky expression keeps its position in it.
  const name = /[A-Za-z_:][-A-Za-z0-9._:]*/y;
  let i = 0;
  if (source.charCodeAt(0) === LT && source.charCodeAt(1) === 0x3f /* ? */) {
    const declaration = PLAIN_XML_DECLARATION.exec(source);
    if (declaration === null) return false;
    i = declaration[0].length;
  }
  i = skipMisc(source, i);
  if (i < 0 || source.charCodeAt(i) !== LT) return false;
  // The qualified names of the open elements, innermost last, to match their end tags.
  const open: string[] = [];
  // The names of the attributes of the start tag being read, to refuse one written twice.
  const tagAttributeNames: string[] = [];
  for (;;) {
    // Here source[i] is the "<" of a tag or a comment.
    const afterLt = source.charCodeAt(i + 1);
    if (afterLt === BANG) {
      i = commentEndAt(source, i);
      if (i < 0) return false;
    } else if (afterLt === SLASH) {
      const nameEnd = nameEndAt(source, i + 2, name);
      const openName = open.pop();
      if (
        nameEnd < 0 ||
        openName === undefined ||
        nameEnd - (i + 2) !== openName.length ||
        !source.startsWith(openName, i + 2)
      ) {
        return false;
      }
      const gt = skipSpace(source, nameEnd);
      if (source.charCodeAt(gt) !== GT) return false;
      i = gt + 1;
      builder.endTag(i);
    } else {
      const nameEnd = nameEndAt(source, i + 1, name);
      if (nameEnd < 0) return false;
      const tagName = source.slice(i + 1, nameEnd);
      let j = nameEnd;
      if (tagAttributeNames.length > 0) tagAttributeNames.length = 0;
      for (;;) {
        const k = skipSpace(source, j);
        const c = source.charCodeAt(k);
        if (c === GT) {
          i = k + 1;
          builder.startTag(tagName, i, false);
          open.push(tagName);
          break;
        }
        if (c === SLASH) {
          if (source.charCodeAt(k + 1) !== GT) return false;
          i = k + 2;
          builder.startTag(tagName, i, true);
          builder.endTag(i);
          break;
        }
        // An attribute, which must be parted from what comes before it by white space.
        if (k === j) return false;
        const attributeEnd = nameEndAt(source, k, name);
        if (attributeEnd < 0) return false;
        const attributeName = source.slice(k, attributeEnd);
        for (let a = 0; a < tagAttributeNames.length; a++) {
          if (tagAttributeNames[a] === attributeName) return false;
        }
        tagAttributeNames.push(attributeName);
        const eq = skipSpace(source, attributeEnd);
        if (source.charCodeAt(eq) !== EQ) return false;
        const quote = skipSpace(source, eq + 1);
        const q = source.charCodeAt(quote);
        if (q !== QUOT && q !== APOS) return false;
        const valueEnd = attributeValueEndAt(source, quote + 1, q);
        if (valueEnd < 0) return false;
        builder.attribute(attributeName, replacePredefined(source.slice(quote + 1, valueEnd)));
        j = valueEnd + 1;
      }
    }
    if (open.length === 0) break; // the root has ended
    const next = textEndAt(source, i);
    if (next < 0) return false;
    if (next > i) builder.text(replacePredefined(source.slice(i, next)));
    i = next;
  }
  // After the root, only white space and comments.
  return skipMisc(source, i) === source.length;
}

/** The index of the first character at or after `i` that is not a space, tab or line feed. */
function skipSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== NL && c !== TAB) return i;
    i++;
  }
}

/**
 * After white space and comments from `i` (as before and after the root), the index of what follows,
 * or -1 at a comment the plain reader does not take.
 */
function skipMisc(s: string, i: number): number {
  for (;;) {
    i = skipSpace(s, i);
    if (s.charCodeAt(i) !== LT || s.charCodeAt(i + 1) !== BANG) return i;
    i = commentEndAt(s, i);
    if (i < 0) return -1;
  }
}

/**
 * The index just after the comment whose `<` is at `i`, or -1 when there is none there, or it holds
 * `--`, a carriage return or a character that is not plain, or has no end.
 */
function commentEndAt(s: string, i: number): number {
  if (!s.startsWith("<!--", i)) return -1;
  const n = s.length;
  for (i += 4; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === MINUS && s.charCodeAt(i + 1) === MINUS) return s.charCodeAt(i + 2) === GT ? i + 3 : -1;
    if (!isPlainChar(c) && c !== NL && c !== TAB) return -1;
  }
  return -1;
}

/**
 * The end of the ASCII XML Name that starts at `i`, or -1 when none starts there or the name goes on
 * in other characters (which are for saxes to judge). `name` is the sticky expression `scanPlainXml`
 * made for this reading; compiled to machine code, it finds a name's end faster than a loop over its
 * characters does (names are a third of a DUIS message).
 */
function nameEndAt(s: string, i: number, name: RegExp): number {
  name.lastIndex = i;
  if (!name.test(s)) return -1;
  const end = name.lastIndex;
  return s.charCodeAt(end) >= 0x80 ? -1 : end;
}

/**
 * Whether `c` is a character XML 1.0 allows that needs no care here: not a control character (tab and
 * line feed are dealt with by the callers), not half of a surrogate pair, not U+FFFE or U+FFFF.
 */
function isPlainChar(c: number): boolean {
  return c >= SPACE && (c < 0xd800 || (c > 0xdfff && c < 0xfffe));
}

/**
 * The index of the `;` that ends the reference to a predefined entity (`&lt;`, `&gt;`, `&amp;`,
 * `&quot;`, `&apos;`) whose `&` is at `i`, or -1 when there is none there.
 */
function predefinedReferenceEndAt(s: string, i: number): number {
  switch (s.charCodeAt(i + 1)) {
    case 0x6c /* l */:
    case 0x67 /* g */:
      return s.charCodeAt(i + 2) === 0x74 /* t */ && s.charCodeAt(i + 3) === 0x3b /* ; */ ? i + 3 : -1;
    case 0x61 /* a */:
      if (s.startsWith("amp;", i + 1)) return i + 4;
      return s.startsWith("apos;", i + 1) ? i + 5 : -1;
    case 0x71 /* q */:
      return s.startsWith("quot;", i + 1) ? i + 5 : -1;
    default:
      return -1;
  }
}

/** Text or an attribute value with its predefined entity references replaced (`&amp;` last). */
function replacePredefined(t: string): string {
  if (!t.includes("&")) return t;
  return t
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");
}

/**
 * The index of the closing quote `q` of an attribute value that starts at `i`, or -1 when the value
 * holds a reference other than to a predefined entity, a `<`, a character that normalisation would
 * change (tab, line end) or one that is not plain, or has no end.
 */
function attributeValueEndAt(s: string, i: number, q: number): number {
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === q) return i;
    if (c === AMP) {
      i = predefinedReferenceEndAt(s, i);
      if (i < 0) return -1;
    } else if (c === LT || !isPlainChar(c)) {
      return -1;
    }
  }
  return -1;
}

/**
 * The index of the `<` that ends character data starting at `i`, or -1 when the text holds a
 * reference other than to a predefined entity, a `]` (which could begin the forbidden `]]>`), a
 * carriage return or a character that is not plain, or has no end.
 */
function textEndAt(s: string, i: number): number {
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === LT) return i;
    if (c === AMP) {
      i = predefinedReferenceEndAt(s, i);
      if (i < 0) return -1;
    } else if (c === CLOSE_BRACKET || (!isPlainChar(c) && c !== NL && c !== TAB)) {
      return -1;
    }
  }
  return -1;
}
