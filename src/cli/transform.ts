/**
 * `meterway transform <request.xml> --keys DIR`: what the DCC's transform makes of a DUIS request,
 * without a running DCC. A non-critical request (CV 1, 2, 3) gives the GBCS command as sent,
 * MACed by the Access Control Broker; a critical one (CV 4) gives the Pre-Command the user signs.
 * The hex goes to stdout, one line.
 *
 * The keys folder is in the RTDS layout: it needs the ACB's KA private key
 * (`90b3d51f30000002-ka.key`) and the device's KA certificate (`<device>-ka.pem`) for a MACed
 * command; a Pre-Command needs no keys. The request's signature is not checked here: that is the
 * service's job (`meterway start`), and a template with a placeholder signature transforms as well.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Srv } from "../catalogue/index.js";
import { COMMAND_SPECS, CommandTransformer } from "../dcc/transform/index.js";
import { DuisError } from "../duis/errors.js";
import { readRequest } from "../duis/model/index.js";
import { toHex } from "../gbcs/cursor.js";
import { KeyStore } from "../smki/keystore.js";
import { DEVICE_TYPES, type DeviceType } from "../store/types.js";
import type { Command, CommandIo } from "./command.js";

const USAGE = `usage: meterway transform <request.xml|-> --keys DIR [options]

Writes the GBCS command (CV 1-3, MACed by the ACB) or Pre-Command (CV 4) of a DUIS request as hex.

options:
  --keys DIR          key folder in RTDS layout (ACB KA key, device KA certificates); repeatable
  --device-type TYPE  the target device's type (${DEVICE_TYPES.join(", ")}); needed when the SRV
                      applies to more than one type
  --at ISO            the DCC's time of the transform (default now; GBZ commands carry it)
  -h, --help          this text`;

class UsageError extends Error {}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** The device type to transform for: the flag, or the only type the SRV is transformed for. */
function deviceTypeFor(srv: Srv, flag: string | undefined): DeviceType {
  if (flag !== undefined) {
    const type = DEVICE_TYPES.find((t) => t === flag.toUpperCase());
    if (type === undefined) throw new UsageError(`--device-type ${flag}: one of ${DEVICE_TYPES.join(", ")}`);
    return type;
  }
  const supported = [...new Set(COMMAND_SPECS.filter((c) => c.srv === srv).flatMap((c) => c.deviceTypes))];
  if (supported.length === 1 && supported[0] !== undefined) return supported[0];
  if (supported.length === 0) throw new UsageError(`SRV ${srv} has no transform yet`);
  throw new UsageError(`SRV ${srv} applies to ${supported.join(" and ")}: say which with --device-type`);
}

/** The hex of the command or Pre-Command, or the reason there is none. */
export function transformRequest(
  xml: string | Uint8Array,
  transformer: CommandTransformer,
  options: { readonly deviceType?: string; readonly at: number },
): { ok: true; hex: string; useCase: string } | { ok: false; reason: string } {
  const request = readRequest(xml);
  const { requestId, commandVariant, serviceReferenceVariant: srv } = request.header;
  const input = {
    originator: requestId.originator.replaceAll("-", ""),
    device: requestId.target.replaceAll("-", ""),
    counter: requestId.counter,
    body: request.body,
    at: options.at,
  };
  const deviceType = deviceTypeFor(srv, options.deviceType);
  const cv = Number(commandVariant);
  if (cv === 4) {
    const result = transformer.preCommand(srv, deviceType, input);
    return result.ok ? { ok: true, hex: toHex(result.bytes), useCase: result.useCase } : result;
  }
  if (cv >= 1 && cv <= 3) {
    const result = transformer.transform(srv, deviceType, input);
    return result.ok ? { ok: true, hex: toHex(result.bytes), useCase: result.useCase } : result;
  }
  return {
    ok: false,
    reason: `command variant ${commandVariant} carries no request to transform (CV 5-7 carry a signed Pre-Command; CV 8 is non-device)`,
  };
}

export const transform: Command = async (args: readonly string[], io: CommandIo) => {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        keys: { type: "string", multiple: true },
        "device-type": { type: "string" },
        at: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError("one request file (or -) expected");
    const at = values.at === undefined ? Date.now() : Date.parse(values.at);
    if (Number.isNaN(at)) throw new UsageError(`--at ${values.at}: not an ISO 8601 date-time`);
    const keys = new KeyStore({ directories: values.keys ?? [] });
    const xml = file === "-" ? await readAll(io.stdin) : readFileSync(file);
    const result = transformRequest(xml, new CommandTransformer(keys), {
      at,
      ...(values["device-type"] === undefined ? {} : { deviceType: values["device-type"] }),
    });
    if (!result.ok) {
      io.stderr.write(`meterway transform: ${result.reason}\n`);
      return 1;
    }
    io.stdout.write(`${result.hex}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      io.stderr.write(`meterway transform: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof DuisError) {
      io.stderr.write(`meterway transform: ${error.message}\n`);
      return 1;
    }
    if (error instanceof Error && "code" in error && error.code === "ENOENT") {
      io.stderr.write(`meterway transform: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};
