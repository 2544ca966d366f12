/**
 * `meterway listen`: a Service User's receive-response endpoint from the command line. Every
 * DUIS response or alert POSTed to it has the DCC's signature checked and is decoded (see
 * `duis-inbox.ts`), then written as one JSON line to stdout (or appended to --out) before it is
 * answered 200, so that a message answered 200 is one written down. A message whose signature
 * does not verify, or that is not a DUIS response, is answered 400 and reported on stderr: the
 * DCC then keeps it and tries again, and anything else that POSTs to the port gets nowhere. (That
 * takes the DCC's XML-signing certificate in the key folder: without it, signatures cannot be
 * checked, which the start-up line says, and each message is written marked "unchecked".)
 *
 * With --register URL (the DCC), the user's receive URL is set to this endpoint through the signed
 * user API for as long as it runs, and put back as it was on exit (SIGINT, SIGTERM).
 */
import { appendFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Command, CommandIo } from "./command.js";
import {
  describeMessage,
  inspectMessage,
  USER_FLAG_OPTIONS,
  UsageError,
  type UserSetup,
  userIdentityOf,
  userSetup,
} from "./duis-inbox.js";
import { readReceiveUrl, setReceiveUrl } from "./request-client.js";
import { ResponseReceiver } from "./request-receiver.js";

const USAGE = `usage: meterway listen [options]

Runs a receive-response endpoint for a Service User: each DUIS response or alert POSTed to it has
the DCC's XML signature verified and is decoded (header, response code and its meaning, SRV, the
GBCS payload with its MAC and signature checks, a 4.1.1's registers), and is written as one JSON
line; it is then answered 200. A bad signature is answered 400 and reported on stderr.

options:
  --user EUI          the user (default the demo supplier)
  --data DIR          the DCC's data folder, for the keys in DIR/pki (default ./data)
  --pki DIR           the key folder (RTDS layout) instead of DIR/pki; the DCC's XML-signing
                      certificate there is what signatures are checked with
  --keys DIR          the user's GBCS keys for decoding, instead of the key folder
  --key FILE          the user's DUIS signing key (PEM), for --register (default in the key folder)
  --cert FILE         its certificate (PEM)
  --host HOST         the address to listen on (default 127.0.0.1)
  --port N            the port (default 0: a free one)
  --receive-url URL   the URL to register, when the DCC reaches this endpoint by another name
  --register URL      the DCC: register this endpoint as the user's receive URL while listening,
                      and put the old one back on exit
  --out FILE          append the JSON lines to FILE instead of stdout
  -h, --help          this text`;

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: {
      ...USER_FLAG_OPTIONS,
      host: { type: "string" },
      port: { type: "string" },
      "receive-url": { type: "string" },
      register: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
  });
}

export interface RunListenOptions {
  /** Stops listening when aborted (tests); `meterway listen` uses SIGINT and SIGTERM. */
  readonly signal?: AbortSignal;
  /** Called once listening, with the endpoint's URL (tests). */
  readonly onListening?: (url: string) => void;
}

/** `meterway listen` until `signal` aborts; resolves with the exit code. */
export async function runListen(
  args: readonly string[],
  io: CommandIo,
  options: RunListenOptions = {},
): Promise<number> {
  let receiver: ResponseReceiver | undefined;
  let restore: (() => Promise<void>) | undefined;
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values } = parsed;
    if (values.help === true) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const port = Number(values.port ?? "0");
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port '${values.port}' is not a port number`);
    const receiveUrl = values["receive-url"];
    if (receiveUrl !== undefined && !URL.canParse(receiveUrl))
      throw new UsageError(`--receive-url '${receiveUrl}' is not a URL`);
    const base = values.register?.replace(/\/+$/, "");
    if (base !== undefined && !URL.canParse(base))
      throw new UsageError(`--register '${values.register}' is not the DCC's URL`);
    const setup = userSetup(values);
    const user = base === undefined ? undefined : userIdentityOf(setup, values);
    const out = values.out;
    const write = (line: string) => {
      if (out === undefined) io.stdout.write(`${line}\n`);
      else appendFileSync(out, `${line}\n`, { mode: 0o600 });
    };

    receiver = await ResponseReceiver.start(values.host ?? "127.0.0.1", port, (message) =>
      receive(message.body, setup, write, io),
    );
    const url = receiveUrl ?? receiver.url;
    const checks =
      setup.dccCertificate === undefined
        ? `DCC signatures NOT checked: no ${setup.dccCertificatePath}`
        : "DCC signatures checked";
    io.stderr.write(
      `meterway listen: receiving ${setup.eui}'s responses and alerts at ${url} (${checks}); writing to ${out ?? "stdout"}\n`,
    );
    if (base !== undefined && user !== undefined) {
      // What the user had registered is put back on exit, whatever it was: an endpoint of its
      // own, or null (pull only).
      const previous = await readReceiveUrl(base, user);
      await setReceiveUrl(base, user, url);
      restore = () => setReceiveUrl(base, user, previous);
      io.stderr.write(
        `meterway listen: registered at ${base} (was ${previous ?? "none: pull only"}, put back on exit)\n`,
      );
    }
    options.onListening?.(url);
    await new Promise<void>((resolve) => {
      if (options.signal?.aborted) resolve();
      options.signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    io.stderr.write("meterway listen: stopping\n");
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError;
    io.stderr.write(`meterway listen: ${error instanceof Error ? error.message : String(error)}\n`);
    return usage ? 2 : 1;
  } finally {
    // Restored before the endpoint closes: the DCC never sends to an endpoint that is gone.
    await restore?.().catch((error: unknown) => {
      io.stderr.write(
        `meterway listen: the receive URL was not put back: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
    await receiver?.close();
  }
}

/** One POSTed message: written and 200, or reported and 400. */
function receive(body: string, setup: UserSetup, write: (line: string) => void, io: CommandIo): number {
  const inspected = inspectMessage(body, setup);
  if (inspected.signature === "invalid") {
    io.stderr.write(`meterway listen: refused (400) ${describeMessage(inspected)}: ${inspected.detail}\n`);
    return 400;
  }
  try {
    write(JSON.stringify({ receivedAt: new Date().toISOString(), ...inspected.json }));
  } catch (error) {
    // Not written down: the DCC is told so (503) and keeps the message to send again.
    io.stderr.write(
      `meterway listen: not written, refused (503) ${describeMessage(inspected)}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 503;
  }
  return 200;
}

export const listen: Command = async (args, io) => {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await runListen(args, io, { signal: stop.signal });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
};
