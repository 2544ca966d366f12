/**
 * The DUIS/GBCS catalogue: Service Reference Variants, Command Variants, user roles, device types
 * and statuses, CSP regions, response and DCC alert codes, GBCS use cases. Data only: typed tables,
 * the types that follow from them, and lookups. Nothing here reads the reference files at run time.
 *
 * The use-case table is `gbcsMessageCodes` (message-codes.ts), one row per GBCS message code; the
 * message codes the other layers use come from it (dcc) or are tested against it (gbcs and sim,
 * which may not import the catalogue). srvs.ts, use-cases.ts and message-codes.ts are generated:
 * `node --import tsx scripts/gen-catalogue.mjs && npx biome check --write src/catalogue`.
 */
import type { CommandVariant, CommandVariantDefinition, WebService } from "./command-variants.js";
import { commandVariant } from "./command-variants.js";
import { gbcsMessageCodes } from "./message-codes.js";
import { srvs } from "./srvs.js";
import { type SrvUseCaseLink, srvUseCaseLinks, type useCases } from "./use-cases.js";

export * from "./command-variants.js";
export * from "./dcc-alert-codes.js";
export * from "./devices.js";
export { gbcsMessageCodes, useCaseDisagreements } from "./message-codes.js";
export * from "./response-codes.js";
export * from "./roles.js";
export type { FutureDatedPattern, SrvDefinition } from "./srv-definition.js";
export { srvs } from "./srvs.js";
export type {
  GbcsMessageCodeDefinition,
  PayloadFamily,
  UseCaseDisagreement,
} from "./use-case-definition.js";
export {
  type CriticalityException,
  criticalityExceptions,
  type LinkException,
  linkExceptions,
} from "./use-case-exceptions.js";
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

/** One GBCS message code's row of the use-case table. */
export type GbcsMessageCodeEntry = (typeof gbcsMessageCodes)[number];
/** A GBCS message code the use-case table knows, e.g. 0x004f. */
export type MessageCode = GbcsMessageCodeEntry["messageCode"];
/** A GBCS use-case name with a message code, e.g. `ECS42` (never an RTDS folder name). */
export type UseCaseName = Exclude<GbcsMessageCodeEntry["useCase"], null>;

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

/**
 * Whether an SRV is critical: the one flag that decides the Critical path (CV4 answers the GBCS
 * Pre-Command, the user signs it and sends CV5). DUIS decides it per SRV (the request matrix's
 * Critical column). GBCS decides per use case (message type SME.C.C: the command carries the
 * supplier's signature); an SRV is critical when the command built for it is such a command, and
 * the two agree but for `criticalityExceptions` (non-critical join/unjoin SRVs of SME.C.C use cases,
 * use cases the mapping table gives no plain type), where the DCC follows the SRV.
 */
export function isCriticalSrv(srv: string): boolean {
  return srvByCode.get(srv)?.critical === true;
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

const entryByMessageCode: ReadonlyMap<number, GbcsMessageCodeEntry> = new Map(
  gbcsMessageCodes.map((e) => [e.messageCode, e]),
);

/** The use-case table's row of a message code, if the table knows it. */
export function messageCodeEntry(code: number): GbcsMessageCodeEntry | undefined {
  return entryByMessageCode.get(code);
}

/**
 * The message code of a use case with exactly one (CS02b has one per credential kind and has no
 * answer here).
 */
export function messageCodeOf(useCase: UseCaseName): MessageCode {
  const found = gbcsMessageCodes.filter((e) => e.useCase === useCase);
  const [only] = found;
  if (only === undefined || found.length > 1)
    throw new RangeError(`${useCase}: ${found.length} message codes`);
  return only.messageCode;
}

export { srvAppliesTo, srvDeviceTypes } from "./srv-device-types.js";
export type { CommandVariantDefinition };
