/**
 * Reading a DUIS body by element path, for the command specs. The schema validator has checked the
 * body against DUIS 5.4 before a transform runs, so these readers only convert: a missing required
 * field or an unreadable value is a `BodyFieldError` naming the path (the pipeline answers it as an
 * invalid request), never a made-up value.
 *
 * Paths are element names joined by `/`, relative to the body element, e.g.
 * `ReadingPeriod/StartDateTime`.
 */
import type { RequestBodies } from "../../duis/model/bodies.js";
import type { DuisElement } from "../../duis/model/element.js";
import { type BodyElementName, typedBody } from "../../duis/model/typed-body.js";
import { BodyFieldError } from "./command-spec.js";

/** The elements at a path (all matches at the last step, the first at the others). */
export function all(body: DuisElement, path: string): DuisElement[] {
  const steps = path.split("/");
  let at: DuisElement | undefined = body;
  for (const step of steps.slice(0, -1)) {
    at = at.children.find((c) => c.name === step);
    if (at === undefined) return [];
  }
  const last = steps[steps.length - 1];
  return at.children.filter((c) => c.name === last);
}

/** The element at a path, if present. */
export function find(body: DuisElement, path: string): DuisElement | undefined {
  return all(body, path)[0];
}

/** Whether the path is present. */
export function has(body: DuisElement, path: string): boolean {
  return find(body, path) !== undefined;
}

/** The element at a path; a BodyFieldError when absent. */
export function required(body: DuisElement, path: string): DuisElement {
  const found = find(body, path);
  if (found === undefined) throw new BodyFieldError(path, "required by the command, not in the body");
  return found;
}

/** The leaf text at a path, trimmed; undefined when absent. */
export function optionalText(body: DuisElement, path: string): string | undefined {
  return find(body, path)?.text?.trim();
}

/** The leaf text at a path, trimmed. */
export function text(body: DuisElement, path: string): string {
  const t = required(body, path).text;
  if (t === undefined) throw new BodyFieldError(path, "has no text");
  return t.trim();
}

/** An xs:integer (or a restriction) that fits a JavaScript number exactly. */
export function integer(body: DuisElement, path: string): number {
  return toInteger(text(body, path), path);
}

/** An optional xs:integer. */
export function optionalInteger(body: DuisElement, path: string): number | undefined {
  const t = optionalText(body, path);
  return t === undefined ? undefined : toInteger(t, path);
}

/** An xs:integer of any size (e.g. a 64-bit value). */
export function bigInteger(body: DuisElement, path: string): bigint {
  const t = text(body, path);
  if (!/^[+-]?\d+$/.test(t)) throw new BodyFieldError(path, `"${t}" is not an integer`);
  return BigInt(t);
}

/** An xs:decimal as a number. */
export function decimal(body: DuisElement, path: string): number {
  const t = text(body, path);
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) throw new BodyFieldError(path, `"${t}" is not a decimal`);
  return Number(t);
}

/** An xs:boolean. */
export function boolean(body: DuisElement, path: string): boolean {
  const t = text(body, path);
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  throw new BodyFieldError(path, `"${t}" is not a boolean`);
}

/** An xs:dateTime as ms since the epoch (a time without a zone is read as UTC, as DUIS means it). */
export function dateTime(body: DuisElement, path: string): number {
  return toDateTime(text(body, path), path);
}

/** An optional xs:dateTime as ms since the epoch. */
export function optionalDateTime(body: DuisElement, path: string): number | undefined {
  const t = optionalText(body, path);
  return t === undefined ? undefined : toDateTime(t, path);
}

/** An xs:hexBinary as bytes. */
export function hexBinary(body: DuisElement, path: string): Uint8Array {
  const t = text(body, path);
  if (!/^([0-9A-Fa-f]{2})*$/.test(t)) throw new BodyFieldError(path, `"${t}" is not hexBinary`);
  return Uint8Array.from(Buffer.from(t, "hex"));
}

/** An xs:base64Binary as bytes. */
export function base64Binary(body: DuisElement, path: string): Uint8Array {
  const t = text(body, path).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) throw new BodyFieldError(path, "is not base64Binary");
  return Uint8Array.from(Buffer.from(t, "base64"));
}

function toInteger(t: string, path: string): number {
  if (!/^[+-]?\d+$/.test(t)) throw new BodyFieldError(path, `"${t}" is not an integer`);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new BodyFieldError(path, `${t} is out of range`);
  return n;
}

function toDateTime(t: string, path: string): number {
  const zoned = /(Z|[+-]\d\d:\d\d)$/.test(t) ? t : `${t}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw new BodyFieldError(path, `"${t}" is not an xs:dateTime`);
  return ms;
}

/**
 * The body as its typed object (generated from the DUIS 5.4 XSD): `fields(ctx.body,
 * "ReadProfileDataLog").ReadLogPeriod.StartDateTime`.
 */
export function fields<K extends BodyElementName>(body: DuisElement, name: K): RequestBodies[K] {
  return typedBody(body, name);
}
