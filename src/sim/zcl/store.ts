/**
 * What a simulated gas device (GSME, GPF) holds, in ZCL terms: the attributes of its server
 * clusters (cluster id → attribute id → value with its ZCL type), and the cluster-specific records
 * the DCC published to it (calendars, tariff, price) that later Get commands read back. The initial
 * attributes come from `gas-attributes.ts` (generated); the interpreter reads and writes here only.
 */
import type { ZclFields, ZclValue } from "../../gbcs/gbz/index.js";
import { isValidZclValue, ZclStatus } from "../../gbcs/gbz/index.js";

/** One initial attribute: the generated table's row. */
export interface ZclAttributeFact {
  readonly cluster: number;
  readonly attribute: number;
  readonly value: ZclValue;
}

/** The outcome of a write: ZCL status (0 success). */
export type ZclWriteStatus = number;

/** Records kept per command name: the latest ones (a long-running simulator's messages, top-ups…). */
const MAX_RECORDS = 64;

export class ZclStore {
  private readonly clusters = new Map<number, Map<number, ZclValue>>();
  /** Records of published commands, by command name (e.g. `publishDayProfile`), in arrival order. */
  private readonly records = new Map<string, ZclFields[]>();

  constructor(facts: readonly ZclAttributeFact[] = []) {
    for (const f of facts) this.set(f.cluster, f.attribute, f.value);
  }

  /** The attribute's value, or undefined when the device does not support it. */
  read(cluster: number, attribute: number): ZclValue | undefined {
    return this.clusters.get(cluster)?.get(attribute);
  }

  /**
   * A Write Attributes record (ZCL §2.5.3): the attribute must exist (UNSUPPORTED_ATTRIBUTE) and
   * keep its data type (INVALID_DATA_TYPE); `dryRun` checks without writing (undivided writes).
   */
  write(cluster: number, attribute: number, value: ZclValue, dryRun = false): ZclWriteStatus {
    const current = this.read(cluster, attribute);
    if (current === undefined) return ZclStatus.unsupportedAttribute;
    if (current.type !== value.type || !isValidZclValue(value)) return ZclStatus.invalidDataType;
    if (!dryRun) this.set(cluster, attribute, value);
    return ZclStatus.success;
  }

  /** Sets an attribute as the device itself does (its own effects, live readings). */
  set(cluster: number, attribute: number, value: ZclValue): void {
    let attributes = this.clusters.get(cluster);
    if (attributes === undefined) {
      attributes = new Map();
      this.clusters.set(cluster, attributes);
    }
    attributes.set(attribute, value);
  }

  /** Sets a numeric attribute that exists, keeping its type (no-op when it does not exist). */
  setNumber(cluster: number, attribute: number, value: number | bigint): void {
    const current = this.read(cluster, attribute);
    if (current === undefined || (typeof current.value !== "number" && typeof current.value !== "bigint"))
      return;
    const next = { ...current, value: typeof current.value === "bigint" ? BigInt(value) : Number(value) };
    if (isValidZclValue(next as ZclValue)) this.set(cluster, attribute, next as ZclValue);
  }

  /** The published records of one command name. */
  published(name: string): readonly ZclFields[] {
    return this.records.get(name) ?? [];
  }

  /** Replaces the records of one command name (a new calendar replaces the old one's parts). */
  replace(name: string, records: readonly ZclFields[]): void {
    this.records.set(name, [...records]);
  }

  /** Adds a record; `key` replaces an earlier record with the same value of that field. */
  publish(name: string, fields: ZclFields, key?: string): void {
    const list = this.records.get(name) ?? [];
    const at = key === undefined ? -1 : list.findIndex((r) => r[key] === fields[key]);
    if (at >= 0) list[at] = fields;
    else list.push(fields);
    this.records.set(name, list.slice(-MAX_RECORDS));
  }
}
