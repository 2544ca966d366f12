/**
 * SRV 9.1 Request Customer Identification Number: the DCC generates a four-digit Customer
 * Identification Number (CIN), sends it to the meter (ECS50: the ESME's CIN register, class 1
 * 0-3:96.13.1.255 attribute 2, as ASCII digits; GCS36: the GSME's ZSE Device Management Update CIN,
 * sent server to client with the Issuer Event ID of the DCC's time, implemented now), and returns
 * it to the Other User with the meter's response (DUIS ResponseMessage/CINMessage). The number is
 * random: it lets a consumer prove to the Other User that the user reaches their meter.
 *
 * The DCC keeps no table of CINs: the number is read back from the command it sent
 * (`cinOfCommand`) when the meter's response is wrapped.
 */
import { randomInt } from "node:crypto";
import { type DlmsPayload, decodeDlmsPayload, type ObisCode } from "../../gbcs/dlms/index.js";
import { decodeFrame } from "../../gbcs/frame.js";
import { decodeGbz, type GbzPayload } from "../../gbcs/gbz/gbz-payload.js";
import { ZclCluster } from "../../gbcs/gbz/zcl-commands.js";
import type { CommandContext, CommandSpec } from "./command-spec.js";
import { accessRequest, dlms, set } from "./dlms-builder.js";
import { command, gbzCommand, serverToClient, zigbeeUtc } from "./gbz-builder.js";

/** The ESME's Customer Identification Number register (class 1 Data, value attribute 2). */
const CIN_REGISTER = { classId: 1, obis: "0-3:96.13.1.255" as ObisCode, attributeId: 2 } as const;
/** ZSE Device Management, Update CIN (server to client, command 0x06). */
const UPDATE_CIN = 0x06;

/** A new CIN: four random decimal digits. */
export function newCustomerIdentificationNumber(): string {
  return randomInt(0, 10_000).toString().padStart(4, "0");
}

const ascii = (cin: string): Uint8Array => Uint8Array.from(Buffer.from(cin, "ascii"));

/** The 9.1 rows: ECS50 to an ESME, GCS36 to a GSME (message codes 0x0078 family from the table). */
export function customerIdentificationNumberCommands(messageCodes: {
  ECS50: number;
  GCS36: number;
}): CommandSpec[] {
  return [
    {
      srv: "9.1",
      useCase: "ECS50",
      messageCode: messageCodes.ECS50,
      deviceTypes: ["ESME"],
      payload: (ctx: CommandContext): DlmsPayload =>
        accessRequest(ctx.counter, [
          set(
            CIN_REGISTER.classId,
            CIN_REGISTER.obis,
            CIN_REGISTER.attributeId,
            dlms.octets(ascii(newCustomerIdentificationNumber())),
          ),
        ]),
    },
    {
      srv: "9.1",
      useCase: "GCS36",
      messageCode: messageCodes.GCS36,
      deviceTypes: ["GSME"],
      payload: (ctx: CommandContext): GbzPayload =>
        gbzCommand(
          [
            command(ZclCluster.deviceManagement, UPDATE_CIN, "updateCin", {
              issuerEventId: zigbeeUtc(ctx.at),
              cinImplementationTime: 0,
              providerId: 0,
              customerIdNumber: ascii(newCustomerIdentificationNumber()),
            }),
          ].map(serverToClient),
        ),
    },
  ];
}

/** The CIN a 9.1 command carries (ECS50 or GCS36), or undefined when it is not such a command. */
export function cinOfCommand(bytes: Uint8Array): string | undefined {
  try {
    const frame = decodeFrame(bytes);
    const text = (b: Uint8Array) => {
      const s = Buffer.from(b).toString("ascii");
      return /^[0-9]{4}$/.test(s) ? s : undefined;
    };
    if (frame.content[0] === 0xd9) {
      const apdu = decodeDlmsPayload(frame.content).apdu;
      const spec = apdu.apdu === "access-request" ? apdu.accessRequestSpecification[0] : undefined;
      const data = apdu.apdu === "access-request" ? apdu.accessRequestListOfData[0] : undefined;
      if (
        spec?.kind === "access-request-set" &&
        spec.cosemAttributeDescriptor.instanceId === CIN_REGISTER.obis &&
        data?.type === "octet-string"
      ) {
        return text(data.value);
      }
      return undefined;
    }
    const gbz = decodeGbz(frame.content, { messageCode: frame.messageCode, cra: 1 });
    if (gbz.kind !== "components") return undefined;
    const body = gbz.components[0]?.body;
    const payload = body !== undefined && !body.encrypted ? body.frame.payload : undefined;
    const cin =
      payload?.kind === "command" && payload.name === "updateCin"
        ? payload.fields.customerIdNumber
        : undefined;
    return cin instanceof Uint8Array ? text(cin) : undefined;
  } catch {
    return undefined;
  }
}
