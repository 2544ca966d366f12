/**
 * ZSE commands that the DCC sends in the server's direction. Some GBCS gas use cases have the GSME
 * act on a command the ZSE defines as sent by a cluster's server to its clients (the Price
 * cluster's Publish Conversion Factor, Publish Calorific Value, Publish Billing Period and Publish
 * Block Period, GCS23 and GCS25; the Events cluster's Get Event Configuration, GCS20r): the DCC
 * stands in for the ESI, so the ZCL frame control carries direction "server to client" (bit 3).
 * `gbzCommand` builds every component client-to-server; this turns the components it names round.
 */
import type { GbzComponentsPayload } from "../../gbcs/gbz/gbz-payload.js";

/** The payload with the ZCL direction of every plain component set to server-to-client. */
export function fromServer(payload: GbzComponentsPayload): GbzComponentsPayload {
  return {
    ...payload,
    components: payload.components.map((c) =>
      c.body.encrypted
        ? c
        : {
            ...c,
            body: {
              ...c.body,
              frame: {
                ...c.body.frame,
                header: {
                  ...c.body.frame.header,
                  frameControl: { ...c.body.frame.header.frameControl, direction: "serverToClient" },
                },
              },
            },
          },
    ),
  };
}
