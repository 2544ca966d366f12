/**
 * Reading XML attributes of a DUIS body, for the few SRVs that carry a value in an attribute rather
 * than in an element (the auxiliary controller of 7.13/7.16, the load switch index of 7.5-7.8, the
 * position of a boost-button flag in 7.9/7.10). Like `body.ts`, a missing or unreadable attribute is
 * a `BodyFieldError` naming it (`path@name`).
 */
import type { DuisElement } from "../../duis/model/element.js";
import { required } from "./body.js";
import { BodyFieldError } from "./command-spec.js";

/** The element at a path ("" for the body itself). */
function at(body: DuisElement, path: string): DuisElement {
  return path === "" ? body : required(body, path);
}

/** An integer attribute of the element at a path. */
export function attributeInteger(body: DuisElement, path: string, name: string): number {
  return integerAttributeOf(at(body, path), name, `${path}@${name}`);
}

/** An integer attribute of an element in hand (e.g. one of `all(...)`), named in errors by `path`. */
export function integerAttributeOf(element: DuisElement, name: string, path: string = `@${name}`): number {
  const value = element.attributes.find(([n]) => n === name)?.[1]?.trim();
  if (value === undefined) throw new BodyFieldError(path, "required by the command, not in the body");
  if (!/^[+-]?\d+$/.test(value)) throw new BodyFieldError(path, `"${value}" is not an integer`);
  return Number(value);
}

/** The xs:boolean text of an element in hand, named in errors by `path`. */
export function booleanOf(element: DuisElement, path: string): boolean {
  const t = element.text?.trim();
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  throw new BodyFieldError(path, `"${t ?? ""}" is not a boolean`);
}

/** The xs:integer text of an element in hand, named in errors by `path`. */
export function integerOf(element: DuisElement, path: string): number {
  const t = element.text?.trim() ?? "";
  if (!/^[+-]?\d+$/.test(t)) throw new BodyFieldError(path, `"${t}" is not an integer`);
  return Number(t);
}
