import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { captures, goldenOf } from "./support/golden.js";
import { SHARED } from "./support/fixtures.js";

// Every shared capture's full report, as recorded in test/golden/shared-captures.json: a change
// in output (an optimisation must make none) fails here. After a deliberate change, regenerate
// with `UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts` and review the diff.
const FILE = join(import.meta.dirname, "golden", "shared-captures.json");
const ROOT = join(SHARED, "captures");
const update = process.env.UPDATE_GOLDEN === "1";
const golden: Record<string, Awaited<ReturnType<typeof goldenOf>>> = existsSync(FILE) && !update ? JSON.parse(readFileSync(FILE, "utf8")) : {};

describe("every shared capture's report is unchanged (test/golden/shared-captures.json)", () => {
  const files = captures(ROOT);
  it("the golden file covers every shared capture", () => {
    if (update) return;
    expect(Object.keys(golden).sort()).toEqual(files.map((f) => relative(ROOT, f)).sort());
  });
  for (const file of files) {
    const name = relative(ROOT, file);
    it(name, async () => {
      const got = await goldenOf(file);
      if (update) golden[name] = got;
      else expect(got).toEqual(golden[name]);
    });
  }
  it.runIf(update)("writes the golden file", () => {
    const sorted = Object.fromEntries(Object.entries(golden).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(FILE, JSON.stringify(sorted, null, 1) + "\n");
  });
});
