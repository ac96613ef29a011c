import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A crafted source tree for a lint script's test: file name → text, in a new temporary folder. */
export function tree(prefix: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Runs a lint script on `dir` (the real src/ when absent). */
export function runLint(script: string, dir?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, dir === undefined ? [script] : [script, dir], { encoding: "utf8" });
}
