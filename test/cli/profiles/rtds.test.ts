/**
 * The rtds profile: what it reads from the reference data (DCC Boxed identities, RTDS premises,
 * device keys), and `meterway start --profile rtds` on a temp data folder, first run and restart.
 */
import assert from "node:assert/strict";
import { diffieHellman, sign, verify, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { compose, type Dcc } from "../../../src/cli/compose.js";
import { loadRtdsProfile, rtdsDeviceKeys } from "../../../src/cli/profiles/rtds.js";
import { RTDS_DEVICE_TYPES, rtdsPremises } from "../../../src/cli/profiles/rtds-devices.js";
import { certificatesNotValidAt, readBoxedIdentities } from "../../../src/cli/profiles/rtds-identities.js";
import { readRtdsTemplates } from "../../../src/cli/profiles/rtds-templates.js";
import { parseStartArgs, runStart } from "../../../src/cli/start.js";
import type { MeterwayConfig } from "../../../src/config/config.js";
import { decimalSerial } from "../../../src/duis/signature/certificate.js";
import { captureIo } from "../../support/cli-io.js";
import { reference } from "../../support/reference.js";

const NOW = Date.UTC(2026, 10, 28, 12);
const DEVICES = ["a0", "a1", "a2", "a3", "a4", "a5", "a6"].map((s) => `00db1234567890${s}`);

function serialOf(file: string): string {
  return decimalSerial(new X509Certificate(readFileSync(reference("dccboxed-keys", file))));
}

describe("rtds profile: DCC Boxed identities", () => {
  const identities = readBoxedIdentities(reference());

  it("registers the Service Users with roles from their SMKI role codes; the DCC's parties are no users", () => {
    const roles = Object.fromEntries(identities.users.map((u) => [u.eui, [...u.roles].sort().join(",")]));
    assert.deepEqual(roles, {
      "00db123456780004": "OU",
      "90b3d51f30010000": "ES,GS,IS",
      "90b3d51f30010008": "",
      "90b3d51f30010009": "OU",
      "90b3d51f30020000": "ED,GT",
      "90b3d51f30030000": "ES,GS,IS",
    });
  });

  it("knows each user by every DCC Boxed signing certificate it has, Z1, Z1b and XML-signing alike", () => {
    const supplier = identities.users.find((u) => u.eui === "90b3d51f30010000")!;
    const serials = supplier.certificates.filter((c) => c.usage !== "ka").map((c) => c.serial);
    for (const file of ["Z1-supplier-ds.pem", "Z1b-supplier-ds.pem", "xml-sign-90B3D51F30010000-ds.pem"]) {
      assert.ok(serials.includes(serialOf(file)), file);
    }
    const xml = supplier.certificates.find((c) => c.serial === serialOf("xml-sign-90B3D51F30010000-ds.pem"))!;
    assert.equal(xml.usage, "xml");
    assert.equal(xml.issuer, "CN=Z1,OU=07");
    const operator = identities.users.find((u) => u.eui === "90b3d51f30020000")!;
    assert.ok(operator.certificates.some((c) => c.serial === serialOf("Z1-networkOperator-ds.pem")));
    // No certificate belongs to two users.
    const all = identities.users.flatMap((u) => u.certificates.map((c) => c.serial));
    assert.equal(new Set(all).size, all.length);
  });

  it("signs with the DSP XML-signing key of 90-B3-D5-1F-30-00-00-02", () => {
    const dsp = identities.dspXmlSigning;
    assert.equal(dsp.eui, "90b3d51f30000002");
    assert.equal(dsp.serial, serialOf("dsp-xml-sign-90B3D51F30000002-ds.pem"));
    const data = Buffer.from("meterway");
    const signature = sign("sha256", data, dsp.privateKey);
    assert.ok(verify("sha256", data, dsp.certificate.publicKey, signature));
  });

  it("lists the Z1/Z1b certificates as expired at the DCC's clock, and valid in their own time", () => {
    const expired = certificatesNotValidAt(identities.credentials, NOW).map((c) => c.name);
    assert.ok(expired.includes("Z1-supplier-ds") && expired.includes("Z1b-supplier-ds"));
    assert.ok(!expired.includes("xml-sign-90B3D51F30010000-ds"));
    const then = certificatesNotValidAt(identities.credentials, Date.UTC(2024, 5, 1)).map((c) => c.name);
    assert.ok(!then.includes("Z1-supplier-ds") && !then.includes("Z1b-supplier-ds"), then.join(","));
  });
});

describe("rtds profile: premises from the RTDS templates", () => {
  const templates = readRtdsTemplates(reference());
  const premises = rtdsPremises(templates, NOW);

  it("puts every device a template addresses in the SMI, Commissioned, on the RTDS hub", () => {
    assert.equal(templates.length, 297);
    assert.deepEqual(
      premises.devices.map((d) => `${d.eui} ${d.type} ${d.status} ${d.hubEui} ${d.mpxn}`),
      [
        "00db1234567890a0 ESME Commissioned 00db1234567890a2 1312345678111",
        "00db1234567890a1 GSME Commissioned 00db1234567890a2 1234567890",
        "00db1234567890a2 CHF Commissioned 00db1234567890a2 null",
        "00db1234567890a3 GPF Commissioned 00db1234567890a2 1234567890",
        "00db1234567890a4 PPMID Commissioned 00db1234567890a2 null",
        "00db1234567890a5 HCALCS Commissioned 00db1234567890a2 null",
        "00db1234567890a6 HCALCS Commissioned 00db1234567890a2 null",
      ],
    );
    const targets = new Set(templates.map((t) => t.target));
    targets.delete("90b3d51f30000002");
    assert.deepEqual([...targets].sort(), Object.keys(RTDS_DEVICE_TYPES).sort());
  });

  it("agrees with the use cases: ECS to the ESME (bar the CHF and load-switch ones), GCS to gas devices, CCS to the CHF", () => {
    for (const t of templates) {
      const type = RTDS_DEVICE_TYPES[t.target];
      if (type === undefined) continue;
      if (t.useCase.startsWith("GCS")) assert.match(type, /^(GSME|GPF)$/, t.file);
      if (t.useCase.startsWith("CCS") || t.useCase.startsWith("DBCH")) assert.equal(type, "CHF", t.file);
      if (t.useCase.startsWith("ECS")) assert.match(type, /^(ESME|CHF|HCALCS)$/, t.file);
    }
  });

  it("registers the templates' meter points to the DCC Boxed supplier and network operator", () => {
    const rows = premises.registrations.map((r) => `${r.mpxn} ${r.role} ${r.partyEui}`).sort();
    assert.deepEqual(rows, [
      "1000999888 GS 90b3d51f30010000",
      "1000999888 GT 90b3d51f30020000",
      "1234567890 GS 90b3d51f30010000",
      "1234567890 GT 90b3d51f30020000",
      "1312345678111 ED 90b3d51f30020000",
      "1312345678111 ES 90b3d51f30010000",
      "1312345678111 IS 90b3d51f30010000",
      "1312345678222 ED 90b3d51f30020000",
      "1312345678222 IS 90b3d51f30010000",
      "1312345678333 ED 90b3d51f30020000",
      "1312345678333 ES 90b3d51f30010000",
      "1312345678333 IS 90b3d51f30010000",
    ]);
  });

  it("refuses a template target whose device type it does not know", () => {
    const odd = { ...templates[0]!, target: "00db1234567890ff" };
    assert.throws(() => rtdsPremises([...templates, odd], NOW), /00db1234567890ff: device type unknown/);
  });
});

describe("rtds profile: device keys", () => {
  const keys = rtdsDeviceKeys(reference(), DEVICES);

  it("keeps the RTDS private key where there is one and generates the rest", () => {
    assert.deepEqual(keys.generated, [
      "00db1234567890a0-ds",
      ...DEVICES.slice(1).flatMap((d) => [`${d}-ka`, `${d}-ds`]),
    ]);
    // The ESME's KA key is the RTDS one: the DCC keeps the RTDS certificate for it.
    const rtds = new X509Certificate(readFileSync(reference("rtds-keystore", "00db1234567890a0-ka.pem")));
    assert.ok(keys.dcc.publicKey("00db1234567890a0", "ka")!.equals(rtds.publicKey));
  });

  it("gives the DCC the public half of each device's own key", () => {
    const acb = keys.dcc.privateKey("90b3d51f30000002", "ka")!;
    const acbPublic = keys.devices.publicKey("90b3d51f30000002", "ka")!;
    for (const eui of DEVICES) {
      const device = keys.devices.privateKey(eui, "ka")!;
      const fromDcc = diffieHellman({ privateKey: acb, publicKey: keys.dcc.publicKey(eui, "ka")! });
      const fromDevice = diffieHellman({ privateKey: device, publicKey: acbPublic });
      assert.ok(fromDcc.equals(fromDevice), eui);
    }
  });
});

describe("meterway start --profile rtds", () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const capture = () => captureIo();

  async function runOnce(config: MeterwayConfig, use: (dcc: Dcc) => Promise<void>) {
    const io = capture();
    const stop = new AbortController();
    let failure: unknown;
    const code = await runStart(config, io.io, {
      signal: stop.signal,
      now: () => NOW,
      onListening: (dcc) => {
        use(dcc)
          .catch((e: unknown) => {
            failure = e;
          })
          .finally(() => stop.abort());
      },
    });
    if (failure !== undefined) throw failure;
    return { code, out: io.out(), err: io.err() };
  }

  it("starts with the DCC Boxed users, the RTDS devices and the DSP key, and keeps run-time state on restart", async () => {
    const data = mkdtempSync(join(tmpdir(), "meterway-rtds-start-"));
    dirs.push(data);
    const config = parseStartArgs([
      "--profile",
      "rtds",
      "--data",
      data,
      "--port",
      "0",
      "--host",
      "127.0.0.1",
    ]);
    assert.notEqual(config, "help");
    const first = await runOnce(config as MeterwayConfig, async (dcc) => {
      assert.equal(dcc.firstRun, true);
      // The seven devices the templates address, and the five join partners they name.
      assert.equal((await dcc.store.devices.list()).length, 12);
      const supplier = (await dcc.store.users.get("90b3d51f30010000"))!;
      await dcc.store.users.put({ ...supplier, receiveResponseUrl: "http://127.0.0.1:9/receive" });
      await dcc.inventory.setStatus("00db1234567890a1", "Suspended", NOW);
      // One DCC per data folder, this profile too.
      await assert.rejects(compose(config as MeterwayConfig), /is in use by meterway process/);
    });
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /90-B3-D5-1F-30-01-00-00 {2}DCC Boxed supplier +roles IS, ES, GS/);
    assert.match(first.out, /xml-sign-90B3D51F30010000-ds\.pem/);
    assert.match(first.out, /dsp-xml-sign-90B3D51F30000002-ds\.pem/);
    assert.match(first.out, /Fleet: 1 premises, 12 devices \(Central 12\)/);
    assert.match(first.err, /outside their validity.*Z1-supplier-ds.*accepted/);
    assert.match(first.err, /generated device keys .*00db1234567890a1-ka/);

    const second = await runOnce(config as MeterwayConfig, async (dcc) => {
      assert.equal(dcc.firstRun, false);
      assert.equal(
        (await dcc.store.users.get("90b3d51f30010000"))!.receiveResponseUrl,
        "http://127.0.0.1:9/receive",
      );
      assert.equal((await dcc.store.devices.get("00db1234567890a1"))!.status, "Suspended");
    });
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /started/);
  });

  it("refuses --pki with it: the keys come from the reference data", async () => {
    const data = mkdtempSync(join(tmpdir(), "meterway-rtds-pki-"));
    dirs.push(data);
    const config = parseStartArgs(["--profile", "rtds", "--pki", data, "--data", data, "--port", "0"]);
    const io = capture();
    assert.equal(await runStart(config as MeterwayConfig, io.io), 2);
    assert.match(io.err(), /--pki cannot be combined with --profile rtds/);
  });

  it("loads the whole profile from the reference data", () => {
    const profile = loadRtdsProfile(reference(), NOW);
    assert.equal(profile.premises.devices.length, 7);
    assert.ok(profile.remoteParties.includes("90b3d51f30000002"));
    assert.throws(() => loadRtdsProfile(undefined, NOW), /needs the reference data/);
  });
});
