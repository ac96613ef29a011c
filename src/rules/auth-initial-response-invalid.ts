import { defineRule } from "./define.js";
import { lineCut, q } from "./util.js";

/** RFC 4954 §4 (with RFC 5321 §4.5.3.1.4): a command line, CRLF included. */
const MAX_AUTH_LINE = 512;

export default defineRule({
  id: "auth-initial-response-invalid",
  title: "AUTH initial response too long, empty or not BASE64",
  severity: "error",
  side: "client",
  traits: ["own-octets"],
  reference: "RFC 4954 §4",
  quote: "If the client is transmitting an initial response of zero length, it MUST instead transmit the response as a single equals sign (\"=\").",
  meaning: "`AUTH mechanism <initial-response>` longer than 512 octets (RFC 4954 §4: then \"the client MUST NOT use the initial response parameter\"), an AUTH line that ends with a space and no response, or an initial response that is not BASE64.",
  why: "Servers cut or reject the line, and the authentication fails for a reason the user cannot see.",
  fix: "Send `=` for an empty initial response; past 512 octets, send AUTH without it and answer the 334.",
  plaintext: true,
}, {
  exchange: {
    verbs: ["AUTH"],
    visit({ command: c }, ctx) {
      if (c.kind !== "command" || c.afterStartTls || c.lineInfo === null || lineCut(c)) return;
      const parts = c.line.split(" ");
      const what = c.lineInfo.length > MAX_AUTH_LINE && parts.length > 2 ? `is ${c.lineInfo.length} octets with its initial response, more than ${MAX_AUTH_LINE}`
        : parts.length === 3 && parts[2] === "" ? "ends with a space and no initial response (an empty one is sent as `=`)"
          : c.saslBase64 === false ? "carries an initial response that is not BASE64" : null;
      if (what !== null) ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 50)} ${what}`, evidence: `command ${c.index}` });
    },
  },
});
