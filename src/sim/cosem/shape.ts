/**
 * The type shape of a COSEM attribute's value: which DLMS Data types, nested how. A set is accepted
 * when its value has a shape the attribute takes (Green Book: a value of another type is refused with
 * data-access-result `type-unmatched`); lengths of strings and arrays are not part of a shape, since
 * the same attribute carries tables of any length.
 */
import type { DataType, DlmsData, TypeDescription } from "../../gbcs/dlms/index.js";

export type SimpleType = Exclude<DataType, "array" | "structure" | "compact-array">;

export type Shape =
  | { readonly t: "structure"; readonly of: readonly Shape[] }
  /** `of` absent: an array only ever seen empty, whose elements may be of any shape. */
  | { readonly t: "array"; readonly of?: Shape }
  /** A profile buffer: rows of the described type, untagged (compact-array). */
  | { readonly t: "compact-array"; readonly d: TypeDescription }
  /** `n`: the length seen (octet-string bytes, bit-string bits, string characters), for initial values only. */
  | { readonly t: SimpleType; readonly n?: number };

/** Whether `data` has `shape` (lengths aside). */
export function conforms(data: DlmsData, shape: Shape): boolean {
  if (data.type !== shape.t) return false;
  switch (shape.t) {
    case "structure":
      return (
        data.type === "structure" &&
        data.elements.length === shape.of.length &&
        data.elements.every((e, i) => conforms(e, shape.of[i]!))
      );
    case "array": {
      const of = shape.of;
      return data.type === "array" && (of === undefined || data.elements.every((e) => conforms(e, of)));
    }
    case "compact-array":
      return data.type === "compact-array" && sameDescription(data.contentsDescription, shape.d);
    default:
      return true;
  }
}

function sameDescription(a: TypeDescription, b: TypeDescription): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "array" && b.type === "array") {
    return a.numberOfElements === b.numberOfElements && sameDescription(a.typeDescription, b.typeDescription);
  }
  if (a.type === "structure" && b.type === "structure") {
    return (
      a.elements.length === b.elements.length &&
      a.elements.every((e, i) => sameDescription(e, b.elements[i]!))
    );
  }
  return true;
}
