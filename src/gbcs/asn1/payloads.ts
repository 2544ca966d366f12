/**
 * Which GBCS ASN.1 type a payload is, by message code and CRA flag (command, response, alert), and
 * the payload value that the codec returns: `{family: "asn1", type, value}` with `value` typed by
 * `type`.
 */
import type { Cra } from "../frame.js";
import * as T from "./gbcs-types.js";
import { type Asn1Value, anyDer } from "./schema.js";

/** Every top-level GBCS ASN.1 payload type, by its spec name. */
export const asn1PayloadTypes = {
  ProvideSecurityCredentialDetailsCommand: T.ProvideSecurityCredentialDetailsCommand,
  ProvideSecurityCredentialDetailsResponse: T.ProvideSecurityCredentialDetailsResponse,
  UpdateSecurityCredentialsCommand: T.UpdateSecurityCredentialsCommand,
  UpdateSecurityCredentialsResponse: T.UpdateSecurityCredentialsResponse,
  UpdateSecurityCredentialsAlert: T.UpdateSecurityCredentialsAlert,
  IssueSecurityCredentialsCommand: T.IssueSecurityCredentialsCommand,
  IssueSecurityCredentialsResponse: T.IssueSecurityCredentialsResponse,
  UpdateDeviceCertificateCommand: T.UpdateDeviceCertificateCommand,
  UpdateDeviceCertificateResponse: T.UpdateDeviceCertificateResponse,
  ProvideDeviceCertificateCommand: T.ProvideDeviceCertificateCommand,
  ProvideDeviceCertificateResponse: T.ProvideDeviceCertificateResponse,
  JoinDeviceCommand: T.JoinDeviceCommand,
  JoinDeviceResponse: T.JoinDeviceResponse,
  UnjoinDeviceCommand: T.UnjoinDeviceCommand,
  UnjoinDeviceResponse: T.UnjoinDeviceResponse,
  ActivateFirmwareCommand: T.ActivateFirmwareCommand,
  ActivateFirmwareResponse: T.ActivateFirmwareResponse,
  ActivateFirmwareAlert: T.ActivateFirmwareAlert,
  ReadDeviceJoinDetailsCommand: T.ReadDeviceJoinDetailsCommand,
  ReadDeviceJoinDetailsResponse: T.ReadDeviceJoinDetailsResponse,
  FirmwareTransferAlert: T.FirmwareTransferAlert,
  ReadPpmidHcalcsFirmwareVersionCommand: T.ReadPpmidHcalcsFirmwareVersionCommand,
  ReadPpmidHcalcsFirmwareVersionResponse: T.ReadPpmidHcalcsFirmwareVersionResponse,
  PpmidHcalcsFirmwareActivationAlert: T.PpmidHcalcsFirmwareActivationAlert,
  SetTimeCommand: T.SetTimeCommand,
  SetTimeResponse: T.SetTimeResponse,
  GpfDeviceLogRestoreCommand: T.GpfDeviceLogRestoreCommand,
  GpfDeviceLogRestoreResponse: T.GpfDeviceLogRestoreResponse,
  GpfDeviceLogBackupAlert: T.GpfDeviceLogBackupAlert,
  /** A DER payload of a message code with no GBCS type here, as an untyped tree. */
  Der: anyDer(),
} as const;

export type Asn1PayloadType = keyof typeof asn1PayloadTypes;

export type Asn1PayloadOf<K extends Asn1PayloadType> = {
  readonly family: "asn1";
  readonly type: K;
  readonly value: Asn1Value<(typeof asn1PayloadTypes)[K]>;
  /**
   * Lengths received in a longer form than DER's shortest (0x82 0x00 0xNN), by value path ("" is
   * the outermost TLV): octet counts the encoder reuses. Absent when every length was shortest.
   */
  readonly derLengthForms?: Readonly<Record<string, number>>;
};

export type Asn1Payload = { [K in Asn1PayloadType]: Asn1PayloadOf<K> }[Asn1PayloadType];

interface ByCra {
  readonly command?: Asn1PayloadType;
  readonly response?: Asn1PayloadType;
  readonly alert?: Asn1PayloadType;
}

const provideDetails: ByCra = {
  command: "ProvideSecurityCredentialDetailsCommand",
  response: "ProvideSecurityCredentialDetailsResponse",
};
const update: ByCra = {
  command: "UpdateSecurityCredentialsCommand",
  response: "UpdateSecurityCredentialsResponse",
};
const updateAlert: ByCra = { alert: "UpdateSecurityCredentialsAlert" };
const join: ByCra = { command: "JoinDeviceCommand", response: "JoinDeviceResponse" };
const unjoin: ByCra = { command: "UnjoinDeviceCommand", response: "UnjoinDeviceResponse" };

/** GBCS message codes whose payload is ASN.1 DER, with the type for each CRA flag. */
export const asn1MessageCodes: ReadonlyMap<number, ByCra> = new Map<number, ByCra>([
  [0x0008, provideDetails], // CS02a Provide Security Credentials Details
  [0x000a, { command: "IssueSecurityCredentialsCommand", response: "IssueSecurityCredentialsResponse" }], // CS02c
  [0x000b, { command: "UpdateDeviceCertificateCommand", response: "UpdateDeviceCertificateResponse" }], // CS02d
  [0x000c, { command: "ProvideDeviceCertificateCommand", response: "ProvideDeviceCertificateResponse" }], // CS02e
  [0x000d, join], // CS03A1 Method A Join (Meter)
  [0x000e, join], // CS03B Method B Join
  [0x000f, unjoin], // CS04AC Method A or C Unjoin
  [0x0010, unjoin], // CS04B Method B Unjoin
  [0x0012, { command: "ActivateFirmwareCommand", response: "ActivateFirmwareResponse" }], // CS06
  [0x0013, { command: "ReadDeviceJoinDetailsCommand", response: "ReadDeviceJoinDetailsResponse" }], // CS07
  [0x007f, { command: "SetTimeCommand", response: "SetTimeResponse" }], // GCS28 Set Clock on GSME
  [0x008c, { command: "GpfDeviceLogRestoreCommand", response: "GpfDeviceLogRestoreResponse" }], // GCS59
  [0x00ab, join], // CS03A2 Method A Join (non Meter)
  [0x00af, join], // CS03C Method C Join
  [0x00b2, { alert: "GpfDeviceLogBackupAlert" }], // GCS62 Backup GPF Device Log
  [0x00ca, { alert: "ActivateFirmwareAlert" }], // Future Dated Firmware Activation Alert
  [0x00cb, updateAlert], // Future Dated Update Security Credentials Alert
  [0x0100, update], // CS02b rootBySupplier
  [0x0101, update], // CS02b rootByWanProvider
  [0x0102, update], // CS02b supplierBySupplier
  [0x0103, update], // CS02b networkOperatorByNetworkOperator
  [0x0104, update], // CS02b accessControlBrokerByACB
  [0x0105, update], // CS02b wanProviderByWanProvider
  [0x0106, update], // CS02b transCoSByTransCoS
  [0x0107, update], // CS02b supplierByTransCoS
  [0x0108, update], // CS02b anyExceptAbnormalRootByRecovery
  [0x0109, update], // CS02b anyByContingency
  [0x011b, provideDetails], // CS02f Provide Security Credential Details
  [0x0124, updateAlert], // CS02g Future Dated Update Load Controller Security Credentials Alert
  [0x0125, update], // CS02g loadControllerByLoadController
  [0x0126, update], // CS02g loadControllerBySupplier
  [0x0128, { alert: "FirmwareTransferAlert" }], // CCS08 Firmware Transfer Alert
  [
    0x0129,
    { command: "ReadPpmidHcalcsFirmwareVersionCommand", response: "ReadPpmidHcalcsFirmwareVersionResponse" },
  ], // CS08
  [0x012b, { alert: "PpmidHcalcsFirmwareActivationAlert" }], // CS09 PPMID/HCALCS firmware activation alert
]);

/** The ASN.1 payload type of a message, or undefined when its payload is not ASN.1. */
export function asn1PayloadTypeFor(messageCode: number, cra: Cra): Asn1PayloadType | undefined {
  const entry = asn1MessageCodes.get(messageCode);
  if (entry === undefined) return undefined;
  return cra === 1 ? entry.command : cra === 2 ? entry.response : entry.alert;
}
