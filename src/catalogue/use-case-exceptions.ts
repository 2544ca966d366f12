/**
 * The documented exceptions to the use-case table (message-codes.ts, use-cases.ts): SRV → use-case
 * links with no message code in the reference list, and links where the SRV's criticality (DUIS
 * request matrix) and the use case's (GBCS message type, or our GBCS payload table where the
 * mapping table gives none) differ. Written by hand; test/catalogue checks that the generated
 * tables need exactly these, so a regenerated table that fixes or adds one fails until this list
 * says so.
 *
 * Which flag decides the Critical path (CV4 → Pre-Command → signed CV5): the SRV's, per DUIS. The
 * GBCS message type (SME.C.C) says that a use case's command carries the supplier's signature; an
 * SRV is critical when the command the DCC builds for it is such a command. The two agree except
 * below, where DUIS offers one use case under a critical and a non-critical SRV (joins and unjoins)
 * or the reference lists give the use case no plain type; the DCC follows the SRV.
 */

/** An SRV → use-case link with no message code in gbcs-message-codes.json. */
export interface LinkException {
  readonly srv: string;
  readonly useCase: string;
  readonly reason: string;
}

const newerThanList =
  "not in gbcs-message-codes.json, which predates the use case; src/gbcs/message-codes.ts carries it";

export const linkExceptions: readonly LinkException[] = [
  { srv: "4.18", useCase: "GCS60a", reason: `${newerThanList} as 0x012A` },
  { srv: "6.14.3", useCase: "ECS46d", reason: `${newerThanList} as 0x011A` },
  { srv: "6.15.1", useCase: "CS02g", reason: `${newerThanList} as 0x0124-0x0126 (one per credential kind)` },
  { srv: "6.24.1", useCase: "CS02f", reason: `${newerThanList} as 0x011B` },
  { srv: "7.13", useCase: "ECS47a", reason: `${newerThanList} as 0x011E` },
  { srv: "7.14", useCase: "ECS61d", reason: `${newerThanList} as 0x011C` },
  { srv: "7.15", useCase: "ECS61e", reason: `${newerThanList} as 0x011D` },
  { srv: "7.16", useCase: "ECS47e", reason: `${newerThanList} as 0x011F` },
  {
    srv: "8.9",
    useCase: "CCS05",
    reason:
      "RTDS folder CCS05CCS04 (CHF device log read): neither use case is in the reference lists; the RTDS vectors use 0x0004, which src/gbcs/message-codes.ts carries without a use-case name",
  },
];

/** A link whose SRV and use case disagree on criticality, and what the DCC does. */
export interface CriticalityException {
  readonly srv: string;
  readonly useCase: string;
  /** The SRV's criticality per the DUIS request matrix: the flag the DCC follows. */
  readonly srvCritical: boolean;
  /** Where the other value comes from. */
  readonly source: string;
  readonly dcc: string;
}

const criticalSrv = (srv: string, useCase: string, source: string): CriticalityException => ({
  srv,
  useCase,
  srvCritical: true,
  source,
  dcc: "critical request: CV4 answers the Pre-Command, the signed CV5 is sent",
});
const noType =
  "gbcs-mapping-table.json has no plain message type; src/gbcs/message-codes.ts says non-critical";
const nonCriticalJoin = (srv: string, useCase: string): CriticalityException => ({
  srv,
  useCase,
  srvCritical: false,
  source: "gbcs-mapping-table.json: SME.C.C (the use case's critical form)",
  dcc: "DUIS's non-critical variant of the join/unjoin: CV1-3, the command is MACed by the ACB, not signed by the user",
});

export const criticalityExceptions: readonly CriticalityException[] = [
  criticalSrv("2.1", "ECS08", noType),
  criticalSrv("6.7", "GCS24", noType),
  criticalSrv("6.8", "ECS30", noType),
  criticalSrv("6.14.2", "ECS46c", noType),
  criticalSrv("6.15.1", "CS02b", `${noType} ("See GBCS")`),
  criticalSrv("6.24.2", "CS02e", `${noType} ("Variant Command & Response")`),
  criticalSrv("7.5", "ECS47", noType),
  criticalSrv("7.6", "ECS47", noType),
  criticalSrv("7.8", "ECS47", noType),
  nonCriticalJoin("8.7.2", "CS03A2"),
  nonCriticalJoin("8.7.2", "CS03C"),
  nonCriticalJoin("8.8.2", "CS04AC"),
  {
    srv: "11.2",
    useCase: "CS08",
    srvCritical: false,
    source:
      "message-code-to-service-request.json links 11.2 to 0x0012 as CS08; gbcs-message-codes.json says 0x0012 is CS06 Activate Firmware (SME.C.C)",
    dcc: "Read Firmware Version is non-critical: CV1-3",
  },
];
