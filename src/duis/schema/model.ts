/**
 * A compiled XML Schema: the element declarations, content models and simple types of the DUIS XSD,
 * in the form the validator walks. Built once at start-up by `compileSchema`; immutable afterwards.
 *
 * Only the XSD features the DUIS and MMC schemas use are modelled: global and local elements (and
 * `ref`), named and anonymous complex types, sequence and choice with minOccurs/maxOccurs,
 * complexContent extension/restriction, simpleContent extension/restriction, attributes (optional or
 * required), mixed content, and simple types restricted by enumeration, pattern, length, minLength,
 * maxLength, min/max inclusive/exclusive, totalDigits and fractionDigits. The compiler refuses
 * anything else, so a future schema cannot be silently half-checked.
 */

/** The value spaces the built-in types reduce to (what facets compare in). */
export type Primitive =
  | "string"
  | "boolean"
  | "decimal"
  | "integer"
  | "float"
  | "dateTime"
  | "date"
  | "time"
  | "hexBinary"
  | "base64Binary"
  | "anyURI";

/** Whitespace handling before a value is checked (XSD `whiteSpace` facet). */
export type WhiteSpace = "preserve" | "replace" | "collapse";

/** A simple type: a built-in type and the facets of every restriction step, merged. */
export interface SimpleType {
  readonly kind: "simple";
  /** For messages: `sr:EUI`, `xs:int`, or `anonymous type of sr:Foo`. */
  readonly name: string;
  readonly primitive: Primitive;
  readonly whiteSpace: WhiteSpace;
  /** The lexical form of the built-in type (anchored). */
  readonly lexical: RegExp | undefined;
  /** Canonical values allowed (the most derived enumeration), or undefined. */
  readonly enumeration: ReadonlySet<string> | undefined;
  /** Each restriction step's patterns: a value must match one pattern of every step. */
  readonly patterns: readonly (readonly RegExp[])[];
  /** Pattern sources, for messages (same shape as `patterns`). */
  readonly patternSources: readonly (readonly string[])[];
  readonly length: number | undefined;
  readonly minLength: number | undefined;
  readonly maxLength: number | undefined;
  /** Bounds as canonical values of the primitive (integers and decimals as canonical decimal strings). */
  readonly minInclusive: string | undefined;
  readonly maxInclusive: string | undefined;
  readonly minExclusive: string | undefined;
  readonly maxExclusive: string | undefined;
  readonly totalDigits: number | undefined;
  readonly fractionDigits: number | undefined;
}

export interface AttributeDeclaration {
  /** Namespace of the attribute ("" for the usual unqualified attributes). */
  readonly namespace: string;
  readonly localName: string;
  readonly type: SimpleType;
  readonly required: boolean;
}

/** What a complex type allows between its tags. */
export type ContentModel =
  | { readonly kind: "empty" }
  | { readonly kind: "simple"; readonly type: SimpleType }
  | { readonly kind: "elements"; readonly particle: Particle; readonly mixed: boolean };

export interface ComplexType {
  readonly kind: "complex";
  readonly name: string;
  readonly attributes: readonly AttributeDeclaration[];
  readonly content: ContentModel;
}

/**
 * An element declaration. `type` undefined means the element belongs to a namespace that is checked
 * elsewhere (the XML-DSig `ds:Signature`, checked by the signature step): its presence and place are
 * validated, its content is not.
 */
export interface ElementDeclaration {
  readonly namespace: string;
  readonly localName: string;
  /** `prefix:local` as the schema writes it, for messages. */
  readonly qname: string;
  readonly type: ComplexType | SimpleType | undefined;
}

export type Particle =
  | {
      readonly kind: "element";
      readonly element: ElementDeclaration;
      readonly minOccurs: number;
      readonly maxOccurs: number;
    }
  | {
      readonly kind: "sequence" | "choice";
      readonly particles: readonly Particle[];
      readonly minOccurs: number;
      readonly maxOccurs: number;
    };

/** A compiled schema set: its global elements by `{namespace}localName`. */
export interface CompiledSchema {
  readonly elements: ReadonlyMap<string, ElementDeclaration>;
  /** Namespace prefixes the schemas use (namespace → prefix), for readable paths in messages. */
  readonly prefixes: ReadonlyMap<string, string>;
}

/** The key of a global declaration. */
export function declarationKey(namespace: string, localName: string): string {
  return `{${namespace}}${localName}`;
}
