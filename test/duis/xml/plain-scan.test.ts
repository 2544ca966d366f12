import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { signDuis } from "../../../src/duis/signature/sign.js";
import { DEFAULT_XML_LIMITS, parseXml, parseXmlWithSaxes } from "../../../src/duis/xml/parse.js";
import { scanPlainXml } from "../../../src/duis/xml/plain-scan.js";
import { childElement, textContent, type XmlDocument } from "../../../src/duis/xml/tree.js";
import { TreeBuildError, TreeBuilder } from "../../../src/duis/xml/tree-builder.js";
import { reference } from "../../support/reference.js";
import { dccBoxedSigningKeys, xmlSigningKey } from "../signature/dccboxed-keys.js";

/** The plain reader's document for `source`, or undefined where it gives up. */
function plain(source: string): XmlDocument | undefined {
  const builder = new TreeBuilder(source, DEFAULT_XML_LIMITS);
  try {
    if (!scanPlainXml(source, builder)) return undefined;
  } catch (e) {
    if (e instanceof TreeBuildError) return undefined;
    throw e;
  }
  return { root: builder.root!, layout: builder.layout("1.0"), positions: new Map() };
}

/**
 * Whatever the plain reader accepts, saxes accepts too, with the same tree and the same source
 * layout. Returns whether the plain reader took it.
 */
function agrees(source: string): boolean {
  const fast = plain(source);
  if (fast === undefined) return false;
  let general: XmlDocument;
  try {
    general = parseXmlWithSaxes(source, DEFAULT_XML_LIMITS);
  } catch (e) {
    assert.fail(
      `the plain reader accepted what saxes refuses (${(e as Error).message}): ${JSON.stringify(source)}`,
    );
  }
  assert.deepEqual(fast.root, general.root, JSON.stringify(source));
  assert.deepEqual(fast.layout, general.layout, JSON.stringify(source));
  return true;
}

function signedRequests(): string[] {
  const keys = dccBoxedSigningKeys();
  const dir = reference("rtds-4.9.1-duis");
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const xml = readFileSync(`${dir}/${f}`);
      const id = textContent(childElement(childElement(parseXml(xml).root, "Header")!, "RequestID")!);
      const key = xmlSigningKey(id.split(":")[0]!, keys);
      return signDuis(xml, { privateKey: key.privateKey, certificate: key.certificate });
    });
}

/** Pieces that take a document out of the plain part of XML, or out of well-formedness. */
const STRAY = [
  "<",
  ">",
  "/",
  "</",
  "/>",
  "=",
  '"',
  "'",
  " ",
  "\n",
  "\t",
  "\r",
  "\r\n",
  "&amp;",
  "&lt;",
  "&#65;",
  "&bad;",
  "&",
  ";",
  "]",
  "]]>",
  "<!-- c -->",
  "<![CDATA[x]]>",
  "<?pi x?>",
  "<!DOCTYPE a>",
  ":",
  "xmlns",
  'xmlns:p="u"',
  'xmlns=""',
  "é",
  "中",
  "😀",
  "\ud800",
  "\u0001",
  "\u007f",
  "\ufffe",
  "1",
  "-",
  ".",
  "a",
];

describe("the plain XML reader", () => {
  it("reads every RTDS template and signed request, with saxes' tree and layout", () => {
    const dir = reference("rtds-4.9.1-duis");
    const templates = readdirSync(dir)
      .sort()
      .map((f) => readFileSync(`${dir}/${f}`, "utf8"));
    const signed = signedRequests();
    assert.equal(templates.length, 297);
    for (const source of [...templates, ...signed]) {
      assert.ok(agrees(source), `the plain reader gave up on ${source.slice(0, 200)}`);
    }
  });

  it("gives up on what is outside plain XML or not well-formed, and agrees with saxes on the rest", () => {
    const taken = [
      "<a/>",
      "<a></a>",
      "<a ></a >",
      "<a\n/>",
      ' <a b="1"\tc=\'2"\'/> \n',
      '<?xml version="1.0"?><a/>',
      "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<a/>",
      '<p:a xmlns:p="u" p:b="1" c=">"/>',
      "<a>x > y é \u007f</a>",
      "<a.b-c_d><e/>t<f></f></a.b-c_d>",
      '<a b="&amp;lt;&lt;&gt;&quot;&apos;">&amp;lt;&lt;&gt;&quot;&apos;&amp;</a>',
      "<!-- c -->\n<a>x<!-- - ->--> y<!--->--></a><!--\t-->\n",
    ];
    for (const xml of taken) assert.ok(agrees(xml), xml);
    const refused = [
      "",
      "a",
      "<a>",
      "</a>",
      "<a/><b/>",
      "<a/>x",
      "x<a/>",
      "<a></b>",
      "<a></ab>",
      "<ab></a>",
      '<a b="1"c="2"/>',
      '<a b="1" b="2"/>',
      '<a b="&amp"/>',
      '<a b="&#38;"/>',
      "<a>&lt</a>",
      "<a>&ap;</a>",
      '<a b="<"/>',
      '<a b="\t"/>',
      "<a b=1/>",
      "<a b/>",
      "<a/ >",
      "< a/>",
      "<a>]]></a>",
      "<a>]</a>",
      "<a>\r\n</a>",
      "<a>&#65;</a>",
      "<a><!--c--->x</a>",
      "<a><!--c--d--></a>",
      "<a><!--c\r--></a>",
      "<!--c--><!DOCTYPE a><a/>",
      "<a><![CDATA[x]]></a>",
      '<?xml version="1.1"?><a/>',
      '<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>',
      ' <?xml version="1.0"?><a/>',
      "<?pi?><a/>",
      "<!DOCTYPE a><a/>",
      "<a:b/>",
      "<:a/>",
      "<a:/>",
      '<a:b:c xmlns:a="u"/>',
      '<a xmlns:x=""/>',
      '<a xmlns="http://www.w3.org/2000/xmlns/"/>',
      "<xmlns:a/>",
      "<1/>",
      "<-a/>",
      "<é/>",
      "<aé/>",
      "<a\u0001/>",
      "<a>\u0001</a>",
      "<a>\ufffe</a>",
      "<a>\ud800</a>",
      "<a>😀</a>",
    ];
    for (const xml of refused) assert.equal(plain(xml), undefined, JSON.stringify(xml));
  });

  it("agrees with saxes on generated documents", () => {
    const name = fc.constantFrom("a", "b", "sr:H", "p:x-y.z_1", "xmlns", "é", "a1");
    const value = fc.oneof(
      { arbitrary: fc.constantFrom("1", "v w", "u", "", "x>y", "'", '"'), weight: 4 },
      { arbitrary: fc.constantFrom(...STRAY), weight: 1 },
    );
    const space = fc.constantFrom(" ", "  ", "\n", "\t", "", "\r\n");
    const attribute = fc
      .tuple(space, fc.constantFrom("b", "c", "p:c", "xmlns", "xmlns:p", "xmlns:sr"), value)
      .map(([s, n, v]) => `${s || " "}${n}="${v}"`);
    const text = fc.oneof(
      { arbitrary: fc.constantFrom("t", " ", "\n  ", "x > y", ""), weight: 4 },
      { arbitrary: fc.constantFrom(...STRAY), weight: 1 },
    );
    const element: fc.Arbitrary<string> = fc.letrec<{ el: string }>((tie) => ({
      el: fc.oneof(
        { depthSize: "small" },
        fc
          .tuple(name, fc.array(attribute, { maxLength: 3 }), space)
          .map(([n, a, s]) => `<${n}${a.join("")}${s}/>`),
        fc
          .tuple(
            name,
            fc.array(attribute, { maxLength: 3 }),
            fc.array(fc.oneof(text, tie("el")), { maxLength: 4 }),
            space,
          )
          .map(([n, a, c, s]) => `<${n}${a.join("")}>${c.join("")}</${n}${s}>`),
      ),
    })).el;
    const document = fc
      .tuple(
        fc.constantFrom("", '<?xml version="1.0" encoding="UTF-8"?>\n', "<?xml version='1.0'?>"),
        fc.constantFrom('xmlns:p="u" xmlns:sr="urn:sr"', 'xmlns="urn:d" xmlns:p="u"', ""),
        element,
        fc.constantFrom("", "\n", " x", "<a/>"),
      )
      .map(([decl, ns, el, tail]) => `${decl}<r ${ns}>${el}</r>${tail}`);
    let taken = 0;
    fc.assert(
      fc.property(document, (xml) => {
        if (agrees(xml)) taken++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(taken > 200, `only ${taken} of 3000 generated documents were plain`);
  });

  it("agrees with saxes on signed requests with a character inserted, deleted or replaced", () => {
    const requests = signedRequests();
    let taken = 0;
    fc.assert(
      fc.property(
        fc.nat(requests.length - 1),
        fc.nat(),
        fc.constantFrom("insert", "delete", "replace"),
        fc.constantFrom(...STRAY),
        (which, where, how, piece) => {
          const source = requests[which]!;
          const at = where % source.length;
          const mutated =
            how === "insert"
              ? source.slice(0, at) + piece + source.slice(at)
              : how === "delete"
                ? source.slice(0, at) + source.slice(at + 1)
                : source.slice(0, at) + piece + source.slice(at + 1);
          if (agrees(mutated)) taken++;
        },
      ),
      { numRuns: 4000 },
    );
    assert.ok(taken > 600, `only ${taken} of 4000 mutated requests were still plain`);
  });

  it("leaves the saxes reading to say what is wrong, and where", () => {
    // parseXml gives up on the plain reading and reports saxes' error, with its line and column.
    assert.throws(
      () => parseXml('<r xmlns:p="u">\n  <q:a/>\n</r>'),
      (e: Error) => /unbound namespace prefix: "q" \(line 2, column 8\)/.test(e.message),
    );
    assert.throws(
      () => parseXml("<r>\n <a></b>\n</r>"),
      (e: Error) => /line 2/.test(e.message),
    );
  });
});
