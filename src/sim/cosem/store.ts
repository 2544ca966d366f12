/**
 * A device's COSEM objects (Blue Book): attributes by (class id, OBIS code, attribute id), each
 * holding a DLMS Data value and the shapes a value of it may take, and the methods the objects offer.
 * Some attributes are live: their value is computed when read (the clock, registers that follow the
 * demand model, the load switch's state) and a write goes to their owner.
 */
import type { DlmsData, ObisCode } from "../../gbcs/dlms/index.js";
import { DataAccessResult } from "../../gbcs/dlms/index.js";
import type { AttributeFact, MethodFact } from "./facts.js";
import { conforms, type Shape } from "./shape.js";

/** An attribute computed when read; `set` (absent: read-only) takes a value already of its shape. */
export interface LiveAttribute {
  readonly get: () => DlmsData;
  readonly set?: (value: DlmsData) => void;
}

interface Slot {
  value: DlmsData;
  readonly shapes: readonly Shape[];
  live?: LiveAttribute;
}

const attributeKey = (classId: number, obis: ObisCode, id: number) => `${classId}/${obis}/${id}`;

export class CosemStore {
  private readonly attributes = new Map<string, Slot>();
  private readonly methods = new Set<string>();
  /** "class/obis" of every object that has an attribute or a method here. */
  private readonly objects = new Set<string>();

  /** The objects of the facts; a twin-element device takes the twin shapes and values where there are. */
  constructor(attributes: readonly AttributeFact[], methods: readonly MethodFact[], twin = false) {
    for (const a of attributes) {
      const useTwin = twin && a.twin !== undefined;
      this.attributes.set(attributeKey(a.classId, a.obis, a.attributeId), {
        value: useTwin && a.twin ? a.twin.initial : a.initial,
        shapes: a.twin ? [...a.shapes, a.twin.shape] : a.shapes,
      });
      this.objects.add(`${a.classId}/${a.obis}`);
    }
    for (const m of methods) {
      this.methods.add(attributeKey(m.classId, m.obis, m.methodId));
      this.objects.add(`${m.classId}/${m.obis}`);
    }
  }

  /** Whether the device has this object (of this class). */
  hasObject(classId: number, obis: ObisCode): boolean {
    return this.objects.has(`${classId}/${obis}`);
  }

  hasMethod(classId: number, obis: ObisCode, methodId: number): boolean {
    return this.methods.has(attributeKey(classId, obis, methodId));
  }

  /** The attribute's value, or undefined when the device has no such attribute. */
  get(classId: number, obis: ObisCode, attributeId: number): DlmsData | undefined {
    const slot = this.attributes.get(attributeKey(classId, obis, attributeId));
    if (slot === undefined) return undefined;
    return slot.live ? slot.live.get() : slot.value;
  }

  /** Writes the attribute; the Green Book data-access-result of the write. */
  set(classId: number, obis: ObisCode, attributeId: number, value: DlmsData): number {
    const slot = this.attributes.get(attributeKey(classId, obis, attributeId));
    if (slot === undefined) return DataAccessResult["object-undefined"];
    if (!slot.shapes.some((s) => conforms(value, s))) return DataAccessResult["type-unmatched"];
    if (slot.live) {
      if (slot.live.set === undefined) return DataAccessResult["read-write-denied"];
      slot.live.set(value);
    } else slot.value = value;
    return DataAccessResult.success;
  }

  /** Makes an attribute live (it must exist: the facts name every attribute). */
  live(classId: number, obis: ObisCode, attributeId: number, live: LiveAttribute): void {
    const slot = this.attributes.get(attributeKey(classId, obis, attributeId));
    if (slot === undefined) throw new Error(`no attribute ${classId} ${obis} ${attributeId}`);
    slot.live = live;
  }

  /** Every attribute of class `classId`, with its stored value (profiles are filled from this). */
  *attributesOf(classId: number): Iterable<{ obis: ObisCode; attributeId: number; value: DlmsData }> {
    for (const [key, slot] of this.attributes) {
      const [c, obis, id] = key.split("/");
      if (Number(c) === classId) yield { obis: obis as ObisCode, attributeId: Number(id), value: slot.value };
    }
  }
}
