import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { analyzeFile } from "../../src/analyze.js";
import { toJson } from "../../src/report/json.js";

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
 * What a capture's analysis must keep being: a readable outline (sessions, findings with their
 * frames) and the SHA-256 of the whole JSON report (without the file name), so any change to
 * any field shows.
 */
export async function goldenOf(file: string): Promise<{ sessions: string[]; findings: string[]; sha256: string }> {
  const rep = await analyzeFile(file);
  const doc = toJson(rep);
  delete doc.file;
  return {
    sessions: rep.sessions.map((s) => `${s.tcpStream} ${s.client}>${s.server} ${s.commands.length}c ${s.replies.length}r ${s.bytes.client}+${s.bytes.server}B`),
    findings: rep.findings.map((f) => `${f.rule} ${f.severity} ${f.frames.join(",")}`),
    sha256: createHash("sha256").update(JSON.stringify(doc)).digest("hex"),
  };
}
