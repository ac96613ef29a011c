// What the lint scripts in test/lint/ share: the tree they check (src/, or the folder given as
// their argument, as the tests give a crafted one) and its .ts files.
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** The tree to check: the first argument, else src/ of this repository. */
export const lintRoot = () => resolve(process.argv[2] ?? join(import.meta.dirname, "..", "..", "src"));

/** Every .ts file under `root`, depth first in directory order. */
export function tsFiles(root) {
  const files = [];
  (function walk(dir) {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith(".ts")) files.push(p);
    }
  })(root);
  return files;
}
