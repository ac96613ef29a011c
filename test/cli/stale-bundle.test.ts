import { describe, expect, it } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const root = join(import.meta.dirname, "..", "..");

describe("bin/smtpcap.js in a clone", () => {
  it("rebuilds a dist/bundle older than src/ before running it, once", () => {
    const dir = mkdtempSync(join(tmpdir(), "smtpcap-stale-"));
    try {
      for (const p of ["bin", "src", "package.json", "tsconfig.json"]) cpSync(join(root, p), join(dir, p), { recursive: true });
      symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
      // yesterday's bundle: it would print "old"
      mkdirSync(join(dir, "dist", "bundle"), { recursive: true });
      const main = join(dir, "dist", "bundle", "main.js");
      writeFileSync(main, 'export async function main() { process.stdout.write("old\\n"); return 0; }\n');
      const past = new Date(Date.now() - 86_400_000);
      utimesSync(main, past, past);
      const first = spawnSync(process.execPath, [join(dir, "bin", "smtpcap.js"), "--version"], { encoding: "utf8" });
      expect(first.stderr).toBe("smtpcap: src/ is newer than dist/bundle: rebuilding it (npm run build does this too)\n");
      expect(first.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
      const second = spawnSync(process.execPath, [join(dir, "bin", "smtpcap.js"), "--version"], { encoding: "utf8" });
      expect(second.stderr).toBe("");
      expect(second.stdout).toBe(first.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
