/**
 * A Service User's receive-response endpoint, the smallest that works: an HTTP server on a local
 * port that answers every POST with 200 and hands the body (a signed DUIS response or alert) to
 * whoever waits for it. Used by `meterway request` and by the end-to-end tests; a real user's
 * endpoint does the same after storing the message.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedMessage {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

export class ResponseReceiver {
  private readonly server: Server;
  private readonly queue: ReceivedMessage[] = [];
  private readonly waiters: Array<{
    readonly match: (message: ReceivedMessage) => boolean;
    readonly resolve: (message: ReceivedMessage) => void;
  }> = [];
  /** Every message received, in order. */
  readonly received: ReceivedMessage[] = [];
  /** What the next POSTs are answered with (tests make the endpoint fail); 200 when empty. */
  readonly statuses: number[] = [];

  /**
   * With `handle`, every message goes to it and is answered with the status it gives (and neither
   * kept nor handed to a waiter): a long-running endpoint (`meterway listen`) keeps nothing.
   */
  private constructor(private readonly handle?: (message: ReceivedMessage) => number) {
    this.server = createServer((request, response) => {
      readBody(request)
        .then((body) => {
          if (this.handle !== undefined) {
            const message = { path: request.url ?? "/", contentType: request.headers["content-type"], body };
            const status = this.handle(message);
            response
              .writeHead(status, { "content-type": "text/plain" })
              .end(status === 200 ? "OK" : "refused");
            return;
          }
          const status = this.statuses.shift() ?? 200;
          response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "OK" : "not now");
          if (status !== 200) return;
          const message = { path: request.url ?? "/", contentType: request.headers["content-type"], body };
          this.received.push(message);
          const at = this.waiters.findIndex((w) => w.match(message));
          if (at >= 0) this.waiters.splice(at, 1)[0]!.resolve(message);
          else this.queue.push(message);
        })
        .catch((error: unknown) => {
          // Refused without reading on: the connection closes, so a sender cannot stream for ever.
          response.writeHead(error instanceof BodyTooLarge ? 413 : 400, { connection: "close" }).end();
          request.destroy();
        });
    });
    // A sender that never finishes its headers or body is cut off, as the DCC's own server does.
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
  }

  /** Starts listening on `host:port` (port 0: a free one); `handle`: see the constructor. */
  static async start(
    host = "127.0.0.1",
    port = 0,
    handle?: (message: ReceivedMessage) => number,
  ): Promise<ResponseReceiver> {
    const receiver = new ResponseReceiver(handle);
    await new Promise<void>((resolve, reject) => {
      receiver.server.once("error", reject);
      receiver.server.listen(port, host, () => resolve());
    });
    return receiver;
  }

  /** The URL to register as the user's receive-response endpoint. */
  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://${address.address}:${address.port}/duis/receive`;
  }

  /** The next message answered with 200 (resolves at once when one is already waiting). */
  next(): Promise<ReceivedMessage> {
    return this.waitFor(() => true);
  }

  /**
   * The first message answered with 200, already received or still to come, that `match` accepts.
   * Only that one is taken: the others stay for whoever waits for them, so a client waiting for
   * its own response never takes another request's.
   */
  waitFor(match: (message: ReceivedMessage) => boolean): Promise<ReceivedMessage> {
    const at = this.queue.findIndex(match);
    if (at >= 0) return Promise.resolve(this.queue.splice(at, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The largest body taken (a signed DUIS response is a few KiB); a larger one is refused with 413. */
export const MAX_RECEIVED_BYTES = 1024 * 1024;

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_RECEIVED_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
