import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DuisError } from "../../../src/duis/errors.js";
import {
  attr,
  child,
  childrenNamed,
  childText,
  type DuisElement,
  decodeBase64,
  el,
  encodeBase64,
  fromXml,
  toXml,
  toXmlText,
} from "../../../src/duis/model/index.js";
import { parseXml } from "../../../src/duis/xml/parse.js";

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/);
const textChar = fc.constantFrom(..."aZ09 -_.:/<>&\"'\t\n\r£€".split(""));
const text = fc.array(textChar, { minLength: 1, maxLength: 20 }).map((a) => a.join(""));
const attributes = fc.uniqueArray(fc.tuple(name, text), { maxLength: 3, selector: ([n]) => n });

const element: fc.Arbitrary<DuisElement> = fc.letrec<{ node: DuisElement }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(name, text, attributes).map(([n, t, a]) => el(n, t, a)),
    fc
      .tuple(name, fc.array(tie("node"), { minLength: 1, maxLength: 4 }), attributes)
      .map(([n, c, a]) => el(n, c, a)),
  ),
})).node;

describe("generic DUIS elements", () => {
  it("write to XML and read back unchanged, whatever the names, attributes and text", () => {
    fc.assert(
      fc.property(element, (e) => {
        const back = fromXml(parseXml(toXmlText(toXml(e))).root, e.name);
        assert.deepEqual(back, e);
      }),
      { numRuns: 200 },
    );
  });

  it("answer simple questions about their children", () => {
    const e = el("ReadLogPeriod", [el("StartDateTime", "a"), el("X", [], [["index", "2"]]), el("X", "b")]);
    assert.equal(childText(e, "StartDateTime"), "a");
    assert.equal(child(e, "Missing"), undefined);
    assert.equal(childrenNamed(e, "X").length, 2);
    assert.equal(attr(childrenNamed(e, "X")[0]!, "index"), "2");
  });

  it("decode base64 strictly and encode it on one line", () => {
    const bytes = Uint8Array.from({ length: 200 }, (_, i) => i);
    const b64 = encodeBase64(bytes);
    assert.ok(!/\s/.test(b64));
    assert.deepEqual(decodeBase64(`${b64.slice(0, 76)}\r\n${b64.slice(76)}`, "p"), bytes);
    for (const bad of ["abc", "ab!c", "a===", "YQ==YQ=="]) {
      assert.throws(
        () => decodeBase64(bad, "p"),
        (e: unknown) => e instanceof DuisError && e.key === "schemaInvalid",
        bad,
      );
    }
  });
});
