import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readDlmsAlert } from "../../../src/gbcs/dlms/alert.js";
import { encodeData } from "../../../src/gbcs/dlms/data.js";
import { decodeDlmsPayload, encodeDlmsPayload } from "../../../src/gbcs/dlms/index.js";
import { DecodeError } from "../../../src/gbcs/errors.js";
import { hex, keyedContext, rtdsDlmsMessages, rtdsMessage } from "./rtds.js";

const alerts = rtdsDlmsMessages().filter((m) => m.frame.content[0] === 0x0f);

describe("DLMS alerts", () => {
  for (const { name, frame } of alerts) {
    const fromName = /_([0-9A-F]{4})_/.exec(name.split("/")[1]!)?.[1];
    it(`${name}: alert code${fromName ? ` 0x${fromName}` : ""} and date-time`, () => {
      const alert = readDlmsAlert(decodeDlmsPayload(frame.content));
      if (fromName) assert.equal(alert.alertCode, Number.parseInt(fromName, 16));
      assert.ok(alert.alertCode >= 0x8000, `0x${alert.alertCode.toString(16)}`);
      assert.ok(alert.dateTime.year >= 2014 && alert.dateTime.year <= 2030, `${alert.dateTime.year}`);
    });
  }

  it("ECS68 billing data alerts carry protected attributes that decrypt for the supplier", () => {
    for (const kind of ["SINGLE", "TWIN"]) {
      const { frame } = rtdsMessage(`NA_ECS68/ECS68_NA_8F0A_${kind}_ALERT_GBCS.HEX`);
      const payload = decodeDlmsPayload(frame.content, keyedContext(frame, frame.recipient));
      const [view] = payload.protectedAttributes;
      assert.equal(view?.location, "notificationBody");
      assert.equal(view.index, 2);
      assert.ok(view.decrypted?.ok, JSON.stringify(view.decrypted));
      if (view.decrypted.ok)
        assert.equal(hex(encodeData(view.decrypted.data)), hex(view.decrypted.plaintext));
      assert.equal(hex(encodeDlmsPayload(payload)), hex(frame.content));
    }
  });

  it("a response is not an alert", () => {
    const { frame } = rtdsMessage("4.1.1_ECS17b/ECS17b_4.1.1_ERROR_RESPONSE_GBCS.HEX");
    assert.throws(() => readDlmsAlert(decodeDlmsPayload(frame.content)), DecodeError);
  });
});
