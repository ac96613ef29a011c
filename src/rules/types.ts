import type { Conversation } from "../smtp/conversation.js";
import type { Session } from "../smtp/model.js";

export type Severity = "error" | "warning" | "info";
export type Side = "client" | "server" | "middlebox";

export const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

/** What `smtpcap rules` and `smtpcap explain` print; written from the catalog, in our own words. */
export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  side: Side;
  /** RFC and section, e.g. "RFC 5321 §4.3.1" */
  reference: string;
  /** the RFC sentence that decides it */
  quote: string;
  /** where the rule can blame either side: the RFC sentence addressed to that side (the verdict quotes
   * the one addressed to the side blamed; `quote` otherwise) */
  quoteFor?: Partial<Record<Side, { reference: string; quote: string }>>;
  /** what the finding means, why it matters, how to fix it */
  meaning: string;
  why: string;
  fix: string;
  /** the rule reads plaintext SMTP: after STARTTLS it cannot be evaluated */
  plaintext: boolean;
  /** a grammar nit: it decides a session's verdict only when no other rule found something as severe */
  minor?: boolean;
  /** an interoperability hazard, not a violation (the catalogue says so): listed, never decides a verdict */
  hazard?: boolean;
  /** the rule pairs replies with commands (by counting): after a capture gap on either side its
   * findings are not trusted, and the engine drops those that show frames from the gap on */
  pairing?: boolean;
  /** what a session must hold for the rule to find anything (any one of these): a command with one
   * of `verbs`; a command or reply sent in plaintext after the STARTTLS 220 (`afterStartTls`); a
   * command sent before the reply it had to wait for (`early`: conversation.early). The engine does
   * not run the rule on other sessions: a speed-up only, the rule would report nothing there
   * (test/rules/needs.test.ts checks that on every shared capture). */
  needs?: RuleNeeds;
}

export interface RuleNeeds {
  verbs?: string[];
  afterStartTls?: boolean;
  early?: boolean;
}

export interface Finding {
  rule: string;
  severity: Severity;
  side: Side;
  session: number;
  tcpStream: number;
  frames: number[];
  time: number;
  message: string;
  reference: string;
  evidence: string;
  /** a Wireshark display filter that shows the frames */
  filter: string;
  /** this finding follows from another finding of the same session (not an independent fault):
   * that finding's rule and first frame, and a short reason ("the client took the reply's tail as
   * the STARTTLS answer") */
  consequenceOf?: { rule: string; frame: number; why: string };
  /** repeated findings of one rule in one session collapse into one: how many there were (absent: 1) */
  count?: number;
}

export interface SessionVerdict {
  /** who is at fault by the most severe independent finding: "none" when nothing reached warning;
   * "undetermined" when nothing decides and the capture lacks what a judgement needs (see limits) */
  fault: Side | "none" | "undetermined";
  /** what the capture lacks that a judgement needed, in sentences ("the capture holds only the client's side") */
  limits: string[];
  /** one or two sentences in plain words */
  summary: string;
  /** the rule and RFC sentence that decide it */
  decisive: { rule: string; reference: string; quote: string } | null;
  counts: { error: number; warning: number; info: number };
  /** the findings in `counts` that are not consequences of another finding (`Finding.consequenceOf`) */
  independent: { error: number; warning: number; info: number };
  /** rules that had nothing readable to look at in this session (ids) */
  notEvaluable: string[];
  /** why, parallel to `notEvaluable` */
  notEvaluableWhy?: string[];
}

export interface RuleOptions {
  /** reply-split-delay threshold */
  splitDelayMs: number;
  /** server-reply-latency threshold */
  latencyMs: number;
  /** server-withholds-pending-replies threshold (default 1000) */
  withholdMs?: number;
  /** run only these rules (empty: all) */
  only: string[];
  disable: string[];
  /** repeated findings of one rule in one session collapse into one with a count (default true;
   * rule tests turn it off to see each occurrence) */
  collapse?: boolean;
}

export const DEFAULT_RULE_OPTIONS: RuleOptions = { splitDelayMs: 200, latencyMs: 30000, only: [], disable: [] };

export interface ReportArgs {
  frames: number[];
  message: string;
  evidence: string;
  /** overrides the rule's default severity or side (sub-cases) */
  severity?: Severity;
  side?: Side;
  time?: number;
}

/**
 * What later sessions may know of earlier ones (the capture is judged as a stream). Kept per
 * server, not per session, so it does not grow with the number of sessions.
 */
export interface EarlierSessions {
  /** the tcp.stream of the first earlier session to `server` whose EHLO reply offered STARTTLS, or null */
  offeredStartTls(server: string): number | null;
}

export interface RuleContext {
  session: Session;
  /** the dialogue's meaning, computed once per session: exchanges, transactions, capabilities, early commands, trust */
  conversation: Conversation;
  /** sessions of the same capture that ended before this one */
  earlier: EarlierSessions;
  opts: RuleOptions;
  report(args: ReportArgs): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
  /** why the capture cannot support this rule's judgement in this session (the engine lists the
   * rule as not evaluable with this reason and does not run it); null or absent: it can */
  unavailable?(session: Session, conversation: Conversation): string | null;
}
