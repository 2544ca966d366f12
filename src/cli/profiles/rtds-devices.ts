/**
 * The RTDS test premises, as the `rtds` profile puts it in the Smart Metering Inventory and the
 * registration data: the devices the RTDS 4.9.1 templates address (their RequestID targets) and the
 * meter points their bodies name, with the suppliers and network operator of the DCC Boxed
 * identities registered to them.
 *
 * The device types are facts of the RTDS set, written down here because a RequestID does not carry
 * them; each is what the GBCS use cases sent to that EUI imply (the template file names start with
 * the use case; the RTDS GBCS vectors show the same recipients):
 *
 * | EUI              | type   | evidence                                                              |
 * |------------------|--------|-----------------------------------------------------------------------|
 * | 00DB1234567890A0 | ESME   | ECS… use cases (150 templates), CS02… credentials updates            |
 * | 00DB1234567890A1 | GSME   | GCS… use cases (63), CS01b gas top-up, CS11                            |
 * | 00DB1234567890A2 | CHF    | CCS01-07 device log, DBCH… sub-GHz channel, ECS35c "Read CHF Event Log" |
 * | 00DB1234567890A3 | GPF    | GCS59 "Restore GPF Device Log", GCS13a/…_GPF reads                     |
 * | 00DB1234567890A4 | PPMID  | CS08 "Read PPMID/HCALCS Firmware Version", non-critical joins (CS03A2) |
 * | 00DB1234567890A5 | HCALCS | CS03A2 "Method A Join (non Meter)" as a critical command              |
 * | 00DB1234567890A6 | HCALCS | ECS46d auxiliary controller calendar, APC output                      |
 *
 * (A4 and A5 both answer CS08; the critical join marks the load switch, so A5 is the HCALCS. A6 is
 * an inference: the auxiliary proportional controller outputs of ECS46d are a load-control device's.)
 */

import type { DeviceRecords } from "../../dcc/transform/command-spec.js";
import type {
  CspRegion,
  DeviceRecord,
  DeviceType,
  RegistrationRecord,
  RegistrationRole,
} from "../../store/types.js";
import type { RtdsTemplate } from "./rtds-templates.js";

/** The DCC's own EUI (the ACB): the RequestID target of non-device requests. */
export const DCC_EUI = "90b3d51f30000002";

/** The RTDS supplier and network operator (ZAZ1 organisation EUIs of DCC Boxed). */
export const RTDS_SUPPLIER = "90b3d51f30010000";
export const RTDS_NETWORK_OPERATOR = "90b3d51f30020000";

/** The premises' Communications Hub. */
export const RTDS_HUB = "00db1234567890a2";

/** Device types of the RTDS EUIs (see the table in the file comment). */
export const RTDS_DEVICE_TYPES: Readonly<Record<string, DeviceType>> = {
  "00db1234567890a0": "ESME",
  "00db1234567890a1": "GSME",
  "00db1234567890a2": "CHF",
  "00db1234567890a3": "GPF",
  "00db1234567890a4": "PPMID",
  "00db1234567890a5": "HCALCS",
  "00db1234567890a6": "HCALCS",
};

/**
 * The other devices the RTDS join templates (8.7.1, 8.7.2) name in `OtherDeviceID`, with the types
 * the RTDS join commands give them (their `otherDeviceType`): in the inventory, so that the DCC can
 * choose the join method, but not simulated (they are not on the premises' HAN yet).
 */
export const RTDS_JOIN_PARTNERS: Readonly<Record<string, DeviceType>> = {
  "00db12345678909a": "HCALCS",
  "00db123456789093": "ESME",
  "00db12345678909c": "GPF",
  "00db123456789098": "PPMID",
  "00db123456789094": "GSME",
};

/**
 * The RTDS premises as the DCC's records know them (inventory types of the devices the templates
 * address and of the join partners; KA certificates from a key store), for transforms run without
 * a store (the conformance table, the benchmark).
 */
export function rtdsRecords(
  kaCertificate: (eui: string) => Uint8Array | undefined = () => undefined,
): DeviceRecords {
  return {
    deviceType: (eui) => RTDS_DEVICE_TYPES[eui.toLowerCase()] ?? RTDS_JOIN_PARTNERS[eui.toLowerCase()],
    kaCertificate,
  };
}

/**
 * The meter point each metering device serves: the ESME's import MPAN is the one CCS01 whitelists
 * it with (`ImportMPxN` 1312345678111); the gas meter and its proxy serve the MPRN of GCS41
 * (`ImportMPRN` 1234567890).
 */
export const RTDS_DEVICE_METER_POINTS: Readonly<Record<string, string>> = {
  "00db1234567890a0": "1312345678111",
  "00db1234567890a1": "1234567890",
  "00db1234567890a3": "1234567890",
};

/** The CSP region of the RTDS hub (the profile's WAN has no delay or loss, so it only labels). */
export const RTDS_REGION: CspRegion = "Central";

/** When the registrations start: before any RTDS date. */
export const RTDS_REGISTERED_FROM = Date.UTC(2015, 0, 1);

/** The devices the templates address, and the meter points they name. */
export interface RtdsPremises {
  readonly devices: readonly DeviceRecord[];
  /** Devices in the inventory that the templates name but do not address (join partners). */
  readonly partners: readonly DeviceRecord[];
  readonly registrations: readonly RegistrationRecord[];
  /** Every meter point found in the templates (MPANs and MPRNs). */
  readonly meterPoints: readonly string[];
}

/** Whether a meter point is an MPAN core (13 digits) rather than an MPRN (6-10). */
function isMpan(mpxn: string): boolean {
  return /^\d{13}$/.test(mpxn);
}

/**
 * The SMI records and RDP registrations for the templates. Throws when a template addresses a
 * device this module does not know the type of (the table above must then grow).
 */
export function rtdsPremises(templates: readonly RtdsTemplate[], at: number): RtdsPremises {
  const targets = new Set<string>();
  const points = new Map<string, Set<string>>();
  for (const t of templates) {
    if (t.target !== DCC_EUI) targets.add(t.target);
    for (const p of t.meterPoints) points.set(p.value, (points.get(p.value) ?? new Set()).add(p.element));
  }
  const devices: DeviceRecord[] = [];
  for (const eui of [...targets].sort()) {
    const type = RTDS_DEVICE_TYPES[eui];
    if (type === undefined) throw new Error(`RTDS template target ${eui}: device type unknown`);
    devices.push({
      eui,
      type,
      status: "Commissioned",
      hubEui: RTDS_HUB,
      mpxn: RTDS_DEVICE_METER_POINTS[eui] ?? null,
      region: RTDS_REGION,
      updatedAt: at,
    });
  }
  if (!targets.has(RTDS_HUB)) throw new Error(`RTDS templates do not address the hub ${RTDS_HUB}`);
  const meterPoints = [...points.keys()].sort();
  const registrations: RegistrationRecord[] = [];
  const register = (mpxn: string, role: RegistrationRole, partyEui: string) =>
    registrations.push({ mpxn, role, partyEui, effectiveFrom: RTDS_REGISTERED_FROM, effectiveTo: null });
  for (const mpxn of meterPoints) {
    if (isMpan(mpxn)) {
      // An MPAN named as an export MPAN has an export supplier; every MPAN an import supplier.
      const elements = points.get(mpxn)!;
      register(mpxn, "IS", RTDS_SUPPLIER);
      // An export supplier where a template names the MPAN as export, or where the MPAN is the
      // ESME's (the RTDS sends its export SRVs, 4.6.2 and 6.20.2, to that ESME).
      const esmeMpan = RTDS_DEVICE_METER_POINTS["00db1234567890a0"] === mpxn;
      if (esmeMpan || [...elements].some((e) => e.startsWith("Export"))) register(mpxn, "ES", RTDS_SUPPLIER);
      register(mpxn, "ED", RTDS_NETWORK_OPERATOR);
    } else {
      register(mpxn, "GS", RTDS_SUPPLIER);
      register(mpxn, "GT", RTDS_NETWORK_OPERATOR);
    }
  }
  for (const mpxn of Object.values(RTDS_DEVICE_METER_POINTS)) {
    if (!points.has(mpxn)) throw new Error(`RTDS templates no longer name meter point ${mpxn}`);
  }
  const partners = Object.entries(RTDS_JOIN_PARTNERS).map(
    ([eui, type]): DeviceRecord => ({
      eui,
      type,
      status: "Pending",
      hubEui: null,
      mpxn: null,
      region: RTDS_REGION,
      updatedAt: at,
    }),
  );
  return { devices, partners, registrations, meterPoints };
}
