import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { runLint, tree as crafted } from "./crafted-tree.js";

// The import-cycle check that `npm run lint` runs: it must fail on a cycle between files and on a
// cycle between the parts of src/, and pass on a layered tree.
const SCRIPT = join(import.meta.dirname, "import-cycles.mjs");
const tree = (files: Record<string, string>) => crafted("smtpcap-cycles-", files);
const run = (dir: string) => runLint(SCRIPT, dir);

describe("import-cycle check (npm run lint)", () => {
  it("passes a layered tree", () => {
    const r = run(tree({ "text/a.ts": "export const a = 1;\n", "smtp/b.ts": 'import { a } from "../text/a.js";\nexport const b = a;\n' }));
    expect(r.status).toBe(0);
  });
  it("fails on a cycle between two files, naming them", () => {
    const r = run(tree({ "cli/a.ts": 'import { b } from "./b.js";\nexport const a = b;\n', "cli/b.ts": 'import type { a } from "./a.js";\nexport const b = 1 as typeof a;\n' }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("files: cli/a.ts ↔ cli/b.ts");
  });
  it("fails on a cycle between parts even when the files form no cycle", () => {
    const r = run(tree({
      "rules/a.ts": 'import { c } from "../report/c.js";\nexport const a = c;\n',
      "rules/b.ts": "export const b = 1;\n",
      "report/c.ts": "export const c = 1;\n",
      "report/d.ts": 'import { b } from "../rules/b.js";\nexport const d = b;\n',
    }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("parts: report ↔ rules");
  });
});
