import { expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { analyzeFile, type FileReport } from "../src/analyze.js";
import { TcpPacket } from "../src/tcp/decode.js";
import { captures } from "./support/golden.js";
import { SHARED } from "./support/fixtures.js";
import { SHARED_PRESENT, describeShared } from "./support/shared.js";
import { dataSegmentsSentOnce, readFrames, writeFrames, type RawFrame } from "./support/segments.js";
import { rng } from "./support/writer.js";

// Metamorphic test over every shared capture: disturbances that happen in customers' captures
// every day and must not change the verdict.
// - an exact retransmission (a data segment sent once, captured again after the peer's next packet),
//   a TCP keep-alive (0 or 1 byte at seq−1) and a duplicate pure ACK: the same findings (rule,
//   severity, side, message with its numbers blanked) and no new limit;
// - one data segment re-segmented into two frames at byte k (same time and ACK), and one frame's
//   timestamp set 0.5 s before its predecessor's: no new error or warning (rule, side).
const ROOT = join(SHARED, "captures");
/** perturbations per family and capture at most (a seeded sample) */
const PER_FILE = Number(process.env.METAMORPHIC_PER_FILE ?? 6);

interface Seg { index: number; flow: string; seq: number; len: number; payloadStart: number; tcpStart: number; ipStart: number; v6: boolean; whole: boolean; pureAck: boolean }

function decode(frames: RawFrame[]): Seg[] {
  const p = new TcpPacket();
  const out: Seg[] = [];
  frames.forEach((f, index) => {
    if (p.decode(f.linkType, f.data, 0, f.data.length) !== "tcp") return;
    const n = p.ipVersion === 4 ? 4 : 16;
    const ipStart = p.ipVersion === 4 ? p.srcAddrStart - 12 : p.srcAddrStart - 8;
    // the TCP header: where the ports, the sequence number and the header length agree
    let tcpStart = -1;
    for (let t = ipStart + 20; t + 20 <= p.payloadStart; t++) {
      if (f.data.readUInt16BE(t) === p.srcPort && f.data.readUInt32BE(t + 4) === p.seq >>> 0 && t + (f.data[t + 12] >> 4) * 4 === p.payloadStart) { tcpStart = t; break; }
    }
    out.push({
      index, flow: `${f.data.toString("hex", p.srcAddrStart, p.srcAddrStart + n)}:${p.srcPort}>${f.data.toString("hex", p.dstAddrStart, p.dstAddrStart + n)}:${p.dstPort}`,
      seq: p.seq >>> 0, len: p.payloadLen, payloadStart: p.payloadStart, tcpStart, ipStart, v6: p.ipVersion === 6,
      whole: p.capturedPayload === p.payloadLen && tcpStart >= 0, pureAck: p.payloadLen === 0 && (p.flags & 0x17) === 0x10,
    });
  });
  return out;
}

/** frame `s` again with payload `pay` at sequence number `seq`; FIN, SYN and RST cleared unless `keepFlags` */
function rebuild(f: RawFrame, s: Seg, seq: number, pay: Buffer, keepFlags: boolean): RawFrame {
  const head = Buffer.from(f.data.subarray(0, s.payloadStart));
  head.writeUInt32BE(seq >>> 0, s.tcpStart + 4);
  if (!keepFlags) head[s.tcpStart + 13] &= ~0x07;
  if (s.v6) head.writeUInt16BE(s.payloadStart - s.ipStart - 40 + pay.length, s.ipStart + 4);
  else head.writeUInt16BE(s.payloadStart - s.ipStart + pay.length, s.ipStart + 2);
  const data = Buffer.concat([head, pay]);
  return { linkType: f.linkType, time: f.time, data, origLen: data.length };
}

const accusations = (r: FileReport) => new Set(r.findings.filter((f) => f.severity !== "info").map((f) => `${f.rule} [${f.side}]`));
const findingsOf = (r: FileReport) => r.findings.map((f) => `${f.rule} ${f.severity} [${f.side}] ${f.message.replace(/\d+/g, "#")}`).sort();
const limitsOf = (r: FileReport) => r.sessions.flatMap((s) => s.verdict.limits.map((l) => l.replace(/\d+/g, "#")));

function sample<T>(xs: T[], n: number, seed: number): T[] {
  if (xs.length <= n) return xs;
  const r = rng(seed);
  const pool = [...xs];
  const out: T[] = [];
  while (out.length < n) out.push(pool.splice(Math.floor(r() * pool.length), 1)[0]);
  return out;
}

describeShared("metamorphic: retransmissions, keep-alives, re-segmentation and a clock step back change no verdict (shared captures)", () => {
  const dir = mkdtempSync(join(tmpdir(), "smtpcap-disorder-"));
  const files = SHARED_PRESENT ? captures(ROOT) : [];
  for (const [n, file] of files.entries()) {
    const name = relative(ROOT, file);
    it(name, async () => {
      const frames = await readFrames(file);
      const path = join(dir, `${n}.pcapng`);
      const analyze = async (fr: RawFrame[]) => {
        writeFileSync(path, writeFrames(fr));
        return analyzeFile(path);
      };
      const intact = await analyze(frames);
      const have = accusations(intact), all = findingsOf(intact), limits = limitsOf(intact);
      const smtp = new Set(intact.sessions.map((s) => `${s.clientPort}-${s.serverPort}`));
      const segs = decode(frames);
      const ours = (s: Seg) => {
        const [a, b] = s.flow.split(">").map((x) => x.split(":")[1]);
        return smtp.has(`${a}-${b}`) || smtp.has(`${b}-${a}`);
      };
      const data = segs.filter((s) => s.len > 0 && s.whole && ours(s));
      const once = new Set(dataSegmentsSentOnce(frames).map((s) => s.index));
      const problems: string[] = [];
      const check = async (what: string, fr: RawFrame[], same: boolean) => {
        const r = await analyze(fr);
        const got = accusations(r);
        for (const k of got) if (!have.has(k)) problems.push(`${what}: new ${k}: ${r.findings.find((f) => `${f.rule} [${f.side}]` === k)?.message}`);
        if (!same) return;
        const a = findingsOf(r);
        for (const x of a) if (!all.includes(x)) problems.push(`${what}: new finding ${x}`);
        for (const x of all) if (!a.includes(x)) problems.push(`${what}: lost finding ${x}`);
        for (const x of limitsOf(r)) if (!limits.includes(x)) problems.push(`${what}: new limit ${x}`);
      };
      const insert = (at: number, f: RawFrame) => [...frames.slice(0, at), f, ...frames.slice(at)];
      const payload = (s: Seg) => frames[s.index].data.subarray(s.payloadStart, s.payloadStart + s.len);
      // an exact retransmission, captured after the peer's next packet
      for (const s of sample(data.filter((x) => once.has(x.index)), PER_FILE, n + 1)) {
        const next = segs.find((o) => o.index > s.index && o.flow !== s.flow);
        const at = next ? next.index + 1 : s.index + 1;
        await check(`frame ${s.index + 1} captured again as frame ${at + 1}`, insert(at, { ...frames[s.index], time: frames[at - 1].time }), true);
      }
      // a keep-alive at seq−1 (no payload, or the last byte again), after the next frame
      for (const s of sample(data, Math.ceil(PER_FILE / 2), n + 2)) {
        const at = Math.min(s.index + 2, frames.length);
        for (const bytes of [0, 1]) {
          const ka = rebuild(frames[s.index], s, s.seq + s.len - 1, payload(s).subarray(s.len - bytes), false);
          await check(`keep-alive of ${bytes} byte(s) after frame ${s.index + 1}`, insert(at, { ...ka, time: frames[at - 1].time }), true);
        }
      }
      // a duplicate pure ACK
      for (const s of sample(segs.filter((x) => x.pureAck && ours(x)), Math.ceil(PER_FILE / 2), n + 3)) {
        await check(`pure ACK frame ${s.index + 1} captured twice`, insert(s.index + 1, frames[s.index]), true);
      }
      // re-segmentation at byte k (the first part without FIN)
      const cuts: [Seg, number][] = [];
      for (const s of data) for (let k = 1; k < s.len; k++) cuts.push([s, k]);
      for (const [s, k] of sample(cuts, PER_FILE * 2, n + 4)) {
        const pay = payload(s);
        const a = rebuild(frames[s.index], s, s.seq, pay.subarray(0, k), false), b = rebuild(frames[s.index], s, s.seq + k, pay.subarray(k), true);
        await check(`frame ${s.index + 1} (${s.len} bytes) split at byte ${k}`, [...frames.slice(0, s.index), a, b, ...frames.slice(s.index + 1)], false);
      }
      // one timestamp 0.5 s before its predecessor's
      for (const s of sample(segs.filter((x) => x.index > 0 && ours(x) && frames[x.index - 1].time > 1), PER_FILE, n + 5)) {
        const fr = [...frames];
        fr[s.index] = { ...fr[s.index], time: fr[s.index - 1].time - 0.5 };
        await check(`frame ${s.index + 1} stamped 0.5 s before frame ${s.index}`, fr, false);
      }
      expect(problems).toEqual([]);
    }, 60000);
  }
  it("cleans up", () => rmSync(dir, { recursive: true, force: true }));
});
