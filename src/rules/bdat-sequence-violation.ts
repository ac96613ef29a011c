import { defineRule } from "./define.js";
import { q, replyEndSeq } from "./util.js";

export default defineRule({
  id: "bdat-sequence-violation",
  title: "BDAT and DATA out of sequence",
  severity: "error",
  side: "client",
  reference: "RFC 3030 §2, §3",
  quote: "Any BDAT command sent after the BDAT LAST is illegal and MUST be replied to with a 503 \"Bad sequence of commands\" reply code.",
  quoteFor: {
    client: { reference: "RFC 3030 §2", quote: "If a 5XX or 4XX code is received by the sender-SMTP in response to a BDAT chunk, the transaction should be considered failed and the sender-SMTP MUST NOT send any additional BDAT segments." },
    server: { reference: "RFC 3030 §2, §3", quote: "Any BDAT command sent after the BDAT LAST is illegal and MUST be replied to with a 503 \"Bad sequence of commands\" reply code." },
  },
  meaning: "The client sent BDAT after BDAT LAST (before a new MAIL), BDAT after a chunk of the transaction was refused with 4yz/5yz and that reply had reached it (ACK proof: chunks already in the pipeline are allowed), DATA after BDAT in one transaction, or DATA after MAIL with BODY=BINARYMIME (client); the server did not answer these 503 (server).",
  why: "The server and the client disagree on where the message ends: parts of it are lost or taken as commands.",
  fix: "Client: one BDAT LAST per transaction, stop sending chunks after a refusal, never mix DATA with BDAT or BINARYMIME. Server: answer each of these 503.",
  plaintext: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["BDAT", "DATA"],
    visit(ex, ctx) {
      const c = ex.command;
      if (c.kind !== "command" || c.afterStartTls) return;
      const tx = ex.transaction;
      const before = tx ? tx.bodyCommands.filter((b) => b.index < c.index) : [];
      let why: string | null = null;
      if (c.verb === "BDAT") {
        const prev = tx === null ? ex.previous : null;
        if (prev?.end?.kind === "bdat-last") why = "after BDAT LAST, before a new MAIL";
        else if (prev?.end?.kind === "bdat-refused") {
          const refused = ctx.conversation.exchanges[prev.end.command.index]?.final;
          if (refused && c.segments[0]?.ack != null && c.segments[0].ack >= replyEndSeq(ctx.session, refused)) why = `after the refusal ${q(refused.lines[0] ?? "", 40)} of an earlier chunk had reached the client`;
        }
      } else if (before.some((b) => b.verb === "BDAT" && b.bdat)) why = "after BDAT in the same transaction";
      else if (tx?.binary) why = "after MAIL with BODY=BINARYMIME";
      if (why === null) return;
      ctx.report({ frames: c.frames, time: c.time, message: `${q(c.line, 40)} was sent ${why}`, evidence: `command ${c.index}` });
      const r = ex.final;
      if (r && ex.outcome !== "none" && r.code !== 503) ctx.report({ side: "server", frames: [...c.frames, ...r.frames], time: r.firstTime, message: `the server answered ${q(c.line, 40)}, sent ${why}, with ${r.code}, not 503`, evidence: `reply ${q(r.lines[0] ?? "")}` });
    },
  },
});
