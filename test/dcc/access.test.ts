import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AccessControl, type SrvAccessFacts } from "../../src/dcc/access.js";
import type { DeviceRecord, RegistrationRole } from "../../src/store/types.js";

const SUPPLIER = "90b3d51f30010000";
const OPERATOR = "90b3d51f30020000";
const T0 = Date.UTC(2025, 0, 1);
const CHANGE = Date.UTC(2026, 0, 1);

const devices: Record<string, DeviceRecord> = {
  esme: {
    eui: "esme",
    type: "ESME",
    status: "Commissioned",
    hubEui: "chf",
    mpxn: "1100000000001",
    region: "North",
    updatedAt: 0,
  },
  ihd: {
    eui: "ihd",
    type: "IHD",
    status: "Commissioned",
    hubEui: "chf",
    mpxn: null,
    region: "North",
    updatedAt: 0,
  },
  pending: {
    eui: "pending",
    type: "ESME",
    status: "Pending",
    hubEui: "chf",
    mpxn: "1100000000001",
    region: "North",
    updatedAt: 0,
  },
  inc: {
    eui: "inc",
    type: "ESME",
    status: "InstalledNotCommissioned",
    hubEui: "chf",
    mpxn: "1100000000001",
    region: "North",
    updatedAt: 0,
  },
};

/** The RDP: the supplier holds IS until CHANGE (a change of supplier), the operator ED throughout. */
const registration = {
  async partyAt(mpxn: string, role: RegistrationRole, at: number): Promise<string | undefined> {
    if (mpxn !== "1100000000001") return undefined;
    if (role === "IS") return at >= T0 && at < CHANGE ? SUPPLIER : "90b3d51f30030000";
    if (role === "ED") return OPERATOR;
    return undefined;
  },
};

const SRV_411: SrvAccessFacts = {
  srv: "4.1.1",
  roles: ["IS", "GS", "ED", "GT"],
  deviceTypes: ["ESME", "GSME", "GPF"],
};

describe("access control", () => {
  const access = new AccessControl(
    {
      device: async (eui) => devices[eui],
      premisesOf: async (eui) => {
        const hub = devices[eui]?.hubEui;
        return Object.values(devices).filter((d) => hub !== undefined && d.hubEui === hub);
      },
    },
    registration,
  );
  const at = Date.UTC(2025, 6, 1);

  it("allows the registered import supplier, acting as IS", async () => {
    const decision = await access.check({
      user: SUPPLIER,
      userRoles: ["IS", "GS"],
      device: "esme",
      srv: SRV_411,
      at,
    });
    assert.ok(decision.ok);
    assert.equal(decision.role, "IS");
  });

  it("takes a device without a meter point (an IHD) as its premises' meters' registered party", async () => {
    const srv: SrvAccessFacts = { srv: "11.2", roles: ["IS", "GS"], deviceTypes: ["IHD"] };
    const ok = await access.check({ user: SUPPLIER, userRoles: ["IS"], device: "ihd", srv, at });
    assert.equal(ok.ok, true);
    const stranger = await access.check({ user: "other", userRoles: ["IS"], device: "ihd", srv, at });
    assert.equal(stranger.ok ? "ok" : stranger.code, "E4");
  });

  it("lets an Other User send an SRV it is eligible for without being a registered party (9.1)", async () => {
    const srv: SrvAccessFacts = { srv: "9.1", roles: ["OU"], deviceTypes: ["ESME", "GSME"] };
    const ok = await access.check({ user: "other-user", userRoles: ["OU"], device: "esme", srv, at });
    assert.equal(ok.ok ? ok.role : "refused", "OU");
  });

  it("E2: a role not eligible for the SRV", async () => {
    const decision = await access.check({
      user: "00db123456780004",
      userRoles: ["OU"],
      device: "esme",
      srv: SRV_411,
      at,
    });
    assert.deepEqual([decision.ok, !decision.ok && decision.code], [false, "E2"]);
  });

  it("E19: a device the SMI does not know", async () => {
    const decision = await access.check({
      user: SUPPLIER,
      userRoles: ["IS"],
      device: "nope",
      srv: SRV_411,
      at,
    });
    assert.equal(!decision.ok && decision.code, "E19");
  });

  it("E11: an SRV that does not apply to the device type", async () => {
    const decision = await access.check({
      user: SUPPLIER,
      userRoles: ["IS"],
      device: "ihd",
      srv: SRV_411,
      at,
    });
    assert.equal(!decision.ok && decision.code, "E11");
  });

  it("E4: not the registered party at the instant (before and after a change of supplier)", async () => {
    const after = await access.check({
      user: SUPPLIER,
      userRoles: ["IS"],
      device: "esme",
      srv: SRV_411,
      at: CHANGE,
    });
    assert.equal(!after.ok && after.code, "E4");
    const gasOnly = await access.check({
      user: SUPPLIER,
      userRoles: ["GS"],
      device: "esme",
      srv: SRV_411,
      at,
    });
    assert.equal(!gasOnly.ok && gasOnly.code, "E4", "a gas supplier role does not cover an MPAN");
  });

  it("E5: a device status that does not allow commands; suppliers may reach an installed, not commissioned one", async () => {
    const pending = await access.check({
      user: SUPPLIER,
      userRoles: ["IS"],
      device: "pending",
      srv: SRV_411,
      at,
    });
    assert.equal(!pending.ok && pending.code, "E5");
    assert.ok(
      (await access.check({ user: SUPPLIER, userRoles: ["IS"], device: "inc", srv: SRV_411, at })).ok,
    );
    const operator = await access.check({
      user: OPERATOR,
      userRoles: ["ED"],
      device: "inc",
      srv: SRV_411,
      at,
    });
    assert.equal(!operator.ok && operator.code, "E5");
  });
});
