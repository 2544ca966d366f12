/**
 * The demo profile (the default): what it adds to the DCC `assemble()` builds (src/cli/compose.ts).
 *
 * First run (an empty data folder): the test PKI, the demo users and the simulated fleet are
 * created. Later runs reuse them, so state (inventory, counters, outbox, audit) survives restarts.
 * Premises i of the fleet is simulated as src/dcc/fleet.ts provisioned it, attached to the WAN and
 * built on its first command.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { findReferenceRoot } from "../catalogue/reference.js";
import { ConfigError, type MeterwayConfig } from "../config/config.js";
import { ACB_EUI, DEMO_USERS, type DemoUser, fleetEuis, premisesPlan, provisionFleet } from "../dcc/fleet.js";
import { duisSchemaCheck } from "../dcc/schema-check.js";
import { SimFleet } from "../sim/fleet.js";
import { KeyStore } from "../smki/keystore.js";
import {
  credentialPaths,
  type IssuedCredential,
  issueDevices,
  issueOrganisation,
  openTestCa,
  readCredentials,
} from "../smki/test-pki.js";
import type { UserRecord } from "../store/types.js";
import type { DccPki, DccProfile, ProgressReporter } from "./compose.js";
import { privateFolder, warnIfOpen } from "./private-folder.js";

/** The demo profile; `projectRoot` is where the reference data is looked for beside the code. */
export function demoProfile(projectRoot: string): DccProfile {
  return {
    initialisedKey: "dcc.initialisedAt",
    instanceName: "meterway",
    wan: (config) => ({ timeScale: config.wanTimeScale }),
    async setup({ config, now, log, progress, store }) {
      const pki = await preparePki(config, new Date(now()), config.premises, progress, log);

      // Demo users: created on first sight, never overwritten (a user may change its endpoint later).
      const users: UserRecord[] = [];
      for (const demo of DEMO_USERS) {
        const existing = await store.users.get(demo.eui);
        const credentials = pki.organisations.get(demo.eui);
        if (existing === undefined && credentials !== undefined) {
          const record = demoUserRecord(demo, credentials);
          await store.users.put(record);
          users.push(record);
        } else if (existing !== undefined) {
          users.push(existing);
        }
      }

      const bar = progress?.start("premises", config.premises);
      let fleet: { premises: number; added: number };
      try {
        fleet = await provisionFleet(store, {
          premises: config.premises,
          now: now(),
          onProgress: (d) => bar?.update(d),
        });
      } finally {
        bar?.stop();
      }

      if (pki.xmlSigning === undefined) {
        throw new ConfigError(`${pki.dir}: no XML-signing key for the DCC (${ACB_EUI}-xml.pem and .key)`);
      }
      const referenceRoot = findReferenceRoot(process.env, projectRoot);
      return {
        keys: KeyStore.fromDirectory(pki.dir),
        pki,
        users,
        fleet,
        signer: {
          privateKey: createPrivateKey(readFileSync(pki.xmlSigning.keyPath)),
          certificate: new X509Certificate(readFileSync(pki.xmlSigning.certificatePath)),
        },
        // The DUIS schema from the reference data when it is there; else the model's structure checks.
        validate: referenceRoot === undefined ? undefined : duisSchemaCheck(referenceRoot),
        attachDevices(wan) {
          // Hubs send their devices' alerts to the DCC as unsolicited WAN frames.
          const devices = new SimFleet(KeyStore.fromDirectory(pki.dir), now, (hub, frame) =>
            wan.sendUnsolicited(hub, frame),
          );
          const remoteParties = [ACB_EUI, ...DEMO_USERS.map((u) => u.eui)];
          for (let i = 0; i < fleet.premises; i++) {
            const p = premisesPlan(i);
            const han = [
              { eui: p.esme, type: "ESME" },
              { eui: p.gsme, type: "GSME" },
              { eui: p.gpf, type: "GPF" },
              { eui: p.ihd, type: "IHD" },
            ] as const;
            wan.attach(p.chf, p.region, devices.lazyHub({ hubEui: p.chf, devices: han, remoteParties }));
          }
        },
      };
    },
  };
}

/** Generates (first run) or reuses the test PKI: CA, ACB, DCC XML signing, demo users, devices. */
async function preparePki(
  config: MeterwayConfig,
  now: Date,
  premises: number,
  progress: ProgressReporter | undefined,
  log: (line: string) => void,
): Promise<DccPki> {
  const organisations = new Map<string, readonly IssuedCredential[]>();
  if (config.pkiGiven) {
    if (!existsSync(config.pkiDir)) throw new ConfigError(`--pki ${config.pkiDir}: no such folder`);
    await warnIfOpen(config.pkiDir, "key folder", log);
    const xml = credentialPaths(config.pkiDir, ACB_EUI, "xml");
    // Known identities whose keys the folder has (a folder meterway generated earlier, say).
    for (const party of [{ eui: ACB_EUI, usages: ["ds", "ka", "xml"] as const }, ...DEMO_USERS]) {
      const found = await readCredentials(config.pkiDir, party.eui, party.usages);
      if (found.length > 0) organisations.set(party.eui, found);
    }
    return {
      dir: config.pkiDir,
      generated: false,
      ...(existsSync(xml.certificate) && existsSync(xml.key)
        ? { xmlSigning: { certificatePath: xml.certificate, keyPath: xml.key } }
        : {}),
      organisations,
    };
  }
  // Private keys live here (each file 0600 as well).
  await privateFolder(config.pkiDir, "key folder", log);
  const ca = await openTestCa(config.pkiDir, now);
  const acb = await issueOrganisation(
    ca,
    {
      eui: ACB_EUI,
      name: "DCC Access Control Broker",
      role: "accessControlBroker",
      usages: ["ds", "ka", "xml"],
    },
    now,
  );
  organisations.set(ACB_EUI, acb);
  for (const user of DEMO_USERS) {
    organisations.set(
      user.eui,
      await issueOrganisation(
        ca,
        { eui: user.eui, name: user.name, role: user.smkiRole, usages: user.usages },
        now,
      ),
    );
  }
  const euis = fleetEuis(premises);
  const bar = euis.length > 0 ? progress?.start("device keys", euis.length * 2) : undefined;
  try {
    await issueDevices(ca, euis, now, { batchSize: 128, onProgress: (done) => bar?.update(done) });
  } finally {
    bar?.stop();
  }
  const xml = acb.find((c) => c.usage === "xml")!;
  return {
    dir: config.pkiDir,
    generated: true,
    rootCertificate: ca.rootPath,
    issuingCertificate: ca.issuingPath,
    xmlSigning: { certificatePath: xml.certificatePath, keyPath: xml.keyPath },
    organisations,
  };
}

function demoUserRecord(user: DemoUser, credentials: readonly IssuedCredential[]): UserRecord {
  return {
    eui: user.eui,
    name: user.name,
    roles: user.roles,
    receiveResponseUrl: null,
    certificates: credentials
      .filter((c) => c.usage === "ds" || c.usage === "ka")
      .map((c) => ({
        serial: c.serial,
        issuer: c.issuer,
        usage: c.usage === "ds" ? "ds" : "ka",
        pem: readFileSync(c.certificatePath, "utf8"),
      })),
  };
}
