import type { Session } from "../smtp/model.js";
import { ALL_RULES } from "./index.js";
import { escapeControls } from "../text/escape.js";
import { filterFor } from "./util.js";
import { DEFAULT_RULE_OPTIONS, SEVERITY_RANK, type Finding, type Rule, type RuleContext, type RuleOptions, type SessionSummary, type SessionVerdict } from "./types.js";
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
  private readonly earlier: SessionSummary[] = [];

  constructor(private readonly opts: RuleOptions) {
    this.rules = selectRules(opts);
  }

  judge(session: Session): { session: JudgedSession; findings: Finding[] } {
    const mine: Finding[] = [];
    for (const rule of this.rules) {
      const ctx: RuleContext = {
        session,
        earlier: this.earlier,
        opts: this.opts,
        report(a) {
          const frames = [...new Set(a.frames.filter((f) => f > 0))].sort((x, y) => x - y);
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
      rule.check(ctx);
    }
    mine.sort((a, b) => (a.frames[0] ?? 0) - (b.frames[0] ?? 0) || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    this.earlier.push(summarise(session));
    const settled = settle(session, mine, this.opts.collapse !== false); // consequences marked, repeats collapsed
    return { session: Object.assign(session, { verdict: verdictFor(session, settled, this.rules) }), findings: settled };
  }
}

function summarise(s: Session): SessionSummary {
  const offered = s.commands.some((c) => c.kind === "command" && c.verb === "EHLO" && c.replies.some((r) => s.replies[r]?.lines.slice(1).some((l) => l.slice(4).toUpperCase().startsWith("STARTTLS"))));
  return { tcpStream: s.tcpStream, server: s.server, offeredStartTls: offered };
}
