/**
 * The `meterway` command. Each subcommand lives in its own module and is loaded only when used, so
 * that `meterway gbcs decode` does not pay for the server, the store or the fleet.
 */
import type { Command } from "./command.js";

// Each subcommand module exports one Command; add a line here when adding one.
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: {
    summary: "run the embedded DCC: DUIS web services, dashboard and a simulated fleet",
    load: async () => (await import("./start.js")).start,
  },
  bench: {
    summary: "run benchmark suites (bench/results/*.json, *.md)",
    load: async () => (await import("./bench.js")).bench,
  },
  gbcs: {
    summary: "decode GBCS messages to JSON and encode them back",
    load: async () => (await import("./gbcs.js")).gbcs,
  },
  sign: {
    summary: "sign a DUIS request with a user's key and certificate (to stdout)",
    load: async () => (await import("./sign.js")).sign,
  },
  transform: {
    summary: "the GBCS command or Pre-Command of a DUIS request, as hex",
    load: async () => (await import("./transform.js")).transform,
  },
  request: {
    summary:
      "send a device SRV to a running DCC as a user (critical ones through CV4 → CV5) and print the answer",
    load: async () => (await import("./request.js")).request,
  },
  listen: {
    summary: "run a user's receive-response endpoint: each response verified, decoded, one JSON line",
    load: async () => (await import("./listen.js")).listen,
  },
  responses: {
    summary: "take a user's queued responses from a running DCC (pull API), verified and decoded",
    load: async () => (await import("./responses.js")).responses,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "usage: meterway <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "meterway <command> --help for its options",
  ].join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    console.error(`meterway: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  return command(rest, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  });
}
