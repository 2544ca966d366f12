/**
 * SRV 6.15-6.24 and 8.5: the security credentials of devices (GBCS CS02 use cases), certificates on
 * and from devices. All are ASN.1 payloads (GBCS §13).
 *
 * - 6.15.1 Update Security Credentials (KRP): CS02b, one message code per credentials replacement
 *   mode (supplierBySupplier 0x0102, networkOperatorByNetworkOperator 0x0103), or CS02g for the
 *   Load Controller's credentials (loadControllerBySupplier 0x0126). The replacing party's new
 *   certificates go into its trust anchor cells; the authorising party is the requesting role,
 *   authorising with its digital signing cell and the command's originator counter.
 * - 6.15.2 Update Security Credentials (Device): CS02d, the device's new certificate.
 * - 6.17 Issue Security Credentials: CS02c, the key usage of the key pair to generate.
 * - 6.24.1 Retrieve Device Security Credentials (KRP): CS02a, or CS02f when the Load Controller's
 *   credentials are asked for; the ACB authorises with its key agreement cell (the command is only
 *   MACed by the ACB).
 * - 6.24.2 Retrieve Device Security Credentials (Device): CS02e, the key usage of the certificate.
 *
 * Not built: 6.23 (CS02b supplierByTransCoS), whose command the DCC's Transitional CoS party
 * originates and signs with its own counter, not the Service User's.
 */
import { messageCodeOf } from "../../../catalogue/index.js";
import { type DuisElement, el } from "../../../duis/model/element.js";
import {
  type BitString,
  CredentialsReplacementMode,
  KeyUsageBit,
  RemotePartyRole,
} from "../../../gbcs/asn1/index.js";
import { asn1, withExecutionDateTime } from "../asn1-fields.js";
import { all, base64Binary, bigInteger, boolean, has, text } from "../body.js";
import { BodyFieldError, type CommandContext, type CommandSpec } from "../command-spec.js";

/** A KeyUsage BIT STRING with one bit set, as DER writes it (trailing zero bits unused). */
function keyUsage(bit: number): BitString {
  const bytes = new Uint8Array((bit >> 3) + 1);
  bytes[bit >> 3] = 0x80 >> (bit & 7);
  return { unusedBits: 7 - (bit & 7), bytes };
}

const DIGITAL_SIGNATURE = keyUsage(KeyUsageBit.digitalSignature);
const KEY_AGREEMENT = keyUsage(KeyUsageBit.keyAgreement);

/** DUIS CredentialType → the KeyUsage of the key pair or certificate (CS02c, CS02e). */
const CREDENTIAL_KEY_USAGE: Readonly<Record<string, BitString>> = {
  "Digital Signature": DIGITAL_SIGNATURE,
  "Key Agreement": KEY_AGREEMENT,
};

function credentialKeyUsage(body: DuisElement): BitString {
  const t = text(body, "CredentialType");
  const usage = CREDENTIAL_KEY_USAGE[t];
  if (usage === undefined) throw new BodyFieldError("CredentialType", `"${t}" is not a credential type`);
  return usage;
}

/** DUIS RemotePartyRole → GBCS RemotePartyRole. */
const REMOTE_PARTY_ROLES: Readonly<Record<string, number>> = {
  Root: RemotePartyRole.root,
  Recovery: RemotePartyRole.recovery,
  Supplier: RemotePartyRole.supplier,
  NetworkOperator: RemotePartyRole.networkOperator,
  ACB: RemotePartyRole.accessControlBroker,
  TransCoS: RemotePartyRole.transitionalCoS,
  LoadController: RemotePartyRole.loadController,
};

function remotePartyRole(element: DuisElement, path: string): number {
  const t = element.text?.trim() ?? "";
  const role = REMOTE_PARTY_ROLES[t];
  if (role === undefined) throw new BodyFieldError(path, `"${t}" is not a remote party role`);
  return role;
}

/**
 * The credentials replacements of 6.15.1 by the role whose credentials are replaced: the use case,
 * its message code (CS02b has one per mode; CS02g's are newer than the use-case list), the mode,
 * and the party that authorises it (its digital signing trust anchor cell).
 */
const KRP_REPLACEMENTS = {
  Supplier: {
    useCase: "CS02b",
    messageCode: 0x0102,
    mode: CredentialsReplacementMode.supplierBySupplier,
    authorisingRole: RemotePartyRole.supplier,
  },
  NetworkOperator: {
    useCase: "CS02b",
    messageCode: 0x0103,
    mode: CredentialsReplacementMode.networkOperatorByNetworkOperator,
    authorisingRole: RemotePartyRole.networkOperator,
  },
  LoadController: {
    useCase: "CS02g",
    messageCode: 0x0126,
    mode: CredentialsReplacementMode.loadControllerBySupplier,
    authorisingRole: RemotePartyRole.supplier,
  },
} as const;

type KrpRole = keyof typeof KRP_REPLACEMENTS;

/** The DUIS certificate elements and the trust anchor cell each replaces (prepayment top-up cell: usage 1). */
const REPLACEMENT_CELLS = [
  { element: "DigitalSigningCertificate", keyUsage: DIGITAL_SIGNATURE },
  { element: "KeyAgreementCertificate", keyUsage: KEY_AGREEMENT },
  { element: "KeyAgreementTopUpCertificate", keyUsage: KEY_AGREEMENT, cellUsage: 1 },
] as const;

const CERTIFICATES = "ReplacementCertificates/SupplierOrNetworkOperatorCertificates";

/** Every base64 certificate at a path, in order (the certification path, up to 3). */
function certificates(body: DuisElement, path: string): Uint8Array[] {
  return all(body, path).map((e) => base64Binary(el("Certificates", [e]), e.name));
}

/** The UpdateSecurityCredentialsCommand of 6.15.1 for the replaced role. */
function updateSecurityCredentials(role: KrpRole, ctx: CommandContext) {
  const { mode, authorisingRole } = KRP_REPLACEMENTS[role];
  const replacedRole = REMOTE_PARTY_ROLES[role] as number;
  const body = ctx.body;
  const floor = has(body, "RemotePartyFloorSeqNumber")
    ? bigInteger(body, "RemotePartyFloorSeqNumber")
    : undefined;
  const topUpFloor = has(body, "RemotePartyPrepaymentTopUpFloorSeqNumber")
    ? bigInteger(body, "RemotePartyPrepaymentTopUpFloorSeqNumber")
    : undefined;
  // Prepayment top-up is the specialist sequence number usage 0 (GBCS SeqNumberUsage).
  const specialist = topUpFloor === undefined ? undefined : [{ seqNumberUsage: 0, seqNumber: topUpFloor }];
  // The authorising party replacing its own credentials resets its own floors; a supplier
  // replacing the Load Controller's resets the Load Controller's (otherRemotePartySeqNumberChanges).
  const ownFloors = replacedRole === authorisingRole;
  return asn1("UpdateSecurityCredentialsCommand", {
    authorisingRemotePartyControl: {
      credentialsReplacementMode: mode,
      // applyTimeBasedCPVChecks: absent applies them (the default), 1 disapplies.
      ...(boolean(body, "ApplyTimeBasedCPVChecks") ? {} : { applyTimeBasedCPVChecks: 1 }),
      authorisingRemotePartyTACellIdentifier: {
        trustAnchorCellRemotePartyRole: authorisingRole,
        trustAnchorCellKeyUsage: DIGITAL_SIGNATURE,
      },
      authorisingRemotePartySeqNumber: ctx.counter,
      ...(ownFloors
        ? {
            ...(floor === undefined ? {} : { newRemotePartyFloorSeqNumber: floor }),
            ...(specialist === undefined ? {} : { newRemotePartySpecialistFloorSeqNumbers: specialist }),
          }
        : floor === undefined
          ? {}
          : {
              otherRemotePartySeqNumberChanges: [
                {
                  remotePartyRole: replacedRole,
                  floorSeqNumber: floor,
                  ...(specialist === undefined ? {} : { specialistFloorSeqNumbers: specialist }),
                },
              ],
            }),
    },
    replacements: REPLACEMENT_CELLS.filter((cell) => has(body, `${CERTIFICATES}/${cell.element}`)).map(
      (cell) => ({
        replacementCertificate: base64Binary(body, `${CERTIFICATES}/${cell.element}`),
        targetTrustAnchorCell: {
          trustAnchorCellRemotePartyRole: replacedRole,
          trustAnchorCellKeyUsage: cell.keyUsage,
          ...("cellUsage" in cell ? { trustAnchorCellUsage: cell.cellUsage } : {}),
        },
      }),
    ),
    certificationPathCertificates: certificates(body, "CertificationPathCertificates/Certificate"),
    ...withExecutionDateTime(body),
  });
}

function krpReplacement(role: KrpRole): CommandSpec {
  const { useCase, messageCode } = KRP_REPLACEMENTS[role];
  return {
    srv: "6.15.1",
    useCase,
    messageCode,
    deviceTypes: ["ESME"],
    applies: (ctx) => text(ctx.body, "RemotePartyRole") === role,
    payload: (ctx) => updateSecurityCredentials(role, ctx),
  };
}

/** 6.24.1: the roles whose credentials are asked for, and whether the Load Controller's are (CS02f). */
function rolesRequired(body: DuisElement): number[] {
  return all(body, "RemotePartyRole").map((e) => remotePartyRole(e, "RemotePartyRole"));
}

function provideSecurityCredentialDetails(ctx: CommandContext) {
  return asn1("ProvideSecurityCredentialDetailsCommand", {
    authorisingRemotePartyTACellIdentifier: {
      trustAnchorCellRemotePartyRole: RemotePartyRole.accessControlBroker,
      trustAnchorCellKeyUsage: KEY_AGREEMENT,
    },
    remotePartyRolesCredentialsRequired: rolesRequired(ctx.body),
  });
}

const asksForLoadController = (ctx: CommandContext): boolean =>
  rolesRequired(ctx.body).includes(RemotePartyRole.loadController);

export const securityCommands: readonly CommandSpec[] = [
  krpReplacement("Supplier"),
  krpReplacement("NetworkOperator"),
  krpReplacement("LoadController"),
  {
    srv: "6.15.2",
    useCase: "CS02d",
    messageCode: messageCodeOf("CS02d"),
    deviceTypes: ["ESME"],
    payload: (ctx) => asn1("UpdateDeviceCertificateCommand", base64Binary(ctx.body, "DeviceCertificate")),
  },
  {
    srv: "6.17",
    useCase: "CS02c",
    messageCode: messageCodeOf("CS02c"),
    deviceTypes: ["ESME"],
    payload: (ctx) => asn1("IssueSecurityCredentialsCommand", { keyUsage: credentialKeyUsage(ctx.body) }),
  },
  {
    srv: "6.24.1",
    useCase: "CS02f",
    // CS02f is newer than the use-case list (catalogue link exception): its code as RTDS sends it.
    messageCode: 0x011b,
    deviceTypes: ["ESME"],
    applies: asksForLoadController,
    payload: provideSecurityCredentialDetails,
  },
  {
    srv: "6.24.1",
    useCase: "CS02a",
    messageCode: messageCodeOf("CS02a"),
    deviceTypes: ["ESME"],
    payload: provideSecurityCredentialDetails,
  },
  {
    srv: "6.24.2",
    useCase: "CS02e",
    messageCode: messageCodeOf("CS02e"),
    deviceTypes: ["ESME"],
    payload: (ctx) => asn1("ProvideDeviceCertificateCommand", { keyUsage: credentialKeyUsage(ctx.body) }),
  },
];
