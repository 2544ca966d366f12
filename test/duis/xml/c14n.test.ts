import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { exclusiveC14n, inclusiveC14n, serializeXml } from "../../../src/duis/xml/c14n.js";
import { parseXml } from "../../../src/duis/xml/parse.js";
import { attribute, childElement, element, withNamespaceDeclarations } from "../../../src/duis/xml/tree.js";

describe("exclusive canonicalisation", () => {
  it("renders only visibly used namespaces, sorted, on the element that first uses them", () => {
    const doc = parseXml(
      `<r:root xmlns:r="urn:r" xmlns:unused="urn:u" xmlns:b="urn:b" xmlns:a="urn:a"><r:child b:y="2" a:x="1" z="3"/></r:root>`,
    );
    assert.equal(
      exclusiveC14n(doc.root),
      `<r:root xmlns:r="urn:r"><r:child xmlns:a="urn:a" xmlns:b="urn:b" z="3" a:x="1" b:y="2"></r:child></r:root>`,
    );
    // A subtree on its own declares what it uses, whatever was declared above it.
    const child = childElement(doc.root, "child")!;
    assert.equal(
      exclusiveC14n(child),
      `<r:child xmlns:a="urn:a" xmlns:b="urn:b" xmlns:r="urn:r" z="3" a:x="1" b:y="2"></r:child>`,
    );
  });

  it("does not redeclare a namespace an output ancestor already rendered, but does when it changes", () => {
    const doc = parseXml(`<p:a xmlns:p="urn:1"><p:b><p:c xmlns:p="urn:2"/></p:b></p:a>`);
    assert.equal(
      exclusiveC14n(doc.root),
      `<p:a xmlns:p="urn:1"><p:b><p:c xmlns:p="urn:2"></p:c></p:b></p:a>`,
    );
  });

  it("handles the default namespace and its undeclaration", () => {
    const doc = parseXml(`<a xmlns="urn:d"><b xmlns=""><c/></b></a>`);
    assert.equal(exclusiveC14n(doc.root), `<a xmlns="urn:d"><b xmlns=""><c></c></b></a>`);
    assert.equal(exclusiveC14n(parseXml(`<a><b/></a>`).root), `<a><b></b></a>`);
  });

  it("renders prefixes of the InclusiveNamespaces PrefixList as inclusive c14n would", () => {
    const doc = parseXml(`<r:a xmlns:r="urn:r" xmlns:k="urn:k"><r:b/></r:a>`);
    const b = childElement(doc.root, "b")!;
    const inherited = new Map([
      ["r", "urn:r"],
      ["k", "urn:k"],
    ]);
    assert.equal(
      exclusiveC14n(b, { inclusivePrefixes: ["k"], inheritedNamespaces: inherited }),
      `<r:b xmlns:k="urn:k" xmlns:r="urn:r"></r:b>`,
    );
  });

  it("escapes text and attribute values canonically", () => {
    const doc = parseXml(`<a t="&quot;&lt;&amp;&#9;&#10;&#13;>'">x&lt;&gt;&amp;&#13;"'</a>`);
    assert.equal(
      exclusiveC14n(doc.root),
      `<a t="&quot;&lt;&amp;&#x9;&#xA;&#xD;>'">x&lt;&gt;&amp;&#xD;"'</a>`,
    );
  });

  it("leaves out the excluded element (the enveloped signature)", () => {
    const doc = parseXml(`<a><b/><ds:Signature xmlns:ds="urn:ds"><ds:x/></ds:Signature></a>`);
    const sig = childElement(doc.root, "Signature")!;
    assert.equal(exclusiveC14n(doc.root, { exclude: sig }), `<a><b></b></a>`);
  });
});

describe("inclusive canonicalisation", () => {
  it("renders every namespace in scope at the apex and changes below it", () => {
    const doc = parseXml(
      `<sr:R xmlns:sr="urn:sr" xmlns:ns3="urn:ds" xmlns:ra="urn:ra" v="1"><sr:H xmlns:sr="urn:sr"/><x:y xmlns:x="urn:x"/></sr:R>`,
    );
    assert.equal(
      inclusiveC14n(doc.root),
      `<sr:R xmlns:ns3="urn:ds" xmlns:ra="urn:ra" xmlns:sr="urn:sr" v="1"><sr:H></sr:H><x:y xmlns:x="urn:x"></x:y></sr:R>`,
    );
  });
});

describe("serializeXml", () => {
  it("declares namespaces a tree built in code forgot, so the output parses back", () => {
    const el = element("urn:sr", "sr:Request", {
      attributes: [attribute("schemaVersion", "5.4")],
      children: [element("urn:sr", "sr:Header", { children: ["a & b"] }), element("urn:other", "o:Empty")],
    });
    const xml = serializeXml(el);
    assert.equal(
      xml,
      `<?xml version="1.0" encoding="UTF-8"?><sr:Request xmlns:sr="urn:sr" schemaVersion="5.4"><sr:Header>a &amp; b</sr:Header><o:Empty xmlns:o="urn:other"/></sr:Request>`,
    );
    const back = parseXml(xml).root;
    assert.equal(exclusiveC14n(back), exclusiveC14n(withNamespaceDeclarations(el)));
    assert.equal(inclusiveC14n(back), inclusiveC14n(withNamespaceDeclarations(el)));
  });

  it("round-trips arbitrary text and attribute values through parse (property)", () => {
    const xmlChar = fc
      .string({ unit: "binary", maxLength: 30 })
      .map((s) => s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, "").replace(/\r\n?/g, "\n"));
    fc.assert(
      fc.property(xmlChar, xmlChar, (t, v) => {
        const el = element("urn:x", "x:a", {
          attributes: [attribute("v", v)],
          children: t === "" ? [] : [t],
        });
        const back = parseXml(serializeXml(el)).root;
        assert.equal(back.attributes[0]!.value, v);
        assert.equal(back.children.length === 0 ? "" : (back.children[0] as { text: string }).text, t);
        assert.equal(exclusiveC14n(back), exclusiveC14n(el));
      }),
      { numRuns: 300 },
    );
  });
});
