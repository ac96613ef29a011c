/**
 * The SMTP vocabulary, in one place: command verbs, the reply codes each command may get, reply
 * classes, and EHLO keyword parsing. The dissector and every rule read these; no rule lists verbs
 * or parses an EHLO reply itself.
 */
import type { Command, Reply } from "./model.js";

/** Command verbs the dissector recognises as commands (RFC 5321 §4.1, RFC 3207, RFC 3030, RFC 4954, RFC 1985). */
export const VERBS = ["MAIL", "RCPT", "QUIT", "RSET", "NOOP", "EHLO", "HELO", "DATA", "AUTH", "STARTTLS", "BDAT", "VRFY", "EXPN", "HELP", "ETRN", "TURN"] as const;

/** Further command verbs of extensions smtpcap does not dissect (RFC 2645 ATRN, RFC 4468 BURL, Postfix XCLIENT/XFORWARD, RFC 2033 LHLO). */
export const KNOWN_VERBS: ReadonlySet<string> = new Set([...VERBS, "ATRN", "BURL", "XCLIENT", "XFORWARD", "LHLO"]);

/** EHLO keywords of registered service extensions (IANA "SMTP Service Extensions"), and a few historic ones. */
export const EHLO_KEYWORDS: ReadonlySet<string> = new Set(["PIPELINING", "SIZE", "STARTTLS", "AUTH", "8BITMIME", "SMTPUTF8", "CHUNKING", "BINARYMIME", "DSN", "ENHANCEDSTATUSCODES", "VRFY", "EXPN", "ETRN", "HELP", "DELIVERBY", "MT-PRIORITY", "REQUIRETLS", "FUTURERELEASE", "NO-SOLICITING", "MTRK", "RRVS", "LIMITS", "ATRN", "BURL", "CHECKPOINT", "CONNEG", "DEBUG", "ONEX", "SEND", "SOML", "SAML", "TURN", "VERB", "TIME", "CONPERM", "SUBMITTER", "UTF8SMTP"]);

/** A line that begins with a known verb (followed by a space or the end of the line). */
export const COMMAND_RE = new RegExp(`^(${VERBS.join("|")})( |$)`, "i");

/** Command lines that, hidden in message content after a fake end-of-data, would start a forged dialogue. */
export const SMUGGLED_RE = /^(MAIL FROM:|RCPT TO:|DATA\b|BDAT |RSET\b|EHLO |HELO |QUIT\b)/i;

/** Codes a server may open the session with (RFC 5321 §3.1, §4.3.2; RFC 7504 for 521). */
export const GREETING_CODES: ReadonlySet<number> = new Set([220, 554, 521, 421]);

/** Verbs that take no parameter (RFC 5321 §4.1.1). */
export const NO_ARG_VERBS: ReadonlySet<string> = new Set(["RSET", "DATA", "QUIT"]);

/** Replies RFC 5321 §4.3.2 (and the extension RFCs) define for each command. */
export const REPLY_CODES: Readonly<Record<string, readonly number[]>> = {
  EHLO: [250, 504, 550, 502],
  HELO: [250, 504, 550, 502],
  MAIL: [250, 552, 451, 452, 550, 553, 503, 455, 555],
  RCPT: [250, 251, 550, 551, 552, 553, 450, 451, 452, 503, 455, 555, 556],
  DATA: [354, 503, 554],
  RSET: [250],
  VRFY: [250, 251, 252, 550, 551, 553, 502, 504],
  EXPN: [250, 252, 550, 502, 504],
  HELP: [211, 214, 502, 504],
  NOOP: [250],
  QUIT: [221],
  STARTTLS: [220, 454],
  AUTH: [235, 334, 432, 454, 503, 504, 534, 535, 538],
};
/** Replies to the end of message data (RFC 5321 §4.3.2). */
export const MESSAGE_REPLY_CODES: readonly number[] = [250, 552, 554, 451, 452, 450, 550];
/** Replies any command may get (RFC 5321 §4.3.2, §3.8; RFC 4954 §6 for 530). */
export const UNIVERSAL_REPLY_CODES: readonly number[] = [421, 500, 501, 530];
/** The one reply RFC 5321 prescribes for these commands (§4.1.1.5, §4.1.1.9, §4.1.1.10). */
export const MANDATORY_REPLY: Readonly<Record<string, number>> = { RSET: 250, QUIT: 221, NOOP: 250 };

/** The reply codes defined for a command, or null when any code may be right (BDAT: 250 or any 4yz/5yz; unknown verbs). */
export function replyCodesFor(c: Command): readonly number[] | null {
  if (c.kind === "message") return MESSAGE_REPLY_CODES;
  // a command line the server took as a SASL response is answered as one
  if (c.kind === "auth-response" || c.takenAsAuthResponse) return REPLY_CODES.AUTH;
  if (c.verb === "BDAT") return null;
  return REPLY_CODES_BY_VERB.get(c.verb) ?? null;
}

/** REPLY_CODES as a Map: a verb from the capture is no property name ("constructor", "__proto__"). */
const REPLY_CODES_BY_VERB: ReadonlyMap<string, readonly number[]> = new Map(Object.entries(REPLY_CODES));

export type Outcome = "positive" | "intermediate" | "transient" | "permanent" | "none";

/** What a reply code says (RFC 5321 §4.2.1): 2yz positive, 3yz intermediate, 4yz transient, 5yz permanent failure. */
export function outcomeOf(r: Reply | undefined): Outcome {
  if (!r || !r.complete || r.code === null) return "none";
  const c = Math.floor(r.code / 100);
  return c === 2 ? "positive" : c === 3 ? "intermediate" : c === 4 ? "transient" : c === 5 ? "permanent" : "none";
}

export function isPositive(r: Reply | undefined): boolean {
  return outcomeOf(r) === "positive";
}

/** A known command (kind "command"; a verb line taken as an AUTH response counts as what it looks like). */
export function isVerb(c: Command, verb: string, or1?: string, or2?: string): boolean {
  if (c.kind !== "command") return false;
  const v = c.verb;
  return v === verb || (or1 !== undefined && v === or1) || (or2 !== undefined && v === or2);
}

/** The text of a reply line after the code and separator. */
export function replyText(line: string): string {
  return line.slice(4);
}

/** Service extensions from one EHLO (or HELO) reply: keyword (upper case) → parameters. */
export interface Capabilities {
  keywords: Map<string, string>;
  /** index of the EHLO/HELO command */
  command: number;
  reply: Reply;
  helo: boolean;
}

/** One EHLO reply line after the first, split at each space as written (empty strings where spaces repeat): keyword and parameters. */
export function ehloKeyword(line: string): { keyword: string; params: string[] } {
  const text = replyText(line);
  const sp = text.indexOf(" ");
  if (sp < 0) return { keyword: text, params: [] };
  return { keyword: text.slice(0, sp), params: text.slice(sp + 1).split(" ") };
}

/** The lines of an EHLO reply after the first (RFC 5321 §4.1.1.1: one extension each), trimmed and upper case ("SIZE 1000"). */
export function ehloLines(reply: Reply): readonly string[] {
  for (let i = 0; i < LINES_KEPT; i++) if (linesKeys[i] === reply) return linesValues[i];
  const lines = reply.lines.slice(1).map((l) => replyText(l).trim().toUpperCase());
  linesKeys[linesNext] = reply;
  linesValues[linesNext] = lines;
  linesNext = (linesNext + 1) % LINES_KEPT;
  return lines;
}

/**
 * An EHLO reply is parsed once however many rules ask: judging reads one finished session at a
 * time, so the replies parsed last are the whole cache. (A WeakMap keyed by every reply kept the
 * parsed lines alive until a full garbage collection.)
 */
const LINES_KEPT = 4;
const linesKeys: (Reply | null)[] = new Array<Reply | null>(LINES_KEPT).fill(null);
const linesValues: string[][] = new Array<string[]>(LINES_KEPT).fill([]);
let linesNext = 0;

/** The keywords of an EHLO reply, upper case. */
export function ehloKeywords(reply: Reply): string[] {
  return ehloLines(reply).map((l) => l.split(" ")[0]).filter((k) => k !== "");
}

export function parseCapabilities(reply: Reply, command: number, helo: boolean): Capabilities {
  const keywords = new Map<string, string>();
  if (helo) return { keywords, command, reply, helo };
  // parsed once per EHLO reply: the conversation (computed once per session) holds the result
  for (let i = 1; i < reply.lines.length; i++) {
    const text = replyText(reply.lines[i]).trim();
    if (!text) continue;
    const sp = text.indexOf(" ");
    const kw = (sp < 0 ? text : text.slice(0, sp)).toUpperCase();
    if (!keywords.has(kw)) keywords.set(kw, sp < 0 ? "" : text.slice(sp + 1).trim());
  }
  return { keywords, command, reply, helo };
}

/** The AUTH command's mechanism (upper case) and whether it carries an initial response. */
export function authMechanism(c: Command): { mech: string; initialResponse: boolean } {
  const parts = c.line.split(" ");
  return { mech: (parts[1] ?? "").toUpperCase(), initialResponse: parts.length > 2 };
}

/** Commands that may be followed by another command before their reply (RFC 2920 §3.1, RFC 3030, RFC 4954 §4). */
export function pipelinable(c: Command): boolean {
  if (c.kind === "message") return true;
  if (c.kind !== "command") return false;
  if (c.verb === "RSET" || c.verb === "MAIL" || c.verb === "RCPT" || c.verb === "BDAT") return true;
  if (c.verb === "AUTH") {
    const { mech, initialResponse } = authMechanism(c);
    return initialResponse && ["PLAIN", "EXTERNAL"].includes(mech);
  }
  return false;
}
