/**
 * fast-check arbitraries for DLMS values: one per Data type, the compact-array type descriptions,
 * whole data trees and xDLMS APDUs. Values are drawn within what each wire type carries, so every
 * one of them must survive encode → decode unchanged.
 */
import fc from "fast-check";
import type {
  AccessRequestSpecification,
  AccessResponseSpecification,
  LongInvokeIdAndPriority,
  XDlmsApdu,
} from "../../../src/gbcs/dlms/apdu.js";
import type { CosemDateTime, DlmsData, TypeDescription } from "../../../src/gbcs/dlms/data.js";

/** fc.record with ordinary objects (deepStrictEqual compares prototypes). */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}
const int = (min: number, max: number) => fc.integer({ min, max });
const bytes = (maxLength = 40) => fc.uint8Array({ maxLength });

export const cosemDateTime: fc.Arbitrary<CosemDateTime> = rec({
  year: int(0, 0xffff),
  month: int(0, 255),
  dayOfMonth: int(0, 255),
  dayOfWeek: int(0, 255),
  hour: int(0, 255),
  minute: int(0, 255),
  second: int(0, 255),
  hundredths: int(0, 255),
  deviation: int(-0x8000, 0x7fff),
  clockStatus: int(0, 255),
});

/** One arbitrary per simple (non-container) Data type. */
export const simpleData = {
  "null-data": fc.constant<DlmsData>({ type: "null-data" }),
  "dont-care": fc.constant<DlmsData>({ type: "dont-care" }),
  boolean: fc.oneof(
    fc.boolean().map((value): DlmsData => ({ type: "boolean", value })),
    int(1, 0xfe).map((trueByte): DlmsData => ({ type: "boolean", value: true, trueByte })),
  ),
  "bit-string": int(0, 100).chain((bitLength) =>
    fc
      .uint8Array({ minLength: Math.ceil(bitLength / 8), maxLength: Math.ceil(bitLength / 8) })
      .map((bits): DlmsData => ({ type: "bit-string", bitLength, bits })),
  ),
  "double-long": int(-(2 ** 31), 2 ** 31 - 1).map((value): DlmsData => ({ type: "double-long", value })),
  "double-long-unsigned": int(0, 2 ** 32 - 1).map(
    (value): DlmsData => ({ type: "double-long-unsigned", value }),
  ),
  "octet-string": fc.oneof(bytes(), bytes(300)).map((value): DlmsData => ({ type: "octet-string", value })),
  "visible-string": fc
    .uint8Array({ maxLength: 30 })
    .map((b): DlmsData => ({ type: "visible-string", value: Buffer.from(b).toString("latin1") })),
  "utf8-string": fc
    .string({ unit: "grapheme", maxLength: 20 })
    .map((value): DlmsData => ({ type: "utf8-string", value })),
  bcd: int(-128, 127).map((value): DlmsData => ({ type: "bcd", value })),
  integer: int(-128, 127).map((value): DlmsData => ({ type: "integer", value })),
  long: int(-32768, 32767).map((value): DlmsData => ({ type: "long", value })),
  unsigned: int(0, 255).map((value): DlmsData => ({ type: "unsigned", value })),
  "long-unsigned": int(0, 0xffff).map((value): DlmsData => ({ type: "long-unsigned", value })),
  long64: fc
    .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
    .map((value): DlmsData => ({ type: "long64", value })),
  "long64-unsigned": fc
    .bigInt({ min: 0n, max: 2n ** 64n - 1n })
    .map((value): DlmsData => ({ type: "long64-unsigned", value })),
  enum: int(0, 255).map((value): DlmsData => ({ type: "enum", value })),
  float32: fc.float({ noNaN: true }).map((value): DlmsData => ({ type: "float32", value })),
  float64: fc.double({ noNaN: true }).map((value): DlmsData => ({ type: "float64", value })),
  "date-time": cosemDateTime.map((value): DlmsData => ({ type: "date-time", value })),
  date: rec({
    year: int(0, 0xffff),
    month: int(0, 255),
    dayOfMonth: int(0, 255),
    dayOfWeek: int(0, 255),
  }).map((value): DlmsData => ({ type: "date", value })),
  time: rec({ hour: int(0, 255), minute: int(0, 255), second: int(0, 255), hundredths: int(0, 255) }).map(
    (value): DlmsData => ({ type: "time", value }),
  ),
} as const;

type SimpleType = keyof typeof simpleData;
/** Simple types with a non-zero size, usable as compact-array element types. */
const SIZED: SimpleType[] = (Object.keys(simpleData) as SimpleType[]).filter(
  (t) => t !== "null-data" && t !== "dont-care",
);

/** A compact-array type description (depth-limited, never of zero size). */
export const typeDescription: fc.Arbitrary<TypeDescription> = fc.letrec<{ d: TypeDescription }>((tie) => ({
  d: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...SIZED).map((type) => ({ type }) as TypeDescription),
    rec({ type: fc.constant("array" as const), numberOfElements: int(1, 3), typeDescription: tie("d") }),
    rec({
      type: fc.constant("structure" as const),
      elements: fc.array(tie("d"), { minLength: 1, maxLength: 3 }),
    }),
  ),
})).d;

/** A value of the described type (as a compact-array element). */
export function described(d: TypeDescription): fc.Arbitrary<DlmsData> {
  switch (d.type) {
    case "array":
      return fc
        .array(described(d.typeDescription), { minLength: d.numberOfElements, maxLength: d.numberOfElements })
        .map((elements) => ({ type: "array", elements }));
    case "structure":
      return fc.tuple(...d.elements.map(described)).map((elements) => ({ type: "structure", elements }));
    default:
      return simpleData[d.type];
  }
}

export const compactArray: fc.Arbitrary<DlmsData> = typeDescription.chain((contentsDescription) =>
  fc
    .array(described(contentsDescription), { maxLength: 4 })
    .map((elements): DlmsData => ({ type: "compact-array", contentsDescription, elements })),
);

/** Any Data tree: simple values, arrays, structures and compact arrays, a few levels deep. */
export const dlmsData: fc.Arbitrary<DlmsData> = fc.letrec<{ data: DlmsData }>((tie) => ({
  data: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(...Object.values(simpleData)),
    compactArray,
    fc.array(tie("data"), { maxLength: 5 }).map((elements): DlmsData => ({ type: "array", elements })),
    fc.array(tie("data"), { maxLength: 5 }).map((elements): DlmsData => ({ type: "structure", elements })),
  ),
})).data;

const obis = fc
  .tuple(int(0, 255), int(0, 255), int(0, 255), int(0, 255), int(0, 255), int(0, 255))
  .map(([a, b, c, d, e, f]) => `${a}-${b}:${c}.${d}.${e}.${f}`);

const attributeDescriptor = rec({ classId: int(0, 0xffff), instanceId: obis, attributeId: int(-128, 127) });

export const requestSpecification: fc.Arbitrary<AccessRequestSpecification> = fc.oneof(
  rec({
    kind: fc.constantFrom("access-request-get" as const, "access-request-set" as const),
    cosemAttributeDescriptor: attributeDescriptor,
  }),
  rec({
    kind: fc.constant("access-request-action" as const),
    cosemMethodDescriptor: rec({ classId: int(0, 0xffff), instanceId: obis, methodId: int(-128, 127) }),
  }),
  rec({
    kind: fc.constantFrom(
      "access-request-get-with-selection" as const,
      "access-request-set-with-selection" as const,
    ),
    cosemAttributeDescriptor: attributeDescriptor,
    accessSelection: rec({ accessSelector: int(0, 255), accessParameters: dlmsData }),
  }),
);

const responseSpecification: fc.Arbitrary<AccessResponseSpecification> = rec({
  kind: fc.constantFrom(
    "access-response-get" as const,
    "access-response-set" as const,
    "access-response-action" as const,
  ),
  result: int(0, 255),
});

const invokeId: fc.Arbitrary<LongInvokeIdAndPriority> = rec({
  invokeId: int(0, 0xff_ffff),
  highPriority: fc.boolean(),
  confirmed: fc.boolean(),
  breakOnError: fc.boolean(),
  selfDescriptive: fc.boolean(),
  reserved: int(0, 15),
});

const dateTime = fc.option(cosemDateTime, { nil: null });

export const apdu: fc.Arbitrary<XDlmsApdu> = fc.oneof(
  rec({
    apdu: fc.constant("access-request" as const),
    longInvokeIdAndPriority: invokeId,
    dateTime,
    accessRequestSpecification: fc.array(requestSpecification, { maxLength: 3 }),
    accessRequestListOfData: fc.array(dlmsData, { maxLength: 3 }),
  }),
  rec({
    apdu: fc.constant("access-response" as const),
    longInvokeIdAndPriority: invokeId,
    dateTime,
    accessRequestSpecification: fc.option(fc.array(requestSpecification, { maxLength: 2 }), { nil: null }),
    accessResponseListOfData: fc.array(dlmsData, { maxLength: 3 }),
    accessResponseSpecification: fc.array(responseSpecification, { maxLength: 3 }),
  }),
  rec({
    apdu: fc.constant("data-notification" as const),
    longInvokeIdAndPriority: invokeId,
    dateTime,
    notificationBody: dlmsData,
  }),
);
