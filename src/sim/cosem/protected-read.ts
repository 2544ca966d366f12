/**
 * get_protected_attributes (class 30 Data Protection, method 1; GBCS §8.5): the sensitive reads.
 * The request names the objects (class, OBIS, attribute, and a restriction: none, or a date range of
 * a profile); the device answers structure { get_protection_parameters, protected_attributes } where
 * protected_attributes is the structure of the values, encrypted for the party the data is for.
 */
import { DataAccessResult, type DlmsData, encodeData } from "../../gbcs/dlms/index.js";
import {
  GBCS_SECURITY_CONTROL,
  GBCS_TAG_LENGTH,
  gbcsProtectionParameters,
  getProtectedAttributesRequestFromData,
  getProtectedAttributesResponseToData,
} from "../../gbcs/dlms/protection.js";
import { systemTitle } from "../../gbcs/dlms/use-cases/protected-reads.js";
import { DecodeError } from "../../gbcs/errors.js";
import type { ActionHandler } from "./interpreter.js";
import { restrict } from "./profiles.js";
import type { CosemStore } from "./store.js";

/** What a protected read needs of the request: who answers whom, and the key of the data. */
export interface SensitiveContext {
  /** The counter of the command, repeated in the protection parameters. */
  readonly counter: bigint;
  /** The device and the response's recipient, as the protection parameters name them. */
  readonly device: string;
  readonly recipient: string;
  /** ciphertext||tag of `plaintext` for the party the data is for, or undefined without its key. */
  readonly seal: (plaintext: Uint8Array, aad: Uint8Array) => Uint8Array | undefined;
}

export function protectedReadHandler(store: CosemStore): ActionHandler<SensitiveContext> {
  return (parameters, context) => {
    let request: ReturnType<typeof getProtectedAttributesRequestFromData>;
    try {
      request = getProtectedAttributesRequestFromData(parameters);
    } catch (error) {
      if (error instanceof DecodeError) return { result: DataAccessResult["other-reason"] };
      throw error;
    }
    const values: DlmsData[] = [];
    for (const o of request.objectList) {
      const value = store.get(o.classId, o.logicalName, o.attributeIndex);
      if (value === undefined) return { result: DataAccessResult["object-undefined"] };
      const restricted = restrict(value, o.restrictingObject);
      if (restricted === undefined) return { result: DataAccessResult["other-reason"] };
      values.push(restricted);
    }
    const aad = Uint8Array.of(GBCS_SECURITY_CONTROL);
    const sealed = context.seal(encodeData({ type: "structure", elements: values }), aad);
    if (sealed === undefined || sealed.length < GBCS_TAG_LENGTH)
      return { result: DataAccessResult["other-reason"] };
    const data = getProtectedAttributesResponseToData({
      getProtectionParameters: [
        gbcsProtectionParameters(
          context.counter,
          systemTitle(context.device),
          systemTitle(context.recipient),
        ),
      ],
      protectedAttributes: {
        securityControl: GBCS_SECURITY_CONTROL,
        // GBCS fixes the invocation counter (the last 4 bytes of the IV) at zero.
        invocationCounter: 0,
        ciphertext: sealed.slice(0, sealed.length - GBCS_TAG_LENGTH),
        tag: sealed.slice(sealed.length - GBCS_TAG_LENGTH),
      },
    });
    return { result: DataAccessResult.success, data };
  };
}
