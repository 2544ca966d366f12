import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findReferenceRoot } from "../../src/catalogue/reference.js";

/** The project root (two levels above this file). */
export const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

/** The reference data folder; throws with a clear reason when it is missing (tests need it). */
export function reference(...parts: string[]): string {
  const root = findReferenceRoot(process.env, projectRoot);
  if (root === undefined) {
    throw new Error("reference data not found: set METERWAY_REFERENCE or place it at ../shared/reference");
  }
  return join(root, ...parts);
}
