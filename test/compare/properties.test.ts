import { describe, expect, it } from "vitest";
import { compareCaptures, loadCapture, type CompareReport } from "../../src/compare/index.js";
import { rng } from "../support/writer.js";
import { TwoPoint, captures } from "./twopoint.js";

/** A random session through a random box: replies split and held, a keyword masked, a reply injected. */
function scenario(seed: number): { p: TwoPoint; kinds: Set<string> } {
  const r = rng(seed);
  const kinds = new Set<string>();
  const terminate = r() < 0.7;
  if (terminate) kinds.add("tcp-terminated");
  const p = new TwoPoint({ t0: 1700000000 + seed, transit: 0.0001 + r() * 0.0009, terminate }).handshake();
  p.server("220 mx.example.test ESMTP\r\n").client("EHLO c.example.test\r\n");
  const ehlo = ["250-mx.example.test", "250-PIPELINING", "250-SIZE 1000", "250-STARTTLS", "250 8BITMIME"].map((l) => l + "\r\n");
  const whole = ehlo.join("");
  if (r() < 0.3) {
    p.serverRewritten(whole, whole.replace("250-STARTTLS", "250-XXXXXXXA"));
    kinds.add("rewritten");
  } else if (r() < 0.5) {
    const cut = 1 + Math.floor(r() * 4);
    const hold = r() < 0.5 ? 0.3 + r() : 0;
    p.server(whole, { chunks: [ehlo.slice(0, cut).join(""), ehlo.slice(cut).join("")], delays: [0, hold] });
    kinds.add("resegmented");
    if (hold) kinds.add("delayed");
  } else p.server(whole);
  for (let i = 0, n = Math.floor(r() * 4); i < n; i++) {
    p.client(`RCPT TO:<u${i}@example.test>\r\n`);
    if (r() < 0.15) {
      p.boxAnswers("250 ok (box)\r\n");
      kinds.add("injected");
    } else p.server("250 ok\r\n");
  }
  return { p: p.close(), kinds };
}

function mirrored(ab: CompareReport, ba: CompareReport): void {
  expect(ba.pairs.map((p) => [p.b.tcpStream, p.a.tcpStream])).toEqual(ab.pairs.map((p) => [p.a.tcpStream, p.b.tcpStream]));
  ab.pairs.forEach((p, i) => {
    const q = ba.pairs[i];
    expect(q.changes.map((c) => [c.kind, c.direction, c.frames.b, c.frames.a, c.delayMs, c.detail])).toEqual(p.changes.map((c) => [c.kind, c.direction, c.frames.a, c.frames.b, c.delayMs, c.detail]));
    expect(q.findings.map((f) => f.rule)).toEqual(p.findings.map((f) => f.rule));
  });
}

describe("properties over random two-point sessions", () => {
  it("the changes found are the ones the box made; swapping the arguments mirrors every pair and change; each capture compared with itself shows none", async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { p, kinds } = scenario(seed);
      const f = captures([p]);
      const c = await loadCapture(f.client), s = await loadCapture(f.server);
      const ab = compareCaptures(c, s), ba = compareCaptures(s, c);
      expect(ab.pairs, `seed ${seed}`).toHaveLength(1);
      expect([...new Set(ab.pairs[0].changes.map((x) => x.kind))].sort(), `seed ${seed}`).toEqual([...kinds].sort());
      mirrored(ab, ba);
      for (const x of [c, s]) {
        const self = compareCaptures(x, x);
        expect(self.pairs.flatMap((p) => p.changes), `seed ${seed}`).toEqual([]);
      }
    }
  }, 60_000);
});
