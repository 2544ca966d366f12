/**
 * Provisioning of a simulated fleet into the SMI and the RDP: premises by premises, each with a
 * Communications Hub (CHF), a Gas Proxy Function (GPF), an electricity meter (ESME), a gas meter
 * (GSME) and an in-home display (IHD), all Commissioned, spread over the CSP regions, with the MPAN
 * and MPRN registered to the demo supplier and the demo network operator.
 *
 * The layout is a pure function of the premises index (`premisesPlan`), so the simulator can build
 * premises i without reading the store, and a restart with more premises adds only the new ones.
 */
import type { Store } from "../store/port.js";
import type { CspRegion, DeviceRecord, DeviceType, RegistrationRecord, UserRole } from "../store/types.js";
import { FLEET_REGIONS } from "../wan/regions.js";

/** The Access Control Broker: the DCC party that MACs every command. */
export const ACB_EUI = "90b3d51f30000002";

/** A demo service user: identity, DUIS roles and SMKI role. */
export interface DemoUser {
  /** 16 lowercase hex. */
  readonly eui: string;
  readonly name: string;
  readonly roles: readonly UserRole[];
  /** The SMKI remote party role of its organisation certificates. */
  readonly smkiRole: "supplier" | "networkOperator" | "other";
  /** Certificates it gets: digital signature, key agreement, prepayment key agreement. */
  readonly usages: readonly ("ds" | "ka" | "pp-ka")[];
}

/** The demo users `meterway start` creates (EUIs chosen apart from the RTDS ZAZ1 identities). */
export const DEMO_SUPPLIER: DemoUser = {
  eui: "90b3d51f30a00001",
  name: "Demo Supplier",
  roles: ["IS", "GS"],
  smkiRole: "supplier",
  usages: ["ds", "ka", "pp-ka"],
};
export const DEMO_NETWORK_OPERATOR: DemoUser = {
  eui: "90b3d51f30a00002",
  name: "Demo Network Operator",
  roles: ["ED", "GT"],
  smkiRole: "networkOperator",
  usages: ["ds", "ka"],
};
export const DEMO_OTHER_USER: DemoUser = {
  eui: "90b3d51f30a00003",
  name: "Demo Other User",
  roles: ["OU"],
  smkiRole: "other",
  usages: ["ds", "ka"],
};
export const DEMO_USERS: readonly DemoUser[] = [DEMO_SUPPLIER, DEMO_NETWORK_OPERATOR, DEMO_OTHER_USER];

/** The device types of one simulated premises, in provisioning order. */
export const PREMISES_DEVICE_TYPES = [
  "CHF",
  "GPF",
  "ESME",
  "GSME",
  "IHD",
] as const satisfies readonly DeviceType[];
export type PremisesDeviceType = (typeof PREMISES_DEVICE_TYPES)[number];

/** Second byte of a simulated device's EUI: which kind of device it is. */
const TYPE_CODE: Record<PremisesDeviceType, string> = {
  CHF: "01",
  GPF: "02",
  ESME: "03",
  GSME: "04",
  IHD: "05",
};

/** Distributor (MPAN prefix) per region, for plausible MPANs. */
const DISTRIBUTOR_ID: Record<string, string> = { North: "16", Central: "11", South: "19" };

/** The most premises a fleet can have (the EUI scheme has 48 bits of index; MPANs 10 digits). */
export const MAX_PREMISES = 10_000_000_000;

/** Everything about simulated premises `index` (0-based). */
export interface PremisesPlan {
  readonly index: number;
  readonly region: CspRegion;
  readonly chf: string;
  readonly gpf: string;
  readonly esme: string;
  readonly gsme: string;
  readonly ihd: string;
  /** 13-digit MPAN core, with a valid check digit. */
  readonly mpan: string;
  /** 10-digit MPRN. */
  readonly mprn: string;
}

/** The EUI of simulated device `type` in premises `index`: `0a` + type code + index (12 hex). */
export function simulatedEui(type: PremisesDeviceType, index: number): string {
  return `0a${TYPE_CODE[type]}${index.toString(16).padStart(12, "0")}`;
}

/** The MPAN core check digit (the last of the 13 digits). */
export function mpanCheckDigit(first12: string): number {
  const primes = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43];
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * primes[i]!;
  return (sum % 11) % 10;
}

/** The layout of premises `index`: device EUIs, region (round robin), MPAN and MPRN. */
export function premisesPlan(index: number): PremisesPlan {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_PREMISES) {
    throw new RangeError(`premises index ${index} out of range`);
  }
  const region = FLEET_REGIONS[index % FLEET_REGIONS.length]!;
  const first12 = `${DISTRIBUTOR_ID[region]}${index.toString().padStart(10, "0")}`;
  return {
    index,
    region,
    chf: simulatedEui("CHF", index),
    gpf: simulatedEui("GPF", index),
    esme: simulatedEui("ESME", index),
    gsme: simulatedEui("GSME", index),
    ihd: simulatedEui("IHD", index),
    mpan: `${first12}${mpanCheckDigit(first12)}`,
    mprn: `7${index.toString().padStart(9, "0")}`,
  };
}

/** The SMI records of one premises. */
export function premisesDevices(plan: PremisesPlan, at: number): DeviceRecord[] {
  const base = { status: "Commissioned", hubEui: plan.chf, region: plan.region, updatedAt: at } as const;
  return [
    { ...base, eui: plan.chf, type: "CHF", mpxn: null },
    { ...base, eui: plan.gpf, type: "GPF", mpxn: plan.mprn },
    { ...base, eui: plan.esme, type: "ESME", mpxn: plan.mpan },
    { ...base, eui: plan.gsme, type: "GSME", mpxn: plan.mprn },
    { ...base, eui: plan.ihd, type: "IHD", mpxn: null },
  ];
}

/** Every device EUI of premises 0..count-1 (for key generation). */
export function fleetEuis(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = premisesPlan(i);
    out.push(p.chf, p.gpf, p.esme, p.gsme, p.ihd);
  }
  return out;
}

export interface ProvisionOptions {
  /** How many premises the fleet should have. */
  readonly premises: number;
  /** Time of provisioning (ms since epoch), stamped on the records. */
  readonly now: number;
  readonly supplierEui?: string;
  readonly networkOperatorEui?: string;
  /** When the registrations take effect (default 2020-01-01, before any request date). */
  readonly registeredFrom?: number;
  /** Premises written per transaction (default 1000). */
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ProvisionResult {
  /** Premises the fleet has now. */
  readonly premises: number;
  /** Premises added by this call (0 on a restart with the same size). */
  readonly added: number;
}

/** The meta key holding how many premises are provisioned. */
export const FLEET_PREMISES_KEY = "fleet.premises";

/**
 * Provisions premises up to `premises` into the store (SMI devices and RDP registrations), adding
 * only what is missing. A smaller number than already provisioned removes nothing.
 */
export async function provisionFleet(store: Store, options: ProvisionOptions): Promise<ProvisionResult> {
  const existing = Number((await store.meta.get(FLEET_PREMISES_KEY)) ?? "0");
  const target = Math.max(existing, options.premises);
  if (target > MAX_PREMISES) throw new RangeError(`at most ${MAX_PREMISES} premises`);
  const supplier = options.supplierEui ?? DEMO_SUPPLIER.eui;
  const operator = options.networkOperatorEui ?? DEMO_NETWORK_OPERATOR.eui;
  const from = options.registeredFrom ?? Date.UTC(2020, 0, 1);
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  for (let start = existing; start < target; start += batchSize) {
    const end = Math.min(target, start + batchSize);
    const devices: DeviceRecord[] = [];
    const registrations: RegistrationRecord[] = [];
    for (let i = start; i < end; i++) {
      const plan = premisesPlan(i);
      devices.push(...premisesDevices(plan, options.now));
      const reg = (mpxn: string, role: RegistrationRecord["role"], partyEui: string): RegistrationRecord => ({
        mpxn,
        role,
        partyEui,
        effectiveFrom: from,
        effectiveTo: null,
      });
      registrations.push(
        reg(plan.mpan, "IS", supplier),
        reg(plan.mpan, "ED", operator),
        reg(plan.mprn, "GS", supplier),
        reg(plan.mprn, "GT", operator),
      );
    }
    await store.transaction(async (tx) => {
      await tx.devices.put(devices);
      await tx.registrations.put(registrations);
      await tx.meta.set(FLEET_PREMISES_KEY, String(end));
    });
    options.onProgress?.(end - existing, target - existing);
  }
  return { premises: target, added: target - existing };
}
