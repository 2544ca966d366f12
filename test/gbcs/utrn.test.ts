import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { generateUtrn, parseUtrn, utrnCheckDigit, verifyUtrn } from "../../src/gbcs/crypto/utrn.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

function rows(): string[][] {
  const text = readFileSync(reference("gbcs-known-answers", "README.md"), "utf8");
  const section = text.slice(text.indexOf("## UTRN"));
  return section
    .split("\n")
    .filter((l) => l.startsWith("|") && !l.startsWith("|---"))
    .slice(1)
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

describe("UTRN", () => {
  const store = new KeyStore({ directories: [reference("rtds-keystore"), reference("gbcs-known-answers")] });
  const originator = "90B3D51F30010000";
  const target = "00DB1234567890A0";
  const z = store.sharedSecret(originator, target, "pp-ka");
  const table = rows();

  it("has the two known-answer rows and the prepayment secret", () => {
    assert.equal(table.length, 2);
    assert.ok(z);
  });

  for (const [counter, value, pptd, utrn] of table) {
    it(`counter ${counter}, value ${value}`, () => {
      const m = /^(?:£)?(\d+)\s*(\(pounds\)|pennies)$/.exec(value!);
      assert.ok(m, value);
      const valueClass = m[2] === "(pounds)" ? "pounds" : "pennies";
      const input = {
        originator,
        target,
        counter: BigInt(counter!),
        value: Number(m[1]),
        valueClass,
      } as const;
      const got = generateUtrn(input, z!);
      assert.equal(got.slice(0, 19), pptd);
      assert.equal(got, utrn);
      assert.equal(utrnCheckDigit(pptd!), utrn!.slice(19));
      assert.equal(verifyUtrn(utrn!, input, z!), true);
      const parsed = parseUtrn(utrn!);
      assert.equal(parsed?.value, Number(m[1]));
      assert.equal(parsed?.valueClass, valueClass);
      // the same number in the other class gives another token
      const other = generateUtrn(
        { ...input, valueClass: valueClass === "pounds" ? "pennies" : "pounds" },
        z!,
      );
      assert.notEqual(other, got);
    });
  }

  it("refuses a wrong check digit, a wrong length and non-digits", () => {
    const good = table[0]![3]!;
    const bad = good.slice(0, 19) + String((Number(good[19]) + 1) % 10);
    assert.equal(parseUtrn(bad), undefined);
    assert.equal(parseUtrn(good.slice(1)), undefined);
    assert.equal(parseUtrn(`${good.slice(0, 19)}x`), undefined);
    assert.ok(parseUtrn(good));
  });
});
