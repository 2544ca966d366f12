/**
 * `meterway gbcs`: decode GBCS messages to JSON and encode them back.
 *
 *   meterway gbcs decode <hex|@file|-> [--keys DIR]... [--now ISO] [--jsonl]
 *   meterway gbcs encode [<json|@file|->] [--jsonl] [--keys DIR]... [--sign] [--protect]
 *
 * decode writes one JSON object (see src/gbcs/json.ts for the mapping); with --keys it checks
 * signatures and MACs and decrypts sensitive payload data: a check that fails still gives the JSON
 * (with `valid: false`), says which check failed on stderr, and makes the exit status 1.
 * --jsonl reads one hex message a line on stdin and writes one JSON object a line; a line that
 * fails, a blank one included, gives {"error": {"code", "message", "offset"}} on its own line,
 * and the run goes on: output line n always answers input line n.
 * encode reads that JSON (one object, or one a line with --jsonl) and writes the hex message;
 * with keys, --sign signs it with the originator's DS key and --protect (re)computes the MAC
 * (a signed message that had a MAC is protected again).
 * Exit codes: 0 success, 1 a message failed (or a check), 2 bad usage or input that cannot be read
 * (a missing @file, text that is not hex).
 */
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { macKey, macParties, protectFrame, signFrame } from "../gbcs/crypto/index.js";
import { fromHex, toHex } from "../gbcs/cursor.js";
import { DecodeError } from "../gbcs/errors.js";
import { encodeFrame, type GbcsFrame } from "../gbcs/frame.js";
import { frameFromJson, messageToJson } from "../gbcs/json.js";
import { type DecodedMessage, type DecodeMessageOptions, decodeMessage } from "../gbcs/message.js";
import { messageCodeInfo } from "../gbcs/message-codes.js";
import { KeyStore } from "../smki/keystore.js";
import type { Command, CommandIo } from "./command.js";

const USAGE = `usage:
  meterway gbcs decode <hex|@file|-> [--keys DIR]... [--now ISO-DATE] [--jsonl]
  meterway gbcs encode [<json|@file|->] [--jsonl] [--keys DIR]... [--sign] [--protect]

decode  GBCS message (hex) → JSON; --keys DIR (RTDS key layout) checks signatures and MACs and
        decrypts; --now checks the signers' certificates at that instant; --jsonl reads one hex
        message a line from stdin and writes one JSON object a line.
encode  JSON (as decode writes it) → hex; --jsonl: one JSON object a line from stdin; with
        --keys, --sign signs with the originator's DS key, --protect computes the MAC.
exit codes: 0 success, 1 a message failed (or, with --keys, a signature or MAC check),
            2 bad usage or unreadable input (a missing @file, text that is not hex)`;

interface Options {
  readonly positional: string[];
  readonly keys: string[];
  readonly now: Date | undefined;
  readonly jsonl: boolean;
  readonly sign: boolean;
  readonly protect: boolean;
}

class UsageError extends Error {}

/** Input that cannot be read at all (a missing file, text that is not hex): exit status 2. */
class InputError extends Error {}

function parseArgs(args: readonly string[]): Options {
  const positional: string[] = [];
  const keys: string[] = [];
  let now: Date | undefined;
  let jsonl = false;
  let sign = false;
  let protect = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--keys") {
      const dir = args[++i];
      if (dir === undefined) throw new UsageError("--keys needs a folder");
      keys.push(dir);
    } else if (a === "--now") {
      const v = args[++i];
      const t = v === undefined ? Number.NaN : Date.parse(v);
      if (Number.isNaN(t)) throw new UsageError("--now needs an ISO date");
      now = new Date(t);
    } else if (a === "--jsonl") jsonl = true;
    else if (a === "--sign") sign = true;
    else if (a === "--protect") protect = true;
    else if (a.startsWith("--") && a !== "-") throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  return { positional, keys, now, jsonl, sign, protect };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** The text of an argument: itself, `@file`'s content, or stdin for `-`. */
async function argumentText(arg: string | undefined, io: CommandIo): Promise<string> {
  if (arg === undefined || arg === "-") return readAll(io.stdin);
  if (arg.startsWith("@")) return readInputFile(arg.slice(1));
  return arg;
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "it is a folder",
};

function readInputFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
    const why = FILE_ERRORS[code] ?? (error instanceof Error ? error.message : String(error));
    throw new InputError(`cannot read ${path}: ${why}`);
  }
}

/** Where a message came from, for an error line: the file, stdin, or the argument. */
function sourceName(arg: string | undefined): string {
  if (arg === undefined || arg === "-") return "stdin";
  return arg.startsWith("@") ? arg.slice(1) : "the argument";
}

/** The bytes of a hex message, or InputError naming where it came from. */
function hexMessage(text: string, source: string): Uint8Array {
  const hex = text.replace(/\s+/g, "");
  if (hex === "") throw new InputError(`${source} holds no message`);
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex))
    throw new InputError(`${source} is not hex (an even number of 0-9, A-F)`);
  return fromHex(hex);
}

/** The key store of the --keys folders, or undefined without any; a folder that is not there is InputError. */
function keyStore(opts: Options): KeyStore | undefined {
  if (opts.keys.length === 0) return undefined;
  for (const dir of opts.keys) {
    if (!existsSync(dir)) throw new InputError(`--keys ${dir}: no such folder`);
  }
  return new KeyStore({ directories: opts.keys });
}

/** The checks that failed with the keys given (a check without its key is not a failure). */
function failedChecks(message: DecodedMessage): string[] {
  const failed: string[] = [];
  if (message.signature.valid === false)
    failed.push(`the signature check failed (${message.signature.reason})`);
  if (message.mac.valid === false) failed.push(`the MAC check failed (${message.mac.reason})`);
  return failed;
}

function errorJson(error: unknown): string {
  if (error instanceof DecodeError) {
    return JSON.stringify({ error: { code: error.code, message: error.message, offset: error.offset } });
  }
  const message = error instanceof Error ? error.message : String(error);
  return JSON.stringify({
    error: { code: error instanceof SyntaxError ? "json" : "invalid", message, offset: null },
  });
}

function write(io: CommandIo, line: string): void {
  io.stdout.write(`${line}\n`);
}

/**
 * Runs `each` on every stdin line, writing its result or an error object per line: a blank line
 * gets an error object too, so that output line n answers input line n. `each` returns its line
 * and whether it counts as a failure (a check that failed, the line still written).
 */
async function eachLine(
  io: CommandIo,
  each: (line: string, lineNumber: number) => { readonly line: string; readonly failed?: boolean },
): Promise<number> {
  let failed = false;
  let lineNumber = 0;
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const raw of lines) {
    lineNumber++;
    const line = raw.trim();
    if (line === "") {
      failed = true;
      write(io, JSON.stringify({ error: { code: "empty", message: "a blank line", offset: null } }));
      continue;
    }
    try {
      const result = each(line, lineNumber);
      write(io, result.line);
      if (result.failed === true) failed = true;
    } catch (error) {
      if (
        !(
          error instanceof DecodeError ||
          error instanceof RangeError ||
          error instanceof SyntaxError ||
          error instanceof TypeError
        )
      ) {
        throw error;
      }
      failed = true;
      write(io, errorJson(error));
    }
  }
  return failed ? 1 : 0;
}

async function decode(opts: Options, io: CommandIo): Promise<number> {
  const keys = keyStore(opts);
  const options: DecodeMessageOptions = { ...(keys ? { keys } : {}), ...(opts.now ? { now: opts.now } : {}) };
  /** Says on stderr which checks failed; true when any did. */
  const reportChecks = (m: DecodedMessage, where: string): boolean => {
    const failed = failedChecks(m);
    for (const f of failed) io.stderr.write(`meterway gbcs decode: ${where}${f}\n`);
    return failed.length > 0;
  };
  if (opts.jsonl) {
    if (opts.positional.length > 0) throw new UsageError("--jsonl reads stdin; give no message argument");
    return eachLine(io, (hex, lineNumber) => {
      const m = decodeMessage(fromHex(hex), options);
      const failed = reportChecks(m, `line ${lineNumber}: `);
      return { line: JSON.stringify(messageToJson(m)), failed };
    });
  }
  if (opts.positional.length !== 1) throw new UsageError("decode needs one message: hex, @file or -");
  const arg = opts.positional[0];
  const bytes = hexMessage(await argumentText(arg, io), sourceName(arg));
  try {
    const m = decodeMessage(bytes, options);
    write(io, JSON.stringify(messageToJson(m), null, 2));
    return reportChecks(m, "") ? 1 : 0;
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    io.stderr.write(`meterway gbcs decode: ${error.message} (offset ${error.offset})\n`);
    write(io, errorJson(error));
    return 1;
  }
}

/** Signs and/or MACs `frame` with the store's keys, as the options ask. */
function secure(frame: GbcsFrame, keys: KeyStore, opts: Options): GbcsFrame {
  let out = frame;
  if (opts.sign) {
    const key = keys.signingPrivateKey(frame.originator);
    if (key === undefined) throw new RangeError(`no DS private key for ${frame.originator}`);
    out = signFrame(out, key);
  }
  if (opts.protect || (opts.sign && frame.mac !== undefined)) {
    const deviceOriginated = messageCodeInfo(out.messageCode)?.deviceOriginated === true;
    const z = keys.sharedSecret(...macParties(out, deviceOriginated));
    if (z === undefined)
      throw new RangeError(`no key pair for the MAC of ${out.originator} → ${out.recipient}`);
    out = protectFrame(out, macKey(out, z));
  }
  return out;
}

async function encode(opts: Options, io: CommandIo): Promise<number> {
  if ((opts.sign || opts.protect) && opts.keys.length === 0)
    throw new UsageError("--sign and --protect need --keys");
  const keys = keyStore(opts);
  const one = (json: string): string => {
    const frame = frameFromJson(JSON.parse(json));
    return toHex(encodeFrame(keys !== undefined ? secure(frame, keys, opts) : frame));
  };
  if (opts.jsonl) {
    if (opts.positional.length > 0) throw new UsageError("--jsonl reads stdin; give no argument");
    return eachLine(io, (json) => ({ line: one(json) }));
  }
  if (opts.positional.length > 1) throw new UsageError("encode takes one JSON message: text, @file or -");
  const text = await argumentText(opts.positional[0], io);
  try {
    write(io, one(text));
    return 0;
  } catch (error) {
    if (
      !(
        error instanceof DecodeError ||
        error instanceof RangeError ||
        error instanceof SyntaxError ||
        error instanceof TypeError
      )
    ) {
      throw error;
    }
    io.stderr.write(`meterway gbcs encode: ${error.message}\n`);
    return 1;
  }
}

export const gbcs: Command = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    (sub === undefined ? io.stderr : io.stdout).write(`${USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  try {
    const opts = parseArgs(rest);
    if (sub === "decode") return await decode(opts, io);
    if (sub === "encode") return await encode(opts, io);
    throw new UsageError(`unknown subcommand '${sub}'`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`meterway gbcs: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof InputError) {
      io.stderr.write(`meterway gbcs ${sub}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
};
