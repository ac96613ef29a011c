import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { analyzeFile } from "../src/analyze.js";
import { hasTshark } from "./support/tshark.js";
import { SHARED } from "./support/fixtures.js";

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) { if (e !== "pcapng-conformance") out.push(...captures(p)); }
    else if (/\.(pcap|pcapng)$/.test(e)) out.push(p);
  }
  return out.sort();
}

/**
 * Where every reply of a session travelled in one segment, Wireshark's SMTP dissector and smtpcap
 * must agree on which frames carry which reply codes (Wireshark lists one code per reply).
 */
describe.runIf(hasTshark())("reply frames and codes agree with tshark where replies are not split", () => {
  for (const file of captures(join(SHARED, "captures"))) {
    it(relative(join(SHARED, "captures"), file), async () => {
      const rep = await analyzeFile(file);
      const ports = [...new Set(rep.sessions.map((s) => Number(s.server.split(":").pop())))];
      const decodeAs = ports.filter((p) => p !== 25 && p !== 587).flatMap((p) => ["-d", `tcp.port==${p},smtp`]);
      const r = spawnSync("tshark", ["-r", file, ...decodeAs, "-Y", "smtp.response", "-T", "fields", "-e", "tcp.stream", "-e", "frame.number", "-e", "smtp.response.code"], { encoding: "utf8" });
      const theirs = new Map<string, string>();
      for (const line of r.stdout.trim().split("\n").filter(Boolean)) {
        const [stream, frame, codes] = line.split("\t");
        theirs.set(`${stream}/${frame}`, codes);
      }
      // Wireshark does not dissect data it calls a spurious retransmission (a segment captured after
      // the peer's ACK of it, i.e. reordered at the capture point); smtpcap delivers it, once.
      const spurious = new Set(spawnSync("tshark", ["-r", file, "-Y", "tcp.analysis.spurious_retransmission", "-T", "fields", "-e", "frame.number"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean).map(Number));
      let compared = 0;
      for (const s of rep.sessions) {
        const plain = s.replies.filter((x) => !x.afterStartTls);
        const simple = s.gaps.length === 0 && plain.every((x) => x.complete && x.segments.length === 1 && x.lineInfo.every((l) => l.terminator === "crlf" && l.code !== null && (l.sep === " " || l.sep === "-")));
        if (!simple || plain.length === 0) continue;
        const ours = new Map<string, string>();
        for (const x of plain) {
          if (spurious.has(x.frames[0])) continue;
          const key = `${s.tcpStream}/${x.frames[0]}`;
          ours.set(key, ours.has(key) ? `${ours.get(key)},${x.code}` : String(x.code));
        }
        const mine = [...theirs].filter(([k]) => k.startsWith(`${s.tcpStream}/`));
        expect(Object.fromEntries(ours), `tcp.stream ${s.tcpStream}`).toEqual(Object.fromEntries(mine));
        compared++;
      }
      if (file.includes("postfix-swaks")) expect(compared).toBe(1);
    });
  }
});
