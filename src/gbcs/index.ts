/**
 * GBCS: the wire format between the DCC and SMETS2 devices. The public surface of src/gbcs:
 * frames (frame.ts), crypto (crypto/), payload context for the family codecs.
 */

export { ALERT_CODES, alertCodeName } from "./alert-codes.js";
export * from "./crypto/index.js";
export { fromHex, Reader, toHex, Writer } from "./cursor.js";
export { DecodeError, type DecodeErrorCode, inPath } from "./errors.js";
export {
  COSEM_DATE_TIME_LENGTH,
  type Cra,
  CraFlag,
  cosemDateTime,
  decodeFrame,
  encodeFrame,
  type FrameLayout,
  frameLayout,
  type GbcsFrame,
  layoutFrame,
  MAC_LENGTH,
  type ReceivedSpans,
  receivedLayout,
  SIGNATURE_LENGTH,
  type SupplementaryInfo,
  toCosemDateTime,
  withoutReceived,
} from "./frame.js";
export { encodeJsonMessage, frameFromJson, fromJsonTree, messageToJson, toJsonTree } from "./json.js";
export {
  type CheckReason,
  type CheckResult,
  checkMac,
  checkSignature,
  type DecodedMessage,
  type DecodeMessageOptions,
  decodeMessage,
  type MessageKeys,
  type MessageKind,
  messageKind,
  payloadContext,
  payloadDecrypter,
} from "./message.js";
export {
  MESSAGE_CODES,
  type MessageCodeInfo,
  messageCodeInfo,
  type PayloadFamily,
  payloadFamily,
  useCaseOf,
} from "./message-codes.js";
export {
  DECODED_FAMILIES,
  decodePayload,
  encodePayload,
  type GbcsPayload,
  type OpaquePayload,
} from "./payload.js";
export type { DecryptFailure, DecryptResult, PayloadContext } from "./payload-context.js";
