import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bandPath, edgePath, layerColours, niceCeil, stack, topCodes } from "../../web/src/chart.js";
import { codeClass, codeMeaning } from "../../web/src/codes.js";

describe("topCodes", () => {
  it("keeps every code when there are few", () => {
    const series = [
      { code: "I0", counts: [1, 2] },
      { code: "I99", counts: [1, 2] },
    ];
    assert.deepEqual(topCodes(series, 3), series);
  });

  it("folds the quietest codes into other, summing bucket by bucket", () => {
    const layers = topCodes(
      [
        { code: "E3", counts: [0, 1] },
        { code: "I0", counts: [5, 5] },
        { code: "E13", counts: [2, 0] },
        { code: "I99", counts: [4, 4] },
      ],
      3,
    );
    assert.deepEqual(layers, [
      { code: "I0", counts: [5, 5] },
      { code: "I99", counts: [4, 4] },
      { code: "other", counts: [2, 1] },
    ]);
  });
});

describe("codeClass, codeMeaning and layerColours", () => {
  it("classifies DUIS codes by family and HTTP refusals apart from rate limiting", () => {
    assert.equal(codeClass("I0"), "success");
    assert.equal(codeClass("I99"), "ack");
    assert.equal(codeClass("E2"), "authorisation");
    assert.equal(codeClass("E19"), "authorisation");
    assert.equal(codeClass("E13"), "validation");
    assert.equal(codeClass("E050101"), "validation");
    assert.equal(codeClass("E21"), "communication");
    assert.equal(codeClass("E30"), "communication");
    assert.equal(codeClass("HTTP 401"), "refused");
    assert.equal(codeClass("HTTP 429"), "throttled");
    assert.equal(codeClass("other"), "other");
  });

  it("says what a code means: the catalogue for DUIS codes, the error registry for HTTP", () => {
    assert.match(codeMeaning("E21"), /^E21: Communications Failure – No Response Received from Device\./);
    assert.match(codeMeaning("HTTP 413"), /the request body is larger than the DCC accepts/);
    assert.match(codeMeaning("HTTP 429"), /too many requests/);
  });

  it("gives each class its colour, and later codes of a class lighter shades of it", () => {
    assert.deepEqual(layerColours(["I0", "E2", "I99", "E21", "HTTP 401", "HTTP 429", "E3", "other"]), [
      "var(--c-success)",
      "var(--c-authorisation)",
      "var(--c-ack)",
      "var(--c-communication)",
      "var(--c-refused)",
      "var(--c-throttled)",
      "color-mix(in srgb, var(--c-authorisation) 78%, var(--tile))",
      "var(--c-other)",
    ]);
  });
});

describe("stack", () => {
  it("puts each layer on top of the ones before it", () => {
    assert.deepEqual(
      stack([
        [1, 2],
        [3, 0],
      ]),
      [
        { lower: [0, 0], upper: [1, 2] },
        { lower: [1, 2], upper: [4, 2] },
      ],
    );
  });
});

describe("niceCeil", () => {
  it("rounds up to 1, 2, 2.5 or 5 times a power of ten", () => {
    assert.equal(niceCeil(0.3), 1);
    assert.equal(niceCeil(1), 1);
    assert.equal(niceCeil(1.01), 2);
    assert.equal(niceCeil(2.2), 2.5);
    assert.equal(niceCeil(41.1), 50);
    assert.equal(niceCeil(51), 100);
    assert.equal(niceCeil(180), 200);
    assert.equal(niceCeil(0.05, 0.01), 0.05);
  });
});

describe("bandPath and edgePath", () => {
  it("draws each bucket as a flat step across its width", () => {
    // Two buckets in a 100 × 10 box, yMax 10: upper 5 then 10, lower 0 then 5.
    assert.equal(bandPath([0, 5], [5, 10], 100, 10, 10), "M0,5H50V0H100V5H50V10H0Z");
    assert.equal(edgePath([5, 10], 100, 10, 10), "M0,5H50V0H100");
  });

  it("clips values above the axis maximum and draws nothing for no data", () => {
    assert.equal(edgePath([20], 10, 10, 10), "M0,0H10");
  });

  it("strokes a layer's edge only where the layer has responses (no outline in its colour on the others)", () => {
    // A top layer empty in every bucket draws nothing, though its upper edge is the stack's top.
    assert.equal(edgePath([5, 10], 100, 10, 10, [0, 0]), "");
    assert.equal(edgePath([5, 10, 10], 90, 10, 10, [1, 0, 2]), "M0,5H30M60,0H90");
    assert.equal(bandPath([], [], 10, 10, 10), "");
  });
});
