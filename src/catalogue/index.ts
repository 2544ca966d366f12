/**
 * The DUIS/GBCS catalogue: Service Reference Variants, Command Variants, user roles, device types
 * and statuses, CSP regions, response and DCC alert codes, GBCS use cases. Data only: typed tables,
 * the types that follow from them, and lookups. Nothing here reads the reference files at run time.
 */
import type { CommandVariant, CommandVariantDefinition, WebService } from "./command-variants.js";
import { commandVariant } from "./command-variants.js";
import { srvs } from "./srvs.js";
import { type SrvUseCaseLink, srvUseCaseLinks, type useCases } from "./use-cases.js";

export * from "./command-variants.js";
export * from "./dcc-alert-codes.js";
export * from "./devices.js";
export * from "./response-codes.js";
export * from "./roles.js";
export type { FutureDatedPattern, SrvDefinition } from "./srv-definition.js";
export { srvs } from "./srvs.js";
export { type SrvUseCaseLink, srvUseCaseLinks, type UseCaseDefinition, useCases } from "./use-cases.js";

/** One Service Reference Variant's row, e.g. 4.1.1 Read Instantaneous Import Registers. */
export type SrvEntry = (typeof srvs)[number];
/** A Service Reference Variant code, e.g. `4.1.1`. */
export type Srv = SrvEntry["srv"];
/** A Service Reference, e.g. `4.1`. */
export type ServiceReference = SrvEntry["sr"];
/** The DUIS Request/Body element of a Service Request (SignedPreCommand aside). */
export type RequestBodyElement = SrvEntry["body"];
/** A GBCS use-case code of the mapping table, e.g. `ECS17b`. */
export type UseCaseCode = (typeof useCases)[number]["code"];

const srvByCode: ReadonlyMap<string, SrvEntry> = new Map(srvs.map((s) => [s.srv, s]));
const srvsByBody: ReadonlyMap<string, SrvEntry> = new Map(srvs.map((s) => [s.body, s]));
const serviceReferences: ReadonlySet<string> = new Set(srvs.map((s) => s.sr));

/** Whether `value` is a Service Reference Variant of DUIS 5.4. */
export function isSrv(value: string): value is Srv {
  return srvByCode.has(value);
}

/** Whether `value` is a Service Reference of DUIS 5.4. */
export function isServiceReference(value: string): value is ServiceReference {
  return serviceReferences.has(value);
}

/** The row of an SRV. */
export function srvEntry(srv: Srv): SrvEntry {
  const found = srvByCode.get(srv);
  if (found === undefined) throw new RangeError(`no SRV ${srv}`);
  return found;
}

/** The SRV a DUIS body element belongs to (each of the 129 has its own element), if any. */
export function srvForBodyElement(element: string): SrvEntry | undefined {
  return srvsByBody.get(element);
}

/** The Command Variants DUIS allows for an SRV. */
export function allowedCommandVariants(srv: Srv): readonly CommandVariant[] {
  return srvEntry(srv).cvs as readonly CommandVariant[];
}

/** The web service a request with this Command Variant must be sent to. */
export function webServiceFor(cv: CommandVariant): WebService {
  return commandVariant(cv).webService;
}

/** The GBCS use case(s) behind an SRV (none for non-device SRVs). */
export function useCasesForSrv(srv: Srv): readonly SrvUseCaseLink[] {
  return srvUseCaseLinks.filter((l) => l.srv === srv);
}

export type { CommandVariantDefinition };
