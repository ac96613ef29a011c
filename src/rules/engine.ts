import type { Session } from "../smtp/model.js";
import { conversationOf, type Conversation } from "../smtp/conversation.js";
import { ehloLines } from "../smtp/vocabulary.js";
import { ALL_RULES } from "./index.js";
import { escapeControls } from "../text/escape.js";
import { filterFor } from "./util.js";
import { DEFAULT_RULE_OPTIONS, SEVERITY_RANK, type Finding, type Rule, type RuleContext, type RuleOptions, type RuleNeeds, type EarlierSessions, type SessionVerdict } from "./types.js";
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
 * Judges sessions one by one as they end, so a capture is processed as a stream; each session
 * sees summaries of the sessions that ended before it.
 */
export class Judge {
  private readonly rules: Rule[];
  /** server → tcp.stream of the first session whose EHLO reply offered STARTTLS */
  private readonly offered = new Map<string, number>();
  private readonly earlier: EarlierSessions = { offeredStartTls: (server) => this.offered.get(server) ?? null };

  constructor(private readonly opts: RuleOptions) {
    this.rules = selectRules(opts);
  }

  judge(session: Session): { session: JudgedSession; findings: Finding[] } {
    const mine: Finding[] = [];
    const conversation = conversationOf(session);
    const skipped = notEvaluable(session, conversation, this.rules);
    // one context per session (not one per rule): report() reads the rule being run
    let rule = this.rules[0];
    let pairing = false;
    const ctx: RuleContext = {
      session,
      conversation,
      earlier: this.earlier,
      opts: this.opts,
      report(a) {
        const frames = [...new Set(a.frames.filter((f) => f > 0))].sort((x, y) => x - y);
        // pairing is not trusted from the first capture gap on: a finding that shows frames from
        // there on may blame a side for a reply the capture lost
        if (pairing && !conversation.trustedFrames(frames)) return;
        mine.push({
          rule: rule.meta.id,
          severity: a.severity ?? rule.meta.severity,
          side: a.side ?? rule.meta.side,
          session: session.index,
          tcpStream: session.tcpStream,
          frames,
          time: a.time ?? session.startTime,
          // rules quote capture text with q(); this guard catches any that slipped through
          message: escapeControls(a.message),
          reference: rule.meta.reference,
          evidence: escapeControls(a.evidence),
          filter: filterFor(session.tcpStream, frames),
        });
      },
    };
    const untrusted = conversation.untrustedFrom !== null;
    const holds = sessionHolds(session, conversation);
    for (let i = 0; i < this.rules.length; i++) {
      rule = this.rules[i];
      if (skipped.size > 0 && skipped.has(rule.meta.id)) continue;
      if (rule.meta.needs !== undefined && !needsMet(rule.meta.needs, holds)) continue; // it would find nothing here
      pairing = untrusted && rule.meta.pairing === true;
      rule.check(ctx);
    }
    mine.sort((a, b) => (a.frames[0] ?? 0) - (b.frames[0] ?? 0) || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    if (!this.offered.has(session.server) && offersStartTls(session)) this.offered.set(session.server, session.tcpStream);
    const settled = settle(session, mine, this.opts.collapse !== false); // consequences marked, repeats collapsed
    const verdict = verdictFor(session, settled, this.rules);
    verdict.notEvaluable = [...skipped.keys()];
    verdict.notEvaluableWhy = [...skipped.values()];
    return { session: Object.assign(session, { verdict }), findings: settled };
  }
}

/** What rules may need of a session (RuleMeta.needs): computed once per session. */
export interface SessionHolds {
  /** the verbs of its commands (every kind: "" for message content and SASL responses) */
  verbs: Set<string>;
  /** a command or reply sent in plaintext after the STARTTLS 220 */
  afterStartTls: boolean;
  /** a command sent before the reply it had to wait for */
  early: boolean;
}

export function sessionHolds(s: Session, conv: Conversation): SessionHolds {
  const verbs = new Set<string>();
  let afterStartTls = false;
  for (const c of s.commands) {
    verbs.add(c.verb);
    if (c.afterStartTls) afterStartTls = true;
  }
  if (!afterStartTls) for (const r of s.replies) if (r.afterStartTls) afterStartTls = true;
  return { verbs, afterStartTls, early: conv.early.length > 0 };
}

/** Whether a session holds what a rule needs (any one of its needs). */
export function needsMet(n: RuleNeeds, h: SessionHolds): boolean {
  if (n.afterStartTls && h.afterStartTls) return true;
  if (n.early && h.early) return true;
  if (n.verbs) for (const v of n.verbs) if (h.verbs.has(v)) return true;
  return false;
}

/**
 * Rules that have nothing readable to look at in this session, with the reason: rules that read
 * plaintext SMTP when the session is encrypted from its start, rules that pair replies with
 * commands when a capture gap comes before any exchange could be paired.
 */
export function notEvaluable(s: Session, conv: Conversation, rules: Rule[]): Map<string, string> {
  const out = new Map<string, string>();
  const plaintext = s.commands.length > 0 || s.replies.length > 0;
  if (s.tls !== null && !plaintext) {
    for (const r of rules) if (r.meta.plaintext) out.set(r.meta.id, `the session is encrypted from frame ${s.tls.frame} and carries no plaintext SMTP`);
  }
  const gap = conv.untrustedFrom;
  if (gap !== null && s.commands.length > 0 && !conv.exchanges.some((e) => e.trusted)) {
    const why = `replies cannot be paired with commands: the capture lacks ${gap.bytes} ${gap.side} bytes before frame ${gap.frame}, before any exchange could be paired`;
    for (const r of rules) if (r.meta.pairing && !out.has(r.meta.id)) out.set(r.meta.id, why);
  }
  for (const r of rules) {
    const why = r.unavailable && !out.has(r.meta.id) ? r.unavailable(s, conv) : null;
    if (why) out.set(r.meta.id, why);
  }
  return out;
}

function offersStartTls(s: Session): boolean {
  // a keyword starting with STARTTLS is a line starting with it (the parsed lines are cached)
  return s.commands.some((c) => c.kind === "command" && c.verb === "EHLO" && c.replies.some((r) => s.replies[r] !== undefined && ehloLines(s.replies[r]).some((k) => k.startsWith("STARTTLS"))));
}
