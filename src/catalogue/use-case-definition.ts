/** The payload format of a GBCS message's content (as src/gbcs/payload.ts dispatches it). */
export type PayloadFamily = "dlms" | "gbz" | "asn1" | "other";

/** One GBCS message code: the use case it carries out and what is known of it. */
export interface GbcsMessageCodeDefinition {
  readonly messageCode: number;
  /** The spec's use-case name, e.g. `ECS17b`; null for codes of no single use case (DCC alerts). */
  readonly useCase: string | null;
  readonly title: string;
  /** GBCS message type from the mapping table, e.g. `SME.C.C`; null where the table has no row. */
  readonly messageType: string | null;
  /**
   * Critical per the GBCS message type (SME.C.C, SME.A.C); null where the type is not a plain
   * critical/non-critical one ("See GBCS", variant commands) or unknown.
   */
  readonly critical: boolean | null;
  /** The content's payload family; null for alerts in the sender's own format and unknown codes. */
  readonly family: PayloadFamily | null;
  /** The SRVs whose commands use this code, in DUIS order. */
  readonly srvs: readonly string[];
}

/** A fact on which the reference sources disagree; the table keeps the first source's value. */
export interface UseCaseDisagreement {
  readonly messageCode: number;
  readonly about: "useCase" | "messageType" | "critical";
  /** What each source says, `<source>: <value>`. */
  readonly says: readonly [string, string];
}
