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
 *
 * 7.4 reads the supply state (ECS45: the Disconnect Control's control_state; GCS33: the Metering
 * cluster's RemainingBatteryLifeinDays and SupplyStatus). 7.5-7.16 are the auxiliary load controls
 * of an ESME (ALCS, HCALCS and APC [n], n = 1..5): their objects and script identifiers are in
 * `auxiliary-load.ts`; 7.7, 7.11, 7.14 and 7.15 read the switches, the boost button and the
 * controllers' data, 7.9/7.10 add switches to and remove them from the boost button, 7.12 sets the
 * randomised offset limit. The future-dated ones of these (7.7, 7.9-7.11, 7.14, 7.15) are held by
 * the DCC until their date and sent then as on-demand commands, with no date in the command.
 */
import { messageCodeOf } from "../../../catalogue/index.js";
import type { ObisCode } from "../../../gbcs/dlms/index.js";
import { obisToBytes } from "../../../gbcs/dlms/obis.js";
import type { GbzPayload } from "../../../gbcs/gbz/gbz-payload.js";
import { MESSAGE_CODES } from "../../../gbcs/message-codes.js";
import {
  ALCS_ACTIONS,
  APC_DIRECTION,
  AUXILIARY_SCRIPT_TABLES,
  alcsScript,
  CONTROLLER_OBJECT_INDEX,
  controllerLevelScript,
  executeScript,
  setController,
  setControllerDateTime,
} from "../auxiliary-load.js";
import { all, dateTime, has, integer } from "../body.js";
import { attributeInteger, booleanOf, integerAttributeOf } from "../body-attributes.js";
import { BodyFieldError, type CommandContext, type CommandSpec } from "../command-spec.js";
import { accessRequest, action, dlms, get, set } from "../dlms-builder.js";
import { clusterCommand, gbzCommand, readAttributes, zigbeeUtc } from "../gbz-builder.js";

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

/** The ESME's Disconnect Control (class 70) and its attribute 3, control_state. */
const DISCONNECT_CONTROL: { readonly classId: number; readonly logicalName: ObisCode } = {
  classId: 70,
  logicalName: "0-0:96.3.10.255",
};
const CONTROL_STATE = 3;

/** GCS33 reads Meter Status: RemainingBatteryLifeinDays (0x0205) and Reading Information: SupplyStatus (0x0014). */
const SUPPLY_STATUS_ATTRIBUTES = [0x0205, 0x0014] as const;

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
  {
    srv: "7.4",
    useCase: "ECS45",
    messageCode: messageCodeOf("ECS45"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        get(DISCONNECT_CONTROL.classId, DISCONNECT_CONTROL.logicalName, CONTROL_STATE),
      ]),
  },
  {
    srv: "7.4",
    useCase: "GCS33",
    messageCode: messageCodeOf("GCS33"),
    deviceTypes: ["GSME"],
    payload: () => gbzCommand([readAttributes(ZCL_METERING, SUPPLY_STATUS_ATTRIBUTES)]),
  },
  {
    srv: "7.5",
    useCase: "ECS47",
    messageCode: messageCodeOf("ECS47"),
    deviceTypes: ["ESME"],
    payload: (ctx) => {
      const n = attributeInteger(ctx.body, "ActivateALCSHCALCS", "index");
      return accessRequest(ctx.counter, [
        setController(
          n,
          CONTROLLER_OBJECT_INDEX.activateDuration,
          dlms.longUnsigned(integer(ctx.body, "ActivateALCSHCALCS/Duration")),
        ),
        executeScript(AUXILIARY_SCRIPT_TABLES.state, alcsScript(n, ALCS_ACTIONS.activate)),
      ]);
    },
  },
  {
    srv: "7.6",
    useCase: "ECS47",
    messageCode: messageCodeOf("ECS47"),
    deviceTypes: ["ESME"],
    payload: (ctx) => {
      const n = attributeInteger(ctx.body, "DeactivateALCSHCALCS", "index");
      return accessRequest(ctx.counter, [
        setController(
          n,
          CONTROLLER_OBJECT_INDEX.deactivateDuration,
          dlms.longUnsigned(integer(ctx.body, "DeactivateALCSHCALCS/Duration")),
        ),
        executeScript(AUXILIARY_SCRIPT_TABLES.state, alcsScript(n, ALCS_ACTIONS.deactivate)),
      ]);
    },
  },
  {
    srv: "7.7",
    useCase: "ECS61a",
    messageCode: messageCodeOf("ECS61a"),
    deviceTypes: ["ESME"],
    payload: (ctx) => accessRequest(ctx.counter, READ_ALCS_DATA.map(getOf)),
  },
  {
    srv: "7.8",
    useCase: "ECS47",
    messageCode: messageCodeOf("ECS47"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        executeScript(
          AUXILIARY_SCRIPT_TABLES.state,
          alcsScript(attributeInteger(ctx.body, "ResetALCSHCALCS", "index"), ALCS_ACTIONS.reset),
        ),
      ]),
  },
  {
    srv: "7.9",
    useCase: "ECS62",
    messageCode: messageCodeOf("ECS62"),
    deviceTypes: ["ESME"],
    payload: (ctx) => boostButtonChange(ctx, "AddToBoostButton", true),
  },
  {
    srv: "7.10",
    useCase: "ECS62",
    messageCode: messageCodeOf("ECS62"),
    deviceTypes: ["ESME"],
    payload: (ctx) => boostButtonChange(ctx, "RemoveFromBoostButton", false),
  },
  {
    srv: "7.11",
    useCase: "ECS61c",
    messageCode: messageCodeOf("ECS61c"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        getOf(BOOST_BUTTON.duration),
        get(BOOST_BUTTON.eventLog.classId, BOOST_BUTTON.eventLog.obis, BUFFER, {
          accessSelector: RANGE_DESCRIPTOR,
          accessParameters: logRange(ctx),
        }),
        ...BOOST_BUTTON.loads.map(getOf),
      ]),
  },
  {
    srv: "7.12",
    useCase: "ECS38",
    messageCode: messageCodeOf("ECS38"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        set(
          RANDOMISED_OFFSET_LIMIT.classId,
          RANDOMISED_OFFSET_LIMIT.obis,
          DATA_VALUE,
          dlms.longUnsigned(integer(ctx.body, "RandomisedOffsetLimit")),
        ),
      ]),
  },
  {
    srv: "7.13",
    useCase: "ECS47a",
    messageCode: gbcsMessageCode("ECS47a"),
    deviceTypes: ["ESME"],
    payload: (ctx) => controllerLevel(ctx, AUXILIARY_SCRIPT_TABLES.state, "stateStart", "stateEnd"),
  },
  {
    srv: "7.14",
    useCase: "ECS61d",
    messageCode: gbcsMessageCode("ECS61d"),
    deviceTypes: ["ESME"],
    payload: (ctx) => accessRequest(ctx.counter, AUXILIARY_CONFIGURATION_DATA.map(getOf)),
  },
  {
    srv: "7.15",
    useCase: "ECS61e",
    messageCode: gbcsMessageCode("ECS61e"),
    deviceTypes: ["ESME"],
    payload: (ctx) => accessRequest(ctx.counter, AUXILIARY_OPERATIONAL_DATA.map(getOf)),
  },
  {
    srv: "7.16",
    useCase: "ECS47e",
    messageCode: gbcsMessageCode("ECS47e"),
    deviceTypes: ["ESME"],
    payload: (ctx) => controllerLevel(ctx, AUXILIARY_SCRIPT_TABLES.limit, "limitStart", "limitEnd"),
  },
];

/**
 * ECS47a (7.13 Set Auxiliary Controller State) and ECS47e (7.16 Limit APC Level): the setting period
 * of controller n (the body's auxiliaryControllerN), then the script that commands its level.
 */
function controllerLevel(
  ctx: CommandContext,
  table: ObisCode,
  start: "stateStart" | "limitStart",
  end: "stateEnd" | "limitEnd",
) {
  const n = attributeInteger(ctx.body, "", "auxiliaryControllerN");
  const direction = has(ctx.body, "InputFromControlledLoad") ? APC_DIRECTION.input : APC_DIRECTION.output;
  return accessRequest(ctx.counter, [
    setControllerDateTime(n, CONTROLLER_OBJECT_INDEX[start], dateTime(ctx.body, "StartDateTime")),
    setControllerDateTime(n, CONTROLLER_OBJECT_INDEX[end], dateTime(ctx.body, "EndDateTime")),
    executeScript(table, controllerLevelScript(direction, n, integer(ctx.body, "CommandedStateLevel"))),
  ]);
}

/**
 * ECS62 (7.9 add, 7.10 remove): for each load switch the body marks (`index` 1..5, value true), its
 * boost-button membership is set to `member`; an unmarked switch is left as it is.
 */
function boostButtonChange(ctx: CommandContext, element: string, member: boolean) {
  const items = all(ctx.body, element)
    .filter((e) => booleanOf(e, element))
    .map((e) => {
      const load = BOOST_BUTTON.loads[integerAttributeOf(e, "index", `${element}@index`) - 1];
      if (load === undefined) throw new BodyFieldError(`${element}@index`, "is not a load switch 1..5");
      return set(load.classId, load.obis, DATA_VALUE, dlms.boolean(member));
    });
  return accessRequest(ctx.counter, items);
}

/** Selective access by range (Profile Generic selector 1). */
const RANGE_DESCRIPTOR = 1;
/** Profile Generic attribute 2, buffer. */
const BUFFER = 2;
/** Data attribute 2, value. */
const DATA_VALUE = 2;

/**
 * The range of a log read: restricted by the log's time-stamp column (the capture object below),
 * from and to as UTC seconds since 2000-01-01 (the GBCS log time base, as ZigBee UTCTime), all
 * columns.
 */
function logRange(ctx: CommandContext) {
  const column = BOOST_BUTTON.eventLogTimeColumn;
  return dlms.structure(
    dlms.structure(
      dlms.longUnsigned(column.classId),
      dlms.octets(obisToBytes(column.obis)),
      dlms.integer(column.attributeId),
      dlms.longUnsigned(0),
    ),
    dlms.doubleLongUnsigned(zigbeeUtc(dateTime(ctx.body, "ReadLogPeriod/StartDateTime"))),
    dlms.doubleLongUnsigned(zigbeeUtc(dateTime(ctx.body, "ReadLogPeriod/EndDateTime"))),
    dlms.array([]),
  );
}

interface CosemAttribute {
  readonly classId: number;
  readonly obis: ObisCode;
}

function getOf(object: CosemAttribute) {
  return get(object.classId, object.obis, DATA_VALUE);
}

const data = (obis: ObisCode): CosemAttribute => ({ classId: 1, obis });
const range = (from: number, to: number, obis: (i: number) => ObisCode): CosemAttribute[] =>
  Array.from({ length: to - from + 1 }, (_, i) => data(obis(from + i)));

/** The ESME's boost button: its duration, its event log, and whether each load switch 1..5 follows it. */
const BOOST_BUTTON = {
  duration: data("0-0:94.44.7.255"),
  eventLog: { classId: 7, obis: "0-0:99.98.20.255" },
  eventLogTimeColumn: { classId: 1, obis: "0-0:94.44.100.255", attributeId: 2 },
  loads: range(1, 5, (n) => `0-0:94.44.6.${n}`),
} as const satisfies Record<string, unknown>;

/** The auxiliary controllers' configuration (0-0:94.44.0.11-15) and operational data (.21-25, .31-35). */
const AUXILIARY_CONFIGURATION = range(11, 15, (i) => `0-0:94.44.0.${i}`);
const AUXILIARY_STATE = range(21, 25, (i) => `0-0:94.44.0.${i}`);
const AUXILIARY_OPERATION = range(31, 35, (i) => `0-0:94.44.0.${i}`);
/** The auxiliary load control calendar (class 11 Special Days Table, class 10 Schedule). */
const AUXILIARY_CALENDAR: CosemAttribute[] = [
  { classId: 11, obis: "0-0:11.0.3.255" },
  { classId: 10, obis: "0-0:12.0.2.255" },
];
/** The Disconnect Control (class 70) of each auxiliary load switch, channels 1..5. */
const ALCS_SWITCHES = Array.from(
  { length: 5 },
  (_, i): CosemAttribute => ({ classId: 70, obis: `0-${i + 1}:96.3.10.255` }),
);

/** ECS61a: configuration, state, calendar, and each switch's state. */
const READ_ALCS_DATA = [
  ...AUXILIARY_CONFIGURATION,
  ...AUXILIARY_STATE,
  ...AUXILIARY_CALENDAR,
  ...ALCS_SWITCHES,
];
/** ECS61d: configuration and calendar. */
const AUXILIARY_CONFIGURATION_DATA = [...AUXILIARY_CONFIGURATION, ...AUXILIARY_CALENDAR];
/** ECS61e: state and operation. */
const AUXILIARY_OPERATIONAL_DATA = [...AUXILIARY_STATE, ...AUXILIARY_OPERATION];

/** The ESME's randomised offset limit (seconds), SMETS. */
const RANDOMISED_OFFSET_LIMIT = data("0-0:94.44.0.1");

/** The message code of a use case the catalogue lists without one (the codec's table has it). */
function gbcsMessageCode(useCase: string): number {
  for (const [code, info] of MESSAGE_CODES) if (info.useCase === useCase) return code;
  throw new RangeError(`${useCase}: no message code`);
}
