/**
 * Plausible dashboard data for the browser test and for screenshots: a 1,000-premises fleet and ten
 * minutes of traffic (acknowledgements, successes, a few errors, one busy spell), from a seeded
 * generator so that runs are repeatable.
 */

import type { MemoryDashboardSource } from "../../../src/server/dashboard-memory-source.js";
import type { InstanceInfo, KeyCount, ResponseRecord } from "../../../src/server/dashboard-source.js";

/** A small seeded PRNG (mulberry32): repeatable, and an instance rather than shared state. */
export class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

export const DEMO_STATUS: readonly KeyCount[] = [
  { key: "Pending", count: 12 },
  { key: "Whitelisted", count: 41 },
  { key: "InstalledNotCommissioned", count: 96 },
  { key: "Commissioned", count: 4_618 },
  { key: "Suspended", count: 17 },
  { key: "Decommissioned", count: 9 },
  { key: "Withdrawn", count: 3 },
];

export const DEMO_REGIONS: readonly KeyCount[] = [
  { key: "North", count: 1_476 },
  { key: "Central", count: 1_932 },
  { key: "South", count: 1_388 },
];

export function demoInstance(startedAt: Date): InstanceInfo {
  return { name: "meterway", version: "0.1.0", mode: "embedded", startedAt, premises: 1_000 };
}

const SRVS = ["4.1.1", "4.1.1", "4.1.1", "4.6.1", "4.8", "8.2", "6.15.1", "2.1", "11.2", "4.3", "3.2"];
const ERRORS = ["E3", "E3", "E13", "E13", "E51", "E57", "E104"];

function eui(n: number): string {
  const hex = (0x00db123400000000n + BigInt(n)).toString(16).toUpperCase().padStart(16, "0");
  return hex.match(/../g)?.join("-") ?? hex;
}

/** One response to a request for `srv` on device number `device`, at `at`. */
export function demoResponse(
  at: Date,
  counter: number,
  code: string,
  random: Random,
  srv = random.pick(SRVS),
): ResponseRecord {
  const device = random.int(4_800);
  const latencyMs =
    code === "I99" ? 2 + random.next() * 6 : 120 + random.next() * 500 + (random.next() < 0.04 ? 2_500 : 0);
  return {
    at,
    requestId: `90-B3-D5-1F-30-01-00-00:${eui(device)}:${1_000_000 + counter}`,
    srv,
    deviceId: srv === "8.2" ? null : eui(device),
    responseCode: code,
    latencyMs: Math.round(latencyMs * 10) / 10,
  };
}

/** Fills `source` with the demo fleet and `minutes` of traffic ending at `now`. */
export function fillDemo(source: MemoryDashboardSource, now: Date, random: Random, minutes = 10): void {
  source.setInstance(demoInstance(new Date(now.getTime() - (2 * 3600 + 13 * 60) * 1000)));
  source.setDevices(DEMO_STATUS, DEMO_REGIONS);
  source.setDeliveryQueue({ pending: 37, failed: 2 });
  const start = now.getTime() - minutes * 60_000;
  const records: ResponseRecord[] = [];
  let counter = 0;
  for (let t = start; t < now.getTime(); t += 1000) {
    const minute = (t - start) / 60_000;
    // A steady ~18 requests/s with a morning-read burst in the middle and some wobble.
    const busy = Math.exp(-(((minute - 5.5) / 0.9) ** 2)) * 22;
    const perSecond = Math.max(0, Math.round(18 + busy + Math.sin(minute * 2.1) * 3 + random.next() * 4));
    for (let i = 0; i < perSecond; i++) {
      const at = new Date(t + random.int(1000));
      counter += 1;
      records.push(demoResponse(at, counter, "I99", random));
      const roll = random.next();
      const code = roll < 0.035 + busy / 400 ? random.pick(ERRORS) : roll < 0.05 ? "I6" : "I0";
      records.push(demoResponse(new Date(at.getTime() + 150 + random.int(400)), counter, code, random));
    }
  }
  records.sort((a, b) => a.at.getTime() - b.at.getTime());
  source.record(...records.filter((r) => r.at.getTime() < now.getTime()));
}
