import { expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { analyzeFile, type FileReport } from "../src/analyze.js";
import { captures } from "./support/golden.js";
import { SHARED } from "./support/fixtures.js";
import { SHARED_PRESENT, describeShared } from "./support/shared.js";
import { dataSegmentsSentOnce, finSegmentsSentOnce, readFrames, writeFrames, type DataSegment } from "./support/segments.js";
import { rng } from "./support/writer.js";

// Metamorphic test over every shared capture: delete one TCP data segment (or FIN) that was sent once (the
// capture point missed it; the peer may still have ACKed it). The damaged capture's analysis must
// report the loss, and must not accuse anyone of an error or warning (rule, side) that the intact
// capture's analysis does not contain: a missing packet must never create an accusation.
const ROOT = join(SHARED, "captures");
/** segments deleted per capture at most (all of them for small captures; a seeded sample otherwise) */
const PER_FILE = Number(process.env.METAMORPHIC_PER_FILE ?? 80);

type Key = string;
const accusations = (rep: FileReport): Set<Key> => new Set(rep.findings.filter((f) => f.severity !== "info").map((f) => `${f.rule} [${f.side}]`));

function sample<T extends DataSegment>(segs: T[], n: number, seed: number): T[] {
  if (segs.length <= n) return segs;
  const r = rng(seed);
  const pool = [...segs];
  const out: T[] = [];
  while (out.length < n) out.push(pool.splice(Math.floor(r() * pool.length), 1)[0]);
  return out.sort((a, b) => a.index - b.index);
}

describeShared("metamorphic: one lost data segment or FIN never creates an accusation (shared captures)", () => {
  const dir = mkdtempSync(join(tmpdir(), "smtpcap-meta-"));
  const files = SHARED_PRESENT ? captures(ROOT) : [];
  for (const [n, file] of files.entries()) {
    const name = relative(ROOT, file);
    it(name, async () => {
      const frames = await readFrames(file);
      const intactPath = join(dir, `${n}-intact.pcapng`);
      writeFileSync(intactPath, writeFrames(frames));
      const intact = await analyzeFile(intactPath);
      const have = accusations(intact);
      const smtp = new Set(intact.sessions.map((s) => `${s.clientPort}-${s.serverPort}`));
      const ours = (s: DataSegment) => smtp.has(`${s.srcPort}-${s.dstPort}`) || smtp.has(`${s.dstPort}-${s.srcPort}`);
      // and the FINs sent once: a close the capture missed must not turn into who-closed-first accusations
      const segs = [...dataSegmentsSentOnce(frames).filter(ours), ...sample(finSegmentsSentOnce(frames).filter(ours), PER_FILE / 4, n + 7)];
      const problems: string[] = [];
      for (const seg of sample(segs, PER_FILE, n + 1)) {
        const path = join(dir, `${n}-damaged.pcapng`);
        writeFileSync(path, writeFrames(frames, seg.index));
        const damaged = await analyzeFile(path);
        const at = `frame ${seg.index + 1} (${seg.len === 0 ? "FIN" : `${seg.len} bytes`}, port ${seg.srcPort}→${seg.dstPort})`;
        const s = damaged.sessions.find((x) => (x.clientPort === seg.srcPort && x.serverPort === seg.dstPort) || (x.clientPort === seg.dstPort && x.serverPort === seg.srcPort));
        // a segment no other packet refers to leaves no trace: nothing can report its loss
        if (s && seg.traced && s.gaps.length === 0 && s.limits.length === 0) problems.push(`${at} deleted: the loss is not reported`);
        for (const k of accusations(damaged)) if (!have.has(k)) problems.push(`${at} deleted: new ${k}: ${damaged.findings.find((f) => `${f.rule} [${f.side}]` === k)?.message}`);
      }
      expect(problems).toEqual([]);
    }, 60000);
  }
  it("cleans up", () => rmSync(dir, { recursive: true, force: true }));
});
