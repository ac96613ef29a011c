import { ALL_RULES } from "../rules/index.js";

/** `smtpcap rules`: one line per rule, from the rules' own metadata. */
export function listRules(json: boolean): string {
  const metas = ALL_RULES.map((r) => r.meta);
  if (json) return JSON.stringify(metas, null, 1) + "\n";
  const w = Math.max(...metas.map((m) => m.id.length), 4);
  const lines = metas.map((m) => `${m.id.padEnd(w)}  ${m.severity.padEnd(7)}  ${m.side.padEnd(9)}  ${m.reference}`);
  return [`${"rule".padEnd(w)}  severity side       reference`, ...lines].join("\n") + "\n";
}

/** `smtpcap explain RULE`, or null for an unknown id. */
export function explainRule(id: string): string | null {
  const r = ALL_RULES.find((x) => x.meta.id === id);
  if (!r) return null;
  const m = r.meta;
  return [
    `${m.id} — ${m.title}`,
    `severity: ${m.severity} · at fault: ${m.side} · ${m.reference}`,
    "",
    `The RFC: “${m.quote}”`,
    ...Object.entries(m.quoteFor ?? {}).map(([side, q]) => `When the ${side} is at fault, ${q.reference}: “${q.quote}”`),
    ...Object.values(m.citations ?? {}).map((q) => `In a sub-case, ${q.reference}: “${q.quote}”`),
    "",
    `What it means: ${m.meaning}`,
    `Why it matters: ${m.why}`,
    `How to fix it: ${m.fix}`,
    m.plaintext ? "Needs the SMTP dialogue in clear: inside TLS (after STARTTLS, or on port 465) it is not evaluable unless a key log (--tls-keylog) decrypts the session." : "",
  ].join("\n").trimEnd() + "\n";
}
