import { defineRule } from "./define.js";
import { EHLO_KEYWORDS } from "../smtp/vocabulary.js";
import { q } from "./util.js";

const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

export default defineRule({
  id: "ehlo-reply-malformed",
  title: "EHLO reply that breaks the ehlo-ok-rsp grammar",
  severity: "warning",
  side: "server",
  traits: ["own-octets"],
  reference: "RFC 5321 §4.1.1.1",
  quote: "ehlo-ok-rsp = ( \"250\" SP Domain [ SP ehlo-greet ] CRLF ) / ( \"250-\" Domain [ SP ehlo-greet ] CRLF *( \"250-\" ehlo-line CRLF ) \"250\" SP ehlo-line CRLF )",
  meaning: "The first line of the EHLO reply carries a keyword where the server's domain belongs, a keyword or parameter breaks the grammar, or a keyword is listed twice (warning); a keyword that is neither registered nor X-prefixed (info).",
  why: "Clients that follow the grammar skip the first line: a capability placed there (often PIPELINING or STARTTLS) is not seen — Cisco ESA, for one, ignores it.",
  fix: "Put the domain on the first line and one keyword per following line.",
  plaintext: true,
  minor: true,
  pairing: true,
}, {
  exchange: {
    verbs: ["EHLO"],
    visit({ command: cmd, first: r }, ctx) {
      // each plaintext EHLO answered with 250
      if (cmd.kind !== "command" || cmd.verb !== "EHLO" || cmd.afterStartTls || r === undefined) return;
      if (r.code !== 250 || !r.complete) return;
      const first = r.lineInfo[0];
      if (r.lineInfo.length > 1) {
        // ehloKeyword(): the text after the code up to the first space
        const sp0 = first.text.indexOf(" ", 4);
        const firstWord = (sp0 < 0 ? first.text.slice(4) : first.text.slice(4, sp0)).toUpperCase();
        if (EHLO_KEYWORDS.has(firstWord)) {
          ctx.report({ frames: [first.frame], time: first.time, message: `the EHLO reply's first line ${q(first.text, 40)} carries the keyword ${firstWord} where the server's domain belongs: grammar-following clients will not see it`, evidence: `reply ${r.index}` });
        }
      }
      const seen: string[] = [];
      for (let i = 1; i < r.lineInfo.length; i++) {
        const l = r.lineInfo[i];
        // the keyword up to the first space after the code, the parameters after it
        const text = l.text;
        const sp = text.indexOf(" ", 4);
        const kw = sp < 0 ? text.slice(4) : text.slice(4, sp);
        const up = kw.toUpperCase();
        if (kw.includes("=") && (/^AUTH=/i.test(kw) || /^X-[A-Z]+=/i.test(kw))) {
          ctx.report({ severity: "info", frames: [l.frame], time: l.time, message: `EHLO line ${q(l.text, 50)} uses the legacy \`AUTH=\` form kept for old clients; it is not an ehlo-keyword`, evidence: `reply ${r.index}` });
        } else if (!KEYWORD.test(kw) || (sp >= 0 && paramsBad(text, sp + 1))) {
          // grammar only (an underscore in a keyword, say): clients match keywords they know, so it is a nit
          ctx.report({ severity: "info", frames: [l.frame], time: l.time, message: `EHLO line ${q(l.text, 50)} does not follow the EHLO grammar: a keyword is letters, digits and hyphens, and its parameters are printable characters`, evidence: `reply ${r.index}` });
        } else if (seen.includes(up)) {
          ctx.report({ frames: [l.frame], time: l.time, message: `the EHLO reply lists ${q(kw, 30)} twice`, evidence: `reply ${r.index}` });
        } else if (!EHLO_KEYWORDS.has(up) && !up.startsWith("X")) {
          ctx.report({ severity: "info", frames: [l.frame], time: l.time, message: `EHLO keyword ${q(kw, 30)} is neither a registered extension smtpcap knows nor X-prefixed`, evidence: `reply ${r.index}` });
        }
        seen.push(up);
      }
    },
  },
});

/** the parameters (space-separated, each printable: %x21-7E) hold another octet, from `from` on */
function paramsBad(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return true;
  }
  return false;
}
