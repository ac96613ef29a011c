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

interface Seg { time: number; fromServer: boolean; len: number }

/** tshark's view of a one-connection capture: payload segments in order (the server speaks first). */
function segments(file: string): Seg[] {
  const text = spawnSync("tshark", ["-r", file, "-Y", "tcp.len > 0", "-T", "fields", "-e", "frame.time_epoch", "-e", "tcp.srcport", "-e", "tcp.len"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).stdout;
  const rows = text.split("\n").filter(Boolean).map((l) => l.split("\t"));
  const serverPort = rows[0][1];
  return rows.map(([t, port, len]) => ({ time: Number(t), fromServer: port === serverPort, len: Number(len) }));
}

/**
 * An oracle independent of smtpcap: were the same bytes carried in other segments at the two
 * points, and was any segment's last byte held beyond the median transit by more than 200 ms?
 */
function oracle(client: string, server: string): { resegmented: boolean; delayed: boolean } {
  const a = segments(client), b = segments(server);
  let resegmented = false, delayed = false;
  for (const fromServer of [true, false]) {
    const x = a.filter((s) => s.fromServer === fromServer), y = b.filter((s) => s.fromServer === fromServer);
    if (x.map((s) => s.len).join() !== y.map((s) => s.len).join()) resegmented = true;
    // time at which each point saw the byte at every segment end of the downstream point
    const [up, down] = fromServer ? [y, x] : [x, y];
    const at = (list: Seg[], off: number) => { let n = 0; for (const s of list) { n += s.len; if (n > off) return s.time; } return NaN; };
    let off = 0;
    const diffs: number[] = [];
    for (const s of down) { off += s.len; diffs.push(s.time - at(up, off - 1)); }
    const sorted = [...diffs].sort((p, q) => p - q);
    const med = sorted[sorted.length >> 1];
    if (diffs.some((d) => d - med > 0.2)) delayed = true;
  }
  return { resegmented, delayed };
}

describeShared("compare: the twoside captures (one session through the splitting proxy)", () => {
  const expected = (SHARED_PRESENT ? JSON.parse(readFileSync(join(TWOSIDE, "expected-compare.json"), "utf8")) : {}) as Record<string, { "client-side": string; "server-side": string; pairs: number; changed: string[]; unchanged: string[] }>;
  for (const [name, e] of Object.entries(expected)) {
    const client = join(TWOSIDE, e["client-side"]), server = join(TWOSIDE, e["server-side"]);
    for (const order of ["client-side first", "server-side first"]) {
      it(`${name}, ${order}: ${e.pairs} pair; a change kind is reported exactly when the captures show it`, async () => {
        const r: CompareReport = order === "client-side first" ? await compareFiles(client, server) : await compareFiles(server, client);
        expect(r.pairs).toHaveLength(e.pairs);
        expect(r.unpaired).toEqual({ a: [], b: [] });
        const found = new Set(r.pairs.flatMap((p) => p.changes.map((c) => c.kind)));
        for (const k of e.unchanged) expect(found.has(k as never), `${k} did not happen`).toBe(false);
        if (hasTshark()) {
          const o = oracle(client, server);
          // expected-compare.json lists resegmented and delayed, but in these captures the EHLO reply
          // travels as the same 7 segments at both points, 0.05 ms apart: they are reported only if tshark sees them
          for (const k of e.changed) {
            if (k === "resegmented" || k === "delayed") expect(found.has(k), `${k}: tshark says ${o[k]}`).toBe(o[k]);
          }
        }
        // the proxy terminates TCP: its SYN-ACK reached the client before its own SYN reached the server
        const p = r.pairs[0];
        expect(p.changes.map((c) => c.kind)).toEqual(["tcp-terminated"]);
        expect(p.changes[0].frames).toEqual({ a: [1, 2], b: [1, 2] });
        expect(p.changes[0].detail).toMatch(/^Two TCP connections: the SYN-ACK at the client side \(frame 2\) came 1\.\d ms before the SYN reached the server side \(frame 1\)/);
        expect(p.findings.map((f) => f.rule)).toEqual(["intercepting-proxy-detected"]);
        expect(p.verdict[1]).toMatch(/^Otherwise the dialogue passed the box unchanged: the same bytes in the same segments, 0\.\d{3} ms apart\.$/);
        const clientSide = order === "client-side first" ? "a" : "b";
        expect(r[clientSide].nearer).toBe("client");
        // the endpoint verdicts stand at both points: AUTH PLAIN in clear
        expect(p.endpoints.a.decisive?.rule).toBe("auth-cleartext-credentials");
        expect(p.endpoints.b.decisive?.rule).toBe("auth-cleartext-credentials");
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
