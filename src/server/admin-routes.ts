/**
 * The DCC operator's API (JSON), for what users may not do themselves:
 *
 * - `GET /api/v1/admin/users/<EUI>`: the user as the DCC knows it: name, roles, receive URL,
 *   certificates (serial, issuer, usage), and how many responses and alerts wait for it;
 * - `PUT /api/v1/admin/users/<EUI>/receive-url` with `{ "url": "http…" | null }`: registers where the
 *   DCC POSTs the user's responses and alerts (null: pull only), checked by the receive-URL policy
 *   like a user's own (`receiveUrlRefused` with the reason), and audited as the operator's change.
 *
 * Who may call it is decided by `guard`, an onRequest hook installed on every route of this plugin:
 * the composition root passes the operator credential's check. The plugin itself trusts any request
 * the guard lets through.
 */
import type { FastifyPluginAsync, FastifyReply, onRequestHookHandler } from "fastify";
import type { Delivery } from "../dcc/delivery.js";
import type { ReceiveUrlPolicy } from "../dcc/receive-url.js";
import { DuisError } from "../duis/errors.js";
import type { AuditRepository, OutboxRepository, UserRepository } from "../store/port.js";
import { checkedReceiveUrl } from "./duis-routes.js";

export interface AdminRoutesOptions {
  /** Refuses callers who are not the operator (an onRequest hook: reply, or return to let through). */
  readonly guard: onRequestHookHandler;
  readonly users: Pick<UserRepository, "get" | "put">;
  readonly outbox: Pick<OutboxRepository, "countPending">;
  readonly receiveUrls: Pick<ReceiveUrlPolicy, "check">;
  readonly delivery: Pick<Delivery, "kick">;
  readonly audit: Pick<AuditRepository, "append">;
  readonly now: () => number;
  /** Pending entries counted at most for a user (the per-user cap). */
  readonly maxPendingPerUser: number;
}

/** An EUI from the path, in either form (`90-B3-D5-1F-30-01-00-00` or `90b3d51f30010000`); undefined when not one. */
function euiOf(text: string): string | undefined {
  const eui = text.replaceAll("-", "").toLowerCase();
  return /^[0-9a-f]{16}$/.test(eui) ? eui : undefined;
}

function notFound(reply: FastifyReply, what: string): FastifyReply {
  return reply.code(404).send({ error: "notFound", message: what });
}

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, options) => {
  app.addHook("onRequest", options.guard);

  app.get("/api/v1/admin/users/:eui", async (request, reply) => {
    const eui = euiOf((request.params as { eui: string }).eui);
    const user = eui === undefined ? undefined : await options.users.get(eui);
    if (user === undefined) return notFound(reply, "no such user");
    return reply.send({
      user: user.eui,
      name: user.name,
      roles: user.roles,
      receiveResponseUrl: user.receiveResponseUrl,
      certificates: user.certificates.map((c) => ({ serial: c.serial, issuer: c.issuer, usage: c.usage })),
      pendingDeliveries: await options.outbox.countPending(user.eui, options.maxPendingPerUser),
    });
  });

  app.put("/api/v1/admin/users/:eui/receive-url", async (request, reply) => {
    try {
      const eui = euiOf((request.params as { eui: string }).eui);
      const user = eui === undefined ? undefined : await options.users.get(eui);
      if (user === undefined) return notFound(reply, "no such user");
      const url = await checkedReceiveUrl(request.body, options.receiveUrls);
      await options.users.put({ ...user, receiveResponseUrl: url });
      await options.audit.append({
        at: options.now(),
        kind: "user.receive-url.set",
        actor: "operator",
        requestId: null,
        detail: { user: user.eui, url, previous: user.receiveResponseUrl, by: "operator" },
      });
      options.delivery.kick();
      return reply.send({ user: user.eui, receiveResponseUrl: url });
    } catch (error) {
      const e = error instanceof DuisError ? error : new DuisError("internal", undefined, { cause: error });
      return reply.code(e.httpStatus).send({ error: e.key, message: e.message });
    }
  });
};
