/**
 * The ESME's tariff tables as GBCS sets them (ECS01a-d, GBCS §7.3.7 and the use-case templates):
 * the DUIS switching table, special days, block thresholds and prices become the passive
 * (next) attributes of the COSEM objects that hold them, and the activation time of each says when
 * they take over.
 *
 * - Activity Calendar (class 20): season_profile_passive (7), week_profile_table_passive (8),
 *   day_profile_table_passive (9), activate_passive_calendar_time (10). Every day-profile action
 *   runs a script of the Tariffication Script Table; its selector names the tariff rate: primary
 *   TOU rate n is script n, primary block rate n script 100 + n, secondary TOU rate n 200 + n.
 * - Special Days Table (class 11): entries (2), index from 1.
 * - Register Monitors (class 21) 0-0:16.1.11-18.255: the block thresholds of TOU rate 1-8.
 * - Charges (class 113): unit_charge_passive (6), unit_charge_activation_time (7): the standing
 *   charge, and the price matrices (primary: TOU prices 1-48 then block prices of TOU rates 1-8 for
 *   blocks 1-4, index 0xA1-0xD8; secondary: TOU prices 1-4).
 */
import type { DuisElement } from "../../duis/model/element.js";
import type { DlmsData } from "../../gbcs/dlms/data.js";
import { type ObisCode, obisToBytes } from "../../gbcs/dlms/index.js";
import { all, find, integer, required, text } from "./body.js";
import { BodyFieldError } from "./command-spec.js";
import { dlms } from "./dlms-builder.js";
import { byIndex, cosemDate, cosemTime, indexOf } from "./duis-calendar.js";
import { cosemDateAtMidnight } from "./execution-date.js";

/** A COSEM object: class and logical name. */
export interface CosemObject {
  readonly classId: number;
  readonly obis: ObisCode;
}

/** The Tariffication Script Table (class 9) whose scripts the day profiles run. */
export const TARIFFICATION_SCRIPT_TABLE: CosemObject = { classId: 9, obis: "0-0:10.0.100.255" };

/** Which element of a twin-element ESME a table belongs to. */
export type TariffElement = "primary" | "secondary";

/** The objects of each element's tariff. */
export const TARIFF_OBJECTS = {
  primary: {
    calendar: { classId: 20, obis: "0-0:13.0.0.255" },
    specialDays: { classId: 11, obis: "0-1:11.0.0.255" },
    specialDaysActivation: { classId: 9000, obis: "0-0:94.44.128.29" },
    priceMatrix: { classId: 113, obis: "0-0:19.20.0.255" },
  },
  secondary: {
    calendar: { classId: 20, obis: "0-0:13.0.1.255" },
    specialDays: { classId: 11, obis: "0-1:11.0.1.255" },
    specialDaysActivation: { classId: 9000, obis: "0-0:94.44.128.30" },
    priceMatrix: { classId: 113, obis: "0-0:19.20.5.255" },
  },
} as const satisfies Record<TariffElement, Record<string, CosemObject>>;

/** The standing charge (class 113). */
export const STANDING_CHARGE: CosemObject = { classId: 113, obis: "0-0:19.20.4.255" };
/** The currency unit (class 9000): value_passive (4) TRUE for GB pounds, FALSE for euro. */
export const CURRENCY_UNIT: CosemObject = { classId: 9000, obis: "0-0:94.44.2.0" };
/** The activation of the block threshold matrix (class 9000). */
export const THRESHOLD_MATRIX_ACTIVATION: CosemObject = { classId: 9000, obis: "0-0:63.1.1.255" };
/** The block thresholds of TOU rate n (1-8): Register Monitor 0-0:16.1.(10 + n).255. */
export function blockThresholdMonitor(rate: number): CosemObject {
  return { classId: 21, obis: `0-0:16.1.${10 + rate}.255` };
}

/** Attribute and method numbers used here. */
export const ATTRIBUTE = {
  seasonProfilePassive: 7,
  weekProfileTablePassive: 8,
  dayProfileTablePassive: 9,
  activatePassiveCalendarTime: 10,
  specialDayEntries: 2,
  registerMonitorThresholds: 2,
  valuePassive: 4,
  activatePassiveValueTime: 6,
  unitChargePassive: 6,
  unitChargeActivationTime: 7,
} as const;

/** The script-selector base of each kind of tariff action (GBCS §7.3.7). */
const SCRIPT_BASE = { primaryTou: 0, primaryBlock: 100, secondaryTou: 200 } as const;

/** Primary TOU rates, block-tariff TOU rates and blocks of the primary price matrix. */
const PRIMARY_TOU_RATES = 48;
const BLOCK_TOU_RATES = 8;
const BLOCKS = 4;
/** Charge table index of block b (1-4) of TOU rate r (1-8): 0xA1 for block 1 rate 1 … 0xD8. */
function blockPriceIndex(block: number, rate: number): number {
  return 0xa0 + (block - 1) * 0x10 + rate;
}

/** season_profile: name (the DUIS SeasonName's bytes), start (a COSEM date-time at midnight), week. */
export function seasonProfiles(switchingTable: DuisElement): DlmsData {
  return dlms.array(
    all(switchingTable, "Seasons/Season").map((s) =>
      dlms.structure(
        dlms.octets(new TextEncoder().encode(text(s, "SeasonName"))),
        dlms.octets(cosemDateAtMidnight(cosemDate(required(s, "SeasonStartDate")))),
        dlms.octets(Uint8Array.of(integer(s, "ReferencedWeekName"))),
      ),
    ),
  );
}

/** week_profile: name (one byte, the WeekName) and the day profile of Monday … Sunday. */
export function weekProfiles(switchingTable: DuisElement): DlmsData {
  return dlms.array(
    all(switchingTable, "WeekProfiles/WeekProfile").map((w) => {
      const days = byIndex(all(w, "ReferencedDayName"));
      const day = (i: number): DlmsData => {
        const d = days.get(i);
        if (d === undefined)
          throw new BodyFieldError(`WeekProfile/ReferencedDayName[@index=${i}]`, "missing");
        return dlms.unsigned(Number(leaf(d)));
      };
      return dlms.structure(
        dlms.octets(Uint8Array.of(integer(w, "WeekName"))),
        ...[1, 2, 3, 4, 5, 6, 7].map(day),
      );
    }),
  );
}

/** day_profile: id and its actions (start time, the tariffication script table, the rate's script). */
export function dayProfiles(switchingTable: DuisElement, element: TariffElement): DlmsData {
  const script = dlms.octets(obisToBytes(TARIFFICATION_SCRIPT_TABLE.obis));
  return dlms.array(
    all(switchingTable, "DayProfiles/DayProfile").map((d) =>
      dlms.structure(
        dlms.unsigned(integer(d, "DayName")),
        dlms.array(
          all(d, "ProfileSchedule").map((p) =>
            dlms.structure(
              dlms.octets(cosemTime(p, "StartTime")),
              script,
              dlms.longUnsigned(scriptSelector(p, element)),
            ),
          ),
        ),
      ),
    ),
  );
}

function scriptSelector(schedule: DuisElement, element: TariffElement): number {
  const tou = find(schedule, "TOUTariffAction");
  if (tou !== undefined) {
    const base = element === "primary" ? SCRIPT_BASE.primaryTou : SCRIPT_BASE.secondaryTou;
    return base + integer(schedule, "TOUTariffAction");
  }
  return SCRIPT_BASE.primaryBlock + integer(schedule, "BlockTariffAction");
}

/** spec_day_entry: index (from 1, in body order), date, day profile. No special days: no entries. */
export function specialDays(specialDaysElement: DuisElement): DlmsData {
  return dlms.array(
    all(specialDaysElement, "SpecialDay").map((d, i) =>
      dlms.structure(
        dlms.longUnsigned(i + 1),
        dlms.octets(cosemDate(required(d, "Date"))),
        dlms.unsigned(integer(d, "ReferencedDayName")),
      ),
    ),
  );
}

/** The thresholds of TOU rate `rate` (1-8), in block order. */
export function blockThresholds(thresholdMatrix: DuisElement, rate: number): DlmsData {
  const rateElement = byIndex(all(thresholdMatrix, "Thresholds")).get(rate);
  if (rateElement === undefined)
    throw new BodyFieldError(`ThresholdMatrix/Thresholds[@index=${rate}]`, "missing");
  const blocks = [...all(rateElement, "BlockThreshold")].sort((a, b) => indexOf(a) - indexOf(b));
  return dlms.array(blocks.map((b) => dlms.doubleLongUnsigned(Number(leaf(b)))));
}

/** The rates whose block thresholds an ESME holds. */
export const THRESHOLD_RATES = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/** Currency: GB pounds is TRUE, euro (DUIS "ECB") FALSE. */
export function currencyIsPounds(priceOrTariff: DuisElement, path: string): DlmsData {
  const unit = text(priceOrTariff, path);
  if (unit !== "GBP" && unit !== "ECB") throw new BodyFieldError(path, `"${unit}" is not GBP or ECB`);
  return dlms.boolean(unit === "GBP");
}

/** A unit_charge: scaling, the commodity it charges and its charge table. */
function unitCharge(
  commodityScale: number,
  priceScale: number,
  commodity: { classId: number; obis: ObisCode | null; attributeIndex: number },
  table: readonly (readonly [index: Uint8Array, price: number])[],
): DlmsData {
  return dlms.structure(
    dlms.structure(dlms.integer(commodityScale), dlms.integer(priceScale)),
    dlms.structure(
      dlms.longUnsigned(commodity.classId),
      dlms.octets(commodity.obis === null ? new Uint8Array(6) : obisToBytes(commodity.obis)),
      dlms.integer(commodity.attributeIndex),
    ),
    dlms.array(table.map(([index, price]) => dlms.structure(dlms.octets(index), dlms.long(price)))),
  );
}

/** The active energy import registers the price matrices charge (Register, attribute 2 value). */
const IMPORT_ENERGY = {
  primary: { classId: 3, obis: "1-0:1.8.0.255", attributeIndex: 2 },
  secondary: { classId: 3, obis: "1-20:1.8.0.255", attributeIndex: 2 },
} as const;
/** Energy in kWh for prices per kWh: commodity scale 10^3 of the Wh registers. */
const ENERGY_COMMODITY_SCALE = 3;

/** The standing charge's unit_charge: no commodity, one element with an empty index. */
export function standingCharge(prices: DuisElement): DlmsData {
  return unitCharge(
    0,
    integer(prices, "StandingChargeScale"),
    { classId: 0, obis: null, attributeIndex: 0 },
    [[new Uint8Array(0), integer(prices, "StandingCharge")]],
  );
}

/**
 * The primary price matrix: all 80 elements, TOU prices 1-48 then the block prices, each the body's
 * price for that rate (and block) or 0 where the body gives none.
 */
export function primaryPriceMatrix(prices: DuisElement): DlmsData {
  const tariff = find(prices, "TOUTariff") ?? find(prices, "BlockTariff") ?? find(prices, "HybridTariff");
  if (tariff === undefined)
    throw new BodyFieldError("TOUTariff|BlockTariff|HybridTariff", "no tariff prices");
  const tou = byIndex(all(tariff, "TOUPrice"));
  const blocks = byIndex(all(tariff, "BlockPrices"));
  const table: [Uint8Array, number][] = [];
  for (let rate = 1; rate <= PRIMARY_TOU_RATES; rate++) {
    const p = tou.get(rate);
    table.push([Uint8Array.of(rate), p === undefined ? 0 : Number(leaf(p))]);
  }
  const blockPrices = new Map([...blocks].map(([rate, b]) => [rate, byIndex(all(b, "BlockPrice"))]));
  for (let block = 1; block <= BLOCKS; block++) {
    for (let rate = 1; rate <= BLOCK_TOU_RATES; rate++) {
      const p = blockPrices.get(rate)?.get(block);
      table.push([Uint8Array.of(blockPriceIndex(block, rate)), p === undefined ? 0 : Number(leaf(p))]);
    }
  }
  return unitCharge(ENERGY_COMMODITY_SCALE, integer(prices, "PriceScale"), IMPORT_ENERGY.primary, table);
}

/** The secondary price matrix: one element per ElectricityPriceElement, index = its TOU rate. */
export function secondaryPriceMatrix(prices: DuisElement): DlmsData {
  const table = all(prices, "ElectricityPriceElement").map(
    (p) => [Uint8Array.of(indexOf(p)), Number(leaf(p))] as const,
  );
  return unitCharge(ENERGY_COMMODITY_SCALE, integer(prices, "PriceScale"), IMPORT_ENERGY.secondary, table);
}

/** An indexed leaf's integer text. */
function leaf(e: DuisElement): string {
  const t = e.text?.trim() ?? "";
  if (!/^[+-]?\d+$/.test(t)) throw new BodyFieldError(e.name, `"${t}" is not an integer`);
  return t;
}
