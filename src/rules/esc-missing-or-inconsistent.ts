import { defineRule } from "./define.js";
import type { Reply } from "../smtp/model.js";
import type { Capabilities } from "../smtp/vocabulary.js";
import type { RuleContext } from "./types.js";
import { q } from "./util.js";

/** an enhanced status code right after "NNN " / "NNN-" (sticky at offset 4: no copy of the text) */
const ESC = /[245]\.\d{1,3}\.\d{1,3}(?=\s|$)/y;

function escOf(text: string): string | null {
  ESC.lastIndex = 4;
  const m = ESC.exec(text);
  return m === null ? null : m[0];
}

export default defineRule({
  id: "esc-missing-or-inconsistent",
  title: "Enhanced status code missing or differing between lines",
  severity: "warning",
  side: "server",
  reference: "RFC 2034 §4",
  quote: "These codes must appear in all 2xx, 4xx, and 5xx response lines other than initial greeting and any response to HELO or EHLO.",
  meaning: "After advertising ENHANCEDSTATUSCODES the server sent a 2yz/4yz/5yz reply line (not the greeting or an EHLO/HELO reply) without an enhanced code, or different codes on the lines of one reply (warning); an enhanced code on a 3yz reply, which RFC 2034 excludes (info).",
  why: "Clients that use enhanced codes to tell permanent from temporary failures, or to classify bounces, fall back to guessing from text.",
  fix: "Start the text of every 2yz/4yz/5yz line with the same class.subject.detail code.",
  plaintext: true,
  pairing: true,
  minor: true,
}, (ctx) => {
  const f = ctx.conversation;
  const missing: Missing[] = [];
  for (let ix = 0; ix < f.exchanges.length; ix++) {
    const ex = f.exchanges[ix];
    const c = ex.command;
    if (c.afterStartTls || ex.first === undefined || c.verb === "EHLO" || c.verb === "HELO") continue;
    const esc = ex.advertised;
    if (!esc?.keywords.has("ENHANCEDSTATUSCODES")) continue;
    // a lone reply is first and final (most commands): no list of the replies is made for it
    if (ex.first === ex.final) judge(ctx, ex.first, esc, missing);
    else for (const r of f.repliesOf(c.index)) judge(ctx, r, esc, missing);
  }
  if (missing.length > 0) {
    const m = missing[0];
    const more = missing.length > 1 ? ` (${missing.length - 1} more repl${missing.length > 2 ? "ies" : "y"} too)` : "";
    ctx.report({ frames: missing.slice(0, 10).map((x) => x.frame), time: m.time, message: `reply line ${q(m.line, 60)} has no enhanced status code although the server advertised ENHANCEDSTATUSCODES${more}`, evidence: `EHLO reply in frame ${m.ehlo}` });
  }
});

/** A reply line without an enhanced status code, and the EHLO reply that advertised them. */
interface Missing { frame: number; time: number; line: string; ehlo: number }

/** One reply of a command sent after ENHANCEDSTATUSCODES was advertised (`esc`: that EHLO reply's capabilities). */
function judge(ctx: RuleContext, r: Reply, esc: Capabilities, missing: Missing[]): void {
  if (!r.complete || r.code === null || r.greeting || r.afterStartTls) return;
  const cls = Math.floor(r.code / 100);
  const lines = r.lineInfo;
  if (cls === 3) {
    let found: string | null = null;
    for (let k = 0; k < lines.length && found === null; k++) found = escOf(lines[k].text);
    if (found !== null) ctx.report({ severity: "info", frames: r.frames, time: r.firstTime, message: `the ${r.code} reply carries an enhanced status code (${q(found)}), which 3yz replies do not take`, evidence: `reply ${q(r.lines[0] ?? "")}` });
    return;
  }
  // the first line without a code; else whether the lines' codes differ
  let at = -1;
  let firstCode: string | null = null;
  let differ = false;
  for (let k = 0; k < lines.length; k++) {
    const code = escOf(lines[k].text);
    if (code === null) {
      at = k;
      break;
    }
    if (k === 0) firstCode = code;
    else if (code !== firstCode) differ = true;
  }
  if (at >= 0) {
    missing.push({ frame: lines[at].frame, time: lines[at].time, line: r.lines[at] ?? "", ehlo: esc.reply.frames[0] ?? 0 });
  } else if (differ) {
    const codes = [...new Set(lines.map((l) => escOf(l.text)))];
    ctx.report({ frames: r.frames, time: r.firstTime, message: `the lines of one ${r.code} reply carry different enhanced codes (${codes.join(", ")})`, evidence: `reply ${r.index}` });
  }
}
