import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findReferenceRoot } from "../../src/catalogue/reference.js";

/**
 * The project root: the nearest folder above this file with a package.json (two levels up in the
 * source tree, three when the benchmarks run this file compiled into dist-bench/).
 */
export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return fileURLToPath(new URL("../..", import.meta.url));
  }
}

/** The reference data folder; throws with a clear reason when it is missing (tests need it). */
export function reference(...parts: string[]): string {
  const root = findReferenceRoot(process.env, projectRoot);
  if (root === undefined) {
    throw new Error("reference data not found: set METERWAY_REFERENCE or place it at ../shared/reference");
  }
  return join(root, ...parts);
}
