import { Dispatch } from "./dispatch.js";
import type { Rule, RuleContext, RuleMeta, Visitor } from "./types.js";

const noop = (): void => {};

/**
 * A rule module: metadata first, then what it visits (ESLint's meta + create: a Visitor, see
 * types.ts) — or, the older shape, a check of the whole session — and optionally why a session's
 * capture cannot support the judgement (Rule.unavailable).
 */
export function defineRule(meta: RuleMeta, body: Visitor | ((ctx: RuleContext) => void), unavailable?: Rule["unavailable"]): Rule {
  let rule: Rule;
  if (typeof body === "function") rule = { meta, check: body };
  else {
    let alone: Dispatch | null = null;
    rule = {
      meta,
      visit: body,
      // the rule on its own: the engine's walk with this rule only
      check(ctx) {
        alone ??= new Dispatch([rule]);
        alone.walk(ctx.conversation, ctx.conversation.replies, ctx, noop);
        alone.off.fill(0);
      },
    };
  }
  if (unavailable) rule.unavailable = unavailable;
  return rule;
}
