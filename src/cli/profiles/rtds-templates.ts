/**
 * The RTDS 4.9.1 DUIS request templates (reference data `rtds-4.9.1-duis/`), read for what the
 * `rtds` profile must provision: who sends each request (RequestID originator), which device or the
 * DCC it addresses (RequestID target), and the meter points (MPAN/MPRN elements) named in its body.
 * The files are read in place; nothing of them is copied into meterway.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseRequestId } from "../../duis/model/ids.js";
import { parseXml } from "../../duis/xml/parse.js";
import { childElement, childElements, textContent, type XmlElement } from "../../duis/xml/tree.js";

/** Where the templates are, under the reference root. */
export const RTDS_TEMPLATES_FOLDER = "rtds-4.9.1-duis";

/** A meter point written in a template body, with the element that carries it. */
export interface TemplateMeterPoint {
  /** The element's local name, e.g. `ImportMPxN`, `ExportMPAN`, `ImportMPRN`, `MPxN`. */
  readonly element: string;
  /** The MPAN (13 digits) or MPRN (6-10 digits). */
  readonly value: string;
}

/** What the profile needs to know of one template. */
export interface RtdsTemplate {
  /** The file name, e.g. `ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML`. */
  readonly file: string;
  /** The file's full path. */
  readonly path: string;
  /** The GBCS use case the file name starts with (`ECS17b`), or the SRV for non-device requests. */
  readonly useCase: string;
  /** RequestID originator, 16 lowercase hex. */
  readonly originator: string;
  /** RequestID target (a device, or the DCC for non-device requests), 16 lowercase hex. */
  readonly target: string;
  readonly counter: bigint;
  readonly commandVariant: number;
  readonly srv: string;
  readonly meterPoints: readonly TemplateMeterPoint[];
}

/** Elements whose text is a meter point (DUIS names them ImportMPxN, ExportMPAN, MPxN, ...). */
const METER_POINT_ELEMENT = /^(?:Import|Export|SecondaryImport)?(?:MPxN|MPAN|MPRN)$/;

function hex(eui: string): string {
  return eui.replaceAll("-", "").toLowerCase();
}

function headerText(header: XmlElement, name: string, file: string): string {
  const e = childElement(header, name);
  if (e === undefined) throw new Error(`${file}: Header/${name} missing`);
  return textContent(e).trim();
}

function meterPoints(e: XmlElement, out: TemplateMeterPoint[]): void {
  for (const c of childElements(e)) {
    if (METER_POINT_ELEMENT.test(c.localName)) {
      const value = textContent(c).trim();
      if (/^\d{6,13}$/.test(value)) out.push({ element: c.localName, value });
    }
    meterPoints(c, out);
  }
}

/** Reads one template. Throws (with the file name) when it is not a DUIS request as expected. */
export function readRtdsTemplate(path: string, file: string): RtdsTemplate {
  const root = parseXml(readFileSync(path)).root;
  const header = childElement(root, "Header");
  const body = childElement(root, "Body");
  if (header === undefined || body === undefined) throw new Error(`${file}: not a DUIS Request`);
  const id = parseRequestId(headerText(header, "RequestID", file));
  const points: TemplateMeterPoint[] = [];
  meterPoints(body, points);
  return {
    file,
    path,
    useCase: file.slice(0, file.indexOf("_")),
    originator: hex(id.originator),
    target: hex(id.target),
    counter: id.counter,
    commandVariant: Number(headerText(header, "CommandVariant", file)),
    srv: headerText(header, "ServiceReferenceVariant", file),
    meterPoints: points,
  };
}

/** Every `*_REQUEST_DUIS.XML` template under `<reference>/rtds-4.9.1-duis`, sorted by file name. */
export function readRtdsTemplates(referenceRoot: string): RtdsTemplate[] {
  const dir = join(referenceRoot, RTDS_TEMPLATES_FOLDER);
  return readdirSync(dir)
    .filter((f) => f.endsWith("_REQUEST_DUIS.XML"))
    .sort()
    .map((f) => readRtdsTemplate(join(dir, f), f));
}
