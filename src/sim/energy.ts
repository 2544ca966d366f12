/**
 * A simulated premises' electricity import, as a closed-form function of time, so that a meter's
 * registers can be read at any instant without stepping through the time in between (a fleet of a
 * million meters reads its registers only when asked).
 *
 * Demand follows a daily cycle around a mean: P(t) = mean · (1 + a·sin(2π(t − φ)/day)), with a < 1 so
 * demand is never negative and the registers only go up. Energy is its integral, in watt-hours. A
 * two-rate time-of-use split (an Economy 7 pattern: rate 1 from 00:30 to 07:30 UTC, rate 2 otherwise)
 * is integrated in closed form too: the two rate registers always add up to the total.
 */

const DAY_S = 86_400;
const HOUR_S = 3_600;

/** What makes one premises' profile: all deterministic from a seed, so a restart reads the same. */
export interface ImportProfile {
  /** Mean demand in watts. */
  readonly meanW: number;
  /** Daily swing, as a fraction of the mean (0 ≤ a < 1). */
  readonly swing: number;
  /** Where in the day demand peaks (seconds after midnight UTC, minus a quarter day). */
  readonly phaseS: number;
  /** Register reading at the epoch (Wh), so meters do not all start from zero. */
  readonly startWh: number;
}

/** Readings of the import energy registers at one instant. */
export interface ImportReadings {
  /** Total active import (Wh), OBIS 1-0:1.8.0. */
  readonly totalWh: number;
  /** Time-of-use registers (Wh), rate 1 (night) then rate 2 (day); they add up to the total. */
  readonly touWh: readonly number[];
}

/** Start and end of the rate-1 window in seconds after midnight UTC. */
const RATE1_FROM_S = 0.5 * HOUR_S;
const RATE1_TO_S = 7.5 * HOUR_S;

/** A small deterministic PRNG (mulberry32), so profiles follow from a seed and nothing global. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A plausible domestic profile from a seed: 150-650 W mean (1.3-5.7 MWh a year). */
export function profileFromSeed(seed: number): ImportProfile {
  const random = seededRandom(seed);
  return {
    meanW: 150 + random() * 500,
    swing: 0.3 + random() * 0.5,
    phaseS: 9 * HOUR_S + random() * 4 * HOUR_S,
    startWh: Math.floor(random() * 20_000_000),
  };
}

/** The seed for a device: a hash of its EUI, so each meter has its own profile. */
export function seedFromEui(eui: string): number {
  let h = 2_166_136_261;
  for (const c of eui.toLowerCase()) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 16_777_619);
  }
  return h >>> 0;
}

export class ImportEnergy {
  constructor(readonly profile: ImportProfile) {}

  /** Energy (Wh, fractional) from the epoch to `tS` seconds after it. */
  private cumulative(tS: number): number {
    const { meanW, swing, phaseS } = this.profile;
    const w = (2 * Math.PI) / DAY_S;
    // ∫0^t mean·(1 + a·sin(w(s − φ))) ds = mean·t + mean·a/w·(cos(−wφ) − cos(w(t − φ)))
    const joules = meanW * tS + ((meanW * swing) / w) * (Math.cos(-w * phaseS) - Math.cos(w * (tS - phaseS)));
    return joules / HOUR_S;
  }

  /** Energy used in rate 1's window from the epoch to `tS`. */
  private rate1(tS: number): number {
    const days = Math.floor(tS / DAY_S);
    const intoDay = tS - days * DAY_S;
    // The demand cycle is periodic, so every whole day's window holds the same energy.
    const perDay = this.cumulative(RATE1_TO_S) - this.cumulative(RATE1_FROM_S);
    const dayStart = days * DAY_S;
    const partial =
      intoDay <= RATE1_FROM_S
        ? 0
        : this.cumulative(dayStart + Math.min(intoDay, RATE1_TO_S)) -
          this.cumulative(dayStart + RATE1_FROM_S);
    return days * perDay + partial;
  }

  /** Register readings at `atMs` (ms since the Unix epoch); whole watt-hours, never decreasing. */
  at(atMs: number): ImportReadings {
    const tS = Math.max(0, atMs / 1000);
    const total = this.cumulative(tS);
    const night = this.rate1(tS);
    const rate1 = Math.floor(this.profile.startWh * 0.3 + night);
    const rate2 = Math.floor(this.profile.startWh * 0.7 + (total - night));
    return { totalWh: rate1 + rate2, touWh: [rate1, rate2] };
  }
}
