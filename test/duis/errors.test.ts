import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isResponseCode, responseCodeInfo } from "../../src/catalogue/index.js";
import { DuisError, duisErrorKeys, duisErrors, isDuisError } from "../../src/duis/errors.js";
import { projectRoot } from "../support/reference.js";

interface DocRow {
  readonly key: string;
  readonly code: string;
  readonly status: number;
}

/** The registry table of docs/errors.md: rows `| \`key\` | code | status | meaning | what to do |`. */
function documentedRows(): DocRow[] {
  const md = readFileSync(join(projectRoot, "docs", "errors.md"), "utf8");
  const rows: DocRow[] = [];
  for (const line of md.split("\n")) {
    const m = /^\|\s*`([A-Za-z]+)`\s*\|\s*([^|]+?)\s*\|\s*(\d{3})\s*\|\s*[^|]+\|\s*[^|]+\|\s*$/.exec(line);
    if (m) rows.push({ key: m[1]!, code: m[2]!, status: Number(m[3]) });
  }
  return rows;
}

describe("DUIS error registry", () => {
  it("is documented in docs/errors.md: every entry, nothing else, with the same code and status", () => {
    const rows = documentedRows();
    const documented = rows.map((r) => r.key);
    const missing = duisErrorKeys.filter((k) => !documented.includes(k));
    const unknown = documented.filter((k) => !(duisErrorKeys as string[]).includes(k));
    assert.deepEqual(missing, [], "registered but not documented");
    assert.deepEqual(unknown, [], "documented but not registered");
    assert.equal(new Set(documented).size, documented.length, "documented twice");
    for (const row of rows) {
      const def = duisErrors[row.key as keyof typeof duisErrors];
      assert.equal(row.code, def.responseCode ?? "—", `${row.key}: code`);
      assert.equal(row.status, def.httpStatus, `${row.key}: HTTP status`);
    }
  });

  it("uses only DUIS 5.4 error codes whose meaning is DUIS's own, with HTTP 200", () => {
    for (const key of duisErrorKeys) {
      const def = duisErrors[key];
      if (def.responseCode === null) {
        assert.ok(def.httpStatus >= 400, `${key}: uncoded errors are HTTP errors`);
        continue;
      }
      assert.ok(isResponseCode(def.responseCode), key);
      const info = responseCodeInfo(def.responseCode);
      assert.equal(info.kind, "error", key);
      assert.equal(info.source, "duis", `${key}: ${def.responseCode} meaning not established`);
      assert.equal(def.httpStatus, 200, key);
    }
  });

  it("builds DuisError with its registered code, status, details and cause", () => {
    const cause = new Error("SMI says Decommissioned");
    const e = new DuisError("deviceStatusNotAllowed", "00-DB-12-34-56-78-90-A0 is Decommissioned", { cause });
    assert.ok(isDuisError(e));
    assert.ok(e instanceof Error);
    assert.equal(e.name, "DuisError");
    assert.equal(e.key, "deviceStatusNotAllowed");
    assert.equal(e.responseCode, "E5");
    assert.equal(e.httpStatus, 200);
    assert.equal(e.details, "00-DB-12-34-56-78-90-A0 is Decommissioned");
    assert.equal(e.cause, cause);
    assert.match(e.message, /SMI status .*: 00-DB-12-34-56-78-90-A0 is Decommissioned$/);
    const plain = new DuisError("bodyTooLarge");
    assert.equal(plain.responseCode, null);
    assert.equal(plain.httpStatus, 413);
    assert.equal(plain.message, duisErrors.bodyTooLarge.message);
    assert.equal(isDuisError(new Error("x")), false);
  });
});
