/**
 * What a simulated gas device holds on the day it is installed, besides its attributes: the
 * simulator's own calendar (4 day profiles, 2 week profiles, one season, one special day), a billing
 * period, two billing snapshots, a top-up, a debt collection, a few log events and a day of
 * half-hourly profile data. Values are the simulator's, times relative to installation.
 */
import type { ZclFields } from "../../gbcs/gbz/index.js";
import { zclUtcNow } from "./handlers.js";
import type { ZclStore } from "./store.js";

const DAY_S = 86_400;
/** A provider id of the simulator's own. */
const PROVIDER = 0x0000_5100;
const CALENDAR = 1;

/** A ZCL Date (year - 1900, month, day, day of week 0xFF "any"). */
const zclDate = (year: number, month: number, day: number): Uint8Array =>
  Uint8Array.of(year - 1900, month, day, 0xff);

function dayProfile(dayId: number, entries: readonly (readonly [number, number])[]): ZclFields {
  return {
    providerId: PROVIDER,
    issuerEventId: 1,
    issuerCalendarId: CALENDAR,
    dayId,
    totalNumberOfScheduleEntries: entries.length,
    commandIndex: 0,
    totalNumberOfCommands: 1,
    calendarType: 0,
    dayScheduleEntries: entries.map(([startTime, priceTier]) => ({ startTime, priceTier })),
  };
}

function weekProfile(weekId: number, weekday: number, weekend: number): ZclFields {
  const days = [weekday, weekday, weekday, weekday, weekday, weekend, weekend];
  const names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
  const fields: Record<string, number> = {
    providerId: PROVIDER,
    issuerEventId: 1,
    issuerCalendarId: CALENDAR,
    weekId,
  };
  names.forEach((n, i) => {
    fields[`dayIdRef${n}`] = days[i]!;
  });
  return fields;
}

/** Puts the installation-day records into `store`; `now` is the installation time (ms). */
export function seedGasRecords(store: ZclStore, now: number): void {
  const today = Math.max(2 * DAY_S, Math.floor(zclUtcNow(now) / DAY_S) * DAY_S);
  const year = new Date(now).getUTCFullYear();
  store.replace("publishCalendar", [
    {
      providerId: PROVIDER,
      issuerEventId: 1,
      issuerCalendarId: CALENDAR,
      startTime: 0,
      calendarType: 0,
      calendarTimeReference: 0,
      calendarName: new TextEncoder().encode("SIM"),
      numberOfSeasons: 1,
      numberOfWeekProfiles: 2,
      numberOfDayProfiles: 4,
    },
  ]);
  store.replace("publishDayProfile", [
    dayProfile(1, [[0, 1]]),
    dayProfile(2, [
      [0, 1],
      [420, 2],
    ]),
    dayProfile(3, [
      [0, 1],
      [960, 3],
      [1140, 1],
    ]),
    dayProfile(4, [[0, 4]]),
  ]);
  store.replace("publishWeekProfile", [weekProfile(1, 2, 1), weekProfile(2, 3, 4)]);
  store.replace("publishSeasons", [
    {
      providerId: PROVIDER,
      issuerEventId: 1,
      issuerCalendarId: CALENDAR,
      commandIndex: 0,
      totalNumberOfCommands: 1,
      seasonEntries: [{ seasonStartDate: zclDate(year, 1, 1), weekIdRef: 1 }],
    },
  ]);
  store.replace("publishSpecialDays", [
    {
      providerId: PROVIDER,
      issuerEventId: 1,
      issuerCalendarId: CALENDAR,
      startTime: 0,
      calendarType: 0,
      totalNumberOfSpecialDays: 1,
      commandIndex: 0,
      totalNumberOfCommands: 1,
      specialDayEntries: [{ specialDayDate: zclDate(year, 12, 25), dayIdRef: 4 }],
    },
  ]);
  store.replace("publishBillingPeriod", [
    {
      providerId: PROVIDER,
      issuerEventId: 1,
      billingPeriodStartTime: today,
      billingPeriodDuration: 1,
      // Duration in months (bits 0-3: 2), not ticking on a fixed day (bits 4-7: 0).
      billingPeriodDurationType: 0x02,
      tariffType: 0,
    },
  ]);
  // Two billing snapshots: yesterday's and the day before's midnight, latest first.
  store.replace("snapshotTimes", [
    { snapshotId: 2, snapshotTime: today - DAY_S },
    { snapshotId: 1, snapshotTime: today - 2 * DAY_S },
  ]);
  store.replace("topUps", [
    {
      topUpCode: new TextEncoder().encode("00000000000000000001"),
      topUpAmount: 1000,
      topUpTime: today - DAY_S,
    },
  ]);
  // One collection of each debt (ZSE debt types 0-2: debts 1-3).
  store.replace(
    "debts",
    [0, 1, 2].map((debtType) => ({
      collectionTime: today - DAY_S,
      amountCollected: 50,
      debtType,
      outstandingDebt: 0,
    })),
  );
  // One event in each log (ZSE log ids 1-7: tamper, fault, general, security, network, GBCS general
  // and security).
  store.replace(
    "events",
    [1, 2, 3, 4, 5, 6, 7].map((logId) => ({
      logId,
      eventId: 0x0100 + logId,
      eventTime: today - DAY_S / 2,
      eventData: new Uint8Array(0),
    })),
  );
  // A day of half-hourly gas profile (m³ × 1000 per interval).
  store.replace("profile", [
    { interval: 1800, samples: Array.from({ length: 48 }, (_, i) => ({ value: 40 + ((i * 37) % 90) })) },
  ]);
}
