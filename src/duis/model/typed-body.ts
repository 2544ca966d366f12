/**
 * A request body as its typed object: the DuisElement read by the shapes generated from the DUIS
 * 5.4 XSD (`bodies.ts`): each child under its name, repeating children as arrays, leaves as numbers,
 * booleans or strings by their schema type, attributes as `@name` (and the text of an element with
 * attributes as `value`). The schema validator has checked
 * the body before; an element the shapes do not know is still refused here, naming its path, so that
 * a typed field never stands for something else.
 */
import { DuisError } from "../errors.js";
import { BODY_SHAPES, BODY_TYPES, type RequestBodies } from "./bodies.js";
import type { DuisElement } from "./element.js";

/** A request body element's name (the keys of the typed bodies). */
export type BodyElementName = keyof RequestBodies;

/** Whether `name` is a request body element. */
export function isBodyElementName(name: string): name is BodyElementName {
  return Object.hasOwn(BODY_TYPES, name);
}

/** The typed object of a body element, e.g. `typedBody(body, "ReadProfileDataLog").ReadLogPeriod`. */
export function typedBody<K extends BodyElementName>(element: DuisElement, name: K): RequestBodies[K] {
  if (element.name !== name) {
    throw new DuisError("requestInconsistent", `Body/${element.name} is not Body/${name}`);
  }
  // The shapes are generated from the same schema the body was validated against.
  return readComplex(element, BODY_TYPES[name], `Body/${name}`) as unknown as RequestBodies[K];
}

type Value = string | number | boolean | TypedObject | readonly Value[];
interface TypedObject {
  readonly [key: string]: Value;
}

function readComplex(element: DuisElement, type: string, path: string): TypedObject {
  const shape = BODY_SHAPES[type];
  if (shape === undefined) throw new DuisError("schemaInvalid", `${path}: no shape for ${type}`);
  const out: Record<string, Value> = {};
  for (const [name, value] of element.attributes) {
    const s = shape[`@${name}`];
    if (s === undefined) throw new DuisError("schemaInvalid", `${path}/@${name}: not in ${type}`);
    out[`@${name}`] = leaf(value, s[1], `${path}/@${name}`);
  }
  const text = shape["#value"];
  if (text !== undefined) out.value = leaf(element.text ?? "", text[1], path);
  for (const child of element.children) {
    const s = shape[child.name];
    if (s === undefined) throw new DuisError("schemaInvalid", `${path}/${child.name}: not in ${type}`);
    const [repeat, kind] = s;
    const at = `${path}/${child.name}`;
    const value = kind.startsWith("@")
      ? readComplex(child, kind.slice(1), at)
      : leaf(child.text ?? "", kind, at);
    if (repeat) {
      const list = (out[child.name] as Value[] | undefined) ?? [];
      list.push(value);
      out[child.name] = list;
    } else {
      out[child.name] = value;
    }
  }
  return out;
}

function leaf(text: string, kind: string, path: string): Value {
  const t = text.trim();
  switch (kind) {
    case "number": {
      const n = Number(t);
      if (t === "" || !Number.isFinite(n))
        throw new DuisError("schemaInvalid", `${path}: "${t}" is not a number`);
      return n;
    }
    case "boolean":
      return t === "true" || t === "1";
    default:
      return text;
  }
}
