import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { runLint, tree as crafted } from "./crafted-tree.js";

// The rule-id check that `npm run lint` runs: a rule id as a literal outside its own rule file fails.
const SCRIPT = join(import.meta.dirname, "rule-ids.mjs");
const tree = (files: Record<string, string>) => crafted("smtpcap-ids-", files);
const run = (dir: string) => runLint(SCRIPT, dir);
const RULE = 'export default defineRule({\n  id: "some-rule",\n  title: "x",\n  meaning: "see `other-rule`, its sibling",\n});\n';

describe("rule-id literal check (npm run lint)", () => {
  it("passes the real tree", () => {
    const r = runLint(SCRIPT);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
  it("passes a rule that names itself and mentions another inside prose", () => {
    const r = run(tree({ "rules/some-rule.ts": RULE, "rules/other-rule.ts": RULE.replace('"some-rule"', '"other-rule"'), "rules/verdict.ts": "// some-rule decides\nexport const x = `${1} some-rule`;\n" }));
    expect(r.status).toBe(0);
  });
  it("fails on an id list outside the rule file, naming file, line and id", () => {
    const r = run(tree({ "rules/some-rule.ts": RULE, "rules/verdict.ts": 'const A = new Set(["some-rule"]);\nexport default A;\n', "report/x.ts": "export const y = `some-rule`;\n" }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('rules/verdict.ts:1:20: rule id "some-rule" as a literal outside rules/some-rule.ts');
    expect(r.stderr).toContain('report/x.ts:1:18: rule id "some-rule"');
  });
  it("fails on another rule's id inside a rule file", () => {
    const r = run(tree({ "rules/some-rule.ts": RULE, "rules/other-rule.ts": 'export default defineRule({\n  id: "other-rule",\n});\nif (f.rule === "some-rule") {}\n' }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('rules/other-rule.ts:4:16: rule id "some-rule"');
  });
});
