import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_RULES } from "../../src/rules/index.js";

/**
 * Every rule has test/rules/<id>.test.ts with a `ruleTester(` block (issue #24): its invalid
 * cases (the exact findings) and its valid ones side by side, where a reader of the rule looks.
 */
const DIR = import.meta.dirname;

/** Rules allowed to lack their RuleTester file: none. A rule added here needs a reason next to it. */
const KNOWN_EXCEPTIONS: string[] = [];

function hasRuleTester(id: string): boolean {
  const file = join(DIR, `${id}.test.ts`);
  return existsSync(file) && readFileSync(file, "utf8").includes("ruleTester(");
}

describe("every rule has its RuleTester file", () => {
  it("test/rules/<id>.test.ts calls ruleTester( for every rule of ALL_RULES", () => {
    const missing = ALL_RULES.map((r) => r.meta.id).filter((id) => !KNOWN_EXCEPTIONS.includes(id) && !hasRuleTester(id));
    expect(missing).toEqual([]);
  });

  it("the list of exceptions names only rules that exist and still lack the file", () => {
    const ids = new Set(ALL_RULES.map((r) => r.meta.id));
    expect(KNOWN_EXCEPTIONS.filter((id) => !ids.has(id) || hasRuleTester(id))).toEqual([]);
  });

  it("the check can fail: an id without a file is reported", () => {
    expect(hasRuleTester("no-such-rule-for-the-test")).toBe(false);
    expect(hasRuleTester("greeting-invalid")).toBe(true);
  });
});

/**
 * A rule is its file, its tests and its line in src/rules/index.ts (ALL_RULES, in catalogue order):
 * a rule file that is not registered would never run, so its absence from ALL_RULES fails here.
 */
const SRC = join(DIR, "..", "..", "src", "rules");

/** The ids of the files under src/rules/ that export a rule (`export default defineRule(`). */
function ruleFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && /^export default defineRule\(/m.test(readFileSync(join(dir, f), "utf8")))
    .map((f) => f.slice(0, -3))
    .sort();
}

describe("every rule file is registered", () => {
  it("ALL_RULES holds exactly the rules of src/rules/<id>.ts, each once, under its file's name", () => {
    const ids = ALL_RULES.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ruleFiles(SRC));
    expect(ids.length).toBe(88);
  });
});
