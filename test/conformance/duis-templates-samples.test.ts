/**
 * The other published DUIS messages (duis-samples: DCC Boxed's signed responses, the signing tools'
 * requests and their negative cases) read into the model and build back equal in content, and valid
 * against the schema of their version where that is 5.4; the negative cases fail with the registered
 * error. One generated test per file.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { DuisError } from "../../src/duis/errors.js";
import {
  buildRequest,
  buildResponse,
  readRequest,
  readResponse,
  toXmlText,
} from "../../src/duis/model/index.js";
import { loadSchemaValidator } from "../../src/duis/schema/load.js";
import { exclusiveC14n } from "../../src/duis/xml/c14n.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { stripInterElementWhitespace, type XmlElement } from "../../src/duis/xml/tree.js";
import { reference } from "../support/reference.js";

const DS = "http://www.w3.org/2000/09/xmldsig#";
const root = reference("duis-samples");
const schema = loadSchemaValidator(reference("duis-schema"));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : /\.xml$/i.test(n) ? [p] : [];
  });
}

/** Negative cases and the registry key they must fail with. */
const refused: Record<string, string> = {
  "duis-sign-wrap/8.2_READ_INVENTORY_REQUEST_DUIS-invalid.XML": "schemaInvalid",
  "signing-tool/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS-invalid.XML": "schemaInvalid",
  "signing-tool/readfw-response-invalid.xml": "schemaInvalid",
  "signing-tool/duis-xxe.xml": "xmlForbidden",
};

/** Unsigned content without whitespace between elements; EUIs upper-case (the model normalises them). */
function content(el: XmlElement): string {
  const c14n = exclusiveC14n(
    stripInterElementWhitespace({
      ...el,
      children: el.children.filter((c) => !(c.kind === "element" && c.namespace === DS)),
    }),
  );
  return c14n.replace(/[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){7}/g, (eui) => eui.toUpperCase());
}

const files = walk(root)
  .map((p) => relative(root, p))
  .sort();

describe("conformance: duis-samples parse and build back", () => {
  for (const file of files) {
    it(file, () => {
      const bytes = readFileSync(join(root, file));
      const isResponse = bytes.includes("<sr:Response");
      const expected = refused[file];
      if (expected !== undefined) {
        assert.throws(
          () => (isResponse ? readResponse(bytes) : readRequest(bytes)),
          (e: unknown) => e instanceof DuisError && e.key === expected,
        );
        return;
      }
      const original = parseXml(bytes).root;
      let built: XmlElement;
      let version: string;
      if (isResponse) {
        const { signature: _, ...r } = readResponse(bytes);
        built = buildResponse(r);
        version = r.schemaVersion;
        assert.deepEqual(readResponse(toXmlText(built)), r);
      } else {
        const { signature: _, ...r } = readRequest(bytes);
        built = buildRequest(r);
        version = r.schemaVersion;
        assert.deepEqual(readRequest(toXmlText(built)), r);
      }
      assert.equal(content(built), content(original));
      if (version === "5.4") assert.deepEqual(schema.validate(parseXml(toXmlText(built))), { valid: true });
    });
  }
});
