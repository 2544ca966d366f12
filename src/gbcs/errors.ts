/**
 * Typed decode failures. Every read that could run past the end of the input, or meet a value the
 * format does not allow, throws a DecodeError that says where and why; nothing else is thrown by a
 * decoder. `path` grows on the way up (`ECS17b.payload.register[2]`), using `withPath`.
 */

export type DecodeErrorCode =
  /** The input ended before a field that its header promised. */
  | "truncated"
  /** A declared length or count is larger than the input or a format limit; refused before allocation. */
  | "length"
  /** A tag, flag or enumerated value that the format does not define here. */
  | "unexpected"
  /** Bytes left over after a complete structure. */
  | "trailing";

export interface DecodeErrorDetails {
  readonly code: DecodeErrorCode;
  readonly offset: number;
  readonly needed?: number;
  readonly available?: number;
  readonly path?: string;
}

export class DecodeError extends Error {
  override readonly name = "DecodeError";
  readonly code: DecodeErrorCode;
  /** Byte offset in the outermost input where the problem was found. */
  readonly offset: number;
  /** Bytes the failing read needed (for truncated and length errors). */
  readonly needed: number | undefined;
  /** Bytes that were left when it failed. */
  readonly available: number | undefined;
  /** Where in the decoded structure, e.g. `header.originator` or `payload.register[2]`. */
  readonly path: string;
  /** The message without the path, so that `withPath` can rebuild it. */
  readonly reason: string;

  constructor(reason: string, details: DecodeErrorDetails, options?: { cause?: unknown }) {
    const path = details.path ?? "";
    super(path ? `${path}: ${reason}` : reason, options);
    this.reason = reason;
    this.code = details.code;
    this.offset = details.offset;
    this.needed = details.needed;
    this.available = details.available;
    this.path = path;
  }

  /** A copy of this error with `segment` put in front of its path (errors are not mutated). */
  withPath(segment: string): DecodeError {
    const path = this.path ? `${segment}.${this.path}` : segment;
    return new DecodeError(
      this.reason,
      { code: this.code, offset: this.offset, needed: this.needed, available: this.available, path },
      { cause: this.cause },
    );
  }
}

/**
 * `error` with `segment` put in front of its path when it is a DecodeError, else `error` itself: for
 * a loop that catches once and names the element that failed (`catch (e) { throw atSegment(e,
 * \`item[${i}]\`) }`), so that the path is built only on the error path.
 */
export function atSegment(error: unknown, segment: string): unknown {
  return error instanceof DecodeError ? error.withPath(segment) : error;
}

/** Runs `decode`, prefixing the path of any DecodeError it throws with `segment`. */
export function inPath<T>(segment: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof DecodeError) throw error.withPath(segment);
    throw error;
  }
}
