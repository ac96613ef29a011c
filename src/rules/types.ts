import type { Conversation, EarlyCommand, Exchange, Transaction } from "../smtp/conversation.js";
import type { CommandKind, Reply, Session } from "../smtp/model.js";

export type Severity = "error" | "warning" | "info";
export type Side = "client" | "server" | "middlebox";

export const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

/**
 * What the verdict (verdict.ts) and the consequence chains (consequences.ts) need to know of a
 * rule: what it judges, its family, what its findings can be a consequence of. Read from the
 * rule's metadata, never from lists of ids.
 */
export type RuleTrait =
  /** it judges one side's own octets (line endings, lengths, grammar of its lines): it can decide
   * a verdict even when the capture holds only that side */
  | "own-octets"
  /** its finding says the client acted on (part of) a reply it had not fully received: the verdict
   * adds that splitting the reply across segments is legal */
  | "acted-early"
  /** its finding says a command went out before the reply it had to wait for (the same act seen
   * by another rule is a consequence of the root) */
  | "sent-early"
  /** a client that lost step: the root of the lost-step chain (what it then sent, the replies it
   * then paired by its own count) */
  | "lost-step-root"
  /** its info finding says how a TLS handshake ended where the capture cannot show why (an encrypted
   * alert): with no deciding finding the verdict is "Cannot judge: <its message>", never "no violation" */
  | "tls-outcome-unread"
  /** talking before the greeting: the root of the chain of what those lines caused */
  | "pregreet-root"
  /** about timing, segmentation or closing: what the client's lines said cannot cause it */
  | "not-caused"
  /** a server rule that judges which reply answers which command */
  | "pairing-judge"
  /** a reply code judged against the command it is paired with: shifted when the client lost step */
  | "shifted-code"
  /** about reply text, which a server echoing the client's octets back breaks in turn */
  | "reply-text"
  /** a reply carried by more than one TCP segment (legal: the verdict says so) */
  | "split-reply";

/** What `smtpcap rules` and `smtpcap explain` print; written from the catalog, in our own words. */
/** An RFC sentence a finding cites; `also`: a second sentence the same act breaks (the finding's reference names both, the verdict quotes both). */
export interface Citation {
  reference: string;
  quote: string;
  also?: { reference: string; quote: string };
}

/** The reference a finding citing `c` carries: "RFC 5321 §4.3.1; RFC 2920 §3.1" with an `also`. */
export function citedReference(c: Citation): string {
  return c.also ? `${c.reference}; ${c.also.reference}` : c.reference;
}

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
  /** sub-cases whose finding cites another RFC sentence, the one that answers the obvious
   * objection for that case (ReportArgs.cite names one): the finding's `reference` is the
   * citation's, and the verdict quotes it. References differ from each other and from `reference`. */
  citations?: Record<string, Citation>;
  /** what the finding means, why it matters, how to fix it */
  meaning: string;
  why: string;
  fix: string;
  /** what the verdict and the consequence chains need to know of the rule (RuleTrait) */
  traits?: RuleTrait[];
  /** the rule reads the SMTP dialogue: in a session encrypted after STARTTLS it cannot be evaluated unless a key log decrypts it */
  plaintext: boolean;
  /** a grammar nit: it decides a session's verdict only when no other rule found something as severe */
  minor?: boolean;
  /** an interoperability hazard, not a violation (the catalogue says so): listed, never decides a verdict */
  hazard?: boolean;
  /** the rule pairs replies with commands (by counting): after a capture gap on either side its
   * findings are not trusted, and the engine drops those that show frames from the gap on */
  pairing?: boolean;
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
  /** a key of the rule's `citations`: the finding cites that sentence instead of `reference` */
  cite?: string;
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

/** What a visitor returns: "stop" when the rule has said all it will say about this session (the
 * engine calls it no more until the next session). */
export type VisitResult = void | "stop";
export type Visit<T> = (part: T, ctx: RuleContext) => VisitResult;

/**
 * The parts of a session a rule looks at (ESLint's visitor): the engine walks each session's
 * conversation once, in this order — exchanges, replies, transactions, early commands, the end —
 * and calls only the rules that subscribed to each part. A filter (`verbs`, `kinds`, `codes`) is
 * the prefilter: the engine finds the subscribers of a part in O(1), so a rule about AUTH costs
 * nothing on sessions without AUTH.
 */
export interface Visitor {
  /** each command with its replies, in order (every kind); or only commands with one of `verbs`
   * or of one of `kinds` (both given: either; a command of kind "command" with a listed verb is
   * visited twice when `kinds` names "command" too, so do not) */
  exchange?: Visit<Exchange> | { verbs?: readonly string[]; kinds?: readonly CommandKind[]; visit: Visit<Exchange> };
  /** each reply, in order (the greeting too); or only replies with one of `codes` (complete or not) */
  reply?: Visit<Reply> | { codes: readonly number[]; visit: Visit<Reply> };
  /** each mail transaction (conversation.transactions) */
  transaction?: Visit<Transaction>;
  /** each command sent before the reply it had to wait for (conversation.early) */
  early?: Visit<EarlyCommand>;
  /** once, after the other parts: what needs the whole session */
  sessionEnd?(ctx: RuleContext): void;
}

export interface Rule {
  meta: RuleMeta;
  /** what the rule visits (absent: a rule of the older shape, whose `check` is its session end) */
  visit?: Visitor;
  /** the whole rule on one session: for a visitor rule, a walk of its visitor alone */
  check(ctx: RuleContext): void;
  /** why the capture cannot support this rule's judgement in this session (the engine lists the
   * rule as not evaluable with this reason and does not run it); null or absent: it can */
  unavailable?(session: Session, conversation: Conversation): string | null;
}
