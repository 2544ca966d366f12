/**
 * The answer of a simulated meter to a command whose use case it does not model: it acknowledges
 * the command in the GBCS response form of its payload family, without pretending to hold data it
 * does not model.
 *
 * - DLMS (ESME): an access-response with the command's invoke id; each set and action is answered
 *   `success` (the meter accepts the setting; the simulation does not apply it), each get
 *   `object-unavailable` with null-data (the simulation has no such value).
 * - GBZ (GSME): one component per command component, server to client: a Default Response with
 *   status SUCCESS to a cluster-specific command, a Read Attributes Response with status
 *   UNSUPPORTED_ATTRIBUTE for each attribute asked for.
 *
 * Anything else (another family, a payload it cannot read) gets no answer: `undefined`.
 */

import { macKey, protectFrame } from "../gbcs/crypto/mac.js";
import type { AccessResponseSpecification } from "../gbcs/dlms/apdu.js";
import { DataAccessResult } from "../gbcs/dlms/apdu.js";
import { decodeDlmsPayload, encodeDlmsPayload } from "../gbcs/dlms/index.js";
import { encodeFrame, type GbcsFrame } from "../gbcs/frame.js";
import { GBZ_PROFILE_ID, type GbzComponent } from "../gbcs/gbz/gbz-payload.js";
import { decodeGbzPayload, encodeGbzPayload } from "../gbcs/gbz/index.js";
import { ZclGlobalCommand } from "../gbcs/gbz/zcl-commands.js";
import type { ZclPayload } from "../gbcs/gbz/zcl-frame.js";
import { messageCodeInfo, payloadFamily, useCaseOf } from "../gbcs/message-codes.js";
import type { CommandOutcome } from "./device.js";

/** ZCL status codes. */
const ZCL_SUCCESS = 0x00;
const ZCL_UNSUPPORTED_ATTRIBUTE = 0x86;

/** The response content acknowledging a command, or undefined when it cannot be read. */
export function acknowledgement(command: GbcsFrame): Uint8Array | undefined {
  try {
    switch (payloadFamily(command.messageCode, command.content)) {
      case "dlms":
        return dlmsAcknowledgement(command.content);
      case "gbz":
        return gbzAcknowledgement(command);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

function dlmsAcknowledgement(content: Uint8Array): Uint8Array | undefined {
  const { apdu } = decodeDlmsPayload(content);
  if (apdu.apdu !== "access-request") return undefined;
  const answers = apdu.accessRequestSpecification.map((s): AccessResponseSpecification => {
    switch (s.kind) {
      case "access-request-get":
      case "access-request-get-with-selection":
        return { kind: "access-response-get", result: DataAccessResult["object-unavailable"] };
      case "access-request-set":
        return { kind: "access-response-set", result: DataAccessResult.success };
      default:
        return { kind: "access-response-action", result: DataAccessResult.success };
    }
  });
  return encodeDlmsPayload({
    family: "dlms",
    apdu: {
      apdu: "access-response",
      longInvokeIdAndPriority: apdu.longInvokeIdAndPriority,
      dateTime: null,
      accessRequestSpecification: null,
      accessResponseListOfData: answers.map(() => ({ type: "null-data" })),
      accessResponseSpecification: answers,
    },
    protectedAttributes: [],
  });
}

function gbzAcknowledgement(command: GbcsFrame): Uint8Array | undefined {
  const payload = decodeGbzPayload(command.content, {
    messageCode: command.messageCode,
    cra: 1,
    useCase: useCaseOf(command.messageCode),
    originator: command.originator,
    recipient: command.recipient,
    counter: command.counter,
  });
  if (payload.kind !== "components") return undefined;
  const components: GbzComponent[] = [];
  for (const [i, component] of payload.components.entries()) {
    if (component.body.encrypted) return undefined;
    const { header, payload: request } = component.body.frame;
    const answer: { commandId: number; payload: ZclPayload } =
      request.kind === "readAttributes"
        ? {
            commandId: ZclGlobalCommand.readAttributesResponse,
            payload: {
              kind: "readAttributesResponse",
              records: request.attributeIds.map((attributeId) => ({
                attributeId,
                status: ZCL_UNSUPPORTED_ATTRIBUTE,
              })),
            },
          }
        : {
            commandId: ZclGlobalCommand.defaultResponse,
            payload: { kind: "defaultResponse", commandId: header.commandId, status: ZCL_SUCCESS },
          };
    components.push({
      clusterId: component.clusterId,
      lastMessage: i === payload.components.length - 1,
      reservedControlBits: 0,
      body: {
        encrypted: false,
        frame: {
          header: {
            frameControl: {
              frameType: "global",
              manufacturerSpecific: false,
              direction: "serverToClient",
              disableDefaultResponse: true,
              reserved: 0,
            },
            transactionSequenceNumber: header.transactionSequenceNumber,
            commandId: answer.commandId,
          },
          payload: answer.payload,
        },
      },
    });
  }
  return encodeGbzPayload({ family: "gbz", kind: "components", profileId: GBZ_PROFILE_ID, components });
}

/** Whether the simulation acknowledges a message code it does not model: a known non-critical command. */
export function acknowledges(messageCode: number): boolean {
  return messageCodeInfo(messageCode)?.critical === false;
}

/**
 * The outcome of a checked command of a use case the device does not model: the acknowledgement,
 * MACed between the device and the originator (as every non-critical response), or `unsupported`
 * for a critical or unknown message code (its signature is not checked here) or an unreadable
 * payload.
 */
export function acknowledge(
  device: string,
  command: GbcsFrame,
  originator: string,
  z: Uint8Array,
): CommandOutcome {
  if (!acknowledges(command.messageCode)) return { dropped: "unsupported" };
  const content = acknowledgement(command);
  if (content === undefined) return { dropped: "unsupported" };
  const response: GbcsFrame = {
    cra: 2,
    counter: command.counter,
    originator: device,
    recipient: originator,
    dateTime: null,
    messageCode: command.messageCode,
    content,
    signature: new Uint8Array(0),
  };
  return { response: encodeFrame(protectFrame(response, macKey(response, z))) };
}
