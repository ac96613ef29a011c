import { defineRule } from "./define.js";
import { afterGap, finalReply, q, replyEndSeq } from "./util.js";
import type { Reply } from "../smtp/model.js";

export default defineRule({
  id: "bdat-sequence-violation",
  title: "BDAT and DATA out of sequence",
  severity: "error",
  side: "client",
  reference: "RFC 3030 §2, §3",
  quote: "Any BDAT command sent after the BDAT LAST is illegal and MUST be replied to with a 503 \"Bad sequence of commands\" reply code.",
  meaning: "The client sent BDAT after BDAT LAST (before a new MAIL), BDAT after a chunk of the transaction was refused with 4yz/5yz and that reply had reached it (ACK proof: chunks already in the pipeline are allowed), DATA after BDAT in one transaction, or DATA after MAIL with BODY=BINARYMIME (client); the server did not answer these 503 (server).",
  why: "The server and the client disagree on where the message ends: parts of it are lost or taken as commands.",
  fix: "Client: one BDAT LAST per transaction, stop sending chunks after a refusal, never mix DATA with BDAT or BINARYMIME. Server: answer each of these 503.",
  plaintext: true,
}, (ctx) => {
  const s = ctx.session;
  if (s.gaps.some((g) => g.side === "client")) return;
  let afterLast = false;
  let bdatUsed = false;
  let binary = false;
  let refused: Reply | null = null;
  for (const c of s.commands) {
    if (c.afterStartTls || afterGap(s, c.frames[0] ?? 0)) continue;
    if (c.kind === "message") { bdatUsed = false; binary = false; refused = null; continue; }
    if (c.kind !== "command") continue;
    const r = finalReply(s, c);
    const code = r && r.complete ? r.code : null;
    const ok = code !== null && code >= 200 && code < 300;
    let why: string | null = null;
    if (c.verb === "MAIL") {
      afterLast = false; bdatUsed = false; refused = null;
      binary = /\sBODY=BINARYMIME\b/i.test(c.line);
    } else if ((c.verb === "RSET" || c.verb === "EHLO" || c.verb === "HELO") && ok) {
      afterLast = false; bdatUsed = false; binary = false; refused = null;
    } else if (c.verb === "BDAT") {
      if (afterLast) why = "after BDAT LAST, before a new MAIL";
      else if (refused && c.segments[0]?.ack != null && c.segments[0].ack >= replyEndSeq(s, refused)) why = `after the refusal ${q(refused.lines[0] ?? "", 40)} of an earlier chunk had reached the client`;
      // a BDAT line that did not parse announced no chunk: its rejection refused none
      if (c.bdat) {
        bdatUsed = true;
        if (c.bdat.last) afterLast = true;
        if (r && code !== null && code >= 400 && refused === null) refused = r;
      }
    } else if (c.verb === "DATA") {
      if (bdatUsed && !afterLast) why = "after BDAT in the same transaction";
      else if (binary) why = "after MAIL with BODY=BINARYMIME";
    }
    if (why === null) continue;
    ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 40)} was sent ${why}`, evidence: `command ${c.index}` });
    if (code !== null && code !== 503) ctx.report({ side: "server", frames: [...c.frames, ...r!.frames], time: r!.firstTime, message: `the server answered ${q(c.line, 40)}, sent ${why}, with ${code}, not 503`, evidence: `reply ${q(r!.lines[0] ?? "")}` });
  }
});
