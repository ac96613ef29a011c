import { defineRule } from "./define.js";
import { q } from "./util.js";

export default defineRule({
  id: "submission-unauthenticated-mail-accepted",
  title: "Submission port accepted MAIL without AUTH",
  severity: "info",
  side: "server",
  reference: "RFC 6409 §4.3",
  quote: "The MSA MUST, by default, issue an error response to the MAIL command if the session has not been authenticated using [SMTP-AUTH], unless it has already independently established authentication or authorization (such as being within a protected subnetwork).",
  meaning: "On port 587, in plaintext the capture can read, MAIL was answered 250 without a 235 before it. Info: authorisation by address is allowed and invisible in a capture.",
  why: "An open submission port relays for anyone who can reach it.",
  fix: "Require AUTH on 587, or make sure only trusted networks can reach it.",
  plaintext: true,
  pairing: true,
}, {
  // every exchange in order (any kind: the first sent after STARTTLS ends the plaintext part)
  exchange(ex, ctx) {
    if (ctx.session.serverPort !== 587) return "stop";
    const c = ex.command;
    if (c.afterStartTls) return "stop"; // encrypted from here: AUTH is invisible
    const r = ex.final;
    if (c.kind !== "command") return;
    // post-auth: a 235 answered the AUTH command or the last SASL response of its exchange
    if (c.verb === "MAIL" && r && r.complete && r.code === 250 && ex.phase !== "post-auth") {
      ctx.report({ frames: [...c.frames, ...r.frames], time: r.firstTime, message: `the submission server (port 587) accepted ${q(c.line, 60)} without AUTH`, evidence: `reply ${q(r.lines[0] ?? "")}` });
      return "stop";
    }
    return;
  },
});
