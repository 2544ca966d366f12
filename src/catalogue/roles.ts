/**
 * DUIS User Roles: the SEC party roles that send Service Requests. The short codes are the ones
 * the DUIS request matrix uses for "Eligible User Roles".
 */
export const userRoles = [
  { code: "IS", name: "Import Supplier", fuel: "electricity" },
  { code: "ES", name: "Export Supplier", fuel: "electricity" },
  { code: "GS", name: "Gas Supplier", fuel: "gas" },
  { code: "ED", name: "Electricity Distributor", fuel: "electricity" },
  { code: "GT", name: "Gas Transporter", fuel: "gas" },
  { code: "OU", name: "Other User", fuel: "none" },
  { code: "RSA", name: "Registered Supplier Agent", fuel: "none" },
] as const;

/** A DUIS User Role code. */
export type UserRole = (typeof userRoles)[number]["code"];

const userRoleSet: ReadonlySet<string> = new Set(userRoles.map((r) => r.code));

/** Whether `value` is a DUIS User Role code. */
export function isUserRole(value: string): value is UserRole {
  return userRoleSet.has(value);
}

/** The name of a User Role, e.g. `Import Supplier` for `IS`. */
export function userRoleName(role: UserRole): string {
  return userRoles.find((r) => r.code === role)?.name ?? role;
}

/**
 * Remote Party roles of GBCS, as DUIS names them (XSD simpleType RemotePartyRole): whose key a
 * device holds in each of its trust-anchor cells.
 */
export const remotePartyRoles = [
  "ACB",
  "NetworkOperator",
  "Recovery",
  "Root",
  "Supplier",
  "TransCoS",
  "LoadController",
] as const;

/** A GBCS Remote Party role. */
export type RemotePartyRole = (typeof remotePartyRoles)[number];
