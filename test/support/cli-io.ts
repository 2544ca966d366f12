import { PassThrough } from "node:stream";
import type { Command, CommandIo } from "../../src/cli/command.js";

/** A subcommand's streams, captured: what it wrote to stdout and stderr, read back as UTF-8. */
export interface CapturedIo {
  readonly io: CommandIo;
  out(): string;
  err(): string;
}

export interface CaptureOptions {
  /** What the command reads on stdin (ended after it; empty by default). */
  readonly stdin?: string | Uint8Array;
  /** Its environment (empty by default, so tests do not depend on the caller's). */
  readonly env?: NodeJS.ProcessEnv;
}

/** CommandIo over in-memory streams, the test seam every CLI test uses. */
export function captureIo(options: CaptureOptions = {}): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (c: Buffer) => out.push(c));
  stderr.on("data", (c: Buffer) => err.push(c));
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? "");
  return {
    io: { stdout, stderr, stdin, env: options.env ?? {} },
    out: () => Buffer.concat(out).toString("utf8"),
    err: () => Buffer.concat(err).toString("utf8"),
  };
}

/** Runs `command` with captured streams; resolves with its exit code and output. */
export async function runCommand(
  command: Command,
  args: readonly string[],
  options: CaptureOptions = {},
): Promise<{ code: number; out: string; err: string }> {
  const captured = captureIo(options);
  const code = await command(args, captured.io);
  return { code, out: captured.out(), err: captured.err() };
}
