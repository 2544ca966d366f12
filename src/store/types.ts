/**
 * Records kept by the store. These are the DCC's own facts: the Smart Metering Inventory (SMI), the
 * Registration Data Provider (RDP) view, service users, anti-replay counters, request lifecycles, the
 * delivery outbox and the audit log.
 *
 * Conventions, the same for every adapter:
 * - EUIs are 16 lowercase hex digits without separators (`90b3d51f30000002`), the GBCS form. DUIS
 *   writes them `90-B3-D5-1F-30-00-00-02`; convert at the DUIS edge with `euiFromDuis`/`euiToDuis`.
 * - Instants are milliseconds since the Unix epoch (UTC), as `number`; "no end" is `null`.
 * - uint64 values (RequestID counters) are `bigint`.
 * - Records are plain readonly values: the store never hands out live objects.
 */

/** SMI device types, as the DUIS XSD `DeviceType` enumeration spells them. */
export const DEVICE_TYPES = ["ESME", "GSME", "GPF", "CHF", "HCALCS", "PPMID", "IHD", "CAD"] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** SMI device statuses, as the DUIS XSD `DeviceStatus` enumeration spells them. */
export const DEVICE_STATUSES = [
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
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** Communications Service Provider regions, as the DUIS XSD `CSPRegion` enumeration spells them. */
export const CSP_REGIONS = [
  "North",
  "Central",
  "South",
  "4G North",
  "4G Central",
  "4G South",
  "Unknown",
  "SMETS1",
] as const;
export type CspRegion = (typeof CSP_REGIONS)[number];

/**
 * Service User roles (DUIS `UserRole` short codes): Import Supplier, Export Supplier, Gas Supplier,
 * Electricity Distributor, Gas Transporter, Other User, Registered Supplier Agent.
 */
export const USER_ROLES = ["IS", "ES", "GS", "ED", "GT", "OU", "RSA"] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** One SMI entry: a device, where it is and what state it is in. */
export interface DeviceRecord {
  /** The device's EUI-64 (16 lowercase hex). */
  readonly eui: string;
  readonly type: DeviceType;
  readonly status: DeviceStatus;
  /** The Communications Hub (CHF) the device is joined to; the CHF's own EUI for a CHF; null when none. */
  readonly hubEui: string | null;
  /** The MPAN (ESME) or MPRN (GSME, GPF) the device serves; null for CHF, IHD, PPMID... */
  readonly mpxn: string | null;
  /** The CSP region whose WAN reaches the device's hub. */
  readonly region: CspRegion;
  /** When the record last changed (ms since epoch). */
  readonly updatedAt: number;
}

/** Which RDP role a registration names: the supplier or the network operator of a meter point. */
export type RegistrationRole = "IS" | "ES" | "GS" | "ED" | "GT";

/**
 * One RDP fact: `partyEui` holds `role` for meter point `mpxn` from `effectiveFrom` (inclusive) until
 * `effectiveTo` (exclusive; null = open). A change of supplier closes one row and opens another.
 */
export interface RegistrationRecord {
  /** MPAN (13 digits, electricity) or MPRN (6-10 digits, gas). */
  readonly mpxn: string;
  readonly role: RegistrationRole;
  /** The registered party's organisation EUI (16 lowercase hex). */
  readonly partyEui: string;
  readonly effectiveFrom: number;
  readonly effectiveTo: number | null;
}

/** How a user's certificate is used: GBCS digital signature, key agreement, or XML (DUIS) signing. */
export type CertificateUsage = "ds" | "ka" | "xml";

/** A certificate the DCC knows a service user by; XML signatures name it by issuer and serial. */
export interface UserCertificate {
  /** Decimal serial number, as XML `X509SerialNumber` writes it (up to 39 digits). */
  readonly serial: string;
  /** Issuer distinguished name, RFC 4514 string. */
  readonly issuer: string;
  readonly usage: CertificateUsage;
  /** The certificate in PEM; optional so a directory entry can exist before its file is loaded. */
  readonly pem?: string;
}

/** A DCC service user (an organisation acting in one or more roles under one EUI). */
export interface UserRecord {
  /** The user's organisation EUI (16 lowercase hex). */
  readonly eui: string;
  readonly name: string;
  readonly roles: readonly UserRole[];
  /** Where DCC POSTs asynchronous responses and alerts (DUIS "receive response" endpoint); null = pull only. */
  readonly receiveResponseUrl: string | null;
  readonly certificates: readonly UserCertificate[];
}

/**
 * Lifecycle of a DUIS request inside the DCC:
 * received → acknowledged (I99 sent to the user) → sent (on the WAN) → responded (I0 or a device
 * error) | failed (a recorded error). A request answered synchronously (error, non-device, CV2/CV4)
 * goes straight from received to responded or failed.
 */
export const REQUEST_STATES = ["received", "acknowledged", "sent", "responded", "failed"] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** One DUIS request as the DCC processes it. */
export interface RequestRecord {
  /** Store key, chosen by the caller (a UUID). CV4 and its CV5 share a RequestID, so this differs. */
  readonly id: string;
  /** DUIS RequestID as received (`XX-XX-...:XX-XX-...:counter`). */
  readonly requestId: string;
  /** Originator EUI (16 lowercase hex). */
  readonly originator: string;
  /** Target device or DCC EUI (16 lowercase hex). */
  readonly target: string;
  /** The RequestID counter (uint64). */
  readonly counter: bigint;
  /** Service Reference Variant, e.g. `4.1.1`. */
  readonly srv: string;
  /** DUIS command variant 1-8. */
  readonly commandVariant: number;
  readonly state: RequestState;
  /** DUIS response code once known (`I99`, `I0`, `E…`). */
  readonly responseCode: string | null;
  /**
   * A key the pipeline chooses to correlate WAN responses with this request (for example the
   * GBCS originator counter and device); indexed, unique among records that have one.
   */
  readonly correlation: string | null;
  /** The GBCS command (or pre-command) bytes sent to the device. */
  readonly gbcsCommand: Uint8Array | null;
  /** The GBCS response bytes received. */
  readonly gbcsResponse: Uint8Array | null;
  /** The DUIS request body as received (for audit and replays); optional because it can be large. */
  readonly requestXml: string | null;
  /** Why the request failed, when it did. */
  readonly error: string | null;
  /** When the DCC should execute it (future-dated requests), else null. */
  readonly executeAt: number | null;
  readonly receivedAt: number;
  readonly updatedAt: number;
}

/**
 * Who works on an open request (acknowledged, on the WAN, or finished but not yet answered) and until
 * when. A cluster node takes a lease on the work it starts and renews it while it lives; when a lease
 * has expired (its node died) another node may take the work over. Kept beside the record, not in it:
 * only recovery and the heartbeat read it.
 */
export interface RequestLease {
  /** The node's id (`meterway start --node-id`). */
  readonly owner: string;
  /** After this instant (ms since epoch) another node may take the request over. */
  readonly expiresAt: number;
}

/** A request's custody: its lease (null: none, anyone may take it) and whether its answer is queued. */
export interface RequestCustody {
  readonly owner: string | null;
  readonly leaseExpiresAt: number | null;
  /**
   * True once the user has the request's final answer: given synchronously over HTTP, or its DUIS
   * response in the outbox (written in the same transaction as this flag).
   */
  readonly answered: boolean;
}

/** Fields that can change after a request record is created. */
export type RequestPatch = Partial<
  Pick<
    RequestRecord,
    "responseCode" | "correlation" | "gbcsCommand" | "gbcsResponse" | "error" | "executeAt" | "requestXml"
  >
>;

/** What the outbox carries: a DUIS response or an alert (device alert or DCC alert). */
export type OutboxKind = "response" | "alert";

/** pending: to be (re)tried; delivered: done; failed: retries spent, kept in the failed queue until expiry. */
export type OutboxState = "pending" | "delivered" | "failed";

/** One message to deliver to one service user. */
export interface OutboxRecord {
  readonly id: string;
  /** The user it is for (16 lowercase hex). */
  readonly userEui: string;
  readonly kind: OutboxKind;
  /** The DUIS RequestID it answers; null for alerts not tied to a request. */
  readonly requestId: string | null;
  /** The signed DUIS XML to POST. */
  readonly body: string;
  readonly state: OutboxState;
  /** Delivery attempts made so far. */
  readonly attempts: number;
  /** Earliest time of the next attempt (ms since epoch). */
  readonly nextAttemptAt: number;
  /** The last attempt's failure, if any. */
  readonly lastError: string | null;
  readonly createdAt: number;
  /** After this instant the entry may be purged (the failed queue keeps two days). */
  readonly expiresAt: number;
  readonly deliveredAt: number | null;
}

/** A new outbox entry: the store fills in state, attempts, lastError, deliveredAt. */
export type NewOutboxRecord = Pick<
  OutboxRecord,
  "id" | "userEui" | "kind" | "requestId" | "body" | "nextAttemptAt" | "createdAt" | "expiresAt"
>;

/** One audit log line. `detail` is any JSON value. */
export interface AuditRecord {
  /** Assigned by the store, increasing. */
  readonly seq: number;
  readonly at: number;
  /** What happened, dotted: `request.received`, `request.acknowledged`, `delivery.failed`, ... */
  readonly kind: string;
  /** Who did it (a user EUI, `dcc`, a device EUI), when known. */
  readonly actor: string | null;
  /** The DUIS RequestID, when the event belongs to one. */
  readonly requestId: string | null;
  readonly detail: unknown;
}

export type NewAuditRecord = Omit<AuditRecord, "seq">;

/** Converts a DUIS EUI (`90-B3-D5-1F-30-00-00-02`, any case) or a GBCS hex EUI to the store form. */
export function euiFromDuis(eui: string): string {
  const hex = eui.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new RangeError(`not an EUI-64: '${eui}'`);
  return hex;
}

/** Converts a store EUI to the DUIS form `90-B3-D5-1F-30-00-00-02`. */
export function euiToDuis(eui: string): string {
  const hex = euiFromDuis(eui).toUpperCase();
  return hex.match(/../g)!.join("-");
}
