import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { analyzeFile } from "../../src/analyze.js";
import { toJson } from "../../src/report/json.js";
import { plural } from "../../src/text/plural.js";

/** Every capture under `dir` (the pcapng reader conformance files aside), sorted. */
export function captures(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      if (e !== "pcapng-conformance") out.push(...captures(p));
    } else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(e)) out.push(p);
  }
  return out.sort();
}

/**
 * What a capture's analysis must keep being, in a form a reviewer can read in a diff: sessions,
 * each session's verdict (who, summary, what the capture lacks, which rules could not look), every
 * finding with its side, frames and message; and the SHA-256 of the whole JSON report (without the
 * file name), so a change to any other field shows too.
 */
export async function goldenOf(file: string): Promise<{ sessions: string[]; verdicts: string[]; findings: string[]; sha256: string }> {
  const rep = await analyzeFile(file);
  const doc = toJson(rep);
  delete doc.file;
  return {
    sessions: rep.sessions.map((s) => `${s.tcpStream} ${s.client}>${s.server} ${s.commands.length}c ${s.replies.length}r ${s.bytes.client}+${s.bytes.server}B`),
    verdicts: rep.sessions.map((s) => {
      const v = s.verdict;
      const limits = v.limits.length ? ` [lacks: ${v.limits.join("; ")}]` : "";
      const why = [...new Set(v.notEvaluableWhy ?? [])];
      const skipped = v.notEvaluable.length ? ` [${plural(v.notEvaluable.length, "rule")} not evaluable: ${why.join("; ")}]` : "";
      return `${s.tcpStream} ${v.fault}: ${v.summary}${limits}${skipped}`;
    }),
    findings: rep.findings.map((f) => `${f.rule} ${f.severity} ${f.frames.join(",")} ${f.side}: ${f.message}`),
    sha256: createHash("sha256").update(JSON.stringify(doc)).digest("hex"),
  };
}
