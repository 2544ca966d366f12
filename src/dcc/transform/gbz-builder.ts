/**
 * GBZ commands as data (GBCS §7.2.4-7.2.7): a GBZ payload is a list of components, each a ZCL frame
 * on one cluster (a read or write of attributes, or a cluster-specific command with its ZSE fields),
 * optionally with a From Date Time (future-dated). GBCS numbers the ZCL transaction sequence of the
 * components 0, 1, 2… and marks the last one. A spec row lists its components with `component`;
 * `gbzCommand` numbers and marks them.
 */
import {
  GBZ_PROFILE_ID,
  type GbzComponent,
  type GbzComponentsPayload,
  type GbzPayload,
} from "../../gbcs/gbz/gbz-payload.js";
import { type ZclDirection, ZclGlobalCommand } from "../../gbcs/gbz/zcl-commands.js";
import type { ZclFields } from "../../gbcs/gbz/zcl-fields.js";
import type { ZclAttributeRecord, ZclFrameControl, ZclPayload } from "../../gbcs/gbz/zcl-frame.js";

/** ZigBee UTC time: seconds since 2000-01-01T00:00:00Z. */
const ZIGBEE_EPOCH_MS = Date.UTC(2000, 0, 1);

/** ZigBee UTC seconds of an instant (ms since the epoch); 0 before 2000. */
export function zigbeeUtc(ms: number): number {
  return Math.max(0, Math.floor((ms - ZIGBEE_EPOCH_MS) / 1000)) >>> 0;
}

/** One component before numbering: cluster, command id, payload, and a From Date Time if future-dated. */
export interface GbzComponentSpec {
  readonly clusterId: number;
  readonly frameType: ZclFrameControl["frameType"];
  readonly commandId: number;
  readonly payload: ZclPayload;
  readonly fromDateTime?: number;
  /** ZCL Disable Default Response (false in GBCS commands unless the use case says). */
  readonly disableDefaultResponse?: boolean;
  /**
   * The ZCL frame's direction (default client to server: the meter is the cluster's server). Some
   * commands travel server to client: the meter is the client of the Messaging, Calendar and Price
   * publishes, and the DCC stands in for the ESI in others (ZSE; the GBCS templates' frame control).
   */
  readonly direction?: ZclDirection;
}

/** The component sent server to client (see `GbzComponentSpec.direction`). */
export function serverToClient(spec: GbzComponentSpec): GbzComponentSpec {
  return { ...spec, direction: "serverToClient" };
}

/** A Read Attributes on a cluster. */
export function readAttributes(clusterId: number, attributeIds: readonly number[]): GbzComponentSpec {
  return {
    clusterId,
    frameType: "global",
    commandId: ZclGlobalCommand.readAttributes,
    payload: { kind: "readAttributes", attributeIds },
  };
}

/** A Write Attributes on a cluster. */
export function writeAttributes(clusterId: number, records: readonly ZclAttributeRecord[]): GbzComponentSpec {
  return {
    clusterId,
    frameType: "global",
    commandId: ZclGlobalCommand.writeAttributes,
    payload: { kind: "writeAttributes", records },
  };
}

/** A cluster-specific command with its ZSE fields (layout from `gbcs/gbz/zcl-commands.ts`). */
export function command(
  clusterId: number,
  commandId: number,
  name: string,
  fields: ZclFields,
): GbzComponentSpec {
  return { clusterId, frameType: "clusterSpecific", commandId, payload: { kind: "command", name, fields } };
}

/** The GBZ payload of components in order: sequence numbers 0, 1, 2…, the last one marked. */
export function gbzCommand(components: readonly GbzComponentSpec[]): GbzComponentsPayload {
  return {
    family: "gbz",
    kind: "components",
    profileId: GBZ_PROFILE_ID,
    components: components.map(
      (c, i): GbzComponent => ({
        clusterId: c.clusterId,
        lastMessage: i === components.length - 1,
        reservedControlBits: 0,
        ...(c.fromDateTime === undefined ? {} : { fromDateTime: c.fromDateTime }),
        body: {
          encrypted: false,
          frame: {
            header: {
              frameControl: {
                frameType: c.frameType,
                manufacturerSpecific: false,
                direction: c.direction ?? "clientToServer",
                disableDefaultResponse: c.disableDefaultResponse ?? false,
                reserved: 0,
              },
              transactionSequenceNumber: i,
              commandId: c.commandId,
            },
            payload: c.payload,
          },
        },
      }),
    ),
  };
}

/** One cluster-specific command as the whole payload (e.g. GCS32 Change Supply). */
export function clusterCommand(
  clusterId: number,
  commandId: number,
  name: string,
  fields: ZclFields,
): GbzPayload {
  return gbzCommand([command(clusterId, commandId, name, fields)]);
}
