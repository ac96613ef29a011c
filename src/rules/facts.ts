/**
 * The facts a rule may need of a session (RuleMeta.needs), in one place: a fact is its entry in
 * FACTS (name and meaning) and the line in sessionHolds() that sets it; its bit, the RuleNeeds
 * key and the prefilter follow. The engine skips a rule on a session that holds none of the facts
 * it needs: a speed-up only (test/rules/needs.test.ts checks on every shared capture that a
 * skipped rule would have reported nothing).
 */
import type { Session } from "../smtp/model.js";
import type { Conversation } from "../smtp/conversation.js";

/** Boolean facts of a session, each with what it means; the order gives the bits (at most 31). */
const FACTS = {
  afterStartTls: "a command or reply sent in plaintext after the STARTTLS 220",
  early: "a command sent before the reply it had to wait for (conversation.early)",
  implicitTls: "implicit TLS (session.tls.mode \"implicit\")",
  authResponse: "a command of kind \"auth-response\"",
  unanswered: "a command without a reply",
  noGreeting: "no greeting (conversation.greeting is null)",
  unsolicited: "a reply that answers no command and is not the greeting",
  openReply: "a reply that is not complete, or abandoned",
  splitReply: "a reply carried by more than one segment",
  replyCode: "a reply line without a code, or with a code outside 200–599 or a second digit above 5",
  replySep: "a reply line with a code and a separator other than \"-\", \" \" or nothing",
  codeMismatch: "a reply line whose code differs from the reply's first line's (both present)",
  lastLine: "a complete reply whose last line has a code and either no separator, or \"NNN \" followed by something other than a printable non-space ASCII octet (or nothing)",
  replyOctet: "a reply line holding an octet other than TAB, CR and printable ASCII",
  replyTerm: "a reply line not ended by CRLF, or holding a bare CR",
  longReplyLine: "a reply line longer than 512 octets",
  escClass: "a reply line with code 2yz, 4yz or 5yz whose text starts with \"d.\" for a digit d other than the code's first",
  commandTerm: "a command line ended by a bare LF or holding a bare CR",
  longCommand: "a command (kind \"command\") line longer than 512 octets",
  commandOctet: "a command (kind \"command\") line holding an octet above 0x7f",
  splitCommand: "a command line carried by more than one segment",
  dataBare: "message content with a bare CR or LF",
  dataLong: "message content with a line over 1000 octets",
  dataEnds: "message content with a non-standard end-of-data",
  dataSmuggled: "message content with command lines after a non-standard end-of-data",
  dataEightBit: "message content with an octet above 0x7f",
  binaryMime: "a transaction whose MAIL carried BODY=BINARYMIME",
  rcptRefused: "a RCPT (kind \"command\") whose final reply is not positive (3yz, 4yz, 5yz)",
  quitNot221: "a QUIT (kind \"command\") whose first reply's code is not 221",
  dataNot354: "message content after a command whose first reply is complete with a code other than 354",
} as const;

export type NeedFact = keyof typeof FACTS;

/** Verbs a rule may need (RuleNeeds.verbs): a command of any kind with that verb. */
const NEED_VERBS = ["AUTH", "BDAT", "DATA", "HELO", "STARTTLS", "RSET", "NOOP"] as const;
/** Reply codes a rule may need (RuleNeeds.codes): a reply with that code, complete or not. */
const NEED_CODES = [334, 421, 452, 500, 502, 530, 552, 554] as const;

export type NeedVerb = (typeof NEED_VERBS)[number];
export type NeedCode = (typeof NEED_CODES)[number];

/** What a session must hold for a rule to find anything: any one of these. */
export type RuleNeeds = {
  /** a command with one of these verbs (any kind) */
  verbs?: NeedVerb[];
  /** a reply with one of these codes */
  codes?: NeedCode[];
} & { [F in NeedFact]?: boolean };

const NAMES = Object.keys(FACTS) as NeedFact[];
/** fact → its index (bit number) */
const I = Object.fromEntries(NAMES.map((n, i) => [n, i])) as Record<NeedFact, number>;
const VERB_BITS = new Map<string, number>(NEED_VERBS.map((v, i) => [v, 1 << i]));
const CODE_BITS = new Map<number, number>(NEED_CODES.map((c, i) => [c, 1 << (NEED_VERBS.length + i)]));
/** the facts of the session being looked at (one session at a time) */
const on = new Uint8Array(NAMES.length);

/**
 * What rules may need of a session, computed once per session: `facts` holds a bit per fact of
 * FACTS, `marks` a bit per verb and reply code rules name.
 */
export interface SessionHolds {
  facts: number;
  marks: number;
}

const maskCache = new WeakMap<RuleNeeds, { facts: number; marks: number }>();

/** A rule's needs as bits of SessionHolds. */
export function needsMasks(n: RuleNeeds): { facts: number; marks: number } {
  let m = maskCache.get(n);
  if (m === undefined) {
    let facts = 0, marks = 0;
    for (const k of NAMES) if (n[k] === true) facts |= 1 << I[k];
    for (const v of n.verbs ?? []) marks |= VERB_BITS.get(v) ?? 0;
    for (const c of n.codes ?? []) marks |= CODE_BITS.get(c) ?? 0;
    m = { facts, marks };
    maskCache.set(n, m);
  }
  return m;
}

/** an octet above 0x7f */
const HIGH_OCTET = /[^\x00-\x7f]/;
/** an octet other than TAB, CR and printable ASCII */
const ODD_OCTET = /[^\t\r\x20-\x7e]/;

export function sessionHolds(s: Session, conv: Conversation): SessionHolds {
  // one byte per fact (a typed-array store is as cheap in a branch rarely taken as in a hot one)
  on.fill(0);
  let m = 0;
  for (const t of conv.transactions) if (t.binary) on[I.binaryMime] = 1;
  const cmds = s.commands, replies = s.replies;
  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i];
    m |= VERB_BITS.get(c.verb) ?? 0;
    if (c.afterStartTls) on[I.afterStartTls] = 1;
    if (c.replies.length === 0) on[I.unanswered] = 1;
    const l = c.lineInfo;
    if (l !== null) {
      if (l.terminator === "lf" || l.bareCr) on[I.commandTerm] = 1;
      if (l.split) on[I.splitCommand] = 1;
      if (l.length > 512 && c.kind === "command") on[I.longCommand] = 1;
    }
    const msg = c.message;
    if (msg !== undefined) {
      if (msg.bareLf !== 0 || msg.bareCr !== 0) on[I.dataBare] = 1;
      if (msg.longLines !== 0) on[I.dataLong] = 1;
      if (msg.nonstandardEnds.length !== 0) on[I.dataEnds] = 1;
      if (msg.smuggledCommands.length !== 0) on[I.dataSmuggled] = 1;
      if (msg.eightBit !== 0) on[I.dataEightBit] = 1;
    }
    if (c.kind === "command") {
      if (HIGH_OCTET.test(c.line)) on[I.commandOctet] = 1;
      if (c.verb === "RCPT") {
        const o = conv.exchanges[c.index]?.outcome;
        if (o === "intermediate" || o === "transient" || o === "permanent") on[I.rcptRefused] = 1;
      } else if (c.verb === "QUIT" && c.replies.length > 0 && replies[c.replies[0]]?.code !== 221) on[I.quitNot221] = 1;
    } else if (c.kind === "auth-response") on[I.authResponse] = 1;
    else if (c.kind === "message" && c.index > 0) {
      const prev = cmds[c.index - 1];
      const r = prev && prev.replies.length > 0 ? replies[prev.replies[0]] : undefined;
      if (r && r.complete && r.code !== null && r.code !== 354) on[I.dataNot354] = 1;
    }
  }
  for (let i = 0; i < replies.length; i++) {
    const r = replies[i];
    if (r.afterStartTls) on[I.afterStartTls] = 1;
    if (r.command === null && !r.greeting) on[I.unsolicited] = 1;
    if (!r.complete || r.abandoned) on[I.openReply] = 1;
    if (r.segments.length > 1) on[I.splitReply] = 1;
    if (r.code !== null) m |= CODE_BITS.get(r.code) ?? 0;
    const lines = r.lineInfo;
    if (lines.length === 0) continue;
    const first = lines[0].code;
    for (let j = 0; j < lines.length; j++) {
      const l = lines[j];
      const code = l.code;
      const text = l.text;
      if (code === null) on[I.replyCode] = 1;
      else {
        if (code < 200 || code >= 600 || Math.floor(code / 10) % 10 > 5) on[I.replyCode] = 1;
        const sep = l.sep;
        if (sep !== "-" && sep !== " " && sep !== "") on[I.replySep] = 1;
        if (j > 0 && first !== null && code !== first) on[I.codeMismatch] = 1;
        const d1 = Math.floor(code / 100);
        if (d1 === 2 || d1 === 4 || d1 === 5) {
          const c4 = text.charCodeAt(4);
          if (c4 >= 0x30 && c4 <= 0x39 && c4 !== 0x30 + d1 && text.charCodeAt(5) === 0x2e) on[I.escClass] = 1;
        }
      }
      if (l.length > 512) on[I.longReplyLine] = 1;
      if (l.terminator !== "crlf" || l.bareCr) on[I.replyTerm] = 1;
      if (on[I.replyOctet] === 0 && ODD_OCTET.test(text)) on[I.replyOctet] = 1;
    }
    const last = lines[lines.length - 1];
    if (r.complete && last.code !== null) {
      const c4 = last.text.charCodeAt(4);
      if (last.sep === "" || (last.sep === " " && !(c4 >= 0x21 && c4 <= 0x7e))) on[I.lastLine] = 1;
    }
  }
  if (conv.early.length > 0) on[I.early] = 1;
  if (s.tls?.mode === "implicit") on[I.implicitTls] = 1;
  if (conv.greeting === null) on[I.noGreeting] = 1;
  let facts = 0;
  for (let i = 0; i < on.length; i++) if (on[i] !== 0) facts |= 1 << i;
  return { facts, marks: m };
}

/** Whether a session holds what a rule needs (any one of its needs). */
export function needsMet(n: RuleNeeds, h: SessionHolds): boolean {
  const m = needsMasks(n);
  return (m.facts & h.facts) !== 0 || (m.marks & h.marks) !== 0;
}
