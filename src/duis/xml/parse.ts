/**
 * Safe XML parsing for DUIS. Two readers of the text feed one tree builder (`tree-builder.ts`, which
 * resolves namespaces and caps the tree's size):
 * - `plain-scan.ts` reads the plain XML that DUIS messages nearly always are, fast, and gives up on
 *   anything else;
 * - saxes (a strict, non-validating SAX parser that never fetches anything) reads what it gave up on,
 *   and is the one that says what is wrong with a document that is not well-formed, and where.
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
import { XmlError } from "./errors.js";
import { NameScanningSaxesParser } from "./name-scan.js";
import { scanPlainXml } from "./plain-scan.js";
import type { SourceLayout, XmlDocument, XmlElement, XmlPosition } from "./tree.js";
import { TreeBuildError, TreeBuilder, type XmlLimits } from "./tree-builder.js";

export type { XmlLimits } from "./tree-builder.js";

/** The defaults: generous for any DUIS message, small enough to refuse abuse cheaply. */
export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxElements: 100_000,
  maxAttributes: 64,
});

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
  // Plain documents (nearly every DUIS message) are read by the fast reader; anything it does not
  // take, saxes reads from the start, and says what is wrong if anything is.
  const plain = new TreeBuilder(source, lim);
  try {
    if (scanPlainXml(source, plain)) return new ParsedDocument(plain.root!, source, plain.layout("1.0"));
  } catch (e) {
    if (!(e instanceof TreeBuildError)) throw e;
  }
  return parseXmlWithSaxes(source, lim);
}

/**
 * Reads `source` (decoded, encoding and DOCTYPE already checked) with saxes, building the tree as it
 * goes; errors carry saxes' line and column. `parseXml` uses it for what the plain reader gives up on;
 * exported so that the two readers can be compared.
 */
export function parseXmlWithSaxes(source: string, lim: XmlLimits): XmlDocument {
  // Six handlers at most: saxes stores each as a new property on the parser, and a seventh pushes the
  // object into slow (dictionary) mode, which makes every character read ~5x slower. So the XML
  // declaration and any DOCTYPE are checked from the text instead of with handlers.
  const parser = new NameScanningSaxesParser({ xmlns: false, position: true });
  const builder = new TreeBuilder(source, lim);
  // Attributes arrive one event each, before their start tag's "opentag": collecting them here is
  // far cheaper than enumerating the tag's attribute object (a dictionary-mode object in V8).
  parser.on("attribute", (attribute) => builder.attribute(attribute.name, attribute.value));
  parser.on("processinginstruction", (pi) => {
    throw new Abort(
      new XmlError(
        "processing-instruction-forbidden",
        `processing instruction '<?${pi.target}' is not allowed`,
        parser.line,
        parser.column,
      ),
    );
  });
  parser.on("opentag", (tag) => {
    try {
      builder.startTag(tag.name, parser.position, tag.isSelfClosing);
    } catch (e) {
      if (!(e instanceof TreeBuildError)) throw e;
      throw new Abort(new XmlError(e.code, e.message, parser.line, parser.column));
    }
  });
  parser.on("closetag", () => builder.endTag(parser.position));
  parser.on("text", (t) => builder.text(t));
  parser.on("cdata", (t) => builder.cdata(t));

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
  const root = builder.root;
  if (root === undefined) throw new XmlError("malformed", "no root element");
  return new ParsedDocument(root, source, builder.layout(version));
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
