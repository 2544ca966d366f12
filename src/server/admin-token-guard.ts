/**
 * An interim guard for the admin API: a request passes only with `Authorization: Bearer <token>`
 * where the token is the configured one (METERWAY_ADMIN_TOKEN); with no token configured, every
 * request is refused. The composition root passes it as the admin routes' `guard`; the operator
 * credential (src/server/operator-auth.ts) replaces it there, and this file goes.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { onRequestHookHandler } from "fastify";

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** The onRequest hook that lets through only the holder of `token` (none: nobody). */
export function adminTokenGuard(token: string | null): onRequestHookHandler {
  // Compared as digests: equal length, so the comparison takes the same time whatever is sent.
  const expected = token === null ? null : digest(token);
  return async (request, reply) => {
    const header = request.headers.authorization ?? "";
    const sent = header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : null;
    if (expected !== null && sent !== null && timingSafeEqual(digest(sent), expected)) return;
    return reply
      .code(401)
      .header("www-authenticate", 'Bearer realm="meterway admin"')
      .send({ error: "unauthorised", message: "the admin API needs the operator's bearer token" });
  };
}
