/**
 * The GSME's tariff as GBCS sets it (GCS01a, GCS01b): ZSE Calendar and Price cluster commands, which
 * ZSE defines as server-to-client (the GSME takes them as a client would from an ESI), in one GBZ
 * payload.
 *
 * - GCS01a: Publish Calendar, a Publish Day Profile per day profile, a Publish Week Profile per week
 *   profile, Publish Seasons, Publish Special Days (Calendar cluster), then Publish Tariff
 *   Information, Publish Block Thresholds (block tariffs only) and Publish Price Matrix (Price
 *   cluster).
 * - GCS01b: Publish Tariff Information and Publish Price Matrix.
 *
 * The GSME has one switching table of up to 4 day profiles, each one rate for the whole day (a TOU
 * tier, or tier 0 where the block tariff applies). Issuer Event and Calendar IDs are the DCC's time
 * of the transform; the tariff is always Issuer Tariff ID 1. The execution date is each command's
 * start time.
 */
import type { DuisElement } from "../../duis/model/element.js";
import type { GbzComponentsPayload } from "../../gbcs/gbz/gbz-payload.js";
import type { ZclFields } from "../../gbcs/gbz/zcl-fields.js";
import { all, find, integer, required, text } from "./body.js";
import { BodyFieldError } from "./command-spec.js";
import { byIndex, indexOf, zclDate } from "./duis-calendar.js";
import {
  type Execution,
  executionOf,
  executionZigbeeTime,
  ZIGBEE_CANCEL,
  ZIGBEE_CANCELLED,
} from "./execution-date.js";
import { command, type GbzComponentSpec, gbzCommand, serverToClient, zigbeeUtc } from "./gbz-builder.js";

const ZCL_PRICE = 0x0700;
const ZCL_CALENDAR = 0x0707;

/** Server-to-client command ids of the Calendar and Price clusters. */
const PUBLISH = {
  calendar: 0x00,
  dayProfile: 0x01,
  weekProfile: 0x02,
  seasons: 0x03,
  specialDays: 0x04,
  tariffInformation: 0x04,
  priceMatrix: 0x05,
  blockThresholds: 0x06,
} as const;

/** ISO 4217 numeric currency codes of the DUIS CurrencyUnits. */
const CURRENCY = { GBP: 826, ECB: 978 } as const;

/**
 * The Publish Tariff Information constants of GBCS's GSME: kWh; price trailing digit 5 (0x50,
 * prices in 10^-5 of the currency unit); tier block mode not used (0xFF); block thresholds in
 * 10^-3 kWh (multiplier 1, divisor 1000).
 */
const TARIFF_INFORMATION_CONSTANTS = {
  tariffLabel: new Uint8Array(0),
  unitOfMeasure: 0,
  priceTrailingDigit: 0x50,
  tierBlockMode: 0xff,
  blockThresholdMultiplier: 1,
  blockThresholdDivisor: 1000,
} as const;

/** Tariff Type / Charging Scheme: TOU tariff (0x00) or block tariff (0x10). */
const CHARGING_SCHEME = { tou: 0x00, block: 0x10 } as const;
/** Price Matrix sub-payload control: 1 = TOU-based entries, 0 = block-based entries. */
const SUB_PAYLOAD = { tou: 1, block: 0 } as const;
/** Block Thresholds sub-payload control: 1 = the thresholds apply to all TOU tiers. */
const THRESHOLDS_FOR_ALL_TIERS = 1;
/** The one tariff of the GSME. */
const ISSUER_TARIFF_ID = 1;
/** A day profile's rate for the whole day starts at minute 0; tier 0 is the block tariff. */
const BLOCK_TARIFF_TIER = 0;

type TariffKind = "tou" | "block";

function publish(clusterId: number, commandId: number, name: string, fields: ZclFields) {
  return serverToClient(command(clusterId, commandId, name, fields));
}

/** The gas prices of the body: kind, currency, standing charge and the price matrix entries. */
interface GasPrices {
  readonly kind: TariffKind;
  readonly currency: number;
  readonly standingCharge: number;
  readonly prices: readonly { readonly tierBlockId: number; readonly price: number }[];
}

function gasPrices(body: DuisElement): GasPrices {
  const prices = required(body, "PriceElements/GasPriceElements");
  const unit = text(prices, "CurrencyUnits");
  if (unit !== "GBP" && unit !== "ECB")
    throw new BodyFieldError("CurrencyUnits", `"${unit}" is not GBP or ECB`);
  const tou = find(prices, "TOUTariff");
  const kind: TariffKind = tou === undefined ? "block" : "tou";
  // TOU tiers are numbered from 1; the block prices of tier 0 are blocks 1-4, ids 0-3.
  const entries =
    tou === undefined
      ? all(prices, "BlockTariff/BlockPrice").map((p) => ({
          tierBlockId: indexOf(p) - 1,
          price: leafNumber(p),
        }))
      : all(tou, "TOUPrice").map((p) => ({ tierBlockId: indexOf(p), price: leafNumber(p) }));
  return {
    kind,
    currency: CURRENCY[unit],
    standingCharge: integer(prices, "StandingCharge"),
    prices: [...entries].sort((a, b) => a.tierBlockId - b.tierBlockId),
  };
}

function leafNumber(e: DuisElement): number {
  const t = e.text?.trim() ?? "";
  if (!/^\d+$/.test(t)) throw new BodyFieldError(e.name, `"${t}" is not an unsigned integer`);
  return Number(t);
}

/** Publish Tariff Information and Publish Price Matrix (with Block Thresholds between, when given). */
function priceComponents(
  prices: GasPrices,
  numberOfBlockThresholds: number,
  thresholds: readonly number[] | undefined,
  issuerEventId: number,
  when: Execution,
): GbzComponentSpec[] {
  const startTime = executionZigbeeTime(when, ZIGBEE_CANCELLED);
  const out: GbzComponentSpec[] = [
    publish(ZCL_PRICE, PUBLISH.tariffInformation, "publishTariffInformation", {
      providerId: 0,
      issuerEventId,
      issuerTariffId: ISSUER_TARIFF_ID,
      startTime: executionZigbeeTime(when, ZIGBEE_CANCEL),
      tariffTypeChargingScheme: CHARGING_SCHEME[prices.kind],
      tariffLabel: TARIFF_INFORMATION_CONSTANTS.tariffLabel,
      numberOfPriceTiersInUse: prices.kind === "tou" ? prices.prices.length : 0,
      numberOfBlockThresholdsInUse: prices.kind === "block" ? numberOfBlockThresholds : 0,
      unitOfMeasure: TARIFF_INFORMATION_CONSTANTS.unitOfMeasure,
      currency: prices.currency,
      priceTrailingDigit: TARIFF_INFORMATION_CONSTANTS.priceTrailingDigit,
      standingCharge: prices.standingCharge,
      tierBlockMode: TARIFF_INFORMATION_CONSTANTS.tierBlockMode,
      blockThresholdMultiplier: TARIFF_INFORMATION_CONSTANTS.blockThresholdMultiplier,
      blockThresholdDivisor: TARIFF_INFORMATION_CONSTANTS.blockThresholdDivisor,
    }),
  ];
  if (prices.kind === "block" && thresholds !== undefined) {
    out.push(
      publish(ZCL_PRICE, PUBLISH.blockThresholds, "publishBlockThresholds", {
        providerId: 0,
        issuerEventId,
        startTime,
        issuerTariffId: ISSUER_TARIFF_ID,
        commandIndex: 0,
        totalNumberOfCommands: 1,
        subPayloadControl: THRESHOLDS_FOR_ALL_TIERS,
        blockThresholds: [
          {
            tierNumberOfBlockThresholds: thresholds.length,
            blockThreshold: thresholds.map((value) => ({ value })),
          },
        ],
      }),
    );
  }
  out.push(
    publish(ZCL_PRICE, PUBLISH.priceMatrix, "publishPriceMatrix", {
      providerId: 0,
      issuerEventId,
      startTime,
      issuerTariffId: ISSUER_TARIFF_ID,
      commandIndex: 0,
      totalNumberOfCommands: 1,
      subPayloadControl: SUB_PAYLOAD[prices.kind],
      priceMatrix: prices.prices.map((p) => ({ tierBlockId: p.tierBlockId, price: p.price })),
    }),
  );
  return out;
}

/** GCS01a: the calendar (switching table, special days) and the prices. */
export function gasTariffCommands(body: DuisElement, at: number): GbzComponentsPayload {
  const tariff = required(body, "GasTariffElements");
  const switching = required(tariff, "SwitchingTable");
  const when = executionOf(body);
  const startTime = executionZigbeeTime(when, ZIGBEE_CANCELLED);
  const issuerEventId = zigbeeUtc(at);
  const ids = { providerId: 0, issuerEventId, issuerCalendarId: issuerEventId };
  const days = all(switching, "DayProfiles/DayProfile");
  const weeks = all(switching, "WeekProfiles/WeekProfile");
  const seasons = all(switching, "Seasons/Season");
  const special = all(tariff, "SpecialDays/SpecialDay");
  const thresholds = [...all(tariff, "ThresholdMatrix/BlockThreshold")]
    .sort((a, b) => indexOf(a) - indexOf(b))
    .map(leafNumber);
  return gbzCommand([
    publish(ZCL_CALENDAR, PUBLISH.calendar, "publishCalendar", {
      ...ids,
      startTime,
      calendarType: 0,
      calendarTimeReference: 0,
      calendarName: new Uint8Array(0),
      numberOfSeasons: seasons.length,
      numberOfWeekProfiles: weeks.length,
      numberOfDayProfiles: days.length,
    }),
    ...days.map((d) =>
      publish(ZCL_CALENDAR, PUBLISH.dayProfile, "publishDayProfile", {
        ...ids,
        dayId: integer(d, "DayName"),
        totalNumberOfScheduleEntries: 1,
        commandIndex: 0,
        totalNumberOfCommands: 1,
        calendarType: 0,
        dayScheduleEntries: [
          {
            startTime: 0,
            priceTier:
              find(d, "TOUTariffAction") === undefined ? BLOCK_TARIFF_TIER : integer(d, "TOUTariffAction"),
          },
        ],
      }),
    ),
    ...weeks.map((w) => {
      const ref = byIndex(all(w, "ReferencedDayName"));
      const day = (i: number): number => {
        const e = ref.get(i);
        if (e === undefined)
          throw new BodyFieldError(`WeekProfile/ReferencedDayName[@index=${i}]`, "missing");
        return leafNumber(e);
      };
      return publish(ZCL_CALENDAR, PUBLISH.weekProfile, "publishWeekProfile", {
        ...ids,
        weekId: integer(w, "WeekName"),
        dayIdRefMonday: day(1),
        dayIdRefTuesday: day(2),
        dayIdRefWednesday: day(3),
        dayIdRefThursday: day(4),
        dayIdRefFriday: day(5),
        dayIdRefSaturday: day(6),
        dayIdRefSunday: day(7),
      });
    }),
    publish(ZCL_CALENDAR, PUBLISH.seasons, "publishSeasons", {
      ...ids,
      commandIndex: 0,
      totalNumberOfCommands: 1,
      seasonEntries: seasons.map((s) => ({
        seasonStartDate: zclDate(required(s, "SeasonStartDate")),
        weekIdRef: integer(s, "ReferencedWeekName"),
      })),
    }),
    publish(ZCL_CALENDAR, PUBLISH.specialDays, "publishSpecialDays", {
      ...ids,
      startTime,
      calendarType: 0,
      totalNumberOfSpecialDays: special.length,
      commandIndex: 0,
      totalNumberOfCommands: 1,
      specialDayEntries: special.map((s) => ({
        specialDayDate: zclDate(required(s, "Date")),
        dayIdRef: integer(s, "ReferencedDayName"),
      })),
    }),
    // The block tariff's thresholds are the switching table's (ThresholdMatrix): as many in use.
    ...priceComponents(gasPrices(body), thresholds.length, thresholds, issuerEventId, when),
  ]);
}

/** GCS01b: the prices only; a block tariff says how many thresholds are in use. */
export function gasPriceCommands(body: DuisElement, at: number): GbzComponentsPayload {
  const prices = gasPrices(body);
  const thresholdsInUse =
    prices.kind === "block"
      ? integer(body, "PriceElements/GasPriceElements/BlockTariff/NumberOfThresholds")
      : 0;
  return gbzCommand(priceComponents(prices, thresholdsInUse, undefined, zigbeeUtc(at), executionOf(body)));
}
