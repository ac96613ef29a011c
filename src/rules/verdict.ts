import type { Session } from "../smtp/model.js";
import { SEVERITY_RANK, type Finding, type Rule, type SessionVerdict } from "./types.js";

/** The session's verdict: the most severe finding decides who is at fault. */
export function verdictFor(session: Session, findings: Finding[], rules: Rule[]): SessionVerdict {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  const notEvaluable = session.tls ? rules.filter((r) => r.meta.plaintext).map((r) => r.meta.id) : [];
  const minor = new Set(rules.filter((r) => r.meta.minor).map((r) => r.meta.id));
  const worst = [...findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || Number(minor.has(a.rule)) - Number(minor.has(b.rule)))[0];
  if (!worst || worst.severity === "info") {
    const split = findings.find((f) => f.rule === "reply-split-across-segments");
    return {
      fault: "none",
      summary: "No violation found." + (split ? " Replies split across TCP segments are legal; the client waited for them." : ""),
      decisive: null,
      counts,
      notEvaluable,
      limits: [],
    };
  }
  const rule = rules.find((r) => r.meta.id === worst.rule)!;
  const who = worst.side === "client" ? "The client" : worst.side === "server" ? "The server" : "A middlebox";
  let summary = `${who} is at fault (${worst.severity}): ${worst.message}`;
  const split = findings.find((f) => f.rule === "reply-split-across-segments");
  if (split && worst.side === "client") {
    summary += " Splitting the reply across TCP segments is legal: SMTP needs only an ordered byte stream (RFC 5321 §1.1) and segment boundaries carry no meaning (RFC 793 §2.8).";
  }
  return {
    fault: worst.side,
    summary,
    decisive: { rule: rule.meta.id, reference: rule.meta.reference, quote: rule.meta.quote },
    counts,
    notEvaluable,
    limits: [],
  };
}
