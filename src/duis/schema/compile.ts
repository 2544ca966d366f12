/**
 * Compiles XML Schema documents (the DUIS XSD and the MMC XSD it imports) into the element and type
 * model of `model.ts`, once, at start-up. The schema files are parsed with our own `parseXml`.
 *
 * Namespaces named in `externalNamespaces` (by default XML-DSig, whose schema file carries a DTD that
 * our parser refuses on purpose) are not loaded: their elements, such as `ds:Signature`, are checked
 * for presence and position only, and their content by the signature step.
 *
 * The compiler throws `SchemaCompileError` for any XSD construct it does not model, rather than
 * validating less than the schema says.
 */
import { parseXml } from "../xml/parse.js";
import {
  attributeValue,
  childElements,
  qualifiedName,
  wellKnownNamespace,
  type XmlElement,
} from "../xml/tree.js";
import {
  type AttributeDeclaration,
  type CompiledSchema,
  type ComplexType,
  type ContentModel,
  declarationKey,
  type ElementDeclaration,
  type Particle,
  type SimpleType,
} from "./model.js";
import { builtinType, canonicalValue, normaliseWhiteSpace } from "./simple.js";

/** The XML Schema namespace. */
export const XSD_NAMESPACE = "http://www.w3.org/2001/XMLSchema";
const DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#";

export class SchemaCompileError extends Error {
  override readonly name = "SchemaCompileError";
}

export interface CompileSchemaOptions {
  /** Reads a schema document by its location (the main one's name, or a `schemaLocation`). */
  readonly read: (location: string) => string | Uint8Array;
  /** Namespaces whose schemas are not loaded (see above). Default: XML-DSig. */
  readonly externalNamespaces?: readonly string[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Scope = ReadonlyMap<string, string>;

interface SchemaDocument {
  readonly location: string;
  readonly root: XmlElement;
  readonly targetNamespace: string;
  readonly elementsQualified: boolean;
  readonly attributesQualified: boolean;
  readonly scope: Scope;
}

interface GlobalDefinition {
  readonly node: XmlElement;
  readonly doc: SchemaDocument;
}

/** Compiles the schema at `mainLocation` and everything it imports. */
export function compileSchema(mainLocation: string, options: CompileSchemaOptions): CompiledSchema {
  return new Compiler(options).compile(mainLocation);
}

class Compiler {
  private readonly external: ReadonlySet<string>;
  private readonly loaded = new Map<string, SchemaDocument>();
  private readonly globalTypes = new Map<string, GlobalDefinition>();
  private readonly globalElements = new Map<string, GlobalDefinition>();
  private readonly types = new Map<string, SimpleType | ComplexType>();
  private readonly inProgress = new Set<string>();
  private readonly elements = new Map<string, ElementDeclaration>();
  private readonly prefixes = new Map<string, string>();

  constructor(private readonly options: CompileSchemaOptions) {
    this.external = new Set(options.externalNamespaces ?? [DSIG_NAMESPACE]);
  }

  compile(mainLocation: string): CompiledSchema {
    this.load(mainLocation);
    for (const key of this.globalElements.keys()) {
      const def = this.globalElements.get(key)!;
      this.globalElement(def.doc.targetNamespace, attributeValue(def.node, "name")!);
    }
    return { elements: this.elements, prefixes: this.prefixes };
  }

  private load(location: string): void {
    if (this.loaded.has(location)) return;
    const doc = parseXml(this.options.read(location), { maxBytes: 16 * 1024 * 1024, maxElements: 2_000_000 });
    const root = doc.root;
    if (root.namespace !== XSD_NAMESPACE || root.localName !== "schema") {
      throw new SchemaCompileError(`${location}: not an XML Schema (root is ${qualifiedName(root)})`);
    }
    const scope = new Map<string, string>();
    for (const d of root.namespaceDeclarations) {
      scope.set(d.prefix, d.uri);
      if (d.prefix !== "" && !this.prefixes.has(d.uri)) this.prefixes.set(d.uri, d.prefix);
    }
    const sd: SchemaDocument = {
      location,
      root,
      targetNamespace: wellKnownNamespace(attributeValue(root, "targetNamespace") ?? ""),
      elementsQualified: attributeValue(root, "elementFormDefault") === "qualified",
      attributesQualified: attributeValue(root, "attributeFormDefault") === "qualified",
      scope,
    };
    this.loaded.set(location, sd);
    for (const child of childElements(root)) {
      if (child.namespace !== XSD_NAMESPACE) continue;
      const name = attributeValue(child, "name");
      switch (child.localName) {
        case "annotation":
          break;
        case "import":
        case "include": {
          const ns = attributeValue(child, "namespace") ?? sd.targetNamespace;
          const at = attributeValue(child, "schemaLocation");
          if (this.external.has(ns)) break;
          if (at === undefined)
            throw new SchemaCompileError(`${location}: xs:${child.localName} of ${ns} has no schemaLocation`);
          this.load(at);
          break;
        }
        case "element":
          this.globalElements.set(declarationKey(sd.targetNamespace, this.required(name, child, sd)), {
            node: child,
            doc: sd,
          });
          break;
        case "complexType":
        case "simpleType":
          this.globalTypes.set(declarationKey(sd.targetNamespace, this.required(name, child, sd)), {
            node: child,
            doc: sd,
          });
          break;
        default:
          throw new SchemaCompileError(`${location}: top-level xs:${child.localName} is not supported`);
      }
    }
  }

  private required(value: string | undefined, node: XmlElement, doc: SchemaDocument): string {
    if (value === undefined || value === "") {
      throw new SchemaCompileError(`${doc.location}: xs:${node.localName} without a name`);
    }
    return value;
  }

  /** `prefix:local` → namespace and local name, in the scope of a schema node. */
  private resolve(
    qname: string,
    scope: Scope,
    doc: SchemaDocument,
  ): { namespace: string; localName: string } {
    const colon = qname.indexOf(":");
    const prefix = colon < 0 ? "" : qname.slice(0, colon);
    const localName = colon < 0 ? qname : qname.slice(colon + 1);
    const declared = scope.get(prefix) ?? (prefix === "" ? "" : undefined);
    const namespace = declared === undefined ? undefined : wellKnownNamespace(declared);
    if (namespace === undefined)
      throw new SchemaCompileError(`${doc.location}: prefix '${prefix}' of '${qname}' is not declared`);
    return { namespace, localName };
  }

  private scopeOf(node: XmlElement, scope: Scope): Scope {
    if (node.namespaceDeclarations.length === 0) return scope;
    const s = new Map(scope);
    for (const d of node.namespaceDeclarations) s.set(d.prefix, d.uri);
    return s;
  }

  private displayName(namespace: string, localName: string): string {
    const p = this.prefixes.get(namespace);
    return p === undefined ? localName : `${p}:${localName}`;
  }

  /** A named type (built-in or global). */
  private namedType(namespace: string, localName: string, doc: SchemaDocument): SimpleType | ComplexType {
    if (namespace === XSD_NAMESPACE) {
      const b = builtinType(localName);
      if (b === undefined)
        throw new SchemaCompileError(`${doc.location}: built-in type xs:${localName} is not supported`);
      return b;
    }
    const key = declarationKey(namespace, localName);
    const done = this.types.get(key);
    if (done !== undefined) return done;
    const def = this.globalTypes.get(key);
    if (def === undefined)
      throw new SchemaCompileError(`${doc.location}: type {${namespace}}${localName} is not defined`);
    const name = this.displayName(namespace, localName);
    if (def.node.localName === "simpleType") {
      if (this.inProgress.has(key))
        throw new SchemaCompileError(`${def.doc.location}: simple type ${name} derives from itself`);
      this.inProgress.add(key);
      const t = this.simpleType(def.node, this.scopeOf(def.node, def.doc.scope), def.doc, name);
      this.inProgress.delete(key);
      this.types.set(key, t);
      return t;
    }
    return this.complexType(def.node, this.scopeOf(def.node, def.doc.scope), def.doc, name, key);
  }

  private simpleType(node: XmlElement, scope: Scope, doc: SchemaDocument, name: string): SimpleType {
    const parts = childElements(node).filter((c) => c.localName !== "annotation");
    const restriction = parts[0];
    if (parts.length !== 1 || restriction === undefined || restriction.localName !== "restriction") {
      throw new SchemaCompileError(`${doc.location}: simple type ${name}: only xs:restriction is supported`);
    }
    const rscope = this.scopeOf(restriction, scope);
    const baseName = attributeValue(restriction, "base");
    let base: SimpleType;
    if (baseName !== undefined) {
      const { namespace, localName } = this.resolve(baseName, rscope, doc);
      const t = this.namedType(namespace, localName, doc);
      if (t.kind !== "simple")
        throw new SchemaCompileError(`${doc.location}: simple type ${name} restricts complex ${baseName}`);
      base = t;
    } else {
      const inline = childElements(restriction).find((c) => c.localName === "simpleType");
      if (inline === undefined)
        throw new SchemaCompileError(`${doc.location}: restriction in ${name} has no base`);
      base = this.simpleType(inline, this.scopeOf(inline, rscope), doc, name);
    }
    return this.applyFacets(base, restriction, doc, name);
  }

  /** A restriction step: the base's facets narrowed by those written in `restriction`. */
  private applyFacets(
    base: SimpleType,
    restriction: XmlElement,
    doc: SchemaDocument,
    name: string,
  ): SimpleType {
    const t: Mutable<SimpleType> = { ...base, name };
    const enumeration: string[] = [];
    const patterns: string[] = [];
    for (const f of childElements(restriction)) {
      if (f.namespace !== XSD_NAMESPACE) continue;
      const value = attributeValue(f, "value");
      const need = (): string => {
        if (value === undefined)
          throw new SchemaCompileError(`${doc.location}: xs:${f.localName} in ${name} has no value`);
        return value;
      };
      const int = (): number => {
        const v = Number(need());
        if (!Number.isInteger(v) || v < 0)
          throw new SchemaCompileError(`${doc.location}: bad xs:${f.localName} in ${name}`);
        return v;
      };
      switch (f.localName) {
        case "annotation":
        case "simpleType":
        case "attribute":
          break;
        case "enumeration":
          enumeration.push(canonicalValue(t.primitive, normaliseWhiteSpace(need(), t.whiteSpace)));
          break;
        case "pattern":
          patterns.push(need());
          break;
        case "length":
          t.length = int();
          break;
        case "minLength":
          t.minLength = int();
          break;
        case "maxLength":
          t.maxLength = int();
          break;
        case "totalDigits":
          t.totalDigits = int();
          break;
        case "fractionDigits":
          t.fractionDigits = int();
          break;
        case "minInclusive":
        case "maxInclusive":
        case "minExclusive":
        case "maxExclusive":
          if (t.primitive !== "integer" && t.primitive !== "decimal") {
            throw new SchemaCompileError(
              `${doc.location}: xs:${f.localName} on ${t.primitive} in ${name} is not supported`,
            );
          }
          t[f.localName] = canonicalValue(t.primitive, normaliseWhiteSpace(need(), "collapse"));
          break;
        case "whiteSpace": {
          const ws = need();
          if (ws !== "preserve" && ws !== "replace" && ws !== "collapse") {
            throw new SchemaCompileError(`${doc.location}: bad xs:whiteSpace in ${name}`);
          }
          t.whiteSpace = ws;
          break;
        }
        default:
          throw new SchemaCompileError(
            `${doc.location}: facet xs:${f.localName} in ${name} is not supported`,
          );
      }
    }
    if (enumeration.length > 0) t.enumeration = new Set(enumeration);
    if (patterns.length > 0) {
      t.patterns = [...base.patterns, patterns.map((p) => xsdPattern(p, doc, name))];
      t.patternSources = [...base.patternSources, patterns];
    }
    return t;
  }

  private complexType(
    node: XmlElement,
    scope: Scope,
    doc: SchemaDocument,
    name: string,
    key: string | undefined,
  ): ComplexType {
    const t: Mutable<ComplexType> = { kind: "complex", name, attributes: [], content: { kind: "empty" } };
    if (key !== undefined) {
      if (this.inProgress.has(key))
        throw new SchemaCompileError(`${doc.location}: type ${name} derives from itself`);
      this.types.set(key, t);
      this.inProgress.add(key);
    }
    const mixed = attributeValue(node, "mixed") === "true";
    const attributes: AttributeDeclaration[] = [];
    let content: ContentModel = { kind: "empty" };
    for (const c of childElements(node)) {
      if (c.namespace !== XSD_NAMESPACE) continue;
      const cscope = this.scopeOf(c, scope);
      switch (c.localName) {
        case "annotation":
          break;
        case "sequence":
        case "choice":
          content = { kind: "elements", particle: this.group(c, cscope, doc, name), mixed };
          break;
        case "attribute":
          attributes.push(this.attribute(c, cscope, doc, name));
          break;
        case "simpleContent":
        case "complexContent": {
          const derived = this.derivation(
            c,
            cscope,
            doc,
            name,
            mixed || attributeValue(c, "mixed") === "true",
          );
          content = derived.content;
          attributes.push(...derived.attributes);
          break;
        }
        default:
          throw new SchemaCompileError(
            `${doc.location}: xs:${c.localName} in complex type ${name} is not supported`,
          );
      }
    }
    if (content.kind === "empty" && mixed) {
      content = {
        kind: "elements",
        particle: { kind: "sequence", particles: [], minOccurs: 1, maxOccurs: 1 },
        mixed,
      };
    }
    t.content = content;
    t.attributes = attributes;
    if (key !== undefined) this.inProgress.delete(key);
    return t;
  }

  private derivation(
    node: XmlElement,
    scope: Scope,
    doc: SchemaDocument,
    name: string,
    mixed: boolean,
  ): { content: ContentModel; attributes: AttributeDeclaration[] } {
    const parts = childElements(node).filter((c) => c.localName !== "annotation");
    const step = parts[0];
    if (
      parts.length !== 1 ||
      step === undefined ||
      (step.localName !== "extension" && step.localName !== "restriction")
    ) {
      throw new SchemaCompileError(
        `${doc.location}: xs:${node.localName} in ${name} needs one extension or restriction`,
      );
    }
    const sscope = this.scopeOf(step, scope);
    const baseName = attributeValue(step, "base");
    if (baseName === undefined)
      throw new SchemaCompileError(`${doc.location}: derivation in ${name} has no base`);
    const { namespace, localName } = this.resolve(baseName, sscope, doc);
    const base = this.namedType(namespace, localName, doc);
    const own: AttributeDeclaration[] = [];
    let particle: Particle | undefined;
    for (const c of childElements(step)) {
      if (c.namespace !== XSD_NAMESPACE) continue;
      const cscope = this.scopeOf(c, sscope);
      if (c.localName === "attribute") own.push(this.attribute(c, cscope, doc, name));
      else if (c.localName === "sequence" || c.localName === "choice")
        particle = this.group(c, cscope, doc, name);
    }
    const inherited = base.kind === "complex" ? base.attributes : [];
    const attributes = [...inherited.filter((a) => !own.some((o) => o.localName === a.localName)), ...own];

    if (node.localName === "simpleContent") {
      if (particle !== undefined)
        throw new SchemaCompileError(`${doc.location}: simple content of ${name} has elements`);
      let simple: SimpleType;
      if (base.kind === "simple") simple = base;
      else if (base.content.kind === "simple") simple = base.content.type;
      else
        throw new SchemaCompileError(
          `${doc.location}: simple content of ${name} derives from ${baseName}, which has none`,
        );
      if (step.localName === "restriction") simple = this.applyFacets(simple, step, doc, `${name} (content)`);
      return { content: { kind: "simple", type: simple }, attributes };
    }

    if (base.kind !== "complex")
      throw new SchemaCompileError(`${doc.location}: complex content of ${name} from simple ${baseName}`);
    if (step.localName === "restriction") {
      return {
        content: particle === undefined ? { kind: "empty" } : { kind: "elements", particle, mixed },
        attributes,
      };
    }
    // Extension: the base's content model followed by the extension's.
    const baseParticle = base.content.kind === "elements" ? base.content.particle : undefined;
    if (base.content.kind === "simple")
      throw new SchemaCompileError(`${doc.location}: ${name} extends simple content with elements`);
    let combined: Particle | undefined;
    if (baseParticle === undefined) combined = particle;
    else if (particle === undefined) combined = baseParticle;
    else combined = { kind: "sequence", particles: [baseParticle, particle], minOccurs: 1, maxOccurs: 1 };
    const isMixed = mixed || (base.content.kind === "elements" && base.content.mixed);
    return {
      content:
        combined === undefined ? { kind: "empty" } : { kind: "elements", particle: combined, mixed: isMixed },
      attributes,
    };
  }

  private occurs(node: XmlElement, doc: SchemaDocument): { minOccurs: number; maxOccurs: number } {
    const min = attributeValue(node, "minOccurs");
    const max = attributeValue(node, "maxOccurs");
    const minOccurs = min === undefined ? 1 : Number(min);
    const maxOccurs = max === undefined ? 1 : max === "unbounded" ? Number.POSITIVE_INFINITY : Number(max);
    if (!Number.isInteger(minOccurs) || minOccurs < 0 || !(maxOccurs >= minOccurs)) {
      throw new SchemaCompileError(`${doc.location}: bad minOccurs/maxOccurs on xs:${node.localName}`);
    }
    return { minOccurs, maxOccurs };
  }

  private group(node: XmlElement, scope: Scope, doc: SchemaDocument, owner: string): Particle {
    const particles: Particle[] = [];
    for (const c of childElements(node)) {
      if (c.namespace !== XSD_NAMESPACE) continue;
      const cscope = this.scopeOf(c, scope);
      switch (c.localName) {
        case "annotation":
          break;
        case "element":
          particles.push({
            kind: "element",
            element: this.localElement(c, cscope, doc, owner),
            ...this.occurs(c, doc),
          });
          break;
        case "sequence":
        case "choice":
          particles.push(this.group(c, cscope, doc, owner));
          break;
        default:
          throw new SchemaCompileError(`${doc.location}: xs:${c.localName} in ${owner} is not supported`);
      }
    }
    return {
      kind: node.localName === "choice" ? "choice" : "sequence",
      particles,
      ...this.occurs(node, doc),
    };
  }

  private localElement(
    node: XmlElement,
    scope: Scope,
    doc: SchemaDocument,
    owner: string,
  ): ElementDeclaration {
    const ref = attributeValue(node, "ref");
    if (ref !== undefined) {
      const { namespace, localName } = this.resolve(ref, scope, doc);
      return this.globalElement(namespace, localName);
    }
    const localName = this.required(attributeValue(node, "name"), node, doc);
    const form = attributeValue(node, "form");
    const qualified = form === undefined ? doc.elementsQualified : form === "qualified";
    const namespace = qualified ? doc.targetNamespace : "";
    const decl: Mutable<ElementDeclaration> = {
      namespace,
      localName,
      qname: this.displayName(namespace, localName),
      type: undefined,
    };
    decl.type = this.elementType(node, scope, doc, `${owner}/${decl.qname}`);
    return decl;
  }

  private globalElement(namespace: string, localName: string): ElementDeclaration {
    const key = declarationKey(namespace, localName);
    const done = this.elements.get(key);
    if (done !== undefined) return done;
    const decl: Mutable<ElementDeclaration> = {
      namespace,
      localName,
      qname: this.displayName(namespace, localName),
      type: undefined,
    };
    this.elements.set(key, decl);
    if (this.external.has(namespace)) return decl; // checked elsewhere (the signature step)
    const def = this.globalElements.get(key);
    if (def === undefined) throw new SchemaCompileError(`element {${namespace}}${localName} is not declared`);
    decl.type = this.elementType(def.node, this.scopeOf(def.node, def.doc.scope), def.doc, decl.qname);
    return decl;
  }

  private elementType(
    node: XmlElement,
    scope: Scope,
    doc: SchemaDocument,
    name: string,
  ): SimpleType | ComplexType {
    const typeName = attributeValue(node, "type");
    if (typeName !== undefined) {
      const { namespace, localName } = this.resolve(typeName, scope, doc);
      return this.namedType(namespace, localName, doc);
    }
    for (const c of childElements(node)) {
      if (c.namespace !== XSD_NAMESPACE) continue;
      if (c.localName === "complexType")
        return this.complexType(c, this.scopeOf(c, scope), doc, `type of ${name}`, undefined);
      if (c.localName === "simpleType")
        return this.simpleType(c, this.scopeOf(c, scope), doc, `type of ${name}`);
    }
    throw new SchemaCompileError(
      `${doc.location}: element ${name} has no type (xs:anyType is not supported)`,
    );
  }

  private attribute(
    node: XmlElement,
    scope: Scope,
    doc: SchemaDocument,
    owner: string,
  ): AttributeDeclaration {
    if (attributeValue(node, "ref") !== undefined) {
      throw new SchemaCompileError(`${doc.location}: attribute references in ${owner} are not supported`);
    }
    const localName = this.required(attributeValue(node, "name"), node, doc);
    const form = attributeValue(node, "form");
    const qualified = form === undefined ? doc.attributesQualified : form === "qualified";
    const typeName = attributeValue(node, "type");
    let type: SimpleType | undefined;
    if (typeName !== undefined) {
      const { namespace, localName: tl } = this.resolve(typeName, scope, doc);
      const t = this.namedType(namespace, tl, doc);
      if (t.kind !== "simple")
        throw new SchemaCompileError(`${doc.location}: attribute ${localName} has complex type`);
      type = t;
    } else {
      const inline = childElements(node).find((c) => c.localName === "simpleType");
      type =
        inline === undefined
          ? builtinType("anySimpleType")!
          : this.simpleType(inline, this.scopeOf(inline, scope), doc, `type of @${localName} in ${owner}`);
    }
    return {
      namespace: qualified ? doc.targetNamespace : "",
      localName,
      type,
      required: attributeValue(node, "use") === "required",
    };
  }
}

/**
 * An XSD pattern as an anchored JavaScript regular expression: XSD patterns match the whole value.
 * The XSD-only escapes `\i \c \I \C` (XML name characters) are refused rather than mistranslated;
 * the DUIS patterns use plain character classes, repetitions and alternations only.
 */
function xsdPattern(source: string, doc: SchemaDocument, owner: string): RegExp {
  if (/\\[icIC]/.test(source)) {
    throw new SchemaCompileError(
      `${doc.location}: pattern '${source}' in ${owner} uses \\i or \\c, not supported`,
    );
  }
  try {
    return new RegExp(`^(?:${source})$`, "u");
  } catch {
    try {
      return new RegExp(`^(?:${source})$`);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new SchemaCompileError(`${doc.location}: pattern '${source}' in ${owner}: ${why}`);
    }
  }
}
