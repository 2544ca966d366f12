import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  bandPath,
  codeKind,
  edgePath,
  layerColours,
  niceCeil,
  stack,
  topCodes,
} from "../../web/src/chart.js";

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

describe("codeKind and layerColours", () => {
  it("classifies DUIS response codes", () => {
    assert.equal(codeKind("I0"), "success");
    assert.equal(codeKind("I99"), "ack");
    assert.equal(codeKind("I6"), "info");
    assert.equal(codeKind("E104"), "error");
    assert.equal(codeKind("other"), "other");
  });

  it("gives errors successive reds in order and success its green", () => {
    assert.deepEqual(layerColours(["I0", "E3", "I99", "E13", "other"]), [
      "var(--c-success)",
      "var(--c-error-1)",
      "var(--c-ack)",
      "var(--c-error-2)",
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
    assert.equal(bandPath([], [], 10, 10, 10), "");
  });
});
