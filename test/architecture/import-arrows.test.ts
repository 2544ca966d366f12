/**
 * The import arrows of docs/architecture.md, checked on the source: `gbcs`, `catalogue` and `duis`
 * (which reads the catalogue's tables) import nothing of the rest; `smki` imports `gbcs`; `sim`
 * imports `gbcs` and `smki` only, so a simulated device knows nothing of the DCC's insides; `dcc`
 * imports those and the ports (store, bus and WAN interfaces, and the WAN's region models, which are
 * data), never an adapter, the server or the command line; only `cli` (the composition root) builds
 * adapters. Every relative import in src/, static or dynamic, is read.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const SRC = resolve("src");

/** What each folder may import besides itself: a folder, or one module of another folder. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  gbcs: [],
  catalogue: [],
  config: [],
  duis: ["catalogue"],
  smki: ["gbcs"],
  sim: ["gbcs", "smki"],
  store: ["smki/distinguished-name"],
  bus: [],
  wan: ["store/types"],
  dcc: [
    "gbcs",
    "duis",
    "catalogue",
    "smki",
    "store/port",
    "store/types",
    "bus/port",
    "bus/events",
    "wan/port",
    "wan/regions",
  ],
  server: ["gbcs", "duis", "catalogue", "smki", "config", "dcc", "store/port", "store/types", "bus/port"],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative module specifiers of a file: `import … from`, `export … from`, `import(…)`. */
function imports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g)) {
    found.push(match[1]!);
  }
  return found;
}

/** `dcc/pipeline` for src/dcc/pipeline.ts (the module, without extension). */
function moduleOf(path: string): string {
  return relative(SRC, path).replace(/\.(js|ts)$/, "");
}

/** The imports that break the arrows: `from imports to` for each, given each file's text. */
function violations(files: readonly string[], read: (file: string) => string): string[] {
  const wrong: string[] = [];
  for (const file of files) {
    const from = moduleOf(file);
    const folder = from.split("/")[0]!;
    if (folder === "cli") continue; // the composition root builds everything
    const allowed = ALLOWED[folder];
    if (allowed === undefined) {
      wrong.push(`${from}: its folder has no rule here`);
      continue;
    }
    for (const specifier of imports(read(file))) {
      const target = moduleOf(resolve(dirname(file), specifier));
      const targetFolder = target.split("/")[0]!;
      if (targetFolder === folder) continue;
      if (allowed.includes(targetFolder) || allowed.includes(target)) continue;
      wrong.push(`${from} imports ${target}`);
    }
  }
  return wrong;
}

describe("import arrows", () => {
  const files = sources(SRC);

  it("finds the source and its imports", () => {
    assert.ok(files.length > 100, `only ${files.length} files under ${SRC}`);
    assert.ok(files.some((f) => imports(readFileSync(f, "utf8")).length > 0));
  });

  it("point one way, as docs/architecture.md draws them", () => {
    assert.deepEqual(
      violations(files, (file) => readFileSync(file, "utf8")),
      [],
    );
  });

  it("would catch a wrong arrow, static or dynamic, and a folder with no rule", () => {
    const made = new Map([
      [join(SRC, "sim", "made-up.ts"), `import { Pipeline } from "../dcc/pipeline.js";`],
      [join(SRC, "dcc", "made-up.ts"), `const m = await import("../store/postgres.js");`],
      [join(SRC, "newfolder", "made-up.ts"), `export const x = 1;`],
      [join(SRC, "dcc", "fine.ts"), `import type { Store } from "../store/port.js";`],
    ]);
    assert.deepEqual(
      violations([...made.keys()], (file) => made.get(file)!),
      [
        "sim/made-up imports dcc/pipeline",
        "dcc/made-up imports store/postgres",
        "newfolder/made-up: its folder has no rule here",
      ],
    );
  });
});
