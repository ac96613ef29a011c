import type { Rule, RuleTrait } from "./types.js";

/** Which rules have which trait (RuleMeta.traits), by rule id: what verdict.ts and consequences.ts ask. */
export interface TraitIndex {
  has(rule: string, trait: RuleTrait): boolean;
}

const NONE: ReadonlySet<RuleTrait> = new Set();
/** once per rule list (the engine keeps one; verdict and consequences run once per session) */
const cache = new WeakMap<readonly Rule[], TraitIndex>();

export function traitIndex(rules: readonly Rule[]): TraitIndex {
  let idx = cache.get(rules);
  if (idx === undefined) {
    const by = new Map<string, ReadonlySet<RuleTrait>>();
    for (const r of rules) if (r.meta.traits !== undefined) by.set(r.meta.id, new Set(r.meta.traits));
    idx = { has: (rule, trait) => (by.get(rule) ?? NONE).has(trait) };
    cache.set(rules, idx);
  }
  return idx;
}
