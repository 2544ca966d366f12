/**
 * The GSME's supply valve as the critical gas use cases drive it: GCS32 Disable Supply (0x0081) and
 * GCS39 Arm Supply (0x0085). Each command is one ZCL Change Supply (Metering cluster, command 0x0B)
 * with a proposed supply status (ZSE: 0 Supply OFF, 1 Supply OFF/ARMED, 2 Supply ON); the GSME
 * answers with a Supply Status Response (command 0x0C) echoing the provider and issuer event ids,
 * with the supply status it now has, as in the RTDS responses.
 */
import { DecodeError } from "../gbcs/errors.js";
import type { GbcsFrame } from "../gbcs/frame.js";
import { decodeGbzPayload, encodeGbz, singleComponentPayload, ZclCluster } from "../gbcs/gbz/index.js";
import type { SupplyState } from "./supply.js";

/** Message code → the status the command must propose and the state it leaves the supply in. */
export const GAS_SUPPLY_COMMANDS: ReadonlyMap<
  number,
  { readonly proposed: number; readonly state: SupplyState }
> = new Map([
  [0x0081, { proposed: 0, state: "Disabled" }],
  [0x0085, { proposed: 1, state: "Armed" }],
]);

/** ZSE supply status of each state. */
const SUPPLY_STATUS: Record<SupplyState, number> = { Disabled: 0, Armed: 1, Enabled: 2 };

const CHANGE_SUPPLY = 0x0b;
const SUPPLY_STATUS_RESPONSE = 0x0c;

/** The Change Supply of a well-formed GCS32/GCS39 command, or undefined for anything else. */
export function readGasSupplyCommand(
  frame: GbcsFrame,
): { readonly state: SupplyState; readonly providerId: number; readonly issuerEventId: number } | undefined {
  const expected = GAS_SUPPLY_COMMANDS.get(frame.messageCode);
  if (expected === undefined) return undefined;
  let payload: ReturnType<typeof decodeGbzPayload>;
  try {
    payload = decodeGbzPayload(frame.content, {
      messageCode: frame.messageCode,
      cra: frame.cra,
      useCase: undefined,
      originator: frame.originator,
      recipient: frame.recipient,
      counter: frame.counter,
    });
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
  if (payload.kind !== "components" || payload.components.length !== 1) return undefined;
  const component = payload.components[0]!;
  if (component.clusterId !== ZclCluster.metering || component.body.encrypted) return undefined;
  const { header, payload: zcl } = component.body.frame;
  if (header.commandId !== CHANGE_SUPPLY || zcl.kind !== "command" || zcl.name !== "changeSupply")
    return undefined;
  const { providerId, issuerEventId, proposedSupplyStatus } = zcl.fields;
  if (
    typeof providerId !== "number" ||
    typeof issuerEventId !== "number" ||
    proposedSupplyStatus !== expected.proposed
  ) {
    return undefined;
  }
  return { state: expected.state, providerId, issuerEventId };
}

/** The GBZ content of the Supply Status Response. */
export function buildGasSupplyResponse(input: {
  readonly providerId: number;
  readonly issuerEventId: number;
  readonly state: SupplyState;
}): Uint8Array {
  return encodeGbz(
    singleComponentPayload(ZclCluster.metering, {
      header: {
        frameControl: {
          frameType: "clusterSpecific",
          manufacturerSpecific: false,
          direction: "serverToClient",
          disableDefaultResponse: false,
          reserved: 0,
        },
        transactionSequenceNumber: 0,
        commandId: SUPPLY_STATUS_RESPONSE,
      },
      payload: {
        kind: "command",
        name: "supplyStatusResponse",
        fields: {
          providerId: input.providerId,
          issuerEventId: input.issuerEventId,
          implementationDateTime: 0,
          supplyStatus: SUPPLY_STATUS[input.state],
        },
      },
    }),
  );
}
