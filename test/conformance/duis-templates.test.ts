/**
 * Every RTDS 4.9.1 DUIS request template (297) reads into the typed model and builds back to XML equal
 * in content: the same elements, attributes and text, leaving out the placeholder signature and
 * whitespace between elements, and valid against the DUIS 5.4 schema. One generated test per file.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isSrv, srvEntry } from "../../src/catalogue/index.js";
import { buildRequest, type DuisRequest, parseRequest, toXmlText } from "../../src/duis/model/index.js";
import { loadSchemaValidator } from "../../src/duis/schema/load.js";
import { exclusiveC14n } from "../../src/duis/xml/c14n.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { isXmlWhitespace, stripInterElementWhitespace, type XmlElement } from "../../src/duis/xml/tree.js";
import { reference } from "../support/reference.js";

const DS = "http://www.w3.org/2000/09/xmldsig#";
const dir = reference("rtds-4.9.1-duis");
const schema = loadSchemaValidator(reference("duis-schema"));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".XML"))
  .sort();

/** The content of a request: no ds:Signature, no whitespace between elements, exclusive c14n. */
function content(root: XmlElement): string {
  const unsigned = {
    ...root,
    children: root.children.filter((c) => !(c.kind === "element" && c.namespace === DS)),
  };
  return exclusiveC14n(stripInterElementWhitespace(unsigned));
}

function unsigned(r: DuisRequest): DuisRequest {
  const { signature: _, ...rest } = r;
  return rest;
}

function hasWhitespaceText(el: XmlElement): boolean {
  return el.children.some((c) =>
    c.kind === "text" ? isXmlWhitespace(c.text) && el.children.length > 1 : hasWhitespaceText(c),
  );
}

describe("conformance: RTDS 4.9.1 DUIS templates parse and build back", () => {
  it("has the 297 templates", () => {
    assert.equal(files.length, 297);
  });

  for (const file of files) {
    it(file, () => {
      const original = parseXml(readFileSync(`${dir}/${file}`)).root;
      const request = parseRequest(original);
      assert.ok(isSrv(request.header.serviceReferenceVariant));
      assert.ok(request.signature, "the template's placeholder signature is kept");
      const expectedBody = request.body.kind === "generic" ? request.body.element.name : request.body.kind;
      assert.equal(expectedBody, srvEntry(request.header.serviceReferenceVariant).body);

      const built = buildRequest(unsigned(request));
      assert.equal(hasWhitespaceText(built), false, "built XML is whitespace-free");
      assert.equal(content(built), content(original));

      const text = toXmlText(built);
      assert.deepEqual(schema.validate(parseXml(text)), { valid: true });
      const again = parseRequest(parseXml(text).root);
      assert.deepEqual(again, unsigned(request));
    });
  }
});
