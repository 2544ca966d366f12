/**
 * SRV 7.x, supply and load control: enable, disable and arm the supply (critical), the load
 * limiting and auxiliary load controls, and the gas meter's valve.
 *
 * ECS42/43/44 (7.1 Enable, 7.2 Disable, 7.3 Arm Supply to an ESME) are one access-request action on
 * the Disconnect Control Script Table (class 9 Script Table, 0-0:10.0.106.255, method 1 `execute`)
 * whose parameter is the script to run, a long-unsigned: 51 enables, 52 disables, 54 arms. GCS32 and
 * GCS39 (7.2, 7.3 to a GSME) are one ZCL Change Supply (Metering cluster, cluster-specific command
 * 0x0B) with the proposed supply status: 0 (Supply OFF) disables, 1 (Supply OFF / ARMED) arms;
 * implementation "now", acknowledgement required (control bit 0). Their DUIS bodies are empty.
 */
import { messageCodeOf } from "../../../catalogue/index.js";
import type { ObisCode } from "../../../gbcs/dlms/index.js";
import type { GbzPayload } from "../../../gbcs/gbz/gbz-payload.js";
import type { CommandSpec } from "../command-spec.js";
import { accessRequest, action, dlms } from "../dlms-builder.js";
import { clusterCommand, zigbeeUtc } from "../gbz-builder.js";

/** The ESME's Disconnect Control Script Table (class 9). */
export const DISCONNECT_CONTROL_SCRIPT_TABLE: { readonly classId: number; readonly logicalName: ObisCode } = {
  classId: 9,
  logicalName: "0-0:10.0.106.255",
};

/** Script Table method 1, `execute(script_identifier)`. */
const EXECUTE = 1;

/** The supply use cases of an ESME and the disconnect-control script each runs. */
export const SUPPLY_SCRIPTS = { ECS42: 51, ECS43: 52, ECS44: 54 } as const;

function supplyScript(srv: "7.1" | "7.2" | "7.3", useCase: keyof typeof SUPPLY_SCRIPTS): CommandSpec {
  return {
    srv,
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        action(
          DISCONNECT_CONTROL_SCRIPT_TABLE.classId,
          DISCONNECT_CONTROL_SCRIPT_TABLE.logicalName,
          EXECUTE,
          dlms.longUnsigned(SUPPLY_SCRIPTS[useCase]),
        ),
      ]),
  };
}

/** The GBZ payload of GCS32 (proposed status 0) and GCS39 (1): Change Supply, now. */
export function changeSupply(proposedSupplyStatus: number, at: number): GbzPayload {
  return clusterCommand(ZCL_METERING, 0x0b, "changeSupply", {
    providerId: 0,
    issuerEventId: zigbeeUtc(at),
    requestDateTime: 0,
    implementationDateTime: 0,
    proposedSupplyStatus,
    supplyControlBits: 1,
  });
}

const ZCL_METERING = 0x0702;

export const supplyCommands: readonly CommandSpec[] = [
  supplyScript("7.1", "ECS42"),
  supplyScript("7.2", "ECS43"),
  supplyScript("7.3", "ECS44"),
  {
    srv: "7.2",
    useCase: "GCS32",
    messageCode: messageCodeOf("GCS32"),
    deviceTypes: ["GSME"],
    payload: (ctx) => changeSupply(0, ctx.at),
  },
  {
    srv: "7.3",
    useCase: "GCS39",
    messageCode: messageCodeOf("GCS39"),
    deviceTypes: ["GSME"],
    payload: (ctx) => changeSupply(1, ctx.at),
  },
];
