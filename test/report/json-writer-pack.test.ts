import { describe, expect, it } from "vitest";
import type { FileSummary } from "../../src/analyze.js";
import { JsonFileWriter, type PreparedSession } from "../../src/report/json.js";

// --format json writes a file's findings again at the end of its record; JsonFileWriter keeps
// them deflated meanwhile: 2^21 characters first, then pieces of 2^18. What it writes must be the same bytes as
// the findings joined with ",", across pieces and with any characters.

const SUM = { format: "pcap", gzip: false, packets: 0, bytes: 0, stats: {}, sessionCount: 0, problems: [] } as unknown as FileSummary;

/** A prepared session with `n` findings whose messages are `msg(i)`. */
function session(n: number, msg: (i: number) => string): PreparedSession {
  const findings: string[] = [];
  for (let i = 0; i < n; i++) findings.push(`{"rule":"r${i}","severity":"info","side":"server","session":`, `,"message":${JSON.stringify(msg(i))}}`);
  return { tcpStream: 0, severities: new Array(n).fill("info"), head: `"tcpStream":0`, findings, commands: "[]", replies: "[]" };
}

function run(sessions: PreparedSession[]): { text: string; expected: string[] } {
  const parts: string[] = [];
  const w = new JsonFileWriter((s) => parts.push(s), "f.pcap", "json");
  const expected: string[] = [];
  sessions.forEach((p, index) => {
    for (let i = 0; i < p.findings.length; i += 2) expected.push(p.findings[i] + index + p.findings[i + 1]);
    w.write(p, index);
  });
  w.end(SUM);
  return { text: parts.join(""), expected };
}

describe("JsonFileWriter findings list", () => {
  it("writes the findings of many pieces exactly, non-ASCII text and escaped lone surrogates included", () => {
    const odd = (i: number) => `é ✓ 😀 \ud800 ${"x".repeat(1000 + (i % 97))} ${i}`;
    const sessions = Array.from({ length: 3000 }, (_, k) => session(k % 5, (i) => odd(k * 7 + i)));
    const { text, expected } = run(sessions);
    expect(expected.join(",").length).toBeGreaterThan(2 * (1 << 21));
    const at = text.lastIndexOf(',"findings":[');
    expect(text.slice(at)).toBe(`,"findings":[${expected.join(",")}]}`);
    const doc = JSON.parse(text);
    expect(doc.findings.length).toBe(expected.length);
    expect(doc.sessions.length).toBe(3000);
  });

  it("writes an empty list and a list under one piece as before", () => {
    expect(run([session(0, String)]).text.endsWith(`,"findings":[]}`)).toBe(true);
    const { text, expected } = run([session(3, String), session(0, String), session(2, String)]);
    expect(text.endsWith(`,"findings":[${expected.join(",")}]}`)).toBe(true);
  });
});
