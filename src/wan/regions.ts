/**
 * The CSP regions and the delay model of each: how long a frame takes one way, how often one is
 * lost, and how many frames the region carries at once. The numbers are plausible, not measured:
 * North is long-range radio (slower, lossier), Central and South are cellular, the 4G regions are
 * faster. Configure them per run; `ZERO_DELAY` is the test seam.
 */
import type { CspRegion } from "../store/types.js";
import type { Rng } from "./rng.js";

/** The regions a simulated fleet is spread over (SMETS2 CSP regions served by the WAN). */
export const FLEET_REGIONS = ["North", "Central", "South"] as const satisfies readonly CspRegion[];

/** The delay model of one region, for one direction of one frame. */
export interface RegionModel {
  /** Median one-way latency, ms. */
  readonly medianMs: number;
  /** Spread of the log-normal latency (log-space standard deviation); 0 = always the median. */
  readonly sigma: number;
  /** Probability that a frame is lost, 0..1. */
  readonly loss: number;
  /** Frames in flight at once in the region; more wait their turn. */
  readonly capacity: number;
}

/** Default models per region. */
export const DEFAULT_REGION_MODELS: Readonly<Record<CspRegion, RegionModel>> = {
  North: { medianMs: 1500, sigma: 0.6, loss: 0.005, capacity: 2000 },
  Central: { medianMs: 700, sigma: 0.5, loss: 0.002, capacity: 4000 },
  South: { medianMs: 700, sigma: 0.5, loss: 0.002, capacity: 4000 },
  "4G North": { medianMs: 300, sigma: 0.4, loss: 0.001, capacity: 8000 },
  "4G Central": { medianMs: 250, sigma: 0.4, loss: 0.001, capacity: 8000 },
  "4G South": { medianMs: 250, sigma: 0.4, loss: 0.001, capacity: 8000 },
  Unknown: { medianMs: 1000, sigma: 0.8, loss: 0.01, capacity: 1000 },
  SMETS1: { medianMs: 2000, sigma: 0.8, loss: 0.01, capacity: 1000 },
};

/** No delay, no loss, no limit: frames go straight through (tests, functional runs). */
export const ZERO_DELAY: RegionModel = { medianMs: 0, sigma: 0, loss: 0, capacity: Number.POSITIVE_INFINITY };

/** Every region with the zero-delay model. */
export const ZERO_DELAY_MODELS: Readonly<Record<CspRegion, RegionModel>> = Object.fromEntries(
  Object.keys(DEFAULT_REGION_MODELS).map((r) => [r, ZERO_DELAY]),
) as Record<CspRegion, RegionModel>;

/** One sampled leg: how long it takes, and whether the frame arrives. */
export interface LegSample {
  readonly delayMs: number;
  readonly lost: boolean;
}

/**
 * Samples legs for a region from a seeded generator: the same seed gives the same sequence. Delays
 * are capped at `maxMs` so one unlucky draw does not stall a run.
 */
export class DelayModel {
  constructor(
    readonly model: RegionModel,
    private readonly rng: Rng,
    private readonly maxMs = 60_000,
    /** Multiplies every delay (0.01 = a hundred times faster than modelled). */
    private readonly timeScale = 1,
  ) {
    if (model.loss < 0 || model.loss > 1) throw new RangeError(`loss ${model.loss} is not a probability`);
  }

  sample(): LegSample {
    const lost = this.model.loss > 0 && this.rng.chance(this.model.loss);
    if (this.model.medianMs === 0) return { delayMs: 0, lost };
    const raw =
      this.model.sigma === 0
        ? this.model.medianMs
        : this.rng.logNormal(this.model.medianMs, this.model.sigma);
    return { delayMs: Math.min(this.maxMs, raw) * this.timeScale, lost };
  }
}
