import type { Session } from "../smtp/model.js";
import { conversationOf, type Conversation } from "../smtp/conversation.js";
import { ehloLines } from "../smtp/vocabulary.js";
import { ALL_RULES } from "./index.js";
import { escapeControls } from "../text/escape.js";
import { filterFor } from "./util.js";
import { DEFAULT_RULE_OPTIONS, SEVERITY_RANK, type Finding, type ReportArgs, type Rule, type RuleContext, type RuleOptions, type RuleNeeds, type EarlierSessions, type SessionVerdict } from "./types.js";
import { verdictFor } from "./verdict.js";
import { settle } from "./consequences.js";

export { DEFAULT_RULE_OPTIONS, type RuleOptions };

export function selectRules(opts: RuleOptions): Rule[] {
  const only = new Set(opts.only);
  const disabled = new Set(opts.disable);
  return ALL_RULES.filter((r) => (only.size === 0 || only.has(r.meta.id)) && !disabled.has(r.meta.id));
}

export type JudgedSession = Session & { verdict: SessionVerdict };

/**
 * The context the rules of one Judge see: one object for every session (not one per session, nor
 * one closure per session); `report` reads the rule being run.
 */
class Context implements RuleContext {
  session!: Session;
  conversation!: Conversation;
  rule!: Rule;
  /** pairing is not trusted from the first capture gap on (set per rule) */
  pairing = false;
  found: Finding[] = [];

  constructor(readonly earlier: EarlierSessions, readonly opts: RuleOptions) {}

  report(a: ReportArgs): void {
    const frames = framesOf(a.frames);
    // a finding that shows frames from the first capture gap on may blame a side for a reply the capture lost
    if (this.pairing && !this.conversation.trustedFrames(frames)) return;
    const rule = this.rule;
    const session = this.session;
    this.found.push({
      rule: rule.meta.id,
      severity: a.severity ?? rule.meta.severity,
      side: a.side ?? rule.meta.side,
      session: session.index,
      tcpStream: session.tcpStream,
      frames,
      time: a.time ?? session.startTime,
      // rules quote capture text with q(); this guard catches any that slipped through
      message: escapeControls(a.message),
      reference: a.cite !== undefined ? rule.meta.citations?.[a.cite]?.reference ?? rule.meta.reference : rule.meta.reference,
      evidence: escapeControls(a.evidence),
      filter: filterFor(session.tcpStream, frames),
    });
  }
}

/** A finding's frames: positive, sorted, each once. */
function framesOf(given: number[]): number[] {
  if (given.length === 1) return given[0] > 0 ? [given[0]] : [];
  const out: number[] = [];
  for (const f of given) if (f > 0) out.push(f);
  if (out.length < 2) return out;
  out.sort((x, y) => x - y);
  let n = 1;
  for (let i = 1; i < out.length; i++) if (out[i] !== out[n - 1]) out[n++] = out[i];
  out.length = n;
  return out;
}

/**
 * Judges sessions one by one as they end, so a capture is processed as a stream; each session
 * sees summaries of the sessions that ended before it.
 */
export class Judge {
  private readonly rules: Rule[];
  /** per rule (same index): the facts it needs (needsMasks), or -1 when it declares no needs */
  private readonly needFacts: number[];
  private readonly needMarks: number[];
  /** the indexes of the rules that say when they are unavailable */
  private readonly withUnavailable: number[];
  /** per rule: not evaluable in the session being judged */
  private readonly skip: Uint8Array;
  /** server → tcp.stream of the first session whose EHLO reply offered STARTTLS */
  private readonly offered = new Map<string, number>();
  private readonly ctx: Context;

  constructor(private readonly opts: RuleOptions) {
    this.rules = selectRules(opts);
    this.needFacts = this.rules.map((r) => (r.meta.needs === undefined ? -1 : needsMasks(r.meta.needs).facts));
    this.needMarks = this.rules.map((r) => (r.meta.needs === undefined ? 0 : needsMasks(r.meta.needs).marks));
    this.withUnavailable = [];
    for (let i = 0; i < this.rules.length; i++) if (this.rules[i].unavailable) this.withUnavailable.push(i);
    this.skip = new Uint8Array(this.rules.length);
    this.ctx = new Context({ offeredStartTls: (server) => this.offered.get(server) ?? null }, opts);
  }

  judge(session: Session): { session: JudgedSession; findings: Finding[] } {
    const rules = this.rules;
    const conversation = conversationOf(session);
    const ids: string[] = [];
    const whys: string[] = [];
    const skip = this.skip;
    const anySkipped = notEvaluableInto(session, conversation, rules, this.withUnavailable, skip, ids, whys);
    const ctx = this.ctx;
    const mine: Finding[] = [];
    ctx.session = session;
    ctx.conversation = conversation;
    ctx.found = mine;
    const untrusted = conversation.untrustedFrom !== null;
    const holds = sessionHolds(session, conversation);
    const facts = holds.facts, marks = holds.marks;
    for (let i = 0; i < rules.length; i++) {
      if (anySkipped && skip[i] !== 0) continue;
      const need = this.needFacts[i];
      if (need !== -1 && (need & facts) === 0 && (this.needMarks[i] & marks) === 0) continue; // it would find nothing here
      const rule = rules[i];
      ctx.rule = rule;
      ctx.pairing = untrusted && rule.meta.pairing === true;
      rule.check(ctx);
    }
    if (anySkipped) skip.fill(0);
    if (mine.length > 1) mine.sort((a, b) => (a.frames[0] ?? 0) - (b.frames[0] ?? 0) || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    if (!this.offered.has(session.server) && offersStartTls(session)) this.offered.set(session.server, session.tcpStream);
    const settled = settle(session, mine, rules, this.opts.collapse !== false); // consequences marked, repeats collapsed
    const verdict = verdictFor(session, settled, rules);
    verdict.notEvaluable = ids;
    verdict.notEvaluableWhy = whys;
    const judged = session as JudgedSession;
    judged.verdict = verdict;
    return { session: judged, findings: settled };
  }
}

/**
 * What rules may need of a session (RuleMeta.needs), computed once per session: `facts` holds a
 * bit per boolean fact of RuleNeeds, `marks` a bit per verb and reply code rules name.
 */
export interface SessionHolds {
  facts: number;
  marks: number;
}

const AFTER_STARTTLS = 1 << 0;
const EARLY = 1 << 1;
const IMPLICIT_TLS = 1 << 2;
const AUTH_RESPONSE = 1 << 3;
const UNANSWERED = 1 << 4;
const NO_GREETING = 1 << 5;
const UNSOLICITED = 1 << 6;
const OPEN_REPLY = 1 << 7;
const SPLIT_REPLY = 1 << 8;
const REPLY_CODE = 1 << 9;
const REPLY_SEP = 1 << 10;
const CODE_MISMATCH = 1 << 11;
const LAST_LINE = 1 << 12;
const REPLY_OCTET = 1 << 13;
const REPLY_TERM = 1 << 14;
const LONG_REPLY_LINE = 1 << 15;
const ESC_CLASS = 1 << 16;
const COMMAND_TERM = 1 << 17;
const LONG_COMMAND = 1 << 18;
const COMMAND_OCTET = 1 << 19;
const SPLIT_COMMAND = 1 << 20;
const DATA_BARE = 1 << 21;
const DATA_LONG = 1 << 22;
const DATA_ENDS = 1 << 23;
const DATA_SMUGGLED = 1 << 24;
const DATA_EIGHT_BIT = 1 << 25;
const BINARY_MIME = 1 << 26;
const RCPT_REFUSED = 1 << 27;
const QUIT_NOT_221 = 1 << 28;
const DATA_NOT_354 = 1 << 29;

/** RuleNeeds' boolean facts → their bit in SessionHolds.facts */
const FACT_BITS: Record<Exclude<keyof RuleNeeds, "verbs" | "codes">, number> = {
  afterStartTls: AFTER_STARTTLS, early: EARLY, implicitTls: IMPLICIT_TLS, authResponse: AUTH_RESPONSE, unanswered: UNANSWERED, noGreeting: NO_GREETING,
  unsolicited: UNSOLICITED, openReply: OPEN_REPLY, splitReply: SPLIT_REPLY, replyCode: REPLY_CODE, replySep: REPLY_SEP,
  codeMismatch: CODE_MISMATCH, lastLine: LAST_LINE, replyOctet: REPLY_OCTET, replyTerm: REPLY_TERM, longReplyLine: LONG_REPLY_LINE,
  escClass: ESC_CLASS, commandTerm: COMMAND_TERM, longCommand: LONG_COMMAND, commandOctet: COMMAND_OCTET, splitCommand: SPLIT_COMMAND,
  dataBare: DATA_BARE, dataLong: DATA_LONG, dataEnds: DATA_ENDS, dataSmuggled: DATA_SMUGGLED, dataEightBit: DATA_EIGHT_BIT,
  binaryMime: BINARY_MIME, rcptRefused: RCPT_REFUSED, quitNot221: QUIT_NOT_221, dataNot354: DATA_NOT_354,
};

function verbMark(verb: string): number {
  switch (verb) {
    case "AUTH": return 1 << 0;
    case "BDAT": return 1 << 1;
    case "DATA": return 1 << 2;
    case "HELO": return 1 << 3;
    case "STARTTLS": return 1 << 4;
    case "RSET": return 1 << 5;
    case "NOOP": return 1 << 6;
    default: return 0;
  }
}

function codeMark(code: number): number {
  switch (code) {
    case 334: return 1 << 7;
    case 421: return 1 << 8;
    case 452: return 1 << 9;
    case 500: return 1 << 10;
    case 502: return 1 << 11;
    case 530: return 1 << 12;
    case 552: return 1 << 13;
    case 554: return 1 << 14;
    default: return 0;
  }
}

const maskCache = new WeakMap<RuleNeeds, { facts: number; marks: number }>();

/** A rule's needs as bits of SessionHolds. */
function needsMasks(n: RuleNeeds): { facts: number; marks: number } {
  let m = maskCache.get(n);
  if (m === undefined) {
    let facts = 0, marks = 0;
    for (const [k, bit] of Object.entries(FACT_BITS)) if (n[k as keyof typeof FACT_BITS] === true) facts |= bit;
    for (const v of n.verbs ?? []) marks |= verbMark(v);
    for (const c of n.codes ?? []) marks |= codeMark(c);
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
  // one boolean per fact, combined at the end: a `|=` in a branch rarely taken would have no type
  // feedback when the function is optimized, and deoptimize it the first time it runs
  let afterStartTls = false, authResponse = false, unanswered = false, unsolicited = false, openReply = false, splitReply = false;
  let replyCode = false, replySep = false, codeMismatch = false, lastLine = false, replyOctet = false, replyTerm = false, longReplyLine = false, escClass = false;
  let commandTerm = false, longCommand = false, commandOctet = false, splitCommand = false;
  let dataBare = false, dataLong = false, dataEnds = false, dataSmuggled = false, dataEightBit = false, binaryMime = false;
  let rcptRefused = false, quitNot221 = false, dataNot354 = false;
  let m = 0;
  for (const t of conv.transactions) if (t.binary) binaryMime = true;
  const cmds = s.commands, replies = s.replies;
  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i];
    m |= verbMark(c.verb);
    if (c.afterStartTls) afterStartTls = true;
    if (c.replies.length === 0) unanswered = true;
    const l = c.lineInfo;
    if (l !== null) {
      if (l.terminator === "lf" || l.bareCr) commandTerm = true;
      if (l.split) splitCommand = true;
      if (l.length > 512 && c.kind === "command") longCommand = true;
    }
    const msg = c.message;
    if (msg !== undefined) {
      if (msg.bareLf !== 0 || msg.bareCr !== 0) dataBare = true;
      if (msg.longLines !== 0) dataLong = true;
      if (msg.nonstandardEnds.length !== 0) dataEnds = true;
      if (msg.smuggledCommands.length !== 0) dataSmuggled = true;
      if (msg.eightBit !== 0) dataEightBit = true;
    }
    if (c.kind === "command") {
      if (HIGH_OCTET.test(c.line)) commandOctet = true;
      if (c.verb === "RCPT") {
        const o = conv.exchanges[c.index]?.outcome;
        if (o === "intermediate" || o === "transient" || o === "permanent") rcptRefused = true;
      } else if (c.verb === "QUIT" && c.replies.length > 0 && replies[c.replies[0]]?.code !== 221) quitNot221 = true;
    } else if (c.kind === "auth-response") authResponse = true;
    else if (c.kind === "message" && c.index > 0) {
      const prev = cmds[c.index - 1];
      const r = prev && prev.replies.length > 0 ? replies[prev.replies[0]] : undefined;
      if (r && r.complete && r.code !== null && r.code !== 354) dataNot354 = true;
    }
  }
  for (let i = 0; i < replies.length; i++) {
    const r = replies[i];
    if (r.afterStartTls) afterStartTls = true;
    if (r.command === null && !r.greeting) unsolicited = true;
    if (!r.complete || r.abandoned) openReply = true;
    if (r.segments.length > 1) splitReply = true;
    if (r.code !== null) m |= codeMark(r.code);
    const lines = r.lineInfo;
    if (lines.length === 0) continue;
    const first = lines[0].code;
    for (let j = 0; j < lines.length; j++) {
      const l = lines[j];
      const code = l.code;
      const text = l.text;
      if (code === null) replyCode = true;
      else {
        if (code < 200 || code >= 600 || Math.floor(code / 10) % 10 > 5) replyCode = true;
        const sep = l.sep;
        if (sep !== "-" && sep !== " " && sep !== "") replySep = true;
        if (j > 0 && first !== null && code !== first) codeMismatch = true;
        const d1 = Math.floor(code / 100);
        if (d1 === 2 || d1 === 4 || d1 === 5) {
          const c4 = text.charCodeAt(4);
          if (c4 >= 0x30 && c4 <= 0x39 && c4 !== 0x30 + d1 && text.charCodeAt(5) === 0x2e) escClass = true;
        }
      }
      if (l.length > 512) longReplyLine = true;
      if (l.terminator !== "crlf" || l.bareCr) replyTerm = true;
      if (!replyOctet && ODD_OCTET.test(text)) replyOctet = true;
    }
    const last = lines[lines.length - 1];
    if (r.complete && last.code !== null) {
      const c4 = last.text.charCodeAt(4);
      if (last.sep === "" || (last.sep === " " && !(c4 >= 0x21 && c4 <= 0x7e))) lastLine = true;
    }
  }
  const facts = (afterStartTls ? AFTER_STARTTLS : 0) | (conv.early.length > 0 ? EARLY : 0) | (s.tls?.mode === "implicit" ? IMPLICIT_TLS : 0)
    | (authResponse ? AUTH_RESPONSE : 0) | (unanswered ? UNANSWERED : 0) | (conv.greeting === null ? NO_GREETING : 0)
    | (unsolicited ? UNSOLICITED : 0) | (openReply ? OPEN_REPLY : 0) | (splitReply ? SPLIT_REPLY : 0)
    | (replyCode ? REPLY_CODE : 0) | (replySep ? REPLY_SEP : 0) | (codeMismatch ? CODE_MISMATCH : 0) | (lastLine ? LAST_LINE : 0)
    | (replyOctet ? REPLY_OCTET : 0) | (replyTerm ? REPLY_TERM : 0) | (longReplyLine ? LONG_REPLY_LINE : 0) | (escClass ? ESC_CLASS : 0)
    | (commandTerm ? COMMAND_TERM : 0) | (longCommand ? LONG_COMMAND : 0) | (commandOctet ? COMMAND_OCTET : 0) | (splitCommand ? SPLIT_COMMAND : 0)
    | (dataBare ? DATA_BARE : 0) | (dataLong ? DATA_LONG : 0) | (dataEnds ? DATA_ENDS : 0) | (dataSmuggled ? DATA_SMUGGLED : 0)
    | (dataEightBit ? DATA_EIGHT_BIT : 0) | (binaryMime ? BINARY_MIME : 0) | (rcptRefused ? RCPT_REFUSED : 0)
    | (quitNot221 ? QUIT_NOT_221 : 0) | (dataNot354 ? DATA_NOT_354 : 0);
  return { facts, marks: m };
}

/** Whether a session holds what a rule needs (any one of its needs). */
export function needsMet(n: RuleNeeds, h: SessionHolds): boolean {
  const m = needsMasks(n);
  return (m.facts & h.facts) !== 0 || (m.marks & h.marks) !== 0;
}

/**
 * Rules that have nothing readable to look at in this session, with the reason: rules that read
 * plaintext SMTP when the session is encrypted from its start, rules that pair replies with
 * commands when a capture gap comes before any exchange could be paired.
 */
export function notEvaluable(s: Session, conv: Conversation, rules: Rule[]): Map<string, string> {
  const ids: string[] = [];
  const whys: string[] = [];
  const withUnavailable: number[] = [];
  for (let i = 0; i < rules.length; i++) if (rules[i].unavailable) withUnavailable.push(i);
  notEvaluableInto(s, conv, rules, withUnavailable, new Uint8Array(rules.length), ids, whys);
  return new Map(ids.map((id, i) => [id, whys[i]]));
}

/** notEvaluable() into `ids`/`whys` (in that order), marking the rules in `skip`; whether any was. */
function notEvaluableInto(s: Session, conv: Conversation, rules: Rule[], withUnavailable: number[], skip: Uint8Array, ids: string[], whys: string[]): boolean {
  const plaintext = s.commands.length > 0 || s.replies.length > 0;
  if (s.tls !== null && !plaintext) {
    const why = `the session is encrypted from frame ${s.tls.frame} and carries no plaintext SMTP`;
    for (let i = 0; i < rules.length; i++) {
      if (!rules[i].meta.plaintext) continue;
      skip[i] = 1;
      ids.push(rules[i].meta.id);
      whys.push(why);
    }
  }
  const gap = conv.untrustedFrom;
  if (gap !== null && s.commands.length > 0 && !conv.exchanges.some((e) => e.trusted)) {
    const why = `replies cannot be paired with commands: the capture lacks ${gap.bytes} ${gap.side} bytes before frame ${gap.frame}, before any exchange could be paired`;
    for (let i = 0; i < rules.length; i++) {
      if (!rules[i].meta.pairing || skip[i] !== 0) continue;
      skip[i] = 1;
      ids.push(rules[i].meta.id);
      whys.push(why);
    }
  }
  for (const i of withUnavailable) {
    if (skip[i] !== 0) continue;
    const why = rules[i].unavailable!(s, conv);
    if (!why) continue;
    skip[i] = 1;
    ids.push(rules[i].meta.id);
    whys.push(why);
  }
  return ids.length > 0;
}

function offersStartTls(s: Session): boolean {
  for (const c of s.commands) {
    if (c.kind !== "command" || c.verb !== "EHLO") continue;
    for (const i of c.replies) {
      const r = s.replies[i];
      if (r === undefined) continue;
      // a keyword starting with STARTTLS is a line starting with it (the parsed lines are cached)
      for (const k of ehloLines(r)) if (k.startsWith("STARTTLS")) return true;
    }
  }
  return false;
}
