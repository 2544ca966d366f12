/**
 * The DUIS 5.4 schema check for the pipeline: the reference data's XSD (`duis-schema/`, read in
 * place), compiled once into a validator. A message the schema refuses is `schemaInvalid`, with the
 * first error's path.
 */
import { join } from "node:path";
import { DuisError } from "../duis/errors.js";
import { loadSchemaValidator } from "../duis/schema/load.js";
import type { XmlDocument } from "../duis/xml/tree.js";

/** The folder of the DUIS schemas in the reference data. */
export const DUIS_SCHEMA_FOLDER = "duis-schema";

export function duisSchemaCheck(referenceRoot: string): (doc: XmlDocument) => void {
  const validator = loadSchemaValidator(join(referenceRoot, DUIS_SCHEMA_FOLDER));
  return (doc) => {
    const result = validator.validate(doc);
    if (!result.valid) {
      const first = result.errors[0]!;
      throw new DuisError("schemaInvalid", `${first.path}: ${first.message}`);
    }
  };
}
