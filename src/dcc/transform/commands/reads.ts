/**
 * SRV 4.x, the reads: registers, profiles, logs and billing data of ESMEs and GSMEs (and the GPF's
 * mirror of the gas meter).
 *
 * ESME reads are one xDLMS access-request of gets, in the order of the GBCS use-case template
 * (ESME_GETS), a profile read with selective access by the body's `ReadLogPeriod`; the sensitive
 * ones (registers and logs whose values the ESME encrypts for the remote party) invoke
 * get_protected_attributes, built by `gbcs/dlms/use-cases/protected-reads.ts` from its
 * PROTECTED_READS table. Gas reads are GBZ: ZCL Read Attributes of the Metering (0x0702), Prepayment
 * (0x0705) and Price (0x0700) clusters, and ZSE Get Snapshot / Get Prepay Snapshot / Get Sampled
 * Data / Get Top Up Log / Calendar commands whose times come from the body.
 */

import type { Srv } from "../../../catalogue/index.js";
import { messageCodeOf } from "../../../catalogue/index.js";
import { decodeDlmsPayload, type ObisCode } from "../../../gbcs/dlms/index.js";
import {
  buildProtectedReadCommand,
  PROTECTED_READS,
  type ProtectedReadName,
} from "../../../gbcs/dlms/use-cases/protected-reads.js";
import type { DeviceType } from "../../../store/types.js";
import type { CommandContext, CommandSpec } from "../command-spec.js";
import { accessRequest, type DlmsRequestItem, get } from "../dlms-builder.js";
import { command, type GbzComponentSpec, gbzCommand, readAttributes } from "../gbz-builder.js";
import { rangeDescriptor, readLogPeriod, unspecifiedZoneDateTime, utcSeconds } from "../read-periods.js";

/** A get of one attribute: class, logical name, attribute; `range` marks a profile buffer read for the body's period. */
type EsmeGet = readonly [classId: number, logicalName: ObisCode, attributeId: number, range?: "range"];

/** The non-sensitive ESME reads: the attributes each use case gets, in the template's order. */
export const ESME_GETS = {
  ECS17a: [
    [3, "1-0:2.8.0.255", 2],
    [3, "1-0:2.8.0.255", 3],
    [3, "1-0:4.8.0.255", 2],
    [3, "1-0:4.8.0.255", 3],
  ],
  ECS17c: [[1, "0-0:94.44.34.20", 2]],
  ECS18a: [
    [1, "0-0:94.44.5.2", 2],
    [4, "1-0:2.6.0.255", 2],
    [4, "1-0:2.6.0.255", 3],
    [4, "1-0:2.6.0.255", 5],
  ],
  ECS18b: [
    [1, "0-0:94.44.5.0", 2],
    [1, "0-0:94.44.5.1", 2],
    [4, "1-0:1.6.0.255", 2],
    [4, "1-0:1.6.0.255", 3],
    [4, "1-0:1.6.0.255", 5],
    [4, "1-0:1.6.1.255", 2],
    [4, "1-0:1.6.1.255", 3],
    [4, "1-0:1.6.1.255", 5],
    [10, "0-0:12.0.0.255", 2],
  ],
  ECS20a: [[7, "0-0:98.1.4.255", 2, "range"]],
  ECS20d: [[7, "0-0:98.1.5.255", 2, "range"]],
  ECS21c: [[7, "0-0:98.1.10.255", 2, "range"]],
  ECS22a: [[7, "0-0:99.1.1.255", 2, "range"]],
  ECS22c: [[7, "0-0:99.1.2.255", 2, "range"]],
  ECS23: [
    [3, "1-0:32.32.0.4", 2],
    [3, "1-0:32.32.0.4", 3],
    [3, "1-0:32.36.0.4", 2],
    [3, "1-0:32.36.0.4", 3],
    [7, "1-0:32.24.0.255", 2, "range"],
    [7, "1-0:32.24.0.255", 4],
  ],
  ECS24: [
    [3, "0-0:94.44.1.7", 2],
    [3, "0-0:94.44.1.7", 3],
    [20, "0-0:13.0.0.255", 3],
    [20, "0-0:13.0.0.255", 4],
    [20, "0-0:13.0.0.255", 5],
    [11, "0-0:11.0.0.255", 2],
    [21, "0-0:16.0.11.255", 2],
    [21, "0-0:16.0.12.255", 2],
    [21, "0-0:16.0.13.255", 2],
    [21, "0-0:16.0.14.255", 2],
    [21, "0-0:16.0.15.255", 2],
    [21, "0-0:16.0.16.255", 2],
    [21, "0-0:16.0.17.255", 2],
    [21, "0-0:16.0.18.255", 2],
    [9000, "0-0:94.44.2.0", 2],
    [113, "0-0:19.20.4.255", 5],
    [113, "0-0:19.20.0.255", 5],
  ],
  ECS24b: [
    [113, "0-0:19.20.5.255", 5],
    [3, "0-0:94.44.1.8", 2],
    [3, "0-0:94.44.1.8", 3],
    [11, "0-0:11.0.1.255", 2],
    [20, "0-0:13.0.1.255", 3],
    [20, "0-0:13.0.1.255", 4],
    [20, "0-0:13.0.1.255", 5],
  ],
  ECS26a: [
    [113, "0-0:19.20.1.255", 5],
    [11, "0-0:11.0.2.255", 2],
    [113, "0-0:19.20.1.255", 8],
    [113, "0-0:19.20.1.255", 5],
    [113, "0-0:19.20.2.255", 5],
    [113, "0-0:19.20.2.255", 8],
    [113, "0-0:19.20.2.255", 5],
    [113, "0-0:19.20.3.255", 13],
    [9000, "0-0:94.44.2.10", 2],
    [21, "0-0:16.0.1.255", 2],
    [9000, "0-0:94.44.2.20", 2],
    [111, "0-0:19.0.0.255", 16],
    [111, "0-0:19.0.0.255", 18],
    [111, "0-0:19.0.0.255", 19],
    [112, "0-0:19.10.1.255", 9],
    [112, "0-0:19.10.1.255", 10],
    [10, "0-0:12.0.1.255", 2],
    [111, "0-0:19.0.0.255", 11],
  ],
  ECS27: [
    [9000, "0-0:94.44.0.3", 2],
    [3, "0-0:94.44.42.255", 2],
    [3, "0-0:94.44.42.255", 3],
    [71, "0-0:17.0.0.255", 4],
    [71, "0-0:17.0.0.255", 6],
    [71, "0-0:17.0.0.255", 7],
  ],
  ECS82: [[112, "0-0:19.10.0.255", 2]],
} as const satisfies Record<string, readonly EsmeGet[]>;

function esmeRead(srv: Srv, useCase: keyof typeof ESME_GETS): CommandSpec {
  const rows: readonly EsmeGet[] = ESME_GETS[useCase];
  const ranged = rows.some((r) => r[3] === "range");
  return {
    srv,
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes: ["ESME"],
    payload: (ctx) => {
      const period = ranged ? readLogPeriod(ctx.body) : undefined;
      const items: DlmsRequestItem[] = rows.map(([classId, obis, attributeId, range]) =>
        range !== undefined && period !== undefined
          ? get(classId, obis, attributeId, rangeDescriptor(period))
          : get(classId, obis, attributeId),
      );
      return accessRequest(ctx.counter, items);
    },
  };
}

/** A sensitive ESME read: get_protected_attributes for the party in the header, profiles for the body's period. */
function protectedRead(srv: Srv, useCase: ProtectedReadName): CommandSpec {
  return {
    srv,
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes: ["ESME"],
    payload: (ctx) => {
      const period = PROTECTED_READS[useCase].dateRange ? readLogPeriod(ctx.body) : undefined;
      return decodeDlmsPayload(
        buildProtectedReadCommand(useCase, {
          counter: ctx.counter,
          originator: ctx.originator,
          recipient: ctx.device,
          ...(period === undefined
            ? {}
            : {
                range: { from: unspecifiedZoneDateTime(period.from), to: unspecifiedZoneDateTime(period.to) },
              }),
        }),
      );
    },
  };
}

/** ZCL clusters the gas reads address. */
const ZCL = { price: 0x0700, metering: 0x0702, prepayment: 0x0705, calendar: 0x0707 } as const;

/** ZSE client commands of the gas reads (cluster, command id, name in the codec's tables). */
const ZSE = {
  getSnapshot: { cluster: ZCL.metering, id: 0x06, name: "getSnapshot" },
  getSampledData: { cluster: ZCL.metering, id: 0x08, name: "getSampledData" },
  getPrepaySnapshot: { cluster: ZCL.prepayment, id: 0x07, name: "getPrepaySnapshot" },
  getTopUpLog: { cluster: ZCL.prepayment, id: 0x08, name: "getTopUpLog" },
  getDebtRepaymentLog: { cluster: ZCL.prepayment, id: 0x0a, name: "getDebtRepaymentLog" },
  getCurrentPrice: { cluster: ZCL.price, id: 0x00, name: "getCurrentPrice" },
  getDayProfiles: { cluster: ZCL.calendar, id: 0x01, name: "getDayProfiles" },
  getWeekProfiles: { cluster: ZCL.calendar, id: 0x02, name: "getWeekProfiles" },
  getSeasons: { cluster: ZCL.calendar, id: 0x03, name: "getSeasons" },
  getSpecialDays: { cluster: ZCL.calendar, id: 0x04, name: "getSpecialDays" },
} as const;

type ZseCommand = (typeof ZSE)[keyof typeof ZSE];
type Fields = Record<string, number>;

const zse = (c: ZseCommand, fields: Fields): GbzComponentSpec => command(c.cluster, c.id, c.name, fields);

/** The gas reads that are Read Attributes only: cluster and attribute ids, in the template's order. */
export const GAS_ATTRIBUTE_READS = {
  GCS13a: [[ZCL.metering, [0x0302, 0x0301, 0x0300, 0x0000]]],
  GCS13b: [[ZCL.metering, [0x0700, 0x0701, 0x0702, 0x0703, 0x0302, 0x0301, 0x0300]]],
  GCS13c: [[ZCL.metering, [0x0302, 0x0301, 0x0300, 0x0100, 0x0102, 0x0104, 0x0106]]],
  GCS14: [
    [ZCL.price, [0x0617, 0x0616]],
    [ZCL.prepayment, [0x0005, 0x0002, 0x0001, 0x0231, 0x0211, 0x0221]],
  ],
  GCS60: [
    [ZCL.metering, [0x0a00]],
    [ZCL.prepayment, [0x0001]],
  ],
} as const satisfies Record<string, readonly (readonly [number, readonly number[]])[]>;

function attributeReads(name: keyof typeof GAS_ATTRIBUTE_READS): GbzComponentSpec[] {
  return GAS_ATTRIBUTE_READS[name].map(([cluster, ids]) => readAttributes(cluster, ids));
}

/** The calendar reads of GCS21b / GCS21f: day, week, season and special-day tables of one calendar. */
function calendarReads(issuerCalendarId: number, calendarType: number): GbzComponentSpec[] {
  return [
    zse(ZSE.getDayProfiles, { providerId: 0, issuerCalendarId, startDayId: 1, numberOfDays: 0 }),
    zse(ZSE.getWeekProfiles, { providerId: 0, issuerCalendarId, startWeekId: 1, numberOfWeeks: 0 }),
    zse(ZSE.getSeasons, { providerId: 0, issuerCalendarId }),
    zse(ZSE.getSpecialDays, {
      startTime: 0,
      numberOfEvents: 0,
      calendarType,
      providerId: 0,
      issuerCalendarId,
    }),
  ];
}

/** Snapshot causes (ZSE BITMAP32) the billing and daily logs are read by. */
const SNAPSHOT_CAUSE = {
  general: 0x00000001,
  endOfBillingPeriod: 0x00000002,
  modeSupplierTariff: 0x00006008,
};

/** `count` snapshots (offsets 0..count-1) of one cause in the body's period. */
function snapshots(c: ZseCommand, count: number, cause: number, ctx: CommandContext): GbzComponentSpec[] {
  const { from, to } = readLogPeriod(ctx.body);
  return Array.from({ length: count }, (_, snapshotOffset) =>
    zse(c, {
      earliestStartTime: utcSeconds(from),
      latestEndTime: utcSeconds(to),
      snapshotOffset,
      snapshotCause: cause,
    }),
  );
}

/** The sampled-data logs of the gas meter (ZSE SampleID), their interval and most samples a read may ask (GBCS). */
const SAMPLED_LOGS = {
  profileData: { sampleId: 0, intervalS: 1800, maxSamples: 19056 },
  dailyConsumption: { sampleId: 1, intervalS: 86400, maxSamples: 731 },
} as const;

/** Get Sampled Data of a log for the body's period: from its start, the samples up to its end (both included). */
function sampledData(
  log: (typeof SAMPLED_LOGS)[keyof typeof SAMPLED_LOGS],
  ctx: CommandContext,
): GbzComponentSpec {
  const { from, to } = readLogPeriod(ctx.body);
  const samples = Math.floor((utcSeconds(to) - utcSeconds(from)) / log.intervalS) + 1;
  return zse(ZSE.getSampledData, {
    sampleId: log.sampleId,
    earliestSampleTime: utcSeconds(from),
    sampleType: 0,
    numberOfSamples: Math.max(1, Math.min(log.maxSamples, samples)),
  });
}

/** GCS18: the network data log, 4 hours of 6-minute samples; GBCS fixes the start time at 1. */
const NETWORK_DATA_LOG = { sampleId: 2, earliestSampleTime: 1, sampleType: 0, numberOfSamples: 41 };

/** GCS15e reads at most 5 top-ups; GCS15d at most 10 payment-based debt repayments (ZSE debt type 2). */
const TOP_UP_LOG_RECORDS = 5;
const DEBT_REPAYMENT_LOG = { numberOfDebts: 10, debtType: 2 };

function gasRead(
  srv: Srv,
  useCase: string,
  messageCode: number,
  deviceTypes: readonly DeviceType[],
  components: (ctx: CommandContext) => GbzComponentSpec[],
): CommandSpec {
  return { srv, useCase, messageCode, deviceTypes, payload: (ctx) => gbzCommand(components(ctx)) };
}

const GAS = ["GSME", "GPF"] as const;

export const readCommands: readonly CommandSpec[] = [
  protectedRead("4.1.1", "ECS17b"),
  protectedRead("4.1.2", "ECS17d"),
  protectedRead("4.1.3", "ECS17e"),
  esmeRead("4.2", "ECS17a"),
  protectedRead("4.3", "ECS19"),
  esmeRead("4.4.4", "ECS20a"),
  protectedRead("4.4.2", "ECS20b"),
  protectedRead("4.4.3", "ECS20c"),
  esmeRead("4.4.5", "ECS20d"),
  protectedRead("4.6.1", "ECS21a"),
  protectedRead("4.14", "ECS21b"),
  esmeRead("4.6.2", "ECS21c"),
  esmeRead("4.8.3", "ECS22a"),
  protectedRead("4.8.1", "ECS22b"),
  esmeRead("4.8.2", "ECS22c"),
  // ECS23b is 4.10 to a polyphase ESME (ECS23's gets again for phases 2 and 3): the SMI device type
  // does not say how many phases an ESME has, so the DCC sends ECS23 (the objects of phase 1, which
  // every ESME has).
  esmeRead("4.10", "ECS23"),
  esmeRead("4.11.1", "ECS24"),
  esmeRead("4.11.2", "ECS24b"),
  esmeRead("4.12.1", "ECS18b"),
  esmeRead("4.12.2", "ECS18a"),
  esmeRead("4.13", "ECS26a"),
  esmeRead("4.15", "ECS27"),
  esmeRead("4.16", "ECS17c"),
  protectedRead("4.17", "ECS66"),
  esmeRead("4.18", "ECS82"),

  gasRead("4.1.1", "GCS13a", messageCodeOf("GCS13a"), GAS, () => attributeReads("GCS13a")),
  gasRead("4.1.2", "GCS13c", messageCodeOf("GCS13c"), GAS, () => attributeReads("GCS13c")),
  gasRead("4.1.4", "GCS13b", messageCodeOf("GCS13b"), GAS, () => attributeReads("GCS13b")),
  gasRead("4.3", "GCS14", messageCodeOf("GCS14"), GAS, () => attributeReads("GCS14")),
  gasRead("4.4.2", "GCS15b", messageCodeOf("GCS15b"), ["GSME"], (ctx) => [
    ...snapshots(ZSE.getPrepaySnapshot, 12, SNAPSHOT_CAUSE.modeSupplierTariff, ctx),
    ...snapshots(ZSE.getSnapshot, 12, SNAPSHOT_CAUSE.modeSupplierTariff, ctx),
  ]),
  gasRead("4.4.3", "GCS15c", messageCodeOf("GCS15c"), ["GSME"], (ctx) => [
    ...snapshots(ZSE.getSnapshot, 12, SNAPSHOT_CAUSE.endOfBillingPeriod, ctx),
    ...snapshots(ZSE.getPrepaySnapshot, 12, SNAPSHOT_CAUSE.endOfBillingPeriod, ctx),
  ]),
  gasRead("4.4.5", "GCS15e", messageCodeOf("GCS15e"), ["GSME"], (ctx) => {
    const { from, to } = readLogPeriod(ctx.body);
    return [
      {
        ...zse(ZSE.getTopUpLog, { latestEndTime: utcSeconds(to), numberOfRecords: TOP_UP_LOG_RECORDS }),
        fromDateTime: utcSeconds(from),
      },
    ];
  }),
  gasRead("4.4.4", "GCS15d", messageCodeOf("GCS15d"), ["GSME"], (ctx) => {
    const { from, to } = readLogPeriod(ctx.body);
    return [
      {
        ...zse(ZSE.getDebtRepaymentLog, { latestEndTime: utcSeconds(to), ...DEBT_REPAYMENT_LOG }),
        fromDateTime: utcSeconds(from),
      },
    ];
  }),
  gasRead("4.6.1", "GCS16a", messageCodeOf("GCS16a"), ["GSME"], (ctx) =>
    snapshots(ZSE.getSnapshot, 31, SNAPSHOT_CAUSE.general, ctx),
  ),
  gasRead("4.14", "GCS16b", messageCodeOf("GCS16b"), GAS, (ctx) =>
    snapshots(ZSE.getPrepaySnapshot, 31, SNAPSHOT_CAUSE.general, ctx),
  ),
  gasRead("4.8.1", "GCS17", messageCodeOf("GCS17"), ["GSME"], (ctx) => [
    sampledData(SAMPLED_LOGS.profileData, ctx),
  ]),
  gasRead("4.17", "GCS61", messageCodeOf("GCS61"), ["GPF"], (ctx) => [
    sampledData(SAMPLED_LOGS.dailyConsumption, ctx),
  ]),
  gasRead("4.10", "GCS18", messageCodeOf("GCS18"), ["GSME"], () => [
    zse(ZSE.getSampledData, NETWORK_DATA_LOG),
  ]),
  gasRead("4.11.1", "GCS21f", messageCodeOf("GCS21f"), ["GSME"], () => [
    readAttributes(
      ZCL.price,
      [
        0x0203, 0x0202, 0x0100, 0x0101, 0x0102, 0x0615, 0x0400, 0x0401, 0x0402, 0x0403, 0x0410, 0x0420,
        0x0430, 0x0440, 0x0616, 0x0617, 0x0301,
      ],
    ),
    ...calendarReads(0xffffffff, 0),
    zse(ZSE.getCurrentPrice, { commandOptions: 0 }),
  ]),
  gasRead("4.13", "GCS21b", messageCodeOf("GCS21b"), ["GSME"], () => [
    readAttributes(
      ZCL.prepayment,
      [0x0239, 0x0006, 0x0216, 0x0226, 0x0040, 0x0010, 0x0011, 0x0031, 0x0021, 0x0022, 0x0217, 0x0227],
    ),
    readAttributes(ZCL.price, [0x0617]),
    ...calendarReads(0xfffffffe, 3),
  ]),
  // 4.18 to the gas meter itself is GCS60; GCS60a (0x012A, not in the catalogue's code list) is the
  // same reads sent to the GPF.
  gasRead("4.18", "GCS60", messageCodeOf("GCS60"), ["GSME"], () => attributeReads("GCS60")),
  gasRead("4.18", "GCS60a", 0x012a, ["GPF"], () => attributeReads("GCS60")),
];
