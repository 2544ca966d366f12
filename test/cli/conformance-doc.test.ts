/**
 * docs/conformance.md is computed (src/cli/conformance.ts): this test renders it again from the
 * catalogue, the command specs and the RTDS reference data, and fails when the committed file says
 * something else. Regenerate with `node --import tsx scripts/gen-conformance.mjs`.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { renderConformance } from "../../src/cli/conformance.js";
import { projectRoot, reference } from "../support/reference.js";

describe("docs/conformance.md", () => {
  it("is what the code and the reference data say today", () => {
    const committed = readFileSync(join(projectRoot, "docs", "conformance.md"), "utf8");
    assert.ok(
      committed === renderConformance(reference()),
      "docs/conformance.md is out of date: node --import tsx scripts/gen-conformance.mjs",
    );
  });
});
