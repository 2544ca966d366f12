/**
 * GBZ components sent server to client. Most ZSE commands the DCC sends are client-to-server (the
 * meter is the server of the cluster), but some clusters have the meter as the client: the
 * Messaging (Display Message), Calendar (Publish Calendar, Day, Week, Seasons, Special Days),
 * Device Management (Publish Change of Tenancy / Supplier, Request New Password Response) and
 * Price clusters' commands travel server to client (ZSE, and the GBCS use-case templates' frame
 * control "server-client"). `gbzCommand` writes client-to-server frames; this marks the others.
 */
import type { GbzComponentsPayload } from "../../gbcs/gbz/gbz-payload.js";
import { type GbzComponentSpec, gbzCommand } from "./gbz-builder.js";

/** A component with the direction of its ZCL frame. */
export interface DirectedComponent {
  readonly spec: GbzComponentSpec;
  readonly serverToClient: boolean;
}

/** A client-to-server component (the default direction). */
export function toServer(spec: GbzComponentSpec): DirectedComponent {
  return { spec, serverToClient: false };
}

/** A server-to-client component. */
export function toClient(spec: GbzComponentSpec): DirectedComponent {
  return { spec, serverToClient: true };
}

/** The GBZ payload of directed components: numbered and marked by `gbzCommand`, directions set. */
export function gbzDirectedCommand(components: readonly DirectedComponent[]): GbzComponentsPayload {
  const payload = gbzCommand(components.map((c) => c.spec));
  return {
    ...payload,
    components: payload.components.map((component, i) => {
      const body = component.body;
      if (!components[i]?.serverToClient || body.encrypted) return component;
      const header = body.frame.header;
      return {
        ...component,
        body: {
          ...body,
          frame: {
            ...body.frame,
            header: { ...header, frameControl: { ...header.frameControl, direction: "serverToClient" } },
          },
        },
      };
    }),
  };
}
