import { defineRule } from "./define.js";
import { UNIVERSAL_REPLY_CODES, replyCodesFor } from "../smtp/vocabulary.js";
import { cmdLabel, q } from "./util.js";

/** RFC 5321 §4.3.2 and the extension RFCs: the codes each command may get (besides 421, 500, 501, 530). */

export default defineRule({
  id: "reply-code-unexpected-for-command",
  title: "Reply code not defined for the command it answers",
  severity: "warning",
  side: "server",
  traits: ["pairing-judge", "shifted-code"],
  reference: "RFC 5321 §4.3.1",
  quote: "A receiver MAY substitute text in the replies, but the meanings and actions implied by the code numbers and by the specific command reply sequence MUST be preserved.",
  meaning: "The reply paired (in order) with a command has a code that the command–reply table of RFC 5321 §4.3.2 (and the extension RFCs) does not list for it. A 3yz reply to anything but DATA or AUTH is an error.",
  why: "Clients act on the code; an unexpected one, above all a 3yz, makes them send the wrong thing next.",
  fix: "Answer each command with a code from its row of the table; if the pairing itself is off, look for the missing or extra reply first.",
  plaintext: true,
  pairing: true,
}, {
  exchange({ command: c, first: r }, ctx) {
    if (c.afterStartTls || c.takenAsAuthResponse || r === undefined) return; // a SASL answer, not the command's
    if (!r.complete || r.code === null || !ctx.conversation.trustedFrames([r.frames[r.frames.length - 1]])) return;
    const code = r.code;
    if (UNIVERSAL_REPLY_CODES.includes(code)) return;
    const first = Math.floor(code / 100);
    if (c.verb === "BDAT" && c.kind === "command") {
      if (code === 250 || first === 4 || first === 5) return;
    } else {
      const ok = replyCodesFor(c);
      if (ok === null || ok.includes(code)) return;
    }
    const threeYz = first === 3;
    ctx.report({
      severity: threeYz ? "error" : undefined,
      frames: [...c.frames.slice(0, 1), ...r.frames.slice(0, 1)],
      time: r.firstTime,
      message: `${cmdLabel(c)} was answered ${code} (${q(r.lines[0] ?? "", 50)}), which is not a reply defined for it${threeYz ? "; a 3yz asks the client for more input it has no reason to send" : ""}`,
      evidence: `reply ${r.index} paired with command ${c.index} by counting`,
    });
  },
});
