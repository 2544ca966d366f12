/**
 * Validates a DUIS message's element tree against a compiled schema (see `compile.ts`).
 *
 * It walks the tree once: each element's children are matched against its type's content model
 * (sequence and choice with occurrence bounds, matched greedily, which is exact for the deterministic
 * content models XSD requires), attributes are checked against their declarations, and simple values
 * against their types' facets. Errors name the element by path, say why, and give the source line
 * when the tree came from `parseXml`.
 *
 * XML-DSig elements (`ds:Signature`) are checked for presence and place only: their content is the
 * signature step's job (and libxml2-style validators choke on 39-digit serials there anyway).
 */
import {
  isXmlWhitespace,
  qualifiedName,
  textContent,
  type XmlDocument,
  type XmlElement,
} from "../xml/tree.js";
import {
  type CompiledSchema,
  type ComplexType,
  declarationKey,
  type ElementDeclaration,
  type Particle,
  type SimpleType,
} from "./model.js";
import { checkSimpleValue } from "./simple.js";

const XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance";

/** One reason a message is not valid. */
export interface SchemaError {
  /** Where: `/sr:Request/sr:Body/sr:ReadProfileData/sr:ReadLogPeriod`, with the message's own prefixes. */
  readonly path: string;
  /** Why, in words. */
  readonly message: string;
  /** Source line and column of the element, when known. */
  readonly line?: number;
  readonly column?: number;
}

export type SchemaValidationResult =
  | { readonly valid: true }
  | { readonly valid: false; readonly errors: readonly SchemaError[] };

export interface ValidateOptions {
  /** Stop after this many errors (default 10). */
  readonly maxErrors?: number;
}

const VALID: SchemaValidationResult = Object.freeze({ valid: true });

/**
 * For a choice: which alternatives can start with an element of a given local name (the match checks
 * the namespace), and which can match nothing. Lets a choice of 130 request types find its
 * alternative in one lookup.
 */
interface ChoiceIndex {
  readonly byFirst: ReadonlyMap<string, readonly number[]>;
  readonly emptiable: readonly number[];
}

/** A schema ready to validate messages. Build once (compiling the XSD takes tens of milliseconds). */
export class SchemaValidator {
  private readonly choices = new Map<Particle, ChoiceIndex>();

  constructor(readonly schema: CompiledSchema) {
    const seen = new Set<ElementDeclaration>();
    for (const d of schema.elements.values()) this.indexElement(d, seen);
  }

  private indexElement(d: ElementDeclaration, seen: Set<ElementDeclaration>): void {
    if (seen.has(d)) return;
    seen.add(d);
    const t = d.type;
    if (t !== undefined && t.kind === "complex" && t.content.kind === "elements")
      this.indexParticle(t.content.particle, seen);
  }

  private indexParticle(p: Particle, seen: Set<ElementDeclaration>): void {
    if (p.kind === "element") {
      this.indexElement(p.element, seen);
      return;
    }
    for (const q of p.particles) this.indexParticle(q, seen);
    if (p.kind !== "choice" || this.choices.has(p)) return;
    const byFirst = new Map<string, number[]>();
    const emptiable: number[] = [];
    p.particles.forEach((q, i) => {
      const first = new Set<string>();
      if (firstSet(q, first)) emptiable.push(i);
      for (const k of first) {
        const list = byFirst.get(k);
        if (list === undefined) byFirst.set(k, [i]);
        else list.push(i);
      }
    });
    this.choices.set(p, { byFirst, emptiable });
  }

  /** Validates a whole message (its root element must be a global element of the schema). */
  validate(input: XmlDocument | XmlElement, options: ValidateOptions = {}): SchemaValidationResult {
    const root = "root" in input ? input.root : input;
    const run = new Run(options.maxErrors ?? 10, "root" in input ? input : undefined, this.choices);
    const decl = this.schema.elements.get(declarationKey(root.namespace, root.localName));
    run.path.push(root);
    if (decl === undefined) {
      run.error(
        `element ${qualifiedName(root)} ({${root.namespace}}${root.localName}) is not a message the schema declares`,
      );
    } else {
      run.element(root, decl);
    }
    return run.errors.length === 0 ? VALID : { valid: false, errors: run.errors };
  }
}

/** The state of one validation. */
class Run {
  readonly errors: SchemaError[] = [];
  /** The elements from the root to the one being checked. */
  readonly path: XmlElement[] = [];
  /** Scratch: the declaration matched to each child, per depth (see `element`). */
  private readonly declarations: (ElementDeclaration | undefined)[][] = [];
  /** For error messages only: the furthest child position a content model got stuck at, and what it wanted. */
  private furthest = -1;
  private expected: string[] = [];
  private recording = false;

  constructor(
    private readonly maxErrors: number,
    /** Read only when there is an error to place (a parsed document builds its map on demand). */
    private readonly document: XmlDocument | undefined,
    private readonly choices: ReadonlyMap<Particle, ChoiceIndex>,
  ) {}

  error(message: string, at: XmlElement = this.path[this.path.length - 1]!): void {
    if (this.errors.length >= this.maxErrors) return;
    const pos = this.document?.positions.get(at);
    const path = `/${this.path.map(qualifiedName).join("/")}`;
    this.errors.push(
      pos === undefined ? { path, message } : { path, message, line: pos.line, column: pos.column },
    );
  }

  get full(): boolean {
    return this.errors.length >= this.maxErrors;
  }

  element(el: XmlElement, decl: ElementDeclaration): void {
    const type = decl.type;
    if (type === undefined) return; // checked by the signature step
    if (type.kind === "simple") {
      if (el.attributes.length > 0) this.attributes(el, NO_ATTRIBUTE_TYPE);
      this.simpleContent(el, type);
      return;
    }
    this.attributes(el, type);
    const content = type.content;
    if (content.kind === "simple") {
      this.simpleContent(el, content.type);
      return;
    }
    // The usual element holds only elements: use its children as they are, without a copy.
    let onlyElements = true;
    const all = el.children;
    for (let i = 0; i < all.length; i++) {
      if (all[i]!.kind !== "element") {
        onlyElements = false;
        break;
      }
    }
    const children = onlyElements
      ? (el.children as readonly XmlElement[])
      : this.elementChildren(el, content.kind === "empty" || !content.mixed);
    if (content.kind === "empty") {
      if (children.length > 0)
        this.error(`${qualifiedName(el)} must be empty; found element ${qualifiedName(children[0]!)}`);
      return;
    }
    // One declarations array per depth, reused from element to element (children use the next depth).
    const depth = this.path.length;
    let decls = this.declarations[depth];
    if (decls === undefined) {
      decls = [];
      this.declarations[depth] = decls;
    }
    const end = this.match(content.particle, children, decls, 0);
    if (end !== children.length) {
      this.contentError(el, content.particle, children);
      return;
    }
    for (let i = 0; i < children.length && !this.full; i++) {
      const child = children[i]!;
      this.path.push(child);
      this.element(child, decls[i]!);
      this.path.pop();
    }
  }

  /** The element children of a mixed element; text is an error unless the content is mixed. */
  private elementChildren(el: XmlElement, textIsError: boolean): XmlElement[] {
    const children: XmlElement[] = [];
    for (const c of el.children) {
      if (c.kind === "element") children.push(c);
      else if (textIsError && !isXmlWhitespace(c.text)) {
        this.error(
          `text '${clip(c.text.trim())}' is not allowed in ${qualifiedName(el)}, which holds only elements`,
        );
      }
    }
    return children;
  }

  private simpleContent(el: XmlElement, type: SimpleType): void {
    const children = el.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (c.kind === "element") {
        this.error(
          `${qualifiedName(el)} has a simple value; element ${qualifiedName(c)} is not allowed in it`,
        );
        return;
      }
    }
    const only = children.length === 1 ? children[0] : undefined;
    const text = only !== undefined && only.kind === "text" ? only.text : textContent(el);
    const why = checkSimpleValue(type, text);
    if (why !== undefined) this.error(`${qualifiedName(el)}: ${why}`);
  }

  private attributes(el: XmlElement, type: ComplexType | typeof NO_ATTRIBUTE_TYPE): void {
    const declared = type.attributes;
    if (el.attributes.length === 0 && declared.length === 0) return;
    for (const a of el.attributes) {
      if (a.namespace === XSI_NAMESPACE) {
        if (a.localName === "schemaLocation" || a.localName === "noNamespaceSchemaLocation") continue;
        this.error(`attribute xsi:${a.localName} on ${qualifiedName(el)} is not supported`);
        continue;
      }
      const d = declared.find((x) => x.localName === a.localName && x.namespace === a.namespace);
      if (d === undefined) {
        this.error(`attribute ${qualifiedName(a)} is not allowed on ${qualifiedName(el)}`);
        continue;
      }
      const why = checkSimpleValue(d.type, a.value);
      if (why !== undefined) this.error(`attribute ${qualifiedName(a)} of ${qualifiedName(el)}: ${why}`);
    }
    for (const d of declared) {
      if (
        d.required &&
        !el.attributes.some((a) => a.localName === d.localName && a.namespace === d.namespace)
      ) {
        this.error(`${qualifiedName(el)} needs attribute ${d.localName}`);
      }
    }
  }

  /**
   * Matches `particle` against children from `pos`; returns the position after it, or -1. Greedy:
   * each particle takes as many children as it can, which is exact for deterministic content models.
   */
  private match(
    p: Particle,
    children: readonly XmlElement[],
    decls: (ElementDeclaration | undefined)[],
    pos: number,
  ): number {
    if (p.kind === "element") {
      const d = p.element;
      let i = pos;
      let n = 0;
      while (n < p.maxOccurs && i < children.length) {
        const c = children[i]!;
        if (c.localName !== d.localName || c.namespace !== d.namespace) break;
        decls[i] = d;
        i++;
        n++;
      }
      if (this.recording && n < p.maxOccurs) this.expect(i, d.qname);
      return n < p.minOccurs ? -1 : i;
    }
    let i = pos;
    let reps = 0;
    while (reps < p.maxOccurs) {
      let next = -1;
      if (p.kind === "sequence") {
        next = i;
        const particles = p.particles;
        for (let j = 0; j < particles.length; j++) {
          next = this.match(particles[j]!, children, decls, next);
          if (next < 0) break;
        }
      } else {
        const index = this.recording ? undefined : this.choices.get(p);
        if (index === undefined) {
          for (const q of p.particles) {
            const r = this.match(q, children, decls, i);
            if (r > i) {
              next = r;
              break;
            }
            if (r === i && next < 0) next = i;
          }
        } else {
          const c = children[i];
          const candidates = c === undefined ? undefined : index.byFirst.get(c.localName);
          if (candidates !== undefined) {
            for (let j = 0; j < candidates.length; j++) {
              const r = this.match(p.particles[candidates[j]!]!, children, decls, i);
              if (r > i) {
                next = r;
                break;
              }
            }
          }
          if (next < 0 && index.emptiable.length > 0) next = i;
        }
      }
      if (next < 0) break;
      reps++;
      if (next === i) {
        // An empty match: more repetitions would match empty too.
        if (reps < p.minOccurs) reps = p.minOccurs;
        break;
      }
      i = next;
    }
    return reps >= p.minOccurs ? i : -1;
  }

  private expect(pos: number, name: string): void {
    if (pos > this.furthest) {
      this.furthest = pos;
      this.expected = [name];
    } else if (pos === this.furthest && !this.expected.includes(name)) {
      this.expected.push(name);
    }
  }

  /** Explains why children do not fit a content model (the match is re-run, recording expectations). */
  private contentError(el: XmlElement, particle: Particle, children: readonly XmlElement[]): void {
    this.recording = true;
    this.furthest = -1;
    this.expected = [];
    const end = this.match(particle, children, new Array(children.length), 0);
    this.recording = false;
    const stuck = Math.max(end, this.furthest);
    const wanted =
      stuck === this.furthest && this.expected.length > 0
        ? this.expected.length === 1
          ? this.expected[0]!
          : `one of ${this.expected.slice(0, 15).join(", ")}${this.expected.length > 15 ? ", …" : ""}`
        : undefined;
    const found = children[stuck];
    if (found === undefined) {
      this.error(`${qualifiedName(el)} is incomplete: missing ${wanted ?? "a required element"} at the end`);
    } else {
      this.path.push(found);
      const after = stuck > 0 ? ` after ${qualifiedName(children[stuck - 1]!)}` : " as first child";
      this.error(
        `unexpected element ${qualifiedName(found)}${after} in ${qualifiedName(el)}${wanted === undefined ? "" : `; expected ${wanted}`}`,
        found,
      );
      this.path.pop();
    }
  }
}

/**
 * Adds to `out` the elements `p` can start with; returns whether `p` can match no element at all.
 */
function firstSet(p: Particle, out: Set<string>): boolean {
  if (p.kind === "element") {
    out.add(p.element.localName);
    return p.minOccurs === 0;
  }
  if (p.kind === "choice") {
    let empty = p.particles.length === 0;
    for (const q of p.particles) if (firstSet(q, out)) empty = true;
    return empty || p.minOccurs === 0;
  }
  for (const q of p.particles) if (!firstSet(q, out)) return p.minOccurs === 0;
  return true;
}

/** The attribute declarations of an element with a simple type: none. */
const NO_ATTRIBUTE_TYPE = Object.freeze({ attributes: Object.freeze([]) as readonly never[] });

function clip(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
