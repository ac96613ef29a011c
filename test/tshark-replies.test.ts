import { expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join, relative } from "node:path";
import { analyzeFile } from "../src/analyze.js";
import { hasTshark } from "./support/tshark.js";
import { SHARED } from "./support/fixtures.js";
import { captures } from "./support/golden.js";
import { SHARED_PRESENT, describeShared } from "./support/shared.js";


/** Captures in which neither tool may find a reply, and why; every other capture must compare at least one reply. */
const NO_REPLIES: Record<string, string> = {
  "suricata-verify/ftp-quit/input.pcap": "an FTP control connection: no SMTP at all",
  "suricata-verify/smtp-quit/input.pcap": "the server closes before sending anything",
  "zeek/smtp-attachment-msg.pcap": "only the client's side was captured",
  "zeek/smtp-one-side-only.pcap": "only the client's side was captured",
};

/** Captures whose replies all share a segment with a line the comparison leaves out, and why. */
const NOTHING_COMPARABLE: Record<string, string> = {
  "suricata-verify/smtp-bug-5989/input.pcap": "the greeting shares its only segment with a 5000-octet line that has no reply code",
  "tls/implicit-tls-465.pcap": "implicit TLS on port 465 (RFC 8314): every reply is inside TLS, and no key log is given here",
};

/**
 * Where a reply travelled in one segment, Wireshark's SMTP dissector and smtpcap must agree on
 * which frames carry which reply codes (Wireshark lists one code per reply). Replies that were
 * split, damaged or cut are left out, reply by reply, and so is everything after a capture gap; a
 * capture where nothing was compared fails unless it is listed, with the reason, in NO_REPLIES
 * (then tshark must find no reply either) or NOTHING_COMPARABLE.
 */
describeShared("reply frames and codes agree with tshark where replies are not split", () => {
  it.runIf(!hasTshark())("tshark is not installed: nothing compared", () => undefined);
  if (!hasTshark()) return;
  for (const file of SHARED_PRESENT ? captures(join(SHARED, "captures")) : []) {
    const name = relative(join(SHARED, "captures"), file);
    it(name, async () => {
      const rep = await analyzeFile(file);
      const ports = [...new Set(rep.sessions.map((s) => Number(s.server.split(":").pop())))];
      const decodeAs = ports.filter((p) => p !== 25 && p !== 587).flatMap((p) => ["-d", `tcp.port==${p},smtp`]);
      const r = spawnSync("tshark", ["-r", file, ...decodeAs, "-Y", "smtp.response", "-T", "fields", "-e", "tcp.stream", "-e", "frame.number", "-e", "smtp.response.code"], { encoding: "utf8" });
      const theirs = new Map<string, string>();
      for (const line of r.stdout.trim().split("\n").filter(Boolean)) {
        const [stream, frame, codes] = line.split("\t");
        theirs.set(`${stream}/${frame}`, codes);
      }
      if (name in NO_REPLIES) {
        expect(rep.sessions.flatMap((s) => s.replies), NO_REPLIES[name]).toEqual([]);
        expect([...theirs.keys()], NO_REPLIES[name]).toEqual([]);
        return;
      }
      // Wireshark does not dissect data it calls a spurious retransmission (a segment captured after
      // the peer's ACK of it, i.e. reordered at the capture point); smtpcap delivers it, once.
      const spurious = new Set(spawnSync("tshark", ["-r", file, "-Y", "tcp.analysis.spurious_retransmission", "-T", "fields", "-e", "frame.number"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean).map(Number));
      let compared = 0;
      for (const s of rep.sessions) {
        // after a capture gap the two tools resynchronise differently: compare what came before it
        const before = Math.min(...s.gaps.map((g) => g.frame));
        const plain = s.replies.filter((x) => !x.afterStartTls && x.frames.every((f) => f < before));
        const simple = (x: (typeof plain)[number]) => x.complete && x.segments.length === 1 && !spurious.has(x.frames[0]) && x.lineInfo.every((l) => l.terminator !== "none" && l.code !== null && (l.sep === " " || l.sep === "-" || l.sep === ""));
        // frames that carry part of a reply left out: Wireshark may show it there, or not
        const skipped = new Set(plain.filter((x) => !simple(x)).flatMap((x) => x.frames));
        const ours = new Map<string, string>();
        for (const x of plain.filter(simple)) {
          const key = `${s.tcpStream}/${x.frames[0]}`;
          ours.set(key, ours.has(key) ? `${ours.get(key)},${x.code}` : String(x.code));
        }
        for (const k of ours.keys()) if (skipped.has(Number(k.split("/")[1]))) ours.delete(k);
        const frame = (k: string) => Number(k.split("/")[1]);
        const mine = [...theirs].filter(([k]) => k.startsWith(`${s.tcpStream}/`) && !skipped.has(frame(k)) && frame(k) < before);
        expect(Object.fromEntries(ours), `tcp.stream ${s.tcpStream}`).toEqual(Object.fromEntries(mine));
        compared += ours.size;
      }
      if (name in NOTHING_COMPARABLE) expect(compared, NOTHING_COMPARABLE[name]).toBe(0);
      else expect(compared, "replies compared with tshark").toBeGreaterThan(0);
    });
  }
});
