/**
 * The ASN.1 use cases every simulated device answers the same way (GBCS §10-§13): security
 * credentials (CS02a-g), joins and unjoins (CS03, CS04), its device log (CS07, GCS59), firmware
 * activation and version (CS06, CS08) and the gas meter's time (GCS28). One handler per device,
 * holding what those use cases read and change: the trust anchor cells, the device log (a join adds
 * the other device, an unjoin removes it), the device's own certificates, its firmware version.
 *
 * Checks (GBCS §4.3, §6.2.3): the command is for the device; a MAC, when there, verifies with the
 * key shared with the ACB; a signature, when there (always for a critical use case), verifies with
 * the originator's DS certificate; one of the two is there (a CS02b from the Recovery party comes
 * signed only); the originator counter is above the last accepted from it. A command failing a
 * check is dropped without an answer. The response is protected as `facts.ts` says.
 */
import type { KeyObject } from "node:crypto";
import {
  type Asn1Payload,
  type Asn1PayloadOf,
  asn1PayloadTypeFor,
  DeviceType,
  decodeAsn1Payload,
  encodeAsn1Payload,
  StatusCode,
} from "../../gbcs/asn1/index.js";
import { ACB_EUI } from "../../gbcs/crypto/keys.js";
import { macKey, protectFrame, verifyMac } from "../../gbcs/crypto/mac.js";
import { signFrame, verifySignature } from "../../gbcs/crypto/signature.js";
import { DecodeError } from "../../gbcs/errors.js";
import { encodeFrame, type GbcsFrame, toCosemDateTime } from "../../gbcs/frame.js";
import { messageCodeInfo } from "../../gbcs/message-codes.js";
import type { CounterLog } from "../command-check.js";
import type { CommandOutcome } from "../device.js";
import type { DeviceKeyring } from "../keyring.js";
import { issueCredentials } from "./csr.js";
import { responseProtection, signatureRequired } from "./facts.js";
import {
  type CellKeyUsage,
  cellKey,
  cellKeyUsageOf,
  certificateFacts,
  keyUsageBits,
  type TrustAnchorCell,
} from "./trust-anchors.js";

export interface DeviceLogEntry {
  /** 16 uppercase hex. */
  readonly eui: string;
  /** GBCS DeviceType (0 GSME, 1 ESME, 2 CHF, 3 GPF, 4 HCALCS, 5 PPMID, 6 type 2). */
  readonly deviceType: number;
}

export interface Asn1HandlerOptions {
  readonly keys: DeviceKeyring;
  readonly now: () => number;
  /** The device's trust anchor cells at installation. */
  readonly trustAnchors?: readonly TrustAnchorCell[];
  /** The device's own certificates (DER) by key usage, as CS02e provides them. */
  readonly certificates?: Partial<Record<CellKeyUsage, Uint8Array>>;
  /** The devices it is joined to at installation. */
  readonly deviceLog?: readonly DeviceLogEntry[];
  /** Its firmware version (4 bytes in RTDS); 0x0123ABCD by default. */
  readonly firmwareVersion?: Uint8Array;
  /**
   * Faults it has: the command payload types it fails, answering with the use case's failure code
   * (CS02c "certification request production failed", CS02e "certificate retrieval failure", CS06
   * "activation failure", CS07 and CS08 "read failure"). None by default.
   */
  readonly faults?: ReadonlySet<Asn1Payload["type"]>;
  /** The device's anti-replay counters, shared with its other commands' checks; its own otherwise. */
  readonly counters?: CounterLog;
}

type Value<K extends Asn1Payload["type"]> = Asn1PayloadOf<K>["value"];

/** A response payload, or why the command gets none. */
type Answer = Asn1Payload | undefined;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex").toUpperCase();
const bytesOf = (eui: string): Uint8Array => new Uint8Array(Buffer.from(eui, "hex"));

export class Asn1Handler {
  private readonly keys: DeviceKeyring;
  private readonly now: () => number;
  private readonly cells = new Map<string, TrustAnchorCell>();
  private readonly log = new Map<string, number>();
  private readonly certificates: Partial<Record<CellKeyUsage, Uint8Array>>;
  private readonly firmwareVersion: Uint8Array;
  /** Last accepted originator counter per remote party. */
  private readonly counters: CounterLog;
  /** Key pairs made for CS02c, waiting for their certificate (CS02d). */
  private readonly issued = new Map<CellKeyUsage, KeyObject>();
  private readonly faults: ReadonlySet<Asn1Payload["type"]>;

  constructor(options: Asn1HandlerOptions) {
    this.keys = options.keys;
    this.now = options.now;
    for (const c of options.trustAnchors ?? []) this.cells.set(cellKey(c.role, c.keyUsage, c.cellUsage), c);
    for (const e of options.deviceLog ?? []) this.log.set(e.eui.toUpperCase(), e.deviceType);
    this.certificates = { ...options.certificates };
    this.firmwareVersion = options.firmwareVersion ?? Uint8Array.of(0x01, 0x23, 0xab, 0xcd);
    this.faults = options.faults ?? new Set();
    this.counters = options.counters ?? ownCounters();
  }

  /** Whether a command's payload is ASN.1 (this handler's). */
  static handles(frame: GbcsFrame): boolean {
    return frame.cra === 1 && asn1PayloadTypeFor(frame.messageCode, 1) !== undefined;
  }

  /** The device log: the devices joined to this one. */
  deviceLog(): DeviceLogEntry[] {
    return [...this.log].map(([eui, deviceType]) => ({ eui, deviceType }));
  }

  /** The party in a trust anchor cell. */
  trustAnchor(role: number, keyUsage: CellKeyUsage, cellUsage = 0): TrustAnchorCell | undefined {
    return this.cells.get(cellKey(role, keyUsage, cellUsage));
  }

  handle(frame: GbcsFrame): CommandOutcome {
    const eui = this.keys.eui;
    if (frame.cra !== 1 || frame.recipient.toUpperCase() !== eui) return { dropped: "not-for-me" };
    const originator = frame.originator.toUpperCase();
    const signed = (frame.signature?.length ?? 0) > 0;
    if (frame.mac === undefined && !signed) return { dropped: "malformed" };
    if (frame.mac !== undefined) {
      const acb = this.keys.sharedSecret(ACB_EUI, eui);
      if (acb === undefined || !verifyMac(frame, macKey(frame, acb))) return { dropped: "bad-mac" };
    }
    const critical = messageCodeInfo(frame.messageCode)?.critical === true;
    if (signed || signatureRequired(frame.messageCode, critical, frame.mac !== undefined)) {
      const ds = this.keys.signingPublicKey(originator);
      if (!signed || ds === undefined || !verifySignature(frame, ds)) return { dropped: "bad-signature" };
    }
    const last = this.counters.last(originator);
    if (last !== undefined && frame.counter <= last) return { dropped: "replayed-counter" };
    let command: Asn1Payload;
    try {
      command = decodeAsn1Payload(frame.content, { messageCode: frame.messageCode, cra: 1 });
    } catch (error) {
      if (error instanceof DecodeError) return { dropped: "malformed" };
      throw error;
    }
    const answer = this.faults.has(command.type) ? failure(command) : this.answer(command);
    if (answer === undefined) return { dropped: "unsupported" };
    const protection = responseProtection(frame.messageCode, signed);
    const response: GbcsFrame = {
      cra: 2,
      counter: frame.counter,
      originator: eui,
      recipient: originator,
      dateTime: protection.dated ? toCosemDateTime(new Date(this.now())) : null,
      messageCode: frame.messageCode,
      content: encodeAsn1Payload(answer),
      signature: new Uint8Array(0),
    };
    const ds = protection.signed ? this.keys.signingPrivateKey(eui) : undefined;
    let protectedResponse: GbcsFrame;
    if (ds !== undefined) protectedResponse = signFrame(response, ds);
    else {
      // No DS key of its own (or a MACed use case): MACed for the requester, as the ESME does.
      const z = this.keys.sharedSecret(eui, originator);
      if (z === undefined) return { dropped: "unknown-originator" };
      protectedResponse = protectFrame(response, macKey(response, z));
    }
    this.counters.accept(originator, frame.counter);
    return { response: encodeFrame(protectedResponse) };
  }

  private answer(command: Asn1Payload): Answer {
    switch (command.type) {
      case "ProvideSecurityCredentialDetailsCommand":
        return {
          family: "asn1",
          type: "ProvideSecurityCredentialDetailsResponse",
          value: command.value.remotePartyRolesCredentialsRequired.map((role) => this.details(role)),
        };
      case "UpdateSecurityCredentialsCommand":
        return {
          family: "asn1",
          type: "UpdateSecurityCredentialsResponse",
          value: this.update(command.value),
        };
      case "IssueSecurityCredentialsCommand": {
        const usage = cellKeyUsageOf(command.value.keyUsage);
        if (usage === undefined)
          return {
            family: "asn1",
            type: "IssueSecurityCredentialsResponse",
            value: response("responseCode", 1),
          };
        const issued = issueCredentials();
        this.issued.set(usage, issued.privateKey);
        return {
          family: "asn1",
          type: "IssueSecurityCredentialsResponse",
          value: response("certificationRequest", issued.certificationRequest),
        };
      }
      case "UpdateDeviceCertificateCommand":
        return {
          family: "asn1",
          type: "UpdateDeviceCertificateResponse",
          value: this.updateCertificate(command.value),
        };
      case "ProvideDeviceCertificateCommand": {
        const usage = cellKeyUsageOf(command.value.keyUsage);
        const cert = usage === undefined ? undefined : this.certificates[usage];
        return {
          family: "asn1",
          type: "ProvideDeviceCertificateResponse",
          value:
            usage === undefined
              ? response("responseCode", 1)
              : cert === undefined
                ? response("responseCode", 2)
                : response("certificate", cert),
        };
      }
      case "JoinDeviceCommand": {
        this.log.set(hex(command.value.otherDeviceEntityIdentifier), command.value.otherDeviceType);
        return { family: "asn1", type: "JoinDeviceResponse", value: 0 };
      }
      case "UnjoinDeviceCommand": {
        const known = this.log.delete(hex(command.value));
        return { family: "asn1", type: "UnjoinDeviceResponse", value: known ? 0 : 1 };
      }
      case "ReadDeviceJoinDetailsCommand":
        return {
          family: "asn1",
          type: "ReadDeviceJoinDetailsResponse",
          value: {
            responseCode: 0,
            deviceLogEntries: this.deviceLog().map((e) => ({
              deviceId: bytesOf(e.eui),
              deviceType: e.deviceType,
            })),
          },
        };
      case "GpfDeviceLogRestoreCommand":
        return {
          family: "asn1",
          type: "GpfDeviceLogRestoreResponse",
          value: {
            restoreOutcomes: command.value.deviceLogEntries.map((entry) => {
              this.log.set(hex(entry.deviceId), entry.deviceType);
              return { deviceLogEntry: entry, joinResponseCode: 0 };
            }),
          },
        };
      case "ActivateFirmwareCommand":
        // Future dated: accepted now, the outcome comes later in an alert (not raised here).
        return {
          family: "asn1",
          type: "ActivateFirmwareResponse",
          value:
            command.value.executionDateTime === undefined
              ? response("executionOutcome", { responseCode: 0, firmwareVersion: this.firmwareVersion })
              : response("commandAccepted", null),
        };
      case "ReadPpmidHcalcsFirmwareVersionCommand":
        return {
          family: "asn1",
          type: "ReadPpmidHcalcsFirmwareVersionResponse",
          value: { firmwareVersion: this.firmwareVersion, responseCode: 0 },
        };
      case "SetTimeCommand": {
        // GBCS GCS28: the meter's time is reliable when it lies within the validity interval.
        const now = this.now();
        const { validityIntervalStart: start, validityIntervalEnd: end } = command.value;
        const reliable = now >= start.getTime() && now <= end.getTime();
        return {
          family: "asn1",
          type: "SetTimeResponse",
          value: { deviceTime: new Date(now), deviceTimeStatus: reliable ? 0 : 2 },
        };
      }
      default:
        return undefined;
    }
  }

  /** Whether a management cell of this key usage holds the party. */
  private holds(eui: string, usage: CellKeyUsage): boolean {
    return [...this.cells.values()].some((c) => c.eui === eui && c.keyUsage === usage && c.cellUsage === 0);
  }

  /** CS02a/f: what the device holds for one remote party role. */
  private details(role: number): Value<"ProvideSecurityCredentialDetailsResponse">[number] {
    const cells = [...this.cells.values()].filter((c) => c.role === role);
    if (cells.length === 0) return { remotePartyRole: role, statusCode: StatusCode.trustAnchorNotFound };
    const party = cells[0]!.eui;
    return {
      remotePartyRole: role,
      statusCode: StatusCode.success,
      currentSeqNumber: this.counters.last(party) ?? 0n,
      trustAnchorCellDetails: cells.map((c) => ({
        trustAnchorCellKeyUsage: keyUsageBits(c.keyUsage),
        ...(c.cellUsage === 0 ? {} : { trustAnchorCellUsage: c.cellUsage }),
        subjectUniqueID: bytesOf(c.eui),
        subjectKeyIdentifier: c.subjectKeyId,
      })),
    };
  }

  /**
   * CS02b/g: each replacement certificate goes into its cell, and the party's key into the
   * device's keyring (it now trusts the new key, and no longer the old). Future dated: accepted, the
   * outcome would come in an alert.
   */
  private update(
    command: Value<"UpdateSecurityCredentialsCommand">,
  ): Value<"UpdateSecurityCredentialsResponse"> {
    if (command.executionDateTime !== undefined) return { commandAccepted: null };
    const control = command.authorisingRemotePartyControl;
    const outcomes = command.replacements.map((r) => {
      const target = r.targetTrustAnchorCell;
      const usage = cellKeyUsageOf(target.trustAnchorCellKeyUsage);
      const cellUsage = target.trustAnchorCellUsage ?? 0;
      const key =
        usage === undefined ? undefined : cellKey(target.trustAnchorCellRemotePartyRole, usage, cellUsage);
      const existing = key === undefined ? undefined : this.cells.get(key);
      const facts = certificateFacts(r.replacementCertificate);
      const party = facts?.eui;
      const ok = usage !== undefined && key !== undefined && facts !== undefined && party !== undefined;
      if (ok) {
        this.cells.set(key, {
          role: target.trustAnchorCellRemotePartyRole,
          keyUsage: usage,
          cellUsage,
          eui: party,
          subjectKeyId: facts.subjectKeyId,
          publicKey: facts.publicKey,
        });
        if (cellUsage === 0) {
          const keyUsage = usage === "digitalSignature" ? "ds" : "ka";
          // The party that held the cell is no longer trusted with that key, unless another cell holds it.
          if (existing !== undefined && existing.eui !== party && !this.holds(existing.eui, usage))
            this.keys.forget(existing.eui, keyUsage);
          this.keys.trust(party, keyUsage, facts.publicKey);
        }
      }
      return {
        affectedTrustAnchorCell: target,
        statusCode: ok ? StatusCode.success : StatusCode.badCertificate,
        existingSubjectUniqueID: existing === undefined ? new Uint8Array(0) : bytesOf(existing.eui),
        existingSubjectKeyID: existing?.subjectKeyId ?? new Uint8Array(0),
        replacingSubjectUniqueID: facts?.eui === undefined ? new Uint8Array(0) : bytesOf(facts.eui),
        replacingSubjectKeyID: facts?.subjectKeyId ?? new Uint8Array(0),
      };
    });
    // The replaced party's counter floor, then the other parties' the command names.
    const replacedRole = command.replacements[0]?.targetTrustAnchorCell.trustAnchorCellRemotePartyRole;
    const changes: Value<"UpdateSecurityCredentialsAlert">["executionOutcome"]["remotePartySeqNumberChanges"][number][] =
      [];
    if (control.newRemotePartyFloorSeqNumber !== undefined && replacedRole !== undefined) {
      changes.push({
        remotePartyRole: replacedRole,
        floorSeqNumber: control.newRemotePartyFloorSeqNumber,
        ...(control.newRemotePartySpecialistFloorSeqNumbers === undefined
          ? {}
          : { specialistFloorSeqNumbers: control.newRemotePartySpecialistFloorSeqNumbers }),
      });
    }
    changes.push(...(control.otherRemotePartySeqNumberChanges ?? []));
    return {
      commandAccepted: null,
      executionOutcome: {
        authorisingRemotePartySeqNumber: control.authorisingRemotePartySeqNumber,
        credentialsReplacementMode: control.credentialsReplacementMode,
        remotePartySeqNumberChanges: changes,
        replacementOutcomes: outcomes,
      },
    };
  }

  /**
   * CS02d: the device takes a certificate for a key pair it made in CS02c (0), or refuses one it
   * has no key pair for (4, "no key pair"); a certificate that does not parse is invalid (1).
   */
  private updateCertificate(der: Uint8Array): number {
    const facts = certificateFacts(der);
    if (facts === undefined) return 1;
    const [usage] = this.issued.keys();
    if (usage === undefined) {
      // No CS02c first: a device keeps the certificate of its installed key pair (as RTDS's accept).
      return 0;
    }
    this.certificates[usage] = der;
    this.issued.delete(usage);
    return 0;
  }
}

function ownCounters(): CounterLog {
  const last = new Map<string, bigint>();
  return { last: (o) => last.get(o), accept: (o, c) => void last.set(o, c) };
}

/** The answer of a device that fails the command (see `Asn1HandlerOptions.faults`). */
function failure(command: Asn1Payload): Answer {
  switch (command.type) {
    case "IssueSecurityCredentialsCommand":
      return { family: "asn1", type: "IssueSecurityCredentialsResponse", value: response("responseCode", 3) };
    case "ProvideDeviceCertificateCommand":
      return { family: "asn1", type: "ProvideDeviceCertificateResponse", value: response("responseCode", 3) };
    case "ReadDeviceJoinDetailsCommand":
      return { family: "asn1", type: "ReadDeviceJoinDetailsResponse", value: { responseCode: 1 } };
    case "ReadPpmidHcalcsFirmwareVersionCommand":
      return {
        family: "asn1",
        type: "ReadPpmidHcalcsFirmwareVersionResponse",
        value: { firmwareVersion: new Uint8Array(4), responseCode: 1 },
      };
    case "ActivateFirmwareCommand":
      return {
        family: "asn1",
        type: "ActivateFirmwareResponse",
        value: response("executionOutcome", { responseCode: 3, firmwareVersion: new Uint8Array(4) }),
      };
    default:
      return undefined;
  }
}

function response<K extends string, V>(choice: K, value: V): { choice: K; value: V } {
  return { choice, value };
}

/** The GBCS DeviceType of a simulated device type. */
export const DEVICE_TYPE_CODE = {
  GSME: DeviceType.gsme,
  ESME: DeviceType.esme,
  CHF: DeviceType.chf,
  GPF: DeviceType.gpf,
  HCALCS: DeviceType.hcalcs,
  PPMID: DeviceType.ppmid,
  IHD: DeviceType.type2,
} as const;
