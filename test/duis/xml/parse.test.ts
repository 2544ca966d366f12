import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { XmlError, type XmlErrorCode } from "../../../src/duis/xml/errors.js";
import { parseXml } from "../../../src/duis/xml/parse.js";
import {
  attributeValue,
  childElement,
  childElements,
  childElementsNamed,
  stripInterElementWhitespace,
  textContent,
} from "../../../src/duis/xml/tree.js";
import { reference } from "../../support/reference.js";

const SR = "http://www.dccinterface.co.uk/ServiceUserGateway";

function refuses(input: string | Uint8Array, code: XmlErrorCode, limits = {}): XmlError {
  let caught: unknown;
  try {
    parseXml(input, limits);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof XmlError, `expected XmlError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

describe("parseXml", () => {
  it("builds a namespace-aware tree with attributes, declarations and text", () => {
    const doc = parseXml(
      `<?xml version="1.0" encoding="UTF-8"?>
<sr:Request xmlns:sr="${SR}" xmlns:x="urn:x" schemaVersion="5.4" x:a="1">
  <sr:Header><sr:RequestID>a:b:1</sr:RequestID></sr:Header>
  <Body xmlns="${SR}"><!-- note --><Item>one &amp; <![CDATA[<two>]]></Item><Item/></Body>
</sr:Request>`,
    );
    const root = doc.root;
    assert.equal(root.localName, "Request");
    assert.equal(root.namespace, SR);
    assert.equal(root.prefix, "sr");
    assert.deepEqual(root.namespaceDeclarations, [
      { prefix: "sr", uri: SR },
      { prefix: "x", uri: "urn:x" },
    ]);
    assert.deepEqual(root.attributes, [
      { namespace: "", localName: "schemaVersion", prefix: "", value: "5.4" },
      { namespace: "urn:x", localName: "a", prefix: "x", value: "1" },
    ]);
    assert.equal(attributeValue(root, "schemaVersion"), "5.4");
    assert.equal(attributeValue(root, "a", "urn:x"), "1");
    assert.equal(textContent(childElement(childElement(root, "Header")!, "RequestID", SR)!), "a:b:1");
    const body = childElement(root, "Body")!;
    assert.equal(body.namespace, SR, "default namespace applies");
    assert.equal(body.prefix, "");
    const items = childElementsNamed(body, "Item");
    assert.equal(items.length, 2);
    assert.equal(items[0]!.children.length, 1, "text, reference and CDATA merge; the comment is dropped");
    assert.equal(textContent(items[0]!), "one & <two>");
    // Positions are where the start tag ends (its '>'), 1-based.
    assert.deepEqual(doc.positions.get(body), { line: 4, column: `  <Body xmlns="${SR}">`.length });
    assert.equal(childElements(stripInterElementWhitespace(root)).length, 2);
    assert.equal(stripInterElementWhitespace(root).children.length, 2, "whitespace between elements removed");
  });

  it("reads bytes as UTF-8 and drops a byte-order mark", () => {
    const doc = parseXml(Buffer.from(`\uFEFF<a>£</a>`, "utf8"));
    assert.equal(textContent(doc.root), "£");
  });

  it("refuses the XXE sample's DOCTYPE before any entity is seen", () => {
    const e = refuses(
      readFileSync(reference("duis-samples", "signing-tool", "duis-xxe.xml")),
      "doctype-forbidden",
    );
    assert.equal(e.line, 2);
  });

  it("refuses billion laughs, internal subsets and bare DOCTYPEs alike", () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
    refuses(laughs, "doctype-forbidden");
    refuses(`<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>`, "doctype-forbidden");
    refuses(`<!DOCTYPE a><a/>`, "doctype-forbidden");
    // Wherever the prolog puts it: after the declaration, comments and whitespace.
    const late = refuses(
      `<?xml version="1.0"?>\n<!-- x -->\n  <!DOCTYPE a [<!ENTITY e "e">]><a>&e;</a>`,
      "doctype-forbidden",
    );
    assert.deepEqual([late.line, late.column], [3, 3]);
    // Anywhere else a DOCTYPE is not well-formed at all, and a comment that mentions one is only a comment.
    refuses(`<a/><!DOCTYPE a>`, "malformed");
    refuses(`<a><!DOCTYPE a></a>`, "malformed");
    assert.equal(parseXml(`<!-- <!DOCTYPE a> --><a/>`).root.localName, "a");
  });

  it("treats undefined entities as malformed, with line and column", () => {
    const e = refuses(`<a>\n  &xxe;</a>`, "malformed");
    assert.equal(e.line, 2);
    assert.ok(e.column > 0);
    assert.match(e.message, /undefined entity/);
  });

  it("refuses processing instructions", () => {
    refuses(`<a><?php echo 1 ?></a>`, "processing-instruction-forbidden");
    refuses(`<?xml-stylesheet href="x"?><a/>`, "processing-instruction-forbidden");
  });

  it("refuses non-UTF-8 input and other declared encodings", () => {
    refuses(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]), "encoding");
    refuses(Buffer.from("\uFEFF<a/>", "utf16le"), "encoding");
    refuses(`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, "encoding");
    assert.equal(parseXml(`<?xml version="1.0" encoding="utf-8"?><a/>`).root.localName, "a");
  });

  it("refuses malformed XML with the parser's reason", () => {
    refuses(`<a><b></a>`, "malformed");
    refuses(`<a>`, "malformed");
    refuses(``, "malformed");
    refuses(`<p:a/>`, "malformed");
    refuses(`<a/><b/>`, "malformed");
  });

  it("resolves namespaces by scope: declarations on the element itself, undeclaring, no default for attributes", () => {
    const root = parseXml(
      `<a xmlns="urn:d" xmlns:p="urn:p" p:x="1" y="2"><p:b xmlns:p="urn:q" p:z="3"/><c xmlns=""/><p:e/></a>`,
    ).root;
    assert.equal(root.namespace, "urn:d");
    assert.deepEqual(
      root.attributes.map((a) => [a.namespace, a.localName]),
      [
        ["urn:p", "x"],
        ["", "y"],
      ],
      "an unprefixed attribute is in no namespace, whatever the default",
    );
    const [b, c, e] = childElements(root);
    assert.equal(b!.namespace, "urn:q", "a declaration applies to the element it is written on");
    assert.equal(b!.attributes[0]!.namespace, "urn:q");
    assert.equal(c!.namespace, "", 'xmlns="" undeclares the default namespace');
    assert.equal(e!.namespace, "urn:p", "the inner binding of p ended with its element");
    assert.equal(
      parseXml(`<xml:a xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:lang="en"/>`).root.attributes[0]!
        .namespace,
      "http://www.w3.org/XML/1998/namespace",
    );
    assert.equal(parseXml(`<a xmlnsfoo="1"/>`).root.attributes[0]!.localName, "xmlnsfoo");
  });

  it("refuses what Namespaces in XML forbids", () => {
    for (const [xml, why] of [
      [`<p:a/>`, "unbound namespace prefix"],
      [`<a p:x="1"/>`, "unbound namespace prefix"],
      [`<a><b xmlns:p="urn:p"/><p:c/></a>`, "unbound namespace prefix"],
      [`<a:b:c xmlns:a="urn:a"/>`, "malformed name"],
      [`<a xmlns:p="urn:p" p:="1"/>`, "malformed name"],
      [`<a xmlns:p="urn:p" p:-x="1"/>`, "malformed name"],
      [`<a xmlns:p=""/>`, "undefine prefix"],
      [`<a xmlns:xml="urn:x"/>`, "xml prefix"],
      [`<a xmlns:xmlns="http://www.w3.org/2000/xmlns/"/>`, "xmlns prefix"],
      [`<a xmlns:p="http://www.w3.org/2000/xmlns/"/>`, "may not bind"],
      [`<a xmlns="http://www.w3.org/XML/1998/namespace"/>`, "only the xml prefix"],
      [`<xmlns:a/>`, "xmlns"],
      [`<a xmlns:p="urn:s" xmlns:q="urn:s" p:x="1" q:x="2"/>`, "duplicate attribute"],
      [`<a x="1" x="2"/>`, "duplicate attribute"],
    ] as const) {
      const e = refuses(xml, "malformed");
      assert.ok(e.message.includes(why), `${xml}: ${e.message}`);
      assert.ok(e.line !== undefined && e.line >= 1, `${xml}: has a position`);
    }
  });

  it("caps the body size exactly at the limit", () => {
    const body = `<a>${"x".repeat(93)}</a>`; // 100 bytes
    assert.equal(Buffer.byteLength(body), 100);
    parseXml(body, { maxBytes: 100 });
    parseXml(Buffer.from(body), { maxBytes: 100 });
    refuses(`${body} `, "too-large", { maxBytes: 100 });
    refuses(Buffer.from(`${body} `), "too-large", { maxBytes: 100 });
    refuses(`<a>${"é".repeat(47)}</a>`, "too-large", { maxBytes: 100 }); // 101 bytes in UTF-8
  });

  it("caps depth, element count and attributes at the limit and one past", () => {
    const nest = (n: number) => `${"<a>".repeat(n)}${"</a>".repeat(n)}`;
    parseXml(nest(5), { maxDepth: 5 });
    refuses(nest(6), "too-deep", { maxDepth: 5 });
    const flat = (n: number) => `<r>${"<b/>".repeat(n - 1)}</r>`;
    parseXml(flat(10), { maxElements: 10 });
    refuses(flat(11), "too-many-elements", { maxElements: 10 });
    const attrs = (n: number) => `<r ${Array.from({ length: n }, (_, i) => `a${i}="1"`).join(" ")}/>`;
    parseXml(attrs(4), { maxAttributes: 4 });
    refuses(attrs(5), "too-many-attributes", { maxAttributes: 4 });
  });

  it("parses every RTDS DUIS template and the real DCC Boxed responses", () => {
    for (const f of ["readfw-response.xml", "read-inventory-response-5.4.xml", "acknowledgement-error.xml"]) {
      const doc = parseXml(readFileSync(reference("duis-samples", "signing-tool", f)));
      assert.equal(doc.root.namespace, SR, f);
    }
  });
});
