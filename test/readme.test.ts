/**
 * README.md's example blocks (and docs/compare.md's) are the commands' real output, abridged by
 * the rules of test/support/readme.ts (`…` in a line: any text; a `…` line: any lines). After a
 * deliberate change of output, `UPDATE_README=1 npx vitest run test/readme.test.ts` rewrites the
 * blocks that no longer match (review the diff; JSON blocks are fixed by hand).
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findBlocks, lineMatches, matchBlock, outputLines, refreshBlock } from "./support/readme.js";
import { SHARED_PRESENT } from "./support/shared.js";

const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "smtpcap.js");
const FILES = ["README.md", "docs/compare.md"];
const UPDATE = process.env.UPDATE_README === "1";

function run(args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  delete env.COLUMNS;
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] }).stdout;
}

describe("the block matcher", () => {
  it("`…` in a line is any text, a `…` line any lines; the rest must be equal and the block must cover the output", () => {
    expect(lineMatches("  Verdict: The client is at fault: …", "  Verdict: The client is at fault: `STARTTLS` was sent")).toBe(true);
    expect(lineMatches("a … b", "a x y b")).toBe(true);
    expect(lineMatches("a … b", "a x y c")).toBe(false);
    expect(lineMatches("TLS (starttls) from frame 11: the rest is encrypted", "STARTTLS answered 220 in frame 11, but no TLS handshake followed")).toBe(false);
    const out = ["head", "one", "two", "three", "tail"];
    expect(matchBlock(["head", "…", "tail"], out)).toBeNull();
    expect(matchBlock(["head", "  …", "three", "tail"], out)).toBeNull();
    expect(matchBlock(["head", "…"], out)).toBeNull();
    expect(matchBlock(["head", "one"], out)?.message).toBe('the block ends, but the output goes on at line 3 "two" (end the block with a "…" line to leave the rest out)');
    expect(matchBlock(["head", "…", "four", "tail"], out)?.message).toBe('block line 3 "four" does not match output line 2 "one"');
    expect(matchBlock(['{"a": 1, …,', '"c": [] }'], ['{"a":1,"b":2,"c":[]}'], true)).toBeNull();
    expect(matchBlock(['{"a": 1, "c": [] }'], ['{"a":1,"b":2,"c":[]}'], true)).not.toBeNull();
  });

  it("refreshing keeps what matches and the elisions, and replaces the rest (cut where it was cut)", () => {
    const out = ["head", "one", "two", "a changed line that is long", "tail", "more"];
    expect(refreshBlock(["head", "…", "an old line that …", "tail"], out)).toEqual(["head", "…", "a changed line th…", "tail", "more"]);
    expect(refreshBlock(["head", "…", "tail", "more"], out)).toEqual(["head", "…", "tail", "more"]);
  });
});

for (const name of FILES) {
  const path = join(ROOT, name);
  const md = readFileSync(path, "utf8");
  const blocks = findBlocks(md);
  describe(`${name}: every example block is what the command prints`, () => {
    it("has example blocks", () => {
      expect(blocks.length).toBeGreaterThan(0);
    });
    const fixed = new Map<number, string[]>();
    afterAll(() => {
      if (fixed.size === 0) return;
      // from the last block to the first, so that the earlier blocks' line numbers stay valid
      const lines = md.split("\n");
      for (const b of [...blocks].reverse()) {
        const body = fixed.get(b.open);
        if (body) lines.splice(b.open + 2, b.close - b.open - 2, ...body);
      }
      writeFileSync(path, lines.join("\n"));
    });
    for (const b of blocks) {
      const needsShared = b.args.some((a) => a.startsWith("../shared/"));
      it.skipIf(needsShared && !SHARED_PRESENT)(`line ${b.open + 2}: smtpcap ${b.args.join(" ")}`, () => {
        const out = outputLines(run(b.args));
        expect(out.length, "the command printed something").toBeGreaterThan(0);
        const miss = matchBlock(b.body, out, b.json);
        if (miss && UPDATE) {
          const body = refreshBlock(b.body, out, b.json);
          if (body) {
            fixed.set(b.open, body);
            return;
          }
        }
        expect(miss?.message ?? null, `${name} line ${b.open + 2} (UPDATE_README=1 refreshes it)`).toBeNull();
      });
    }
  });
}
