import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SaxesParser } from "saxes";
import { NameScanningSaxesParser } from "../../../src/duis/xml/name-scan.js";

/** Everything a parser reports, errors with their line and column, in order. */
function events(parser: SaxesParser<{ xmlns: false; position: true }>, xml: string): string[] {
  const out: string[] = [];
  parser.on("opentag", (t) => {
    out.push(
      `open ${t.name} ${JSON.stringify(t.attributes)} ${t.isSelfClosing} @${parser.line}:${parser.column}`,
    );
  });
  parser.on("closetag", (t) => out.push(`close ${t.name} @${parser.line}:${parser.column}`));
  parser.on("text", (t) => out.push(`text ${JSON.stringify(t)}`));
  parser.on("processinginstruction", (p) => out.push(`pi ${p.target} ${p.body}`));
  parser.on("doctype", (d) => out.push(`doctype ${d}`));
  parser.on("error", (e) => out.push(`error ${e.message}`));
  try {
    parser.write(xml);
    parser.close();
  } catch (e) {
    out.push(`thrown ${(e as Error).message}`);
  }
  out.push(`end @${parser.line}:${parser.column} position ${parser.position}`);
  return out;
}

function same(xml: string): void {
  const stock = events(new SaxesParser({ xmlns: false, position: true }), xml);
  const scanning = events(new NameScanningSaxesParser({ xmlns: false, position: true }), xml);
  assert.deepEqual(scanning, stock, xml);
}

describe("NameScanningSaxesParser", () => {
  it("reports what saxes reports for names of every kind", () => {
    for (const xml of [
      '<?xml version="1.0"?><sr:Request xmlns:sr="urn:x" a-b.c_d="1"><sr:Header/></sr:Request>',
      "<a\r\nb='1'\r\n/>",
      "<é中·x>t</é中·x>",
      "<a:b:c/>",
      "<ab\u0001/>",
      "<ab",
      "<a></ab>",
      "<a ab",
      "<a ab=",
      "<1a/>",
      "<a>&amp;&lt;&#x41;&unknown;</a>",
      "<a\u0300b/>",
      "<a𐀀b x𐀀='1'/>",
      "<a/><b/>",
      "<!DOCTYPE a><a/>",
      "<?target body?><a/>",
    ]) {
      same(xml);
    }
  });

  it("reports what saxes reports for generated documents", () => {
    const piece = fc.oneof(
      fc.constantFrom(
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
        "\r\n",
        "\r",
        "\t",
        ":",
        "&amp;",
        "&",
        ";",
      ),
      fc.constantFrom(
        "a",
        "sr:Header",
        "x-y.z_1",
        "é",
        "中",
        "·",
        "\u0300",
        "𐀀",
        "\u0001",
        "\uFFFE",
        "1",
        "-",
      ),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        same(`<r>${parts.join("")}</r>`);
        same(parts.join(""));
      }),
      { numRuns: 2000 },
    );
  });
});
