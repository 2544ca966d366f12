import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  criticalityExceptions,
  gbcsMessageCodes,
  linkExceptions,
  messageCodeEntry,
  messageCodeOf,
  type Srv,
  srvEntry,
  srvs,
  srvUseCaseLinks,
  useCaseDisagreements,
} from "../../src/catalogue/index.js";
import { MESSAGE_CODES } from "../../src/gbcs/message-codes.js";
import { reference } from "../support/reference.js";

// Expected values come from the reference files, read here, never from the product's tables.
function readJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(reference(...parts), "utf8"));
}
const codeList = (
  readJson("catalogue", "gbcs-message-codes.json") as { messageCodes: Record<string, string> }
).messageCodes;
const mapping = readJson("catalogue", "gbcs-mapping-table.json") as {
  Code: string;
  "Message Type": string;
}[];
const typeOf = new Map(mapping.map((u) => [u.Code, u["Message Type"]]));
const rows = (
  readJson("catalogue", "message-code-to-service-request.json") as {
    rows: { messageCode: string; serviceReferenceVariants: string[]; useCase: string }[];
  }
).rows;
const rtdsFolders = readdirSync(reference("rtds-4.5.0-gbcs"));
const hex = (c: number) => `0x${c.toString(16).padStart(4, "0").toUpperCase()}`;

describe("catalogue: the GBCS use-case table", () => {
  it("has every message code of gbcs-message-codes.json, with its use case and title", () => {
    assert.equal(gbcsMessageCodes.length, Object.keys(codeList).length);
    for (const [code, text] of Object.entries(codeList)) {
      const e = messageCodeEntry(Number.parseInt(code, 16));
      assert.ok(e, code);
      assert.equal(e.useCase === null ? e.title : `${e.useCase} ${e.title}`, text, code);
    }
    assert.equal(messageCodeOf("ECS42"), 0x004f);
    assert.equal(messageCodeOf("ECS17b"), 0x0027);
  });

  it("marks critical exactly the SME.C.C and SME.A.C use cases of the mapping table", () => {
    for (const e of gbcsMessageCodes) {
      const type = e.useCase === null ? undefined : typeOf.get(e.useCase);
      assert.equal(e.messageType, type ?? null, hex(e.messageCode));
      // SME.C.PPMID-GSME, "See GBCS" and variant commands are neither plainly.
      const expected =
        type === "SME.C.C" || type === "SME.A.C"
          ? true
          : type === "SME.C.NC" || type === "SME.A.NC" || type?.startsWith("SME.C.NC but")
            ? false
            : null;
      assert.equal(e.critical, expected, hex(e.messageCode));
    }
    assert.equal(messageCodeEntry(0x004f)?.critical, true, "ECS42 is SME.C.C");
    assert.equal(messageCodeEntry(0x0027)?.critical, false, "ECS17b is SME.C.NC");
  });

  it("gives the payload family our GBCS dispatch uses, and agrees with it on the use case", () => {
    for (const e of gbcsMessageCodes) {
      const g = MESSAGE_CODES.get(e.messageCode);
      const family = g === undefined || g.family === "by-content" ? null : g.family;
      assert.equal(e.family, family, hex(e.messageCode));
    }
    assert.equal(messageCodeEntry(0x004f)?.family, "dlms");
    assert.equal(messageCodeEntry(0x0071)?.family, "gbz");
  });

  it("records each disagreement between the reference sources", () => {
    // 0x0012: the code list says CS06, the service-request sheet CS08.
    assert.ok(useCaseDisagreements.some((d) => d.messageCode === 0x0012 && d.about === "useCase"));
    // Every code whose use case the mapping table lacks is listed, and only those.
    const lacking = gbcsMessageCodes.filter((e) => e.useCase !== null && !typeOf.has(e.useCase));
    assert.deepEqual(
      useCaseDisagreements.filter((d) => d.about === "messageType").map((d) => d.messageCode),
      lacking.map((e) => e.messageCode),
    );
    for (const r of rows) {
      const listed = codeList[r.messageCode]?.split(" ")[0];
      if (listed !== r.useCase.split(" ")[0]) {
        const code = Number.parseInt(r.messageCode, 16);
        assert.ok(
          useCaseDisagreements.some((d) => d.messageCode === code && d.about === "useCase"),
          r.messageCode,
        );
      }
    }
  });
});

describe("catalogue: SRV → use-case links", () => {
  it("names spec use cases, never RTDS folder names", () => {
    const specNames = new Set([
      ...mapping.map((u) => u.Code),
      ...Object.values(codeList).map((t) => t.split(" ")[0] ?? t),
    ]);
    // A folder name is a spec name with a variant suffix: a capital after a known use case.
    const folderOnly = rtdsFolders
      .map((d) => d.slice(d.indexOf("_") + 1))
      .filter((f) =>
        [...specNames].some((u) => f.length > u.length && f.startsWith(u) && /[A-Z]/.test(f[u.length] ?? "")),
      );
    assert.ok(folderOnly.includes("CS02bNOByNO") && folderOnly.includes("ECS47Activate"));
    for (const l of srvUseCaseLinks) {
      assert.ok(!folderOnly.includes(l.useCase), `${l.srv} ${l.useCase}`);
      assert.match(l.useCase, /^[A-Z]{2,5}\d{2}[a-z]?\d?$|^CS0[34][A-Z0-9]+$/, `${l.srv} ${l.useCase}`);
    }
  });

  it("resolves each link to a listed message code, or names it in the exception list", () => {
    const unresolved = srvUseCaseLinks
      .filter((l) => l.messageCode === null)
      .map((l) => `${l.srv} ${l.useCase}`);
    assert.deepEqual(
      unresolved,
      linkExceptions.map((x) => `${x.srv} ${x.useCase}`),
    );
    for (const x of linkExceptions) assert.ok(x.reason.length > 20, x.srv);
    for (const l of srvUseCaseLinks) {
      if (l.messageCode === null) continue;
      assert.ok(codeList[hex(l.messageCode)], `${l.srv} ${l.useCase} ${hex(l.messageCode)}`);
    }
  });

  it("keeps every row of the message-code → service-request sheet", () => {
    for (const r of rows) {
      const code = Number.parseInt(r.messageCode, 16);
      for (const srv of r.serviceReferenceVariants) {
        if (!srvs.some((s) => s.srv === srv)) continue;
        assert.ok(
          srvUseCaseLinks.some((l) => l.srv === srv && l.messageCode === code),
          `${srv} ${r.messageCode}`,
        );
        const listed: readonly string[] = messageCodeEntry(code)?.srvs ?? [];
        assert.ok(listed.includes(srv), `${r.messageCode} lists ${srv}`);
      }
    }
  });

  it("agrees with DUIS on criticality but for the documented exceptions", () => {
    const found: string[] = [];
    for (const l of srvUseCaseLinks) {
      if (l.messageCode === null) continue;
      const srvCritical = srvEntry(l.srv as Srv).critical;
      const listedAs = codeList[hex(l.messageCode)]?.split(" ")[0];
      const type = listedAs === undefined ? undefined : typeOf.get(listedAs);
      const byType = type === "SME.C.C" ? true : type === "SME.C.NC" ? false : undefined;
      const useCaseCritical = byType ?? MESSAGE_CODES.get(l.messageCode)?.critical;
      if (useCaseCritical !== undefined && useCaseCritical !== srvCritical)
        found.push(`${l.srv} ${l.useCase}`);
    }
    const listed = criticalityExceptions.map((x) => `${x.srv} ${x.useCase}`);
    assert.deepEqual([...new Set(found)], listed);
    for (const x of criticalityExceptions)
      assert.equal(x.srvCritical, srvEntry(x.srv as Srv).critical, x.srv);
  });
});
