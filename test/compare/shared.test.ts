import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, relative } from "node:path";
import { expect, it } from "vitest";
import { compareCaptures, compareFiles, loadCapture, type CompareReport } from "../../src/compare/index.js";
import { SHARED } from "../support/fixtures.js";
import { captures } from "../support/golden.js";
import { describeShared, SHARED_PRESENT } from "../support/shared.js";
import { hasTshark } from "../support/tshark.js";

const TWOSIDE = join(SHARED, "captures", "twoside");

interface Seg { time: number; fromServer: boolean; seq: number; len: number }

/** tshark's view of a one-connection capture: payload segments in order (the server speaks first). */
function segments(file: string): Seg[] {
  const text = spawnSync("tshark", ["-r", file, "-Y", "tcp.len > 0", "-T", "fields", "-e", "frame.time_epoch", "-e", "tcp.srcport", "-e", "tcp.seq", "-e", "tcp.len"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).stdout;
  const rows = text.split("\n").filter(Boolean).map((l) => l.split("\t"));
  const serverPort = rows[0][1];
  return rows.map(([t, port, seq, len]) => ({ time: Number(t), fromServer: port === serverPort, seq: Number(seq), len: Number(len) }));
}

/** The first transmission of each byte: a segment that only repeats earlier bytes (utm-naive-auth's
 * client side re-sends the AUTH reply 8 ms after the box released it, frame 13) is left out. */
function firstCopies(list: Seg[]): Seg[] {
  let high = 0;
  return list.filter((s) => {
    const fresh = s.seq + s.len > high;
    high = Math.max(high, s.seq + s.len);
    return fresh;
  });
}

/**
 * An oracle independent of smtpcap: were the same bytes carried in other segments at the two
 * points, and was any segment's last byte held beyond the transit by more than 200 ms?
 */
function oracle(client: string, server: string): { resegmented: boolean; delayed: boolean } {
  const a = segments(client), b = segments(server);
  let resegmented = false, delayed = false;
  for (const fromServer of [true, false]) {
    const x = firstCopies(a.filter((s) => s.fromServer === fromServer)), y = firstCopies(b.filter((s) => s.fromServer === fromServer));
    if (x.map((s) => s.len).join() !== y.map((s) => s.len).join()) resegmented = true;
    // time at which each point saw the byte at every segment end of the downstream point
    const [up, down] = fromServer ? [y, x] : [x, y];
    const at = (list: Seg[], off: number) => { let n = 0; for (const s of list) { n += s.len; if (n > off) return s.time; } return NaN; };
    let off = 0;
    const diffs: number[] = [];
    for (const s of down) { off += s.len; diffs.push(s.time - at(up, off - 1)); }
    expect(diffs.every((d) => Number.isFinite(d)), "the same bytes at both points").toBe(true);
    // a box or the network only adds delay: the smallest difference is the transit (with four
    // segments, two of them held, a median would be a held one: utm-naive-starttls)
    const transit = Math.min(...diffs);
    if (diffs.some((d) => d - transit > 0.2)) delayed = true;
  }
  return { resegmented, delayed };
}

describeShared("compare: the twoside captures (one session seen on both sides of a proxy)", () => {
  const expected = (SHARED_PRESENT ? JSON.parse(readFileSync(join(TWOSIDE, "expected-compare.json"), "utf8")) : {}) as Record<string, { "client-side": string; "server-side": string; pairs: number; changed: string[]; unchanged: string[] }>;
  it("expected-compare.json names the three recordings", () => {
    expect(Object.keys(expected).sort()).toEqual(["proxy-passthrough-auth", "utm-naive-auth", "utm-naive-starttls"]);
  });
  for (const [name, e] of Object.entries(expected)) {
    const client = join(TWOSIDE, e["client-side"]), server = join(TWOSIDE, e["server-side"]);
    if (hasTshark()) {
      it(`${name}: tshark's segments show resegmented and delayed exactly as expected-compare.json lists them`, () => {
        const o = oracle(client, server);
        for (const k of ["resegmented", "delayed"] as const) expect(o[k], k).toBe(e.changed.includes(k));
      });
    }
    for (const order of ["client-side first", "server-side first"]) {
      it(`${name}, ${order}: ${e.pairs} pair; exactly the change kinds expected-compare.json lists`, async () => {
        const r: CompareReport = order === "client-side first" ? await compareFiles(client, server) : await compareFiles(server, client);
        expect(r.pairs).toHaveLength(e.pairs);
        expect(r.unpaired).toEqual({ a: [], b: [] });
        const p = r.pairs[0];
        const found = [...new Set(p.changes.map((c) => c.kind))];
        expect(found.sort()).toEqual([...e.changed].sort());
        for (const k of e.unchanged) expect(found, `${k} did not happen`).not.toContain(k);
        expect(p.limits).toEqual([]);
        // the proxy terminates TCP: its SYN-ACK reached the client before its own SYN reached the server
        const term = p.changes[0];
        expect(term.kind).toBe("tcp-terminated");
        expect(term.frames).toEqual({ a: [1, 2], b: [1, 2] });
        expect(term.detail).toMatch(/^Two TCP connections: the SYN-ACK at the client side \(frame 2\) came 1\.\d ms before the SYN reached the server side \(frame 1\)/);
        expect(p.findings.map((f) => f.rule)).toEqual(["intercepting-proxy-detected"]);
        const clientSide = order === "client-side first" ? "a" : "b";
        expect(r[clientSide].nearer).toBe("client");
        if (e.changed.length === 1) {
          expect(p.verdict[1]).toMatch(/^Otherwise the dialogue passed the box unchanged: the same bytes in the same segments, 0\.\d{3} ms apart\.$/);
        } else {
          expect(p.verdict.join(" ")).not.toContain("unchanged");
          expect(p.findings[0].message).toBe("a proxy sits between the capture points (tcp-terminated, resegmented, delayed): the segmentation seen at the client side was produced by the box, not by the MTA");
          // the split reply the client saw was the box's doing: the endpoint findings that blame the server are traced to it
          expect(p.verdict).toContain("At the client side, reply-split-delay (frames 8, 9, 11) points at the server; the server side shows the server did not do it: the bytes were resegmented and delayed between the capture points.");
          // the reply after the held lines waited behind them; no retransmission inside the hold
          const held = p.changes.filter((c) => c.kind === "delayed");
          expect(held.map((c) => c.frames[clientSide])).toEqual([[11], [12]]);
          for (const c of held) {
            expect(c.delayMs).toBeGreaterThan(590);
            expect(c.delayMs).toBeLessThan(610);
            expect(c.detail).not.toContain("retransmitted");
            // one figure for the hold, in the change, its detail and the verdict
            expect(c.detail).toContain(`: held ${c.delayMs} ms (`);
            expect(p.verdict.join(" ")).toContain(` for ${c.delayMs} ms;`);
          }
          if (name === "utm-naive-auth" && order === "client-side first") {
            // tshark: server side frame 15 at .285827, client side frame 11 at .888394 (B = A + 0.028 ms); client side frame 9 at .286227
            expect(held[0].detail).toBe("lines 4–7 of the 250 EHLO reply (7 lines) passed the server side in frame 15 and left towards the client in frame 11 (the client side): held 602 ms (603 ms from the server side to the client side, 0.2 ms of it usual transit). The box did not wait for the client: the client's last packet before the release (frame 9, segment with 37 bytes of data) came 602 ms earlier");
          }
        }
        // the endpoint verdicts: the server side saw AUTH PLAIN in clear; through the splitting
        // proxy the client side saw the client act on the partial EHLO reply
        const decisive = (k: "a" | "b") => p.endpoints[k].decisive?.rule;
        const serverSide = clientSide === "a" ? "b" : "a";
        if (name.endsWith("-auth")) expect(decisive(serverSide)).toBe("auth-cleartext-credentials");
        expect(decisive(clientSide)).toBe(e.changed.includes("resegmented") ? "client-acted-on-partial-multiline-reply" : "auth-cleartext-credentials");
      });
    }
  }
});

describeShared("compare: every shared capture compared with itself reports no change", () => {
  const all = SHARED_PRESENT ? captures(join(SHARED, "captures")) : [];
  it(`${all.length} captures`, async () => {
    for (const file of all) {
      const c = await loadCapture(file);
      const r = compareCaptures(c, c);
      const name = relative(SHARED, file);
      expect(r.pairs.flatMap((p) => p.changes), name).toEqual([]);
      expect(r.pairs.flatMap((p) => p.findings), name).toEqual([]);
      for (const p of r.pairs) expect(p.b.tcpStream, name).toBe(p.a.tcpStream);
      expect(r.unpaired.a, name).toEqual(r.unpaired.b);
    }
  }, 120_000);
});

describeShared("compare: different lab recordings are not taken for one session seen twice", () => {
  it("no pair between two recordings, unless they said nearly the same at the same pace; then the pair says it cannot prove they are one session", async () => {
    const files = captures(join(SHARED, "captures", "lab")).filter((f) => f.endsWith(".pcap"));
    const loaded = await Promise.all(files.map((f) => loadCapture(f)));
    const paired: string[] = [];
    for (let i = 0; i < files.length; i++) {
      for (let j = 0; j < files.length; j++) {
        if (i === j) continue;
        const r = compareCaptures(loaded[i], loaded[j]);
        for (const p of r.pairs) {
          paired.push(`${relative(SHARED, files[i])} ${relative(SHARED, files[j])}`);
          expect(p.limits.some((l) => l.startsWith(`cannot prove that A's tcp.stream ${p.a.tcpStream} and B's tcp.stream ${p.b.tcpStream} are one session`))).toBe(true);
        }
      }
    }
    // the scripted server answered two recordings identically but for the EHLO reply under test
    expect(paired).toEqual(["captures/lab/scripted-barelf.pcap captures/lab/scripted-mixedcodes.pcap", "captures/lab/scripted-mixedcodes.pcap captures/lab/scripted-barelf.pcap"]);
  }, 60_000);
});
