import { plural } from "../text/plural.js";
import type { Session } from "../smtp/model.js";
import { conversationOf, type Conversation } from "../smtp/conversation.js";
import { ehloLines } from "../smtp/vocabulary.js";
import { ALL_RULES } from "./index.js";
import { escapeControls } from "../text/escape.js";
import { filterFor } from "./util.js";
import { DEFAULT_RULE_OPTIONS, SEVERITY_RANK, citedReference, type Finding, type ReportArgs, type Rule, type RuleContext, type RuleOptions, type EarlierSessions, type SessionVerdict } from "./types.js";
import { verdictFor } from "./verdict.js";
import { settle } from "./consequences.js";
import { Dispatch } from "./dispatch.js";

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
  /** the findings of the rule being run (one list per rule, so the session's findings come out in
   * rule order however the walk interleaves the rules' calls) */
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
      reference: a.cite !== undefined ? citedOrOwn(rule, a.cite) : rule.meta.reference,
      evidence: escapeControls(a.evidence),
      filter: filterFor(session.tcpStream, frames),
    });
  }
}

/** The reference of a finding that cites `cite` (the rule's own when it has no such citation). */
function citedOrOwn(rule: Rule, cite: string): string {
  const c = rule.meta.citations?.[cite];
  return c === undefined ? rule.meta.reference : citedReference(c);
}

/** A finding's frames: positive, sorted, each once. */
function framesOf(given: number[]): number[] {
  if (given.length === 1) return given[0] > 0 ? [given[0]] : [];
  const out: number[] = [];
  for (let i = 0; i < given.length; i++) if (given[i] > 0) out.push(given[i]);
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
  /** the indexes of the rules that say when they are unavailable */
  private readonly withUnavailable: number[];
  /** the walk (dispatch.ts); its `off` marks the rules not run in the session being judged (not evaluable) */
  private readonly dispatch: Dispatch;
  /** per rule: its findings in the session being judged */
  private readonly found: Finding[][];
  /** points the context at rule `ri` (one closure per Judge) */
  private readonly enter: (ri: number) => void;
  /** the session being judged has a capture gap (pairing is not trusted from it on) */
  private untrusted = false;
  /** server → tcp.stream of the first session whose EHLO reply offered STARTTLS */
  private readonly offered = new Map<string, number>();
  private readonly ctx: Context;

  /** `earlier`: what the rules know of earlier sessions, when someone else keeps it (analysis on
   * worker threads: the main thread, which sees every session end); by default the Judge keeps it */
  constructor(private readonly opts: RuleOptions, earlier?: EarlierSessions) {
    const rules = (this.rules = selectRules(opts));
    this.withUnavailable = [];
    for (let i = 0; i < rules.length; i++) if (rules[i].unavailable) this.withUnavailable.push(i);
    this.dispatch = new Dispatch(rules);
    this.found = rules.map(() => []);
    const ctx = (this.ctx = new Context(earlier ?? { offeredStartTls: (server) => this.offered.get(server) ?? null }, opts));
    const found = this.found;
    this.enter = (ri) => {
      const rule = rules[ri];
      ctx.rule = rule;
      ctx.pairing = this.untrusted && rule.meta.pairing === true;
      ctx.found = found[ri];
    };
  }

  judge(session: Session): { session: JudgedSession; findings: Finding[] } {
    const rules = this.rules;
    const conversation = conversationOf(session);
    const ids: string[] = [];
    const whys: string[] = [];
    const off = this.dispatch.off;
    notEvaluableInto(session, conversation, rules, this.withUnavailable, off, ids, whys);
    const ctx = this.ctx;
    ctx.session = session;
    ctx.conversation = conversation;
    this.untrusted = conversation.untrustedFrom !== null || conversation.unreadFrom !== null;
    this.dispatch.walk(conversation, session.replies, ctx, this.enter);
    off.fill(0);
    const found = this.found;
    let mine: Finding[] = [];
    for (let i = 0; i < found.length; i++) {
      const f = found[i];
      if (f.length === 0) continue;
      if (mine.length === 0) mine = f.slice();
      else for (let k = 0; k < f.length; k++) mine.push(f[k]);
      f.length = 0;
    }
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
  // the timeline's cap (DissectOptions.maxItemsPerSession): commands and replies past it were not
  // kept, so a rule reading the dialogue could take what is missing for what never happened
  const capped = s.limits.find((l) => l.kind === "timeline-capped");
  if (capped !== undefined) {
    for (let i = 0; i < rules.length; i++) {
      if (!rules[i].meta.plaintext || skip[i] !== 0) continue;
      skip[i] = 1;
      ids.push(rules[i].meta.id);
      whys.push(capped.text);
    }
  }
  const gap = conv.untrustedFrom;
  if (gap !== null && s.commands.length > 0 && !conv.exchanges.some((e) => e.trusted)) {
    const why = `replies cannot be paired with commands: the capture lacks ${plural(gap.bytes, `${gap.side} byte`)} (from frame ${gap.frame}), before any exchange could be paired`;
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

/** Whether an EHLO reply of the session offered STARTTLS (what later sessions learn of it: EarlierSessions). */
export function offersStartTls(s: Session): boolean {
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
