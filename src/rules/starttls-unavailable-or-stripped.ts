import { defineRule } from "./define.js";
import { ehloKeyword, ehloLines } from "../smtp/vocabulary.js";
import { q } from "./util.js";
import type { Reply } from "../smtp/model.js";
import type { RuleContext } from "./types.js";

interface Masked { reply: Reply; frame: number; time: number; kw: string; text: string }

export default defineRule({
  id: "starttls-unavailable-or-stripped",
  title: "STARTTLS masked, removed or refused",
  severity: "warning",
  side: "middlebox",
  reference: "RFC 3207 §6",
  quote: "A man-in-the-middle attack can be launched by deleting the \"250 STARTTLS\" response from the server.",
  meaning: "An EHLO reply before TLS has a keyword made only of X's, or of X's ending in one other letter (`XXXXXXXA`: a masked STARTTLS), the banner is asterisks, an earlier connection to the same server in the capture was offered STARTTLS and this one was not, or STARTTLS was refused with 500/502 although advertised. Info when the client asked for STARTTLS that was simply not offered.",
  why: "The session falls back to plaintext: credentials and mail can be read on the path.",
  fix: "Disable SMTP inspection on firewalls between client and server; require TLS for this peer.",
  plaintext: true,
  pairing: true,
}, (ctx) => {
  const s = ctx.session;
  const f = ctx.conversation;
  let masked: Masked[] | null = null;
  for (let ix = 0; ix < f.exchanges.length; ix++) {
    const ex = f.exchanges[ix];
    const c = ex.command;
    // only what crossed the path in plaintext can show stripping: inside TLS (a decrypted capture)
    // no middlebox can rewrite, and the server must not offer STARTTLS again (RFC 3207 §4.2)
    if (c.kind !== "command" || c.afterStartTls || ex.inTls) continue;
    if (c.verb === "EHLO" && ex.first !== undefined) {
      const r = ex.first;
      for (let i = 1; i < r.lineInfo.length; i++) {
        const l = r.lineInfo[i];
        const c0 = l.text.charCodeAt(4); // a masked keyword is all X's: only such a line is split into words
        if (c0 !== 0x58 && c0 !== 0x78) continue;
        const kw = ehloKeyword(l.text).keyword;
        // all X's, or X's ending in one other capital: Cisco ASA's mask of STARTTLS is `XXXXXXXA`
        if (/^(?:[Xx]{4,}|X{3,}[A-WYZ])$/.test(kw)) (masked ??= []).push({ reply: r, frame: l.frame, time: l.time, kw, text: l.text });
      }
      // a keyword starting with STARTTLS is a line starting with it (the parsed lines are cached)
      const has = ehloLines(r).some((k) => k.startsWith("STARTTLS"));
      if (!has && r.complete && r.code === 250) {
        const other = ctx.earlier.offeredStartTls(s.server);
        if (other !== null) ctx.report({ frames: r.frames, time: r.firstTime, message: `the EHLO reply does not offer STARTTLS, but an earlier connection to the same server ${s.server} (tcp.stream ${other}) was offered it`, evidence: `compare tcp.stream ${other}` });
      }
    }
    if (c.verb === "STARTTLS") {
      const caps = ex.caps;
      const offered = ex.advertised;
      const r = ex.first;
      if (caps && !caps.keywords.has("STARTTLS")) ctx.report({ severity: "info", frames: c.frames, time: c.time, message: "the client sent STARTTLS, which the server had not offered", evidence: `EHLO reply in frame ${caps.reply.frames[0]}` });
      else if (offered && offered.keywords.has("STARTTLS") && r && (r.code === 500 || r.code === 502)) ctx.report({ frames: [...c.frames, ...r.frames], time: r.firstTime, message: `STARTTLS was advertised but refused with ${r.code}`, evidence: `reply ${q(r.lines[0] ?? "")}` });
    }
  }
  const g = f.greeting;
  if (g && /^220[ -]\*{5,}/.test(g.lines[0] ?? "")) {
    // one finding for the box's two marks: the masked banner and the masked keywords (STARTTLS as `XXXXXXXA`)
    const kws = masked ?? [];
    masked = null;
    ctx.report({
      frames: [...g.frames, ...kws.map((m) => m.frame).filter((x) => !g.frames.includes(x))],
      time: g.firstTime,
      message: `the greeting banner is masked with asterisks${kws.length ? ` and the EHLO reply carries the masked keyword ${q(kws[0].kw)}` : ""}: an inspecting firewall rewrites this session`,
      evidence: `greeting ${q(g.lines[0])}${kws.length ? ` (frame ${g.frames[0]}); ${kws.map((m) => `line ${q(m.text)} (frame ${m.frame})`).join("; ")}` : ""}`,
    });
  }
  // one finding per EHLO reply: a box that masks one keyword usually masks several (ASA lettering them A, B, C, …)
  const ms = masked ?? [];
  for (let i = 0, j = 0; i < ms.length; i = j) {
    while (j < ms.length && ms[j].reply === ms[i].reply) j++;
    reportMasked(ctx, ms.slice(i, j));
  }
});

/** The masked keywords of one EHLO reply; those as long as STARTTLS (8 characters) are said so, and no more. */
function reportMasked(ctx: RuleContext, ms: Masked[]): void {
  const eight = ms.filter((m) => m.kw.length === 8).map((m) => q(m.kw));
  const named = ms.length === 1 ? `the masked keyword ${q(ms[0].kw)}` : `${ms.length} masked keywords (${ms.map((m) => q(m.kw)).join(", ")})`;
  const what = ms.length === 1 ? "an extension" : "extensions";
  const long = eight.length === 0 ? "" : ms.length === 1 ? " (8 characters, as long as STARTTLS)" : `; ${eight.join(", ")} ${eight.length === 1 ? "is" : "are"} as long as STARTTLS (8 characters)`;
  const frames = [...new Set(ms.map((m) => m.frame))];
  ctx.report({ frames, time: ms[0].time, message: `the EHLO reply carries ${named}: a middlebox replaced ${what} with X's${long}`, evidence: ms.map((m) => `line ${q(m.text)} (frame ${m.frame})`).join("; ") });
}
