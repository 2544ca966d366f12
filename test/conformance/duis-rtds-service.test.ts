/**
 * DUIS conformance of the running service: `compose()` with `--profile rtds` (a temp data folder,
 * `app.inject`), and each of the 297 RTDS 4.9.1 request templates signed with the DCC Boxed test key
 * of its originator, sent to the web service of its Command Variant.
 *
 * What each template must get comes from the reference data alone (`expectedOutcome`): a device
 * request of CV1 is acknowledged (`I99`), a CV4 gets its Pre-Command in an `I0`, a CV2 its command
 * for local delivery in an `I0`, each when the originator's role may send the SRV (the DUIS request
 * matrix), E2 otherwise. Templates that cannot get that today are in `RTDS_SERVICE_EXCEPTIONS` with
 * the outcome they get and why; each must get exactly that (so the list cannot go stale). Every DUIS
 * answer is schema-valid and signed with the DSP XML-signing key; every on-demand `I99` is followed
 * by the device's response (`I0`), POSTed to the originator's receive-response endpoint (real HTTP
 * on 127.0.0.1:0), unless its exception says the simulated device does not answer yet.
 *
 * Signing: all 297 with meterway's signer (one JVM per request would take minutes), cross-checked
 * on a sample with DCC Boxed's own Java tool (@smartdcc/duis-sign-wrap): its signer produces
 * requests the service answers the same way, and its validator accepts our signed requests and
 * the service's signed responses. The Java part is skipped when Java is absent.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { signDuis as dccBoxedSign, validateDuis as dccBoxedValidate } from "@smartdcc/duis-sign-wrap";
import { type CommandVariant, isSrv, srvEntry, webServiceFor } from "../../src/catalogue/index.js";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { type RtdsTemplate, readRtdsTemplates } from "../../src/cli/profiles/rtds-templates.js";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { resolveConfig } from "../../src/config/config.js";
import { type DuisErrorKey, duisErrorKeys, duisErrors } from "../../src/duis/errors.js";
import { executionDateTimeOf, parseRequest, parseResponse } from "../../src/duis/model/index.js";
import { loadSchemaValidator } from "../../src/duis/schema/load.js";
import { signDuis } from "../../src/duis/signature/sign.js";
import { verifyDuis } from "../../src/duis/signature/verify.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { dccBoxedSigningKeys, xmlSigningKey } from "../duis/signature/dccboxed-keys.js";
import { reference } from "../support/reference.js";
import { RTDS_SERVICE_EXCEPTIONS } from "./rtds-service-exceptions.js";

const java = spawnSync("java", ["-version"], { encoding: "utf8" });
const noJava = java.error !== undefined || java.status !== 0;

/** What a template's synchronous answer is: a DUIS code, `I0` with its payload kind, or a registry key. */
/** A DUIS code, `I0` with its payload kind, or a registry key. */
type Outcome = string;

/**
 * DUIS's answer to a template, from the reference data: the originator must be a Service User (the
 * DCC Boxed identities), then CV1 → I99, CV4 → I0 Pre-Command, CV2 → I0 local command, CV8 → the
 * non-device service's answer, each when the role may send the SRV (E2 when not).
 */
function expectedOutcome(t: RtdsTemplate, users: ReadonlyMap<string, readonly string[]>): Outcome {
  const exception = RTDS_SERVICE_EXCEPTIONS.get(t.file);
  if (exception !== undefined) return exception.outcome;
  const roles = users.get(t.originator);
  if (roles === undefined) return "certificateUnknown";
  if (!isSrv(t.srv)) return "unknownServiceReferenceVariant";
  const entry = srvEntry(t.srv);
  // The 15 non-device templates (CV8) wait for the records issue: NON_DEVICE_REASON.
  if (entry.nonDevice) return "srvNotSupported";
  const eligible = roles.some((r) => (entry.roles as readonly string[]).includes(r));
  if (!eligible) return "E2";
  switch (t.commandVariant) {
    case 1:
      return "I99";
    case 2:
      return "I0 LocalCommand";
    case 4:
      return "I0 PreCommand";
    default:
      return "I0";
  }
}

/** Whether the DCC holds a request until its date (DUIS pattern "DSP", a date past `now`). */
function isHeldByDcc(xml: string, now: number): boolean {
  const request = parseRequest(parseXml(xml).root);
  const at = executionDateTimeOf(request);
  return (
    at !== undefined &&
    Date.parse(at) > now &&
    srvEntry(request.header.serviceReferenceVariant).futureDated === "dsp"
  );
}

/** The template with its RequestID counter replaced (counters must rise per originator). */
function withCounter(t: RtdsTemplate, counter: bigint): string {
  const xml = readFileSync(t.path, "utf8");
  const out = xml.replace(/(<sr:RequestID>[^<:]*:[^<:]*:)\d+(<\/sr:RequestID>)/, `$1${counter}$2`);
  assert.notEqual(out, xml, `${t.file}: RequestID not rewritten`);
  return out;
}

interface Answer {
  readonly template: RtdsTemplate;
  readonly request: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly outcome: Outcome | string;
}

describe("conformance: RTDS 4.9.1 templates against the service (--profile rtds)", () => {
  const templates = readRtdsTemplates(reference());
  const keys = dccBoxedSigningKeys();
  const schema = loadSchemaValidator(reference("duis-schema"));
  const dspCertificate = keys.find((k) => k.role === 137)!.certificate;
  const counters = new Map<string, bigint>();
  let dir: string;
  let dcc: Dcc;
  let receiver: ResponseReceiver;
  let users: Map<string, readonly string[]>;
  const answers: Answer[] = [];
  /** The asynchronous responses delivered to the receive endpoint. */
  const delivered: string[] = [];

  function nextCounter(originator: string): bigint {
    const c = (counters.get(originator) ?? 100_000n) + 1n;
    counters.set(originator, c);
    return c;
  }

  async function send(t: RtdsTemplate, signed: string): Promise<Answer> {
    const service = webServiceFor(t.commandVariant as CommandVariant);
    const r = await dcc.app.inject({
      method: "POST",
      url: `/api/v1/${service}`,
      headers: { "content-type": "application/xml" },
      payload: signed,
    });
    const contentType = String(r.headers["content-type"] ?? "");
    let outcome: string;
    if (contentType.startsWith("application/xml")) {
      const response = parseResponse(parseXml(r.body).root);
      const code = response.header.responseCode;
      outcome =
        code === "I0" &&
        response.body.kind === "ResponseMessage" &&
        (response.body.payload?.kind === "PreCommand" || response.body.payload?.kind === "LocalCommand")
          ? `I0 ${response.body.payload.kind}`
          : code;
    } else {
      const key = duisErrorKeys.find(
        (k) => duisErrors[k].httpStatus === r.statusCode && r.body.startsWith(duisErrors[k].message),
      );
      outcome = key ?? `HTTP ${r.statusCode}: ${r.body.slice(0, 120)}`;
    }
    return { template: t, request: signed, status: r.statusCode, contentType, body: r.body, outcome };
  }

  function checkDcccSigned(xml: string, what: string): void {
    const verified = verifyDuis(xml, {
      lookupCertificate: (_issuer, serial) =>
        serial === BigInt(`0x${dspCertificate.serialNumber}`).toString(10) ? dspCertificate : undefined,
    });
    assert.ok(verified.valid, `${what}: ${verified.valid ? "" : `${verified.reason}: ${verified.detail}`}`);
    const valid = schema.validate(parseXml(xml));
    assert.ok(valid.valid, `${what}: ${valid.valid ? "" : JSON.stringify(valid.errors.slice(0, 2))}`);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-rtds-service-"));
    // A device that does not answer is reported (E21) after 5 s rather than the WAN's 120.
    dcc = await compose(resolveConfig({ dataDir: dir, port: 0, host: "127.0.0.1", profile: "rtds" }), {
      wan: { timeoutMs: 5_000 },
    });
    receiver = await ResponseReceiver.start();
    users = new Map();
    for (const user of await dcc.store.users.list()) {
      users.set(user.eui, user.roles);
      await dcc.store.users.put({ ...user, receiveResponseUrl: receiver.url });
    }
    for (const t of templates) {
      const key = xmlSigningKey(t.originator, keys);
      const signed = signDuis(withCounter(t, nextCounter(t.originator)), {
        privateKey: key.privateKey,
        certificate: key.certificate,
      });
      answers.push(await send(t, signed));
    }
  });

  after(async () => {
    await dcc?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers each of the 297 templates with the code DUIS specifies, and prints the numbers", () => {
    assert.equal(templates.length, 297);
    const wrong = answers
      .filter((a) => a.outcome !== expectedOutcome(a.template, users))
      .map((a) => `${a.template.file}: ${a.outcome}, expected ${expectedOutcome(a.template, users)}`);
    assert.ok(wrong.length === 0, `${wrong.length} templates answered otherwise:\n${wrong.join("\n")}`);

    const counts = new Map<string, number>();
    for (const a of answers) counts.set(a.outcome, (counts.get(a.outcome) ?? 0) + 1);
    const get = (o: string) => counts.get(o) ?? 0;
    console.log(
      `rtds: ${answers.length} templates, ${get("I99")} I99, ${get("I0 PreCommand")} I0 precommand, ` +
        `${get("I0 LocalCommand")} I0 local command, ` +
        `${get("srvNotSupported")} not yet supported, ${get("certificateUnknown")} not a Service User` +
        [...counts]
          .filter(
            ([o]) =>
              !["I99", "I0 PreCommand", "I0 LocalCommand", "srvNotSupported", "certificateUnknown"].includes(
                o,
              ),
          )
          .map(([o, n]) => `, ${n} ${o}`)
          .join(""),
    );
  });

  it("signs every DUIS answer with the DSP XML-signing key, schema-valid; refusals carry the registry's status", () => {
    for (const a of answers) {
      if (a.contentType.startsWith("application/xml")) {
        assert.equal(a.status, 200, a.template.file);
        checkDcccSigned(a.body, a.template.file);
      } else {
        const key = a.outcome as DuisErrorKey;
        assert.ok(duisErrorKeys.includes(key), `${a.template.file}: ${a.outcome}`);
        assert.equal(a.status, duisErrors[key].httpStatus, a.template.file);
        assert.equal(duisErrors[key].responseCode, null, `${key} is coded: it must come as a DUIS Response`);
      }
    }
  });

  it("delivers the asynchronous response of every on-demand I99 to the originator's endpoint", async () => {
    // A future-dated request (DSP pattern) is held until its execution date: no response yet.
    const acknowledged = answers.filter((a) => a.outcome === "I99" && !isHeldByDcc(a.request, Date.now()));
    const pending = new Map(
      acknowledged.map((a) => {
        const id = parseResponse(parseXml(a.body).root).header.requestId!;
        return [`${id.originator}:${id.counter}`, a];
      }),
    );
    // A liveness bound, not a speed check: the WAN of this profile has no delay.
    const deadline = new Promise<never>((_, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no response for ${[...pending.values()].map((a) => a.template.file)}`)),
        60_000,
      );
      timer.unref();
    });
    const wrong: string[] = [];
    while (pending.size > 0) {
      const message = await Promise.race([receiver.next(), deadline]);
      assert.match(message.contentType ?? "", /application\/xml/);
      checkDcccSigned(message.body, "asynchronous response");
      delivered.push(message.body);
      const response = parseResponse(parseXml(message.body).root);
      const key = `${response.header.requestId!.originator}:${response.header.requestId!.counter}`;
      const a = pending.get(key);
      if (a === undefined) {
        const counter = response.header.requestId?.counter;
        const from = answers
          .filter((x) => x.request.includes(`:${counter}</sr:RequestID>`))
          .map((x) => `${x.template.file} (${x.outcome})`);
        assert.fail(
          `unexpected response ${response.header.responseCode} for counter ${counter}: ${from.join(", ")}`,
        );
      }
      pending.delete(key);
      const silent = RTDS_SERVICE_EXCEPTIONS.get(a.template.file)?.deviceAnswer === "E21";
      const code = response.header.responseCode;
      const payload =
        response.body.kind === "ResponseMessage" && response.body.payload?.kind === "GBCSPayload";
      if (code !== (silent ? "E21" : "I0") || (!silent && !payload)) {
        wrong.push(`${a.template.file}: ${code}${payload ? "" : " without a GBCSPayload"}`);
      }
    }
    assert.ok(wrong.length === 0, `${wrong.length} device responses otherwise:\n${wrong.join("\n")}`);
  });

  it("agrees with DCC Boxed's Java tool on a sample: its signatures are answered alike, ours and the service's validate", {
    skip: noJava ? "java is not installed (DCC Boxed's signing tool needs it)" : false,
  }, async () => {
    // One template per signing identity and outcome (DCC Boxed's signer has no load-controller key).
    const byKind = new Map<string, Answer>();
    for (const a of answers) {
      const kind = `${a.template.originator} ${a.outcome}`;
      if (!byKind.has(kind) && a.template.originator !== "90b3d51f30010008") byKind.set(kind, a);
    }
    const sample = [...byKind.values()];
    assert.ok(sample.length >= 5, `sample of ${sample.length}`);

    // DCC Boxed's signer (keys from its own keystore, counter as we set it).
    const javaSigned = await Promise.all(
      sample.map((a) =>
        dccBoxedSign({
          xml: withCounter(a.template, nextCounter(a.template.originator)),
          preserveCounter: true,
        }),
      ),
    );
    for (const [i, xml] of javaSigned.entries()) {
      const a = sample[i]!;
      const again = await send(a.template, xml);
      assert.equal(again.outcome, a.outcome, `${a.template.file} signed by DCC Boxed`);
      if (again.outcome === "I99" && !isHeldByDcc(xml, Date.now())) {
        const message = await receiver.next();
        const silent = RTDS_SERVICE_EXCEPTIONS.get(a.template.file)?.deviceAnswer === "E21";
        assert.equal(parseResponse(parseXml(message.body).root).header.responseCode, silent ? "E21" : "I0");
      }
    }

    // DCC Boxed's validator: our signed requests, and the service's signed answers.
    const responses = answers.filter((a) => a.contentType.startsWith("application/xml")).slice(0, 3);
    const toValidate = [
      ...sample.map((a) => a.request),
      ...responses.map((a) => a.body),
      ...delivered.slice(0, 1),
    ];
    assert.equal(toValidate.length, sample.length + 4, "requests, three answers and one delivered I0");
    const results = await Promise.allSettled(toValidate.map((xml) => dccBoxedValidate({ xml })));
    results.forEach((r, i) => {
      assert.equal(r.status, "fulfilled", `sample ${i}: ${r.status === "rejected" ? String(r.reason) : ""}`);
    });
  });

  it("accepts a request signed with any of the supplier's DCC Boxed keys, the expired Z1 and Z1b ones included", async () => {
    const t = templates.find((x) => x.file === "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML")!;
    const supplierKeys = keys.filter((k) => k.eui === t.originator);
    assert.deepEqual(supplierKeys.map((k) => k.name).sort(), [
      "Z1-supplier-ds",
      "Z1b-supplier-ds",
      "xml-sign-90B3D51F30010000-ds",
    ]);
    for (const key of supplierKeys) {
      const signed = signDuis(withCounter(t, nextCounter(t.originator)), {
        privateKey: key.privateKey,
        certificate: key.certificate,
      });
      const a = await send(t, signed);
      assert.equal(
        a.outcome,
        "I99",
        `${key.name} (valid to ${key.certificate.validTo}): ${a.body.slice(0, 200)}`,
      );
      const message = await Promise.race([
        receiver.next(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no response")), 60_000).unref()),
      ]);
      assert.equal(parseResponse(parseXml(message.body).root).header.responseCode, "I0");
    }
  });
});
