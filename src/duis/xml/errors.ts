/**
 * Typed XML failures. Everything the XML layer refuses (malformed input, a DOCTYPE, a limit passed)
 * is an XmlError that says what and where; nothing else is thrown by `parseXml`.
 */

export type XmlErrorCode =
  /** Not well-formed XML (the parser's message says what). */
  | "malformed"
  /** A DOCTYPE, DTD or entity declaration: refused outright (XXE, billion laughs). */
  | "doctype-forbidden"
  /** A processing instruction (other than the XML declaration): DUIS has none, and signatures would cover it. */
  | "processing-instruction-forbidden"
  /** Bytes that are not UTF-8, or an encoding declaration other than UTF-8. */
  | "encoding"
  /** The body is larger than `maxBytes`. */
  | "too-large"
  /** Elements nest deeper than `maxDepth`. */
  | "too-deep"
  /** More than `maxElements` elements. */
  | "too-many-elements"
  /** An element with more than `maxAttributes` attributes (namespace declarations included). */
  | "too-many-attributes";

export class XmlError extends Error {
  override readonly name = "XmlError";
  readonly code: XmlErrorCode;
  /** 1-based line of the problem, 0 when it is about the input as a whole. */
  readonly line: number;
  /** 1-based column of the problem (as counted by the parser), 0 when unknown. */
  readonly column: number;

  constructor(code: XmlErrorCode, message: string, line = 0, column = 0) {
    super(line > 0 ? `${message} (line ${line}, column ${column})` : message);
    this.code = code;
    this.line = line;
    this.column = column;
  }
}
