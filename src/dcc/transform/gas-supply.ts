/**
 * SRV 7.2 Disable Supply and 7.3 Arm Supply to a GSME → GBCS GCS32 and GCS39 (message codes 0x0081,
 * 0x0085), both critical. The GBZ content is one ZCL Change Supply (Metering cluster 0x0702,
 * cluster-specific command 0x0B) with the proposed supply status: 0 (Supply OFF) disables, 1
 * (Supply OFF / ARMED) arms; implementation "now" (0), acknowledgement required (control bit 0).
 *
 * The Issuer Event ID is the DCC's time of the transform in ZigBee UTC seconds (since 2000-01-01):
 * the RTDS pre-commands, made on 2015-01-01T00:00:00Z, carry 0x1C374A80, exactly that.
 */
import { messageCodeOf } from "../../catalogue/index.js";
import { encodeGbz, type GbzPayload, singleComponentPayload } from "../../gbcs/gbz/gbz-payload.js";
import { ZclCluster } from "../../gbcs/gbz/zcl-commands.js";
import type { TransformInput, UseCaseTransform } from "./index.js";

/** ZigBee UTC time: seconds since 2000-01-01T00:00:00Z. */
const ZIGBEE_EPOCH_MS = Date.UTC(2000, 0, 1);

/** The gas supply use cases: message code and the proposed supply status (ZSE enum). */
export const GAS_SUPPLY = {
  GCS32: { messageCode: messageCodeOf("GCS32"), proposedSupplyStatus: 0 },
  GCS39: { messageCode: messageCodeOf("GCS39"), proposedSupplyStatus: 1 },
} as const;

export type GasSupplyUseCase = keyof typeof GAS_SUPPLY;

/** ZigBee UTC seconds of an instant (ms since the epoch). */
export function zigbeeUtc(ms: number): number {
  return Math.max(0, Math.floor((ms - ZIGBEE_EPOCH_MS) / 1000)) >>> 0;
}

/** The GBZ payload of GCS32/GCS39. */
export function gasSupplyCommand(useCase: GasSupplyUseCase, at: number): GbzPayload {
  return singleComponentPayload(ZclCluster.metering, {
    header: {
      frameControl: {
        frameType: "clusterSpecific",
        manufacturerSpecific: false,
        direction: "clientToServer",
        disableDefaultResponse: false,
        reserved: 0,
      },
      transactionSequenceNumber: 0,
      commandId: 0x0b,
    },
    payload: {
      kind: "command",
      name: "changeSupply",
      fields: {
        providerId: 0,
        issuerEventId: zigbeeUtc(at),
        requestDateTime: 0,
        implementationDateTime: 0,
        proposedSupplyStatus: GAS_SUPPLY[useCase].proposedSupplyStatus,
        supplyControlBits: 1,
      },
    },
  });
}

function gasSupplyTransform(useCase: GasSupplyUseCase): UseCaseTransform {
  return {
    useCase,
    messageCode: GAS_SUPPLY[useCase].messageCode,
    build: (input: TransformInput) => encodeGbz(gasSupplyCommand(useCase, input.at)),
  };
}

export const gcs32 = gasSupplyTransform("GCS32");
export const gcs39 = gasSupplyTransform("GCS39");
