import { defineRule } from "./define.js";
import { NO_ARG_VERBS } from "../smtp/vocabulary.js";
import { q } from "./util.js";
import type { Command } from "../smtp/model.js";

const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);
const BARE_IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** `s` starts with `lower` (lower-case letters and other characters), letters in any case. */
function startsWithCI(s: string, lower: string): boolean {
  if (s.length < lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const want = lower.charCodeAt(i);
    const c = s.charCodeAt(i);
    if (c !== want && !(want >= 0x61 && want <= 0x7a && c === want - 0x20)) return false;
  }
  return true;
}

/** The first grammar problem of a command line, or null. `trailing`: only white space at the end. */
function problem(c: Command): { what: string; severity: "warning" | "error" | "info"; trailing?: boolean } | null {
  const line = c.line;
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  const body = end === line.length ? line : line.slice(0, end); // without trailing white space
  if (c.verb === "MAIL" || c.verb === "RCPT") {
    // the usual form, `MAIL FROM:<` / `RCPT TO:<` (any case), has no problem the pattern below finds
    const m = startsWithCI(body, c.verb === "MAIL" ? "mail from:<" : "rcpt to:<") ? null : /^(MAIL\s+FROM|RCPT\s+TO)(\s*):(\s*)(.*)$/i.exec(body);
    if (m) {
      if (m[2] || m[3]) return { what: `has a space ${m[2] ? "before" : "after"} the colon: spaces are not permitted on either side of it`, severity: "warning" };
      if (!m[4].startsWith("<")) return { what: "gives the path without angle brackets (`<…>`)", severity: "warning" };
    }
  } else if (c.verb === "EHLO" || c.verb === "HELO") {
    const words = body.split(/\s+/).slice(1);
    const arg = words[0] ?? "";
    if (arg === "") return { what: "has no domain or address literal", severity: "warning" };
    if (BARE_IPV4.test(arg)) return { what: `gives the IP address ${q(arg)} without brackets: an address is sent as an address literal (\`[${arg}]\`)`, severity: "warning" };
    if (!arg.startsWith("[") && !arg.startsWith("#") && !DOMAIN.test(arg)) return { what: `gives ${q(arg, 40)}, which is neither a domain name nor an address literal`, severity: "warning" };
    if (words.length > 1) return { what: "has more than one argument", severity: "warning" };
  } else if (NO_ARG_VERBS.has(c.verb) && /^\S+\s+\S/.test(body)) {
    return { what: `carries a parameter, but ${c.verb} takes none`, severity: "error" };
  }
  if (body.length < line.length) return { what: "ends with white space before the CRLF", severity: "info", trailing: true };
  return null;
}

export default defineRule({
  id: "command-syntax",
  title: "Command that breaks the RFC 5321 grammar",
  severity: "warning",
  side: "client",
  traits: ["own-octets"],
  reference: "RFC 5321 §3.3, §4.1.1",
  quote: "Since it has been a common source of errors, it is worth noting that spaces are not permitted on either side of the colon following FROM in the MAIL command or TO in the RCPT command.",
  quoteFor: {
    server: { reference: "RFC 5321 §4.1.1", quote: "(In the interest of improved interoperability, SMTP receivers SHOULD tolerate trailing white space before the terminating <CRLF>.)" },
  },
  meaning: "MAIL FROM/RCPT TO with a space around the colon or a path without <>; EHLO/HELO whose argument is neither a domain nor an address literal (a bare IP address); RSET, DATA or QUIT with a parameter (error: RFC 5321 §4.1.1 — \"clients MUST NOT send such parameters\"). Trailing white space is info, and a server that rejects only that with 501 gets a warning (\"SMTP receivers SHOULD tolerate trailing white space\").",
  why: "Strict servers reject such commands with 501 (and lenient ones guess): mail is refused at some sites and accepted at others.",
  fix: "Send `MAIL FROM:<address>` exactly, EHLO with the host's domain name or `[address]`, and no parameters on RSET, DATA and QUIT.",
  plaintext: true,
  pairing: true,
  minor: true,
}, {
  exchange: {
    kinds: ["command"],
    visit({ command: c }, ctx) {
      if (c.kind !== "command" || c.afterStartTls || c.lineInfo === null || c.lineInfo.gap) return;
      const p = problem(c);
      if (p === null) return;
      ctx.report({ severity: p.severity, frames: c.frames, time: c.time, message: `${q(c.line, 60)} ${p.what}`, evidence: `command ${c.index}` });
      const r = ctx.conversation.exchanges[c.index]?.final;
      if (p.trailing && r && r.complete && r.code === 501) {
        ctx.report({ severity: "warning", side: "server", frames: [...c.frames, ...r.frames], time: r.firstTime, message: `the server rejected ${q(c.line, 60)} with 501 only for its trailing white space, which it SHOULD tolerate`, evidence: `reply ${q(r.lines[0] ?? "")}` });
      }
    },
  },
});
