import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  allowedCommandVariants,
  commandVariants,
  cspRegions,
  dccAlertCodes,
  deviceStatuses,
  deviceTypes,
  isCommandVariant,
  isResponseCode,
  isSrv,
  isUserRole,
  remotePartyRoles,
  responseCodeInfo,
  responseCodes,
  srvEntry,
  srvForBodyElement,
  srvs,
  srvUseCaseLinks,
  useCases,
  useCasesForSrv,
  userRoles,
  webServiceFor,
} from "../../src/catalogue/index.js";
import { reference } from "../support/reference.js";

function readJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(reference(...parts), "utf8"));
}

interface MatrixRow {
  "Service Request Name": string;
  "Service Reference": string;
  "Service Reference Variant": string;
  Critical: string;
  "On Demand": string;
  "Future Dated Response Pattern": string;
  "DCC Scheduled": string;
  "Non-Device Request": string;
  "Eligible User Roles": string[];
}

const enums = readJson("catalogue", "duis-v5.4-xsd-enums.json") as Record<string, string[]>;
const matrix = readJson("catalogue", "duis-request-matrix.json") as MatrixRow[];

describe("catalogue: Service Reference Variants", () => {
  it("has 129 SRVs, 37 critical, 16 non-device, 13 DCC-schedulable", () => {
    assert.equal(srvs.length, 129);
    assert.equal(srvs.filter((s) => s.critical).length, 37);
    assert.equal(srvs.filter((s) => s.nonDevice).length, 16);
    assert.equal(srvs.filter((s) => s.dccScheduled).length, 13);
    assert.equal(new Set(srvs.map((s) => s.srv)).size, 129);
    assert.equal(new Set(srvs.map((s) => s.body)).size, 129, "one body element per SRV");
  });

  it("agrees row by row with the DUIS request matrix", () => {
    assert.equal(matrix.length, srvs.length);
    const fd: Record<string, string> = {
      No: "none",
      DSP: "dsp",
      Device: "device",
      "DSP & Device": "dspAndDevice",
    };
    for (const [i, row] of matrix.entries()) {
      const s = srvs[i];
      assert.ok(s);
      const at = row["Service Reference Variant"];
      assert.equal(s.srv, at);
      // The matrix writes 6.20.x's Service Reference as the number 6.2; DUIS, the XSD and the
      // templates say 6.20.
      assert.equal(s.sr, at.startsWith("6.20.") ? "6.20" : row["Service Reference"], at);
      assert.equal(s.name, row["Service Request Name"], at);
      assert.equal(s.critical, row.Critical === "Yes", at);
      assert.equal(s.onDemand, row["On Demand"] === "Yes", at);
      assert.equal(s.futureDated, fd[row["Future Dated Response Pattern"]], at);
      assert.equal(s.dccScheduled, row["DCC Scheduled"] === "Yes", at);
      assert.equal(s.nonDevice, row["Non-Device Request"] === "Yes", at);
      assert.deepEqual([...s.roles], row["Eligible User Roles"], at);
    }
  });

  it("lists the same SRVs and SRs as the XSD enumerations", () => {
    assert.deepEqual(
      srvs.map((s) => s.srv),
      enums.ServiceReferenceVariant,
    );
    assert.deepEqual([...new Set(srvs.map((s) => s.sr))].sort(), [...(enums.ServiceReference ?? [])].sort());
    // Every DCC-schedulable SRV may be named by a schedule; the XSD also lets a schedule name 4.2,
    // which the request matrix does not mark as DCC-scheduled.
    const schedulable = enums.DSPScheduledServiceReferenceVariant ?? [];
    for (const s of srvs) if (s.dccScheduled) assert.ok(schedulable.includes(s.srv), s.srv);
    assert.deepEqual(
      schedulable.filter((v) => !(isSrv(v) && srvEntry(v).dccScheduled)),
      ["4.2"],
    );
  });

  it("allows CV4-7 for critical, CV8 for non-device and CV1-3 (or fewer) for the others", () => {
    for (const s of srvs) {
      const cvs = allowedCommandVariants(s.srv);
      if (s.nonDevice) assert.deepEqual(cvs, [8], s.srv);
      else if (s.critical)
        assert.ok(cvs.includes(4) && cvs.includes(5) && cvs.every((c) => c >= 4 && c <= 7), s.srv);
      else assert.ok(cvs.includes(1) && cvs.every((c) => c >= 1 && c <= 3), s.srv);
    }
  });

  it("matches each RTDS template's SRV, command variant and body element", () => {
    const dir = reference("rtds-4.9.1-duis");
    const files = readdirSync(dir);
    assert.equal(files.length, 297);
    for (const f of files) {
      const xml = readFileSync(`${dir}/${f}`, "utf8");
      const srv = /<sr:ServiceReferenceVariant>([^<]*)</.exec(xml)?.[1] ?? "";
      const cv = Number(/<sr:CommandVariant>([^<]*)</.exec(xml)?.[1]);
      const body = /<sr:Body>\s*<sr:(\w+)/.exec(xml)?.[1] ?? "";
      assert.ok(isSrv(srv), f);
      assert.ok(isCommandVariant(cv), f);
      assert.ok(allowedCommandVariants(srv).includes(cv), `${f}: CV${cv} for ${srv}`);
      assert.equal(srvEntry(srv).body, body, f);
      assert.equal(srvForBodyElement(body)?.srv, srv, f);
    }
  });

  it("names only known roles", () => {
    for (const s of srvs) for (const r of s.roles) assert.ok(isUserRole(r), `${s.srv}: ${r}`);
    assert.deepEqual(
      userRoles.map((r) => r.code),
      ["IS", "ES", "GS", "ED", "GT", "OU", "RSA"],
    );
    assert.deepEqual([...remotePartyRoles], enums.RemotePartyRole);
  });
});

describe("catalogue: command variants", () => {
  it("has CV1-8 with DCC Boxed's web services, as the reference table says", () => {
    const ref = readJson("catalogue", "duis-command-variants.json") as {
      commandVariants: Record<
        string,
        { webService: string; input: string; output: string; critical: string }
      >;
    };
    const service: Record<string, string> = {
      "Send Command Service": "serviceS",
      "Transform Service": "serviceT",
      "Non-Device Service": "serviceD",
    };
    assert.equal(commandVariants.length, 8);
    for (const c of commandVariants) {
      const r = ref.commandVariants[String(c.cv)];
      assert.ok(r, `CV${c.cv}`);
      assert.equal(webServiceFor(c.cv), service[r.webService], `CV${c.cv}`);
      assert.equal(c.input, r.input, `CV${c.cv}`);
      assert.equal(c.output, r.output, `CV${c.cv}`);
      assert.equal(c.signedPreCommand, r.critical === "Yes", `CV${c.cv}`);
    }
    assert.equal(isCommandVariant(9), false);
    assert.equal(isCommandVariant(0), false);
  });
});

describe("catalogue: codes and devices", () => {
  it("has the 194 response codes of the XSD, each with a meaning", () => {
    assert.equal(responseCodes.length, 194);
    assert.deepEqual(
      responseCodes.map((r) => r.code),
      enums.ResponseCode,
    );
    for (const r of responseCodes) assert.ok(r.title.length > 0 && r.description.length > 0, r.code);
    assert.equal(responseCodeInfo("I0").kind, "success");
    assert.equal(responseCodeInfo("I99").kind, "acknowledgement");
    assert.equal(responseCodeInfo("E5").title, "Failed Authorisation – Invalid Device Status");
    assert.equal(responseCodeInfo("E050101").serviceReference, "5.1");
    assert.equal(responseCodeInfo("E081401").serviceReference, "8.14");
    assert.equal(responseCodeInfo("W110101").kind, "warning");
    assert.equal(isResponseCode("E6"), false);
    assert.equal(isResponseCode("E65"), true);
  });

  it("gives every Service-Request-specific code a Service Reference that exists", () => {
    const srs = new Set<string>(srvs.map((s) => s.sr));
    for (const r of responseCodes) if (r.serviceReference) assert.ok(srs.has(r.serviceReference), r.code);
  });

  it("has the 66 DCC alert codes", () => {
    assert.equal(dccAlertCodes.length, 66);
    assert.deepEqual([...dccAlertCodes], enums.DCCAlertCode);
  });

  it("has the XSD's device types, statuses and CSP regions", () => {
    assert.deepEqual(
      deviceTypes.map((d) => d.code),
      enums.DeviceType,
    );
    assert.deepEqual([...deviceStatuses], enums.DeviceStatus);
    assert.deepEqual(
      cspRegions.map((r) => r.code),
      enums.CSPRegion,
    );
  });
});

describe("catalogue: GBCS use cases", () => {
  it("has the 207 use cases of the mapping table", () => {
    const mapping = readJson("catalogue", "gbcs-mapping-table.json") as {
      Code: string;
      "Message Type": string;
    }[];
    assert.equal(useCases.length, 207);
    assert.deepEqual(
      useCases.map((u) => u.code),
      mapping.map((m) => m.Code),
    );
    assert.deepEqual(
      useCases.map((u) => u.messageType),
      mapping.map((m) => m["Message Type"]),
    );
  });

  it("maps 4.1.1 to ECS17b and GCS13a, and every device SRV to at least one use case", () => {
    const uc = useCasesForSrv("4.1.1").map((l) => l.useCase);
    assert.ok(uc.includes("ECS17b") && uc.includes("GCS13a"), uc.join());
    assert.equal(useCasesForSrv("4.1.1").find((l) => l.useCase === "ECS17b")?.messageCode, 0x0027);
    const missing = srvs.filter((s) => !s.nonDevice && useCasesForSrv(s.srv).length === 0).map((s) => s.srv);
    assert.deepEqual(missing, []);
    for (const l of srvUseCaseLinks) assert.ok(isSrv(l.srv), l.srv);
  });

  it("includes every RTDS GBCS folder's SRV → use case pair (use case + RTDS variant suffix)", () => {
    for (const dir of readdirSync(reference("rtds-4.5.0-gbcs"))) {
      const at = dir.indexOf("_");
      const srv = dir.slice(0, at);
      if (!isSrv(srv)) continue;
      assert.ok(
        useCasesForSrv(srv).some(
          (l) =>
            l.useCase === dir.slice(at + 1) ||
            (l.rtdsVariants ?? []).some((v) => l.useCase + v === dir.slice(at + 1)),
        ),
        dir,
      );
    }
  });
});
