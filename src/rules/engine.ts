import type { Session } from "../smtp/model.js";
import { ALL_RULES } from "./index.js";
import { escapeControls } from "../report/escape.js";
import { filterFor } from "./util.js";
import { DEFAULT_RULE_OPTIONS, SEVERITY_RANK, type Finding, type Rule, type RuleContext, type RuleOptions, type SessionVerdict } from "./types.js";
import { verdictFor } from "./verdict.js";

export { DEFAULT_RULE_OPTIONS, type RuleOptions };

export function selectRules(opts: RuleOptions): Rule[] {
  const only = new Set(opts.only);
  const disabled = new Set(opts.disable);
  return ALL_RULES.filter((r) => (only.size === 0 || only.has(r.meta.id)) && !disabled.has(r.meta.id));
}

/** Run every enabled rule over every session; findings sorted by session, then first frame. */
export function runRules(sessions: Session[], opts: RuleOptions): { sessions: (Session & { verdict: SessionVerdict })[]; findings: Finding[] } {
  const rules = selectRules(opts);
  const findings: Finding[] = [];
  const out: (Session & { verdict: SessionVerdict })[] = [];
  for (const session of sessions) {
    const mine: Finding[] = [];
    for (const rule of rules) {
      const ctx: RuleContext = {
        session,
        all: sessions,
        opts,
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
        replyTo(cmd) {
          const r = cmd.replies;
          return r.length > 0 ? session.replies[r[r.length - 1]] : undefined;
        },
        seq(offset) {
          return offset + (session.sawSyn ? 1 : 0);
        },
      };
      rule.check(ctx);
    }
    mine.sort((a, b) => (a.frames[0] ?? 0) - (b.frames[0] ?? 0) || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    findings.push(...mine);
    out.push(Object.assign(session, { verdict: verdictFor(session, mine, rules) }));
  }
  return { sessions: out, findings };
}
