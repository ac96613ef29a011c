import type { Rule, RuleContext, RuleMeta } from "./types.js";

/** A rule module: metadata first, then the check (ESLint's meta + create), and optionally why a
 * session's capture cannot support the judgement (Rule.unavailable). */
export function defineRule(meta: RuleMeta, check: (ctx: RuleContext) => void, unavailable?: Rule["unavailable"]): Rule {
  return unavailable ? { meta, check, unavailable } : { meta, check };
}
