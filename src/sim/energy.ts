/**
 * A simulated premises' electricity import, as a closed-form function of time, so that a meter's
 * registers can be read at any instant without stepping through the time in between (a fleet of a
 * million meters reads its registers only when asked).
 *
 * Demand follows a daily cycle around a mean: P(t) = mean · (1 + a·sin(2π(t − φ)/day)), with a < 1 so
 * demand is never negative and the registers only go up. Energy is its integral, in watt-hours.
 * Reactive import is a fixed share of the active import (a steady power factor).
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
  /** Register reading at installation (Wh), so meters do not all start from zero. */
  readonly startWh: number;
  /** When the meter was installed (ms since the epoch): the registers read `startWh` then. */
  readonly installedAtMs: number;
  /** Reactive import per unit of active import (0.05-0.3 for a domestic load). */
  readonly reactiveRatio: number;
}

/** Readings of the import energy registers at one instant. */
export interface ImportReadings {
  /** Active import (Wh), OBIS 1-0:1.8.0. */
  readonly activeWh: number;
  /** Reactive import (varh), OBIS 1-0:3.8.0: a fixed share of the active energy (power factor). */
  readonly reactiveVarh: number;
}

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
    startWh: Math.floor(random() * 5_000_000),
    reactiveRatio: 0.05 + random() * 0.25,
    installedAtMs: Date.UTC(2021, 0, 1) + Math.floor(random() * 3 * 365 * DAY_S) * 1000,
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

  /** Energy (Wh, fractional) from the Unix epoch to `tS` seconds after it (differences are what count). */
  private cumulative(tS: number): number {
    const { meanW, swing, phaseS } = this.profile;
    const w = (2 * Math.PI) / DAY_S;
    // ∫0^t mean·(1 + a·sin(w(s − φ))) ds = mean·t + mean·a/w·(cos(−wφ) − cos(w(t − φ)))
    const joules = meanW * tS + ((meanW * swing) / w) * (Math.cos(-w * phaseS) - Math.cos(w * (tS - phaseS)));
    return joules / HOUR_S;
  }

  /** Register readings at `atMs` (ms since the Unix epoch): whole units, never decreasing. */
  at(atMs: number): ImportReadings {
    const from = this.profile.installedAtMs / 1000;
    const to = Math.max(from, atMs / 1000);
    const active = this.profile.startWh + this.cumulative(to) - this.cumulative(from);
    return { activeWh: Math.floor(active), reactiveVarh: Math.floor(active * this.profile.reactiveRatio) };
  }
}

/** The demand model of the simulated meter with this EUI (the same for every run and every reader). */
export function deviceEnergy(eui: string): ImportEnergy {
  return new ImportEnergy(profileFromSeed(seedFromEui(eui)));
}
