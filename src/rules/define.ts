import type { Rule, RuleContext, RuleMeta } from "./types.js";

/** A rule module: metadata first, then the check (ESLint's meta + create). */
export function defineRule(meta: RuleMeta, check: (ctx: RuleContext) => void): Rule {
  return { meta, check };
}
