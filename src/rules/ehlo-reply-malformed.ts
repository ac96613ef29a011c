import { defineRule } from "./define.js";
import { EHLO_KEYWORDS, ehloKeyword, replyText } from "../smtp/vocabulary.js";
import { greetingExchanges, q } from "./util.js";

const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
/** the parameters (space-separated, each printable: %x21-7E) hold another octet */
const PARAMS_BAD = /[^\x20-\x7e]/;

export default defineRule({
  id: "ehlo-reply-malformed",
  title: "EHLO reply that breaks the ehlo-ok-rsp grammar",
  severity: "warning",
  side: "server",
  reference: "RFC 5321 §4.1.1.1",
  quote: "ehlo-ok-rsp = ( \"250\" SP Domain [ SP ehlo-greet ] CRLF ) / ( \"250-\" Domain [ SP ehlo-greet ] CRLF *( \"250-\" ehlo-line CRLF ) \"250\" SP ehlo-line CRLF )",
  meaning: "The first line of the EHLO reply carries a keyword where the server's domain belongs, a keyword or parameter breaks the grammar, or a keyword is listed twice (warning); a keyword that is neither registered nor X-prefixed (info).",
  why: "Clients that follow the grammar skip the first line: a capability placed there (often PIPELINING or STARTTLS) is not seen — Cisco ESA, for one, ignores it.",
  fix: "Put the domain on the first line and one keyword per following line.",
  plaintext: true,
  minor: true,
  pairing: true,
}, (ctx) => {
  for (const { reply: r } of greetingExchanges(ctx.session)) {
    if (!r.complete) continue;
    const first = r.lineInfo[0];
    const firstWord = ehloKeyword(first.text).keyword.toUpperCase();
    if (r.lineInfo.length > 1 && EHLO_KEYWORDS.has(firstWord)) {
      ctx.report({ frames: [first.frame], time: first.time, message: `the EHLO reply's first line ${q(first.text, 40)} carries the keyword ${firstWord} where the server's domain belongs: grammar-following clients will not see it`, evidence: `reply ${r.index}` });
    }
    const seen = new Set<string>();
    for (let i = 1; i < r.lineInfo.length; i++) {
      const l = r.lineInfo[i];
      // ehloKeyword() without its arrays: the keyword up to the first space, the parameters after it
      const text = replyText(l.text);
      const sp = text.indexOf(" ");
      const kw = sp < 0 ? text : text.slice(0, sp);
      const up = kw.toUpperCase();
      if (/^AUTH=/i.test(kw) || /^X-[A-Z]+=/i.test(kw)) {
        ctx.report({ severity: "info", frames: [l.frame], time: l.time, message: `EHLO line ${q(l.text, 50)} uses the legacy \`AUTH=\` form kept for old clients; it is not an ehlo-keyword`, evidence: `reply ${r.index}` });
      } else if (!KEYWORD.test(kw) || (sp >= 0 && PARAMS_BAD.test(text.slice(sp + 1)))) {
        // grammar only (an underscore in a keyword, say): clients match keywords they know, so it is a nit
        ctx.report({ severity: "info", frames: [l.frame], time: l.time, message: `EHLO line ${q(l.text, 50)} does not follow the EHLO grammar: a keyword is letters, digits and hyphens, and its parameters are printable characters`, evidence: `reply ${r.index}` });
      } else if (seen.has(up)) {
        ctx.report({ frames: [l.frame], time: l.time, message: `the EHLO reply lists ${q(kw, 30)} twice`, evidence: `reply ${r.index}` });
      } else if (!EHLO_KEYWORDS.has(up) && !up.startsWith("X")) {
        ctx.report({ severity: "info", frames: [l.frame], time: l.time, message: `EHLO keyword ${q(kw, 30)} is neither a registered extension smtpcap knows nor X-prefixed`, evidence: `reply ${r.index}` });
      }
      seen.add(up);
    }
  }
});
