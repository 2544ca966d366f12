/**
 * The GBCS ASN.1 types (GBCS §9-§13 and the ASN.1 module): security credentials (CS02a-g), joins
 * and unjoins (CS03, CS04), firmware (CS06, CS08, CS09, CCS08), device join details and device
 * logs (CS07, GCS59, GCS62), and time (GCS28). Names follow the spec, in camelCase.
 */
import {
  type Asn1Value,
  bitString,
  choice,
  derBytes,
  enumerated,
  field,
  generalizedTime,
  implicit,
  integer,
  nullValue,
  octetString,
  optional,
  sequence,
  sequenceOf,
  smallInteger,
} from "./schema.js";

/** RemotePartyRole ::= INTEGER. */
export const RemotePartyRole = {
  root: 0,
  recovery: 1,
  supplier: 2,
  networkOperator: 3,
  accessControlBroker: 4,
  transitionalCoS: 5,
  wanProvider: 6,
  issuingAuthority: 7,
  loadController: 8,
  other: 127,
} as const;

/** CredentialsReplacementMode ::= INTEGER (CS02b/CS02g; each mode has its own message code). */
export const CredentialsReplacementMode = {
  supplierBySupplier: 2,
  networkOperatorByNetworkOperator: 3,
  accessControlBrokerByACB: 4,
  wanProviderByWanProvider: 5,
  transCoSByTransCoS: 6,
  supplierByTransCoS: 7,
  anyExceptAbnormalRootByRecovery: 8,
  anyByContingency: 9,
  loadControllerByLoadController: 10,
  loadControllerBySupplier: 11,
} as const;

/** StatusCode ::= ENUMERATED (CS02a and CS02b outcomes). */
export const StatusCode = {
  success: 0,
  badCertificate: 5,
  noTrustAnchor: 10,
  insufficientMemory: 17,
  trustAnchorNotFound: 25,
  resourcesBusy: 30,
  other: 127,
} as const;

/** DeviceType ::= INTEGER (device log entries, joins). */
export const DeviceType = {
  gsme: 0,
  esme: 1,
  chf: 2,
  gpf: 3,
  hcalcs: 4,
  ppmid: 5,
  type2: 6,
} as const;

/** JoinMethodAndRole ::= INTEGER (CS03). */
export const JoinMethodAndRole = {
  methodAInitiator: 0,
  methodAResponder: 1,
  methodB: 2,
  methodC: 3,
} as const;

/** KeyUsage bits (RFC 5280 §4.2.1.3) that GBCS credentials use: bit number, 0 = first (0x80). */
export const KeyUsageBit = {
  digitalSignature: 0,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

/** The names of the KeyUsage bits set in a BIT STRING. */
export function keyUsageNames(bits: Asn1Value<typeof KeyUsage>): (keyof typeof KeyUsageBit)[] {
  return (Object.keys(KeyUsageBit) as (keyof typeof KeyUsageBit)[]).filter((name) => {
    const bit = KeyUsageBit[name];
    return ((bits.bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
  });
}

export const KeyUsage = bitString();
/** CellUsage ::= INTEGER { management (0), prePaymentTopUp (1) } DEFAULT management. */
export const CellUsage = smallInteger();
/** SeqNumber ::= INTEGER (0..18446744073709551615): originator counters. */
export const SeqNumber = integer();
export const Certificate = derBytes();
export const AlertCode = smallInteger();

export const TrustAnchorCellIdentifier = sequence({
  trustAnchorCellRemotePartyRole: field(smallInteger()),
  trustAnchorCellKeyUsage: field(KeyUsage),
  trustAnchorCellUsage: optional(CellUsage),
});

export const TrustAnchorCellContents = sequence({
  trustAnchorCellKeyUsage: field(KeyUsage),
  trustAnchorCellUsage: optional(CellUsage),
  subjectUniqueID: field(octetString()),
  subjectKeyIdentifier: field(octetString()),
});

// CS02a / CS02f Provide Security Credential Details

export const ProvideSecurityCredentialDetailsCommand = sequence({
  authorisingRemotePartyTACellIdentifier: field(TrustAnchorCellIdentifier),
  remotePartyRolesCredentialsRequired: field(sequenceOf(smallInteger())),
});

export const RemotePartyDetails = sequence({
  remotePartyRole: field(smallInteger()),
  statusCode: field(enumerated()),
  currentSeqNumber: optional(SeqNumber),
  trustAnchorCellDetails: optional(sequenceOf(TrustAnchorCellContents)),
});

export const ProvideSecurityCredentialDetailsResponse = sequenceOf(RemotePartyDetails);

// CS02b / CS02g Update Security Credentials

export const SpecialistSeqNumber = sequence({
  seqNumberUsage: field(smallInteger()),
  seqNumber: field(SeqNumber),
});

export const RemotePartySeqNumberChange = sequence({
  remotePartyRole: field(smallInteger()),
  floorSeqNumber: field(SeqNumber),
  specialistFloorSeqNumbers: optional(sequenceOf(SpecialistSeqNumber)),
});

export const AuthorisingRemotePartyControl = sequence({
  credentialsReplacementMode: field(smallInteger()),
  plaintextSymmetricKey: optional(implicit(0, octetString())),
  /** applyTimeBasedCPVChecks: 0 apply, 1 disapply. */
  applyTimeBasedCPVChecks: optional(implicit(1, smallInteger())),
  authorisingRemotePartyTACellIdentifier: optional(implicit(2, TrustAnchorCellIdentifier)),
  authorisingRemotePartySeqNumber: field(implicit(3, SeqNumber)),
  newRemotePartyFloorSeqNumber: optional(implicit(4, SeqNumber)),
  newRemotePartySpecialistFloorSeqNumbers: optional(implicit(5, sequenceOf(SpecialistSeqNumber))),
  otherRemotePartySeqNumberChanges: optional(implicit(6, sequenceOf(RemotePartySeqNumberChange))),
});

export const TrustAnchorReplacement = sequence({
  replacementCertificate: field(Certificate),
  targetTrustAnchorCell: field(TrustAnchorCellIdentifier),
});

export const UpdateSecurityCredentialsCommand = sequence({
  authorisingRemotePartyControl: field(AuthorisingRemotePartyControl),
  replacements: field(sequenceOf(TrustAnchorReplacement)),
  certificationPathCertificates: field(sequenceOf(Certificate)),
  executionDateTime: optional(generalizedTime()),
});

export const ReplacementOutcome = sequence({
  affectedTrustAnchorCell: field(TrustAnchorCellIdentifier),
  statusCode: field(enumerated()),
  existingSubjectUniqueID: field(octetString()),
  existingSubjectKeyID: field(octetString()),
  replacingSubjectUniqueID: field(octetString()),
  replacingSubjectKeyID: field(octetString()),
});

export const UpdateSecurityCredentialsExecutionOutcome = sequence({
  authorisingRemotePartySeqNumber: field(SeqNumber),
  credentialsReplacementMode: field(smallInteger()),
  remotePartySeqNumberChanges: field(sequenceOf(RemotePartySeqNumberChange)),
  replacementOutcomes: field(sequenceOf(ReplacementOutcome)),
});

export const UpdateSecurityCredentialsResponse = sequence({
  commandAccepted: field(nullValue()),
  executionOutcome: optional(UpdateSecurityCredentialsExecutionOutcome),
});

export const UpdateSecurityCredentialsAlert = sequence({
  alertCode: field(AlertCode),
  executionDateTime: field(generalizedTime()),
  executionOutcome: field(UpdateSecurityCredentialsExecutionOutcome),
});

// CS02c Issue Security Credentials

export const IssueSecurityCredentialsCommand = sequence({ keyUsage: field(KeyUsage) });
/** responseCode: 1 invalid key usage, 2 key pair generation failed, 3 CR production failed. */
export const IssueSecurityCredentialsResponse = choice({
  certificationRequest: derBytes(),
  responseCode: smallInteger(),
});

// CS02d Update Device Certificate on Device

export const UpdateDeviceCertificateCommand = Certificate;
/** 0 success, 1 invalid certificate, 2 wrong device identity, 3 invalid key usage, 4 no key pair, 5 wrong public key, 6 storage failed, 7 private key change failed. */
export const UpdateDeviceCertificateResponse = smallInteger();

// CS02e Provide Device Certificate from Device

export const ProvideDeviceCertificateCommand = sequence({ keyUsage: field(KeyUsage) });
/** responseCode: 1 invalid key usage, 2 no certificate held, 3 certificate retrieval failure. */
export const ProvideDeviceCertificateResponse = choice({
  certificate: Certificate,
  responseCode: smallInteger(),
});

// CS03 Join

export const JoinDeviceCommand = sequence({
  joinMethodAndRole: field(smallInteger()),
  otherDeviceEntityIdentifier: field(octetString()),
  otherDeviceType: field(smallInteger()),
  otherDeviceCertificate: optional(Certificate),
});
/** 0 success ... 13 no CBKE response (GBCS §10 JoinResponseCode). */
export const JoinDeviceResponse = smallInteger();

// CS04 Unjoin

export const UnjoinDeviceCommand = octetString();
/** 0 success, 1 not in device log, 2 other failure. */
export const UnjoinDeviceResponse = smallInteger();

// CS06 Activate Firmware

export const ActivateFirmwareCommand = sequence({
  manufacturerImageHash: field(octetString()),
  originatorCounter: field(SeqNumber),
  executionDateTime: optional(generalizedTime()),
});

/** responseCode: 0 success, 1 no image held, 2 hash mismatch, 3 activation failure. */
export const ActivateFirmwareExecutionOutcome = sequence({
  responseCode: field(smallInteger()),
  firmwareVersion: field(octetString()),
});

export const ActivateFirmwareResponse = choice({
  commandAccepted: nullValue(),
  executionOutcome: ActivateFirmwareExecutionOutcome,
});

export const ActivateFirmwareAlert = sequence({
  alertCode: field(AlertCode),
  executionDateTime: field(generalizedTime()),
  originatorCounter: field(SeqNumber),
  executionOutcome: field(ActivateFirmwareExecutionOutcome),
});

// CS07 Read Device Join Details, GCS59 / GCS62 GPF device log

export const DeviceLogEntry = sequence({
  deviceId: field(octetString()),
  deviceType: field(smallInteger()),
});

export const ReadDeviceJoinDetailsCommand = nullValue();
/** responseCode: 0 success, 1 read failure. */
export const ReadDeviceJoinDetailsResponse = sequence({
  responseCode: field(smallInteger()),
  deviceLogEntries: optional(sequenceOf(DeviceLogEntry)),
});

export const GpfDeviceLogRestoreCommand = sequence({ deviceLogEntries: field(sequenceOf(DeviceLogEntry)) });
export const GpfDeviceLogRestoreOutcome = sequence({
  deviceLogEntry: field(DeviceLogEntry),
  joinResponseCode: field(smallInteger()),
});
export const GpfDeviceLogRestoreResponse = sequence({
  restoreOutcomes: field(sequenceOf(GpfDeviceLogRestoreOutcome)),
});
export const GpfDeviceLogBackupAlert = sequence({
  alertCode: field(AlertCode),
  backupDateTime: field(generalizedTime()),
  deviceLogEntries: field(sequenceOf(DeviceLogEntry)),
});

// CCS08 Firmware Transfer Alert

/** responseCode: 0 success, 1 image discarded, 2 hardware version mismatch, 3 file transfer failure. */
export const FirmwareTransferAlert = sequence({
  alertCode: field(AlertCode),
  executionDateTime: field(generalizedTime()),
  entityId: field(octetString()),
  firmwareVersion: field(octetString()),
  responseCode: field(smallInteger()),
});

// CS08 Read PPMID/HCALCS Firmware Version, CS09 its alert

export const ReadPpmidHcalcsFirmwareVersionCommand = nullValue();
/** responseCode: 0 read success, 1 read failure. */
export const ReadPpmidHcalcsFirmwareVersionResponse = sequence({
  firmwareVersion: field(octetString()),
  responseCode: field(smallInteger()),
});
/** activateImageResponseCode: 0 success, 1 failure. */
export const PpmidHcalcsFirmwareActivationAlert = sequence({
  alertCode: field(AlertCode),
  executionDateTime: field(generalizedTime()),
  firmwareVersion: field(octetString()),
  activateImageResponseCode: field(smallInteger()),
});

// GCS28 Set Clock on GSME

export const SetTimeCommand = sequence({
  validityIntervalStart: field(generalizedTime()),
  validityIntervalEnd: field(generalizedTime()),
});
/** deviceTimeStatus: 0 reliable, 1 invalid, 2 unreliable. */
export const SetTimeResponse = sequence({
  deviceTime: field(generalizedTime()),
  deviceTimeStatus: field(smallInteger()),
});
