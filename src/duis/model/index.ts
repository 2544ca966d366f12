/**
 * The typed DUIS model: requests, responses and alerts, read from the XML tree (`parseXml`) and
 * written back to it (`serializeXml` turns the tree into text).
 */
import { serializeXml } from "../xml/c14n.js";
import type { XmlElement } from "../xml/tree.js";

export * from "./boundary.js";
export * from "./element.js";
export * from "./ids.js";
export * from "./namespaces.js";
export * from "./request.js";
export * from "./response.js";

/** A built DUIS tree as UTF-8 XML text with its declaration, whitespace-free (the form to sign). */
export function toXmlText(tree: XmlElement): string {
  return serializeXml(tree);
}
export type { RequestBodies } from "./bodies.js";
export { type BodyElementName, isBodyElementName, typedBody } from "./typed-body.js";
