#!/usr/bin/env node
// Fails (exit 1) when a rule id appears as a string literal in src/ outside its own rule file
// (src/rules/<id>.ts). What the rest of the system needs to know of a rule is in its metadata
// (RuleMeta.traits, citations, …), never in lists of ids that nothing checks against the rules.
// Rule ids are the `id: "…"` of the files in src/rules/. Only whole literals count ("rule-id",
// 'rule-id', `rule-id`): a rule named inside prose (a meaning, a comment) is documentation.
// Run by `npm run lint`; `node test/lint/rule-ids.mjs DIR` checks another tree (the tests do).
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import ts from "typescript";
import { lintRoot, tsFiles } from "./ts-files.mjs";

const ROOT = lintRoot();

/**
 * Files that may name rule ids, with the reason. Each entry is a debt owned by another part of the
 * tree, to be paid by moving what it needs into rule metadata.
 */
const KNOWN = new Map([
  // compare makes findings of its own under the ids of the rules it stands in for (two captures of one path)
  ["compare/index.ts", "compare reports under existing rule ids"],
  // the HTML ladder marks early commands (to be read from RuleMeta.traits "lost-step-root")
  ["report/html/data.ts", "HTML ladder: early-command rules"],
  // the product catalogue is data: each setting names the findings it explains (issue #22)
  ["products/catalog.ts", "product settings name the rules they explain"],
  // a client's behaviour class read from its findings (to be read from RuleMeta.traits)
  ["products/match.ts", "client behaviour classes from findings"],
]);

const files = tsFiles(ROOT);

const rel = (f) => relative(ROOT, f).split("\\").join("/");
const ids = new Map(); // id → its rule file
for (const f of files) {
  const r = rel(f);
  if (!/^rules\/[a-z0-9-]+\.ts$/.test(r)) continue;
  const m = /\n\s*id: "([a-z0-9-]+)",/.exec(readFileSync(f, "utf8"));
  if (m) ids.set(m[1], r);
}

const problems = [];
for (const f of files) {
  const r = rel(f);
  if (KNOWN.has(r)) continue;
  const text = readFileSync(f, "utf8");
  const src = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true);
  (function visit(node) {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && ids.has(node.text) && ids.get(node.text) !== r) {
      // the rule's own `id:` is in its file; anything else names another rule
      const { line, character } = src.getLineAndCharacterOfPosition(node.getStart(src));
      problems.push(`${r}:${line + 1}:${character + 1}: rule id "${node.text}" as a literal outside ${ids.get(node.text)}`);
    }
    ts.forEachChild(node, visit);
  })(src);
}

if (ids.size === 0) {
  console.error(`rule-ids: no rule files under ${ROOT}/rules`);
  process.exit(1);
}
if (problems.length > 0) {
  console.error(`rule ids named outside their rule files (put what is needed into RuleMeta instead):\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`no rule id literal outside its rule file (${ids.size} rules, ${files.length} files; known exceptions: ${[...KNOWN.keys()].join(", ")})`);
