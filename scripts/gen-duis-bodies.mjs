#!/usr/bin/env node
// Writes src/duis/model/bodies.ts: the typed request bodies of all 129 SRVs, generated from the
// DUIS 5.4 XSD (compiled by the project's own schema compiler, from ../shared/reference or
// METERWAY_REFERENCE). For each complex type the request bodies use, a TypeScript interface and a
// shape (which children repeat, which are leaves of which value space), so that
// `src/duis/model/typed-body.ts` reads a body element into the typed object. The output is our own
// format; the schema is not copied.
//
// Usage: node --import tsx scripts/gen-duis-bodies.mjs && npx biome check --write src/duis/model/bodies.ts
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { referenceRoot } from "../src/catalogue/reference.ts";
import { srvs } from "../src/catalogue/srvs.ts";
import { compileSchema } from "../src/duis/schema/compile.ts";
import { declarationKey } from "../src/duis/schema/model.ts";

const SR = "http://www.dccinterface.co.uk/ServiceUserGateway";
const folder = join(referenceRoot(), "duis-schema");
const schema = compileSchema("DUIS_Schema_V5.4.xsd", { read: (l) => readFileSync(join(folder, l)) });
const request = schema.elements.get(declarationKey(SR, "Request"));

/** The element declaration of a child named `name` in a particle tree (first found). */
function findElement(particle, name) {
  if (particle.kind === "element") return particle.element.localName === name ? particle.element : undefined;
  for (const p of particle.particles) {
    const e = findElement(p, name);
    if (e) return e;
  }
  return undefined;
}

const requestType = request.type;
const bodyDecl = findElement(requestType.content.particle, "Body");
const bodyParticle = bodyDecl.type.content.particle;

/** TypeScript-safe name of a schema type. */
function typeName(t, fallback) {
  const raw = t.name.startsWith("anonymous") ? fallback : t.name.replace(/^sr:/, "");
  return raw.replace(/[^A-Za-z0-9_]/g, "_");
}

const interfaces = new Map(); // name -> source
const shapes = new Map(); // name -> { child: [repeat, kind] }

/** The value space of a leaf: number for integers and decimals, boolean, else string. */
function leafKind(simple) {
  switch (simple.primitive) {
    case "integer": {
      // A number where the schema bounds it within 2^53; a wider integer stays as written.
      const lo = simple.minInclusive ?? simple.minExclusive;
      const hi = simple.maxInclusive ?? simple.maxExclusive;
      const safe = (v) => v !== undefined && Math.abs(Number(v)) <= Number.MAX_SAFE_INTEGER;
      return safe(lo) && safe(hi) ? "number" : "string";
    }
    case "decimal":
    case "float":
      return "number";
    case "boolean":
      return "boolean";
    default:
      return "string";
  }
}

/**
 * Collects the element children of a particle with whether each may repeat and whether it is
 * optional (in a choice, under minOccurs 0, or itself minOccurs 0).
 */
function children(particle, optional, repeat, out) {
  if (particle.kind === "element") {
    const prev = out.get(particle.element.localName);
    const rep = repeat || particle.maxOccurs > 1 || prev !== undefined;
    out.set(particle.element.localName, {
      element: particle.element,
      optional: optional || particle.minOccurs === 0,
      repeat: rep,
    });
    return;
  }
  const opt = optional || particle.minOccurs === 0;
  const rep = repeat || particle.maxOccurs > 1;
  for (const p of particle.particles) children(p, opt || particle.kind === "choice", rep, out);
}

/** The TS type of an element's content, defining interfaces as it goes. */
function tsType(decl, hint) {
  const t = decl.type;
  if (t === undefined) return "unknown";
  if (t.kind === "simple") return leafKind(t);
  if (t.content.kind === "simple" && t.attributes.length === 0) return leafKind(t.content.type);
  const name = typeName(t, hint);
  if (interfaces.has(name)) return name;
  interfaces.set(name, ""); // reserve (recursion)
  const fields = [];
  const shape = {};
  for (const a of t.attributes) {
    fields.push(`  readonly "@${a.localName}"${a.required ? "" : "?"}: ${leafKind(a.type)};`);
    shape[`@${a.localName}`] = [false, leafKind(a.type)];
  }
  if (t.content.kind === "simple") {
    // Text with attributes (e.g. an indexed price): the text is `value`.
    fields.push(`  readonly value: ${leafKind(t.content.type)};`);
    shape["#value"] = [false, leafKind(t.content.type)];
  }
  if (t.content.kind === "elements") {
    const out = new Map();
    children(t.content.particle, false, false, out);
    for (const [child, info] of out) {
      const inner = tsType(info.element, `${name}_${child}`);
      const leaf = ["number", "boolean", "string", "unknown"].includes(inner) ? inner : `@${inner}`;
      shape[child] = [info.repeat, leaf];
      const type = info.repeat ? `readonly ${inner}[]` : inner;
      fields.push(`  readonly ${child}${info.optional || info.repeat ? "?" : ""}: ${type};`);
    }
  }
  interfaces.set(
    name,
    fields.length === 0
      ? `/** ${t.name}: no content */\nexport type ${name} = Readonly<Record<string, never>>;`
      : `/** ${t.name} */\nexport interface ${name} {\n${fields.join("\n")}\n}`,
  );
  shapes.set(name, shape);
  return name;
}

const bodies = [];
for (const s of srvs) {
  const decl = findElement(bodyParticle, s.body);
  if (!decl) throw new Error(`no Body/${s.body} in the schema`);
  const type = tsType(decl, s.body);
  bodies.push([s.body, type]);
}
const uniqueBodies = [...new Map(bodies).entries()];

const src = [
  "// Generated by scripts/gen-duis-bodies.mjs from the DUIS 5.4 XSD (the request Body's elements).",
  "// Do not edit by hand; regenerate: node --import tsx scripts/gen-duis-bodies.mjs && npx biome check --write src/duis/model/bodies.ts",
  "",
  "/* Each interface is a schema complex type: leaves are numbers (xs:integer, xs:decimal and their",
  "   restrictions), booleans or strings (the rest, as written); repeating children are arrays;",
  "   attributes are `@name`. */",
  "",
  ...[...interfaces.values()],
  "",
  "/** The typed body of each request body element. */",
  "export interface RequestBodies {",
  ...uniqueBodies.map(([body, type]) => `  readonly ${body}: ${type};`),
  "}",
  "",
  "/** Each body element's type name (the key of its shape). */",
  "export const BODY_TYPES: Readonly<Record<keyof RequestBodies, string>> = {",
  ...uniqueBodies.map(([body, type]) => `  ${body}: "${type}",`),
  "};",
  "",
  "/** How a child is read: [repeats, leaf value space or `@Type` for a complex child]. */",
  "export type ChildShape = readonly [repeat: boolean, kind: string];",
  "",
  "/** Each complex type's children and attributes. */",
  "export const BODY_SHAPES: Readonly<Record<string, Readonly<Record<string, ChildShape>>>> = {",
  ...[...shapes.entries()].map(
    ([name, shape]) =>
      `  ${name}: {${Object.entries(shape)
        .map(([k, [r, kind]]) => `${JSON.stringify(k)}: [${r}, ${JSON.stringify(kind)}]`)
        .join(", ")}},`,
  ),
  "};",
  "",
].join("\n");
writeFileSync(new URL("../src/duis/model/bodies.ts", import.meta.url), src);
console.log(`src/duis/model/bodies.ts: ${uniqueBodies.length} bodies, ${interfaces.size} types`);
