// Writes docs/conformance.md: every device SRV × device type × command variant, with what the DCC
// carries and how its commands compare with the RTDS vectors. Run: node --import tsx scripts/gen-conformance.mjs
import { writeFileSync } from "node:fs";
import { referenceRoot } from "../src/catalogue/reference.ts";
import { renderConformance } from "../src/cli/conformance.ts";

writeFileSync(new URL("../docs/conformance.md", import.meta.url), renderConformance(referenceRoot()));
console.log("docs/conformance.md written");
