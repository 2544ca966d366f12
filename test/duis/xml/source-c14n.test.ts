import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DSIG_NAMESPACE } from "../../../src/duis/signature/algorithms.js";
import { signDuis } from "../../../src/duis/signature/sign.js";
import { exclusiveC14n, inclusiveC14n } from "../../../src/duis/xml/c14n.js";
import { parseXml } from "../../../src/duis/xml/parse.js";
import { exclusiveC14nFromSource, inclusiveC14nFromSource } from "../../../src/duis/xml/source-c14n.js";
import { childElement, textContent, type XmlDocument, type XmlElement } from "../../../src/duis/xml/tree.js";
import { reference } from "../../support/reference.js";
import { dccBoxedSigningKeys, xmlSigningKey } from "../signature/dccboxed-keys.js";

function signatureOf(doc: XmlDocument): XmlElement | undefined {
  for (const c of doc.root.children) {
    if (c.kind === "element" && c.localName === "Signature" && c.namespace === DSIG_NAMESPACE) return c;
  }
  return undefined;
}

/**
 * Checks both source forms against the tree's wherever they are given; says which were given. Either
 * canonicalisation of the tree with inter-element whitespace dropped must agree too: the source form
 * is only given when there is none.
 */
function agree(doc: XmlDocument): { digest: boolean; signedInfo: boolean } {
  const signature = signatureOf(doc);
  if (signature === undefined) return { digest: false, signedInfo: false };
  const digest = inclusiveC14nFromSource(doc, signature);
  if (digest !== undefined) {
    assert.equal(digest, inclusiveC14n(doc.root, { exclude: signature }));
    assert.equal(digest, inclusiveC14n(doc.root, { exclude: signature, dropInterElementWhitespace: true }));
  }
  const signedInfo = childElement(signature, "SignedInfo");
  const si = signedInfo === undefined ? undefined : exclusiveC14nFromSource(doc, signedInfo);
  if (si !== undefined && signedInfo !== undefined) {
    assert.equal(si, exclusiveC14n(signedInfo));
    assert.equal(si, exclusiveC14n(signedInfo, { dropInterElementWhitespace: true }));
  }
  return { digest: digest !== undefined, signedInfo: si !== undefined };
}

describe("canonical form from the source text", () => {
  it("is the tree's canonical form for every signed RTDS request, and is used for nearly all", () => {
    const keys = dccBoxedSigningKeys();
    const dir = reference("rtds-4.9.1-duis");
    let digests = 0;
    let signedInfos = 0;
    const files = readdirSync(dir).sort();
    for (const f of files) {
      const xml = readFileSync(`${dir}/${f}`);
      const id = textContent(childElement(childElement(parseXml(xml).root, "Header")!, "RequestID")!);
      const key = xmlSigningKey(id.split(":")[0]!, keys);
      const signed = signDuis(xml, { privateKey: key.privateKey, certificate: key.certificate });
      const r = agree(parseXml(Buffer.from(signed, "utf8")));
      if (r.digest) digests++;
      if (r.signedInfo) signedInfos++;
    }
    assert.equal(files.length, 297);
    assert.ok(digests >= 290, `the digest came from the source for only ${digests} of 297`);
    assert.equal(signedInfos, 297);
  });

  it("is the tree's canonical form for the real DCC Boxed messages", () => {
    const root = reference("duis-samples");
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith(".xml") ? [`${dir}/${e.name}`] : [],
      );
    let checked = 0;
    for (const file of walk(root)) {
      let doc: XmlDocument;
      try {
        doc = parseXml(readFileSync(file));
      } catch {
        continue; // the hostile samples
      }
      agree(doc);
      checked++;
    }
    assert.ok(checked > 5);
  });

  it("is given only where it equals the tree's, for generated documents", () => {
    // Mostly canonical choices, with every kind of difference canonical form would make mixed in.
    const weighted = <T>(common: T, ...rare: T[]) =>
      fc.oneof(
        { arbitrary: fc.constant(common), weight: 3 },
        { arbitrary: fc.constantFrom(...rare), weight: 1 },
      );
    const text = weighted(
      "v",
      "a b",
      "x&amp;y",
      "1&lt;2",
      "3&gt;2",
      "3>2",
      "q&quot;",
      "&#x41;",
      "it's",
      'say "hi"',
      " ",
      "  ",
      "\n",
      "\t",
      "\r\n",
      "<!-- c -->",
      "<![CDATA[z<]]>",
      "é",
      "😀",
      "a = b",
      "x='y'",
      "\u0085",
      "\u2028",
    );
    const value = weighted(
      "v",
      "a b",
      "x&amp;y",
      "1&lt;2",
      "a>b",
      "&gt;",
      "&quot;",
      "\t",
      "&#xA;",
      "it's",
      "",
      " x ",
      "\u0085",
    );
    const attributeName = weighted("id", "n", "x:k", "xml:lang", "a", "r:z");
    const declaration = fc.option(
      fc.constantFrom(
        ' xmlns:x="urn:x"',
        ' xmlns:x="urn:y"',
        ' xmlns:x=" urn:x "',
        ' xmlns="urn:d"',
        ' xmlns=""',
        ' xmlns:q="urn:q"',
      ),
      { freq: 4 },
    );
    const tag = (name: string, inner: string[]) =>
      fc
        .record({
          attributes: fc.uniqueArray(fc.tuple(attributeName, value), { maxLength: 3, selector: ([n]) => n }),
          declaration,
          separator: weighted(" ", "  ", "\n"),
          quote: weighted('"', "'"),
          equals: weighted("=", " = "),
          empty: weighted("/>", " />", "EXPANDED"),
          close: weighted(">", " >"),
        })
        .map((t) => {
          const attrs = t.attributes
            .map(([n, v]) => `${t.separator}${n}${t.equals}${t.quote}${v.replaceAll(t.quote, "")}${t.quote}`)
            .join("");
          const start = `<${name}${t.declaration ?? ""}${attrs}`;
          if (inner.length === 0 && t.empty !== "EXPANDED") return `${start}${t.empty}`;
          return `${start}${t.close}${inner.join("")}</${name}>`;
        });
    const elementName = weighted("r:a", "r:b", "x:c", "d", "ds:e");
    const leaf = elementName.chain((name) =>
      fc.array(text, { maxLength: 2 }).chain((inner) => tag(name, inner)),
    );
    const branch = fc
      .tuple(elementName, fc.array(fc.oneof({ arbitrary: leaf, weight: 3 }, text), { maxLength: 4 }))
      .chain(([name, inner]) => tag(name, inner));
    const signedInfoChild = fc
      .tuple(weighted("ds:Reference", "ds:Transform", "x:c", "Other"), fc.array(text, { maxLength: 1 }))
      .chain(([name, inner]) => tag(name, inner));
    const signature = fc
      .array(signedInfoChild, { maxLength: 3 })
      .chain((inner) => tag("ds:SignedInfo", inner))
      .map((si) => `<ds:Signature>${si}<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>`);
    const rootAttributes = weighted(
      ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:r="urn:r" xmlns:x="urn:x"',
      ' xmlns:r="urn:r" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:x="urn:x"',
      ' xmlns="" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:r="urn:r" xmlns:x="urn:x"',
      ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:r="urn:r" xmlns:x="urn:x" b="1" a="2"',
      ' a="2" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:r="urn:r" xmlns:x="urn:x"',
    );
    const document = fc
      .record({
        declaration: weighted('<?xml version="1.0" encoding="UTF-8"?>', "", '<?xml version="1.1"?>'),
        attributes: rootAttributes,
        children: fc.array(fc.oneof({ arbitrary: branch, weight: 4 }, text), { maxLength: 4 }),
        at: fc.nat(),
        signature,
      })
      .map((d) => {
        const children = [...d.children];
        children.splice(d.at % (children.length + 1), 0, d.signature);
        return `${d.declaration}<r:Request${d.attributes}>${children.join("")}</r:Request>`;
      });

    let parsed = 0;
    let digests = 0;
    let signedInfos = 0;
    fc.assert(
      fc.property(document, (xml) => {
        let doc: XmlDocument;
        try {
          doc = parseXml(Buffer.from(xml, "utf8"));
        } catch {
          return; // not well-formed: nothing to canonicalise
        }
        parsed++;
        const r = agree(doc);
        if (r.digest) digests++;
        if (r.signedInfo) signedInfos++;
      }),
      { numRuns: 8000 },
    );
    // The generator must reach both sides of every check, or the property says little.
    if (process.env.METERWAY_TEST_VERBOSE) console.log({ parsed, digests, signedInfos });
    assert.ok(parsed > 4000, `only ${parsed} documents parsed`);
    assert.ok(digests > 20 && digests < parsed * 0.9, `digest from source for ${digests} of ${parsed}`);
    assert.ok(signedInfos > 20 && signedInfos < parsed * 0.9, `SignedInfo from source for ${signedInfos}`);
  });

  it("is not given where whitespace between tags meets the signature", () => {
    for (const [before, after] of [
      ["<r:a></r:a> ", ""],
      ["", " <r:a></r:a>"],
      ["<r:a/> ", " "],
      ["<r:a></r:a> <r:b></r:b>", ""],
      ["", "<r:a><r:b></r:b> </r:a>"],
    ]) {
      const doc = parseXml(
        Buffer.from(
          `<r:Request xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:r="urn:r">${before}<ds:Signature><ds:SignedInfo></ds:SignedInfo></ds:Signature>${after}</r:Request>`,
        ),
      );
      assert.equal(inclusiveC14nFromSource(doc, signatureOf(doc)!), undefined, `${before}|${after}`);
      agree(doc);
    }
  });

  it("is not given for XML 1.1, whose parser reads NEL and LINE SEPARATOR as line ends", () => {
    const doc = parseXml(
      Buffer.from(
        '<?xml version="1.1"?><r:Request xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:r="urn:r"><r:a>x\u0085y</r:a><ds:Signature></ds:Signature></r:Request>',
      ),
    );
    assert.equal(doc.layout, undefined);
    agree(doc);
  });

  it("is not given for a tree built in code, or for an element that is not where it should be", () => {
    const doc = parseXml(
      Buffer.from(
        '<r xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><a><ds:Signature><ds:SignedInfo/></ds:Signature></a><ds:Signature/></r>',
      ),
    );
    const nested = childElement(childElement(doc.root, "a")!, "Signature")!;
    assert.equal(inclusiveC14nFromSource(doc, nested), undefined, "not a child of the root");
    assert.equal(
      inclusiveC14nFromSource({ root: doc.root, positions: new Map() }, signatureOf(doc)!),
      undefined,
    );
    assert.equal(exclusiveC14nFromSource(doc, childElement(nested, "SignedInfo")!), undefined, "too deep");
  });
});
