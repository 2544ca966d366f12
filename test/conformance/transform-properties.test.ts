/**
 * Property: a valid request other than the RTDS template gives a command that the simulated device
 * accepts, acts on and answers. For every non-critical RTDS template sent to an ESME or a GSME,
 * fast-check draws a counter, a device (a fresh EUI with its own key-agreement key pair, installed
 * in the DCC's key store) and new values for the body's integer leaves (kept only where the DUIS
 * 5.4 schema still accepts the request); the transform must build the command, and a device of that
 * type holding those keys must answer it (not drop it), MACed for the requester.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isCriticalSrv } from "../../src/catalogue/index.js";
import { RTDS_DEVICE_TYPES, rtdsRecords } from "../../src/cli/profiles/rtds-devices.js";
import { readRtdsTemplates } from "../../src/cli/profiles/rtds-templates.js";
import { CommandTransformer } from "../../src/dcc/transform/index.js";
import { parseRequest } from "../../src/duis/model/request.js";
import { loadSchemaValidator } from "../../src/duis/schema/load.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { decodeFrame } from "../../src/gbcs/frame.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { SimEsme } from "../../src/sim/esme.js";
import { SimGsme } from "../../src/sim/gsme.js";
import { DeviceKeyring } from "../../src/sim/keyring.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { euiFromDuis } from "../../src/store/types.js";
import { reference } from "../support/reference.js";

const ACB = "90b3d51f30000002";

/** Templates whose command the DCC does not build yet (the same as in the service exceptions). */
const NOT_BUILT: ReadonlyMap<string, string> = new Map([
  ...["CANCELLATION", "FUTURE_DATED", "IMMEDIATE"].map((k): [string, string] => [
    `CS02bSupplierByTransCoS_6.23_${k}_SUCCESS_REQUEST_DUIS.XML`,
    "6.23 goes signed by the transitional CoS party under its own counter: not built",
  ]),
  ["CS02bACBByACB_8.5_SUCCESS_REQUEST_DUIS.XML", "8.5 goes under the ACB's own identity: not built"],
  ["CS02fMAC_6.24.1_SUCCESS_REQUEST_DUIS.XML", "originated by the DCC's own EUI, not a Service User"],
]);

/** The template with its counter and target replaced and the integer leaves drawn anew. */
function variant(xml: string, counter: bigint, device: string, draws: readonly number[]): string {
  let i = 0;
  const target = device.match(/../g)!.join("-").toUpperCase();
  return xml
    .replace(/(<sr:RequestID>[^<:]*:)[^<:]*:\d+(<\/sr:RequestID>)/, `$1${target}:${counter}$2`)
    .replace(
      /(<sr:(?!RequestID|CommandVariant|ServiceReference)[A-Za-z]+>)(\d{1,6})(<\/sr:)/g,
      (_match, open, digits, close) => {
        const draw = draws[i++ % draws.length] ?? 0;
        // The same number of digits, so that length and range facets usually still hold.
        const max = 10 ** digits.length;
        return `${open}${draw % max}${close}`;
      },
    );
}

describe("property: other counters, devices and values give commands the device answers", () => {
  const rtds = KeyStore.fromDirectory(reference("rtds-keystore"));
  const schema = loadSchemaValidator(reference("duis-schema"));
  const templates = readRtdsTemplates(reference()).filter((t) => {
    const type = RTDS_DEVICE_TYPES[t.target];
    return t.commandVariant === 1 && !isCriticalSrv(t.srv) && (type === "ESME" || type === "GSME");
  });
  const at = Date.UTC(2026, 2, 3, 4, 5, 6);

  it("has templates to vary", () => {
    assert.ok(templates.length > 80, `${templates.length}`);
  });

  for (const t of templates) {
    it(t.file, { skip: NOT_BUILT.get(t.file) ?? false }, async () => {
      const type = RTDS_DEVICE_TYPES[t.target]!;
      const xml = readFileSync(t.path, "utf8");
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: 1n, max: (1n << 48n) - 1n }),
          fc.array(fc.nat({ max: 999_999 }), { minLength: 1, maxLength: 8 }),
          async (counter, draws) => {
            const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
            const device = `0a1b${counter.toString(16).padStart(12, "0").slice(-12)}`;
            let text = variant(xml, counter, device, draws);
            // A drawn value the schema refuses is not a valid request: keep the template's values then.
            if (!schema.validate(parseXml(text)).valid) text = variant(xml, counter, device, [0]);
            if (!schema.validate(parseXml(text)).valid) text = xml.replace(t.target, device);
            const request = parseRequest(parseXml(text).root);
            const originator = euiFromDuis(request.header.requestId.originator);
            const keys = KeyStore.fromDirectory(reference("rtds-keystore")).add({
              eui: device,
              usage: "ka",
              publicKey: pair.publicKey,
            });
            const built = new CommandTransformer(keys).transform(t.srv, type, {
              originator,
              device,
              counter: request.header.requestId.counter,
              body: request.body,
              at,
              records: rtdsRecords(),
            });
            assert.ok(built.ok, built.ok ? "" : `${built.kind}: ${built.reason}`);
            const keyring = new DeviceKeyring({
              eui: device,
              kaPrivateKey: pair.privateKey,
              remoteKa: new Map([
                [ACB, rtds.publicKey(ACB, "ka")!],
                [originator, rtds.publicKey(originator, "ka")!],
              ]),
            });
            const options = { keys: keyring, energy: deviceEnergy(device), now: () => at };
            const sim = type === "ESME" ? new SimEsme(options) : new SimGsme(options);
            const outcome = await sim.handle(built.bytes, decodeFrame(built.bytes));
            assert.ok(outcome.response !== undefined, `dropped: ${outcome.dropped}`);
            const answer = decodeMessage(outcome.response, { keys });
            assert.equal(answer.frame.counter, request.header.requestId.counter);
            assert.equal(answer.frame.recipient.toLowerCase(), originator);
          },
        ),
        { numRuns: 3 },
      );
    });
  }
});
