/**
 * Loading the DUIS schema from a folder of XSD files (the reference data's `duis-schema/`, passed in
 * by the composition root; the schema is read at run time, never copied into the project).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileSchema } from "./compile.js";
import { SchemaValidator } from "./validate.js";

/** The DUIS schema version meterway speaks, and its file name in the schema folder. */
export const DUIS_SCHEMA_FILE = "DUIS_Schema_V5.4.xsd";

/** Compiles `file` (and the schemas it imports, found beside it) from `folder` into a validator. */
export function loadSchemaValidator(folder: string, file: string = DUIS_SCHEMA_FILE): SchemaValidator {
  return new SchemaValidator(
    compileSchema(file, { read: (location) => readFileSync(join(folder, location)) }),
  );
}
