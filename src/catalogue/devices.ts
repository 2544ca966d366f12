/** SMETS2 device types as DUIS names them (XSD simpleType DeviceType). */
export const deviceTypes = [
  { code: "ESME", name: "Electricity Smart Metering Equipment" },
  { code: "GSME", name: "Gas Smart Metering Equipment" },
  { code: "GPF", name: "Gas Proxy Function" },
  { code: "CHF", name: "Communications Hub Function" },
  { code: "HCALCS", name: "HAN Connected Auxiliary Load Control Switch" },
  { code: "PPMID", name: "Prepayment Meter Interface Device" },
  { code: "IHD", name: "In-Home Display" },
  { code: "CAD", name: "Consumer Access Device" },
] as const;

/** A DUIS device type. */
export type DeviceType = (typeof deviceTypes)[number]["code"];

const deviceTypeSet: ReadonlySet<string> = new Set(deviceTypes.map((d) => d.code));

/** Whether `value` is a DUIS device type. */
export function isDeviceType(value: string): value is DeviceType {
  return deviceTypeSet.has(value);
}

/**
 * Smart Metering Inventory statuses (XSD simpleType DeviceStatus), in the order a device usually
 * moves through them.
 */
export const deviceStatuses = [
  "Pending",
  "Whitelisted",
  "InstalledNotCommissioned",
  "Commissioned",
  "Decommissioned",
  "Withdrawn",
  "Suspended",
  "Recovery",
  "Recovered",
] as const;

/** An SMI device status. */
export type DeviceStatus = (typeof deviceStatuses)[number];

const deviceStatusSet: ReadonlySet<string> = new Set(deviceStatuses);

/** Whether `value` is an SMI device status. */
export function isDeviceStatus(value: string): value is DeviceStatus {
  return deviceStatusSet.has(value);
}

/**
 * CSP regions (XSD simpleType CSPRegion). North is served by long-range radio, Central and South by
 * cellular; the 4G regions are the newer cellular service. `Unknown` and `SMETS1` appear in
 * inventory answers only.
 */
export const cspRegions = [
  { code: "North", technology: "long-range radio" },
  { code: "Central", technology: "cellular" },
  { code: "South", technology: "cellular" },
  { code: "4G North", technology: "4G cellular" },
  { code: "4G Central", technology: "4G cellular" },
  { code: "4G South", technology: "4G cellular" },
  { code: "Unknown", technology: "none" },
  { code: "SMETS1", technology: "SMETS1 service provider" },
] as const;

/** A CSP region as DUIS names it. */
export type CspRegion = (typeof cspRegions)[number]["code"];

const cspRegionSet: ReadonlySet<string> = new Set(cspRegions.map((r) => r.code));

/** Whether `value` is a CSP region name. */
export function isCspRegion(value: string): value is CspRegion {
  return cspRegionSet.has(value);
}
