import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Where the third-party reference data lives: `METERWAY_REFERENCE` if set, else `../shared/reference`
 * beside the project. It is read in place, never copied into the project.
 */
export function referenceRoot(env: NodeJS.ProcessEnv = process.env, projectRoot = process.cwd()): string {
  return env.METERWAY_REFERENCE ?? resolve(projectRoot, "..", "shared", "reference");
}

/** The reference root if it exists, else undefined (tests skip with a reason; `--profile rtds` refuses). */
export function findReferenceRoot(
  env: NodeJS.ProcessEnv = process.env,
  projectRoot = process.cwd(),
): string | undefined {
  const root = referenceRoot(env, projectRoot);
  return existsSync(root) ? root : undefined;
}
