import { describe, expect, it } from "vitest";
import { DataScanner } from "../../src/smtp/data.js";
import { ReferenceDataScanner } from "../support/data-reference.js";
import { rng } from "../support/writer.js";

const TOKENS = ["\r\n", "\r\n", "\r\n", "\n", "\r", ".", "..", "\r\n.\r\n", "\n.\n", "\r\n.\n", "\n.\r\n", "\r.\r", "\0.", "\r\n\0.\r\n", "MAIL FROM:<a@b.test>", "RCPT TO:<c@d.test>", "DATA", "QUIT", "\xe9t\xe9", "Subject: hi"];

/** A random message body: mostly ordinary CRLF lines, with every kind of terminator, dot and NUL line, long line and 8-bit octet mixed in. */
function message(r: () => number): Buffer {
  const parts: string[] = [];
  const n = 1 + Math.floor(r() * 120);
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.45) parts.push("abcdefghijklmnopqrstuvwxyz0123456789".slice(0, Math.floor(r() * 36)) + "\r\n");
    else if (x < 0.5) parts.push("x".repeat(990 + Math.floor(r() * 25)) + (r() < 0.8 ? "\r\n" : "\n"));
    else if (x < 0.53) parts.push("." + "y".repeat(995 + Math.floor(r() * 10)) + "\r\n");
    else parts.push(TOKENS[Math.floor(r() * TOKENS.length)]);
  }
  if (r() < 0.7) parts.push("\r\n.\r\n");
  return Buffer.from(parts.join(""), "latin1");
}

/** Feed the same message to both scanners in random chunks, each inside a larger buffer whose surrounding octets include CR and LF, with capture gaps now and then. */
function compare(seed: number): void {
  const r = rng(seed);
  const body = message(r);
  const rel0 = 1000;
  const a = new DataScanner(rel0), b = new ReferenceDataScanner(rel0);
  let pos = 0, frame = 1;
  while (pos < body.length) {
    const len = 1 + Math.floor(r() * (r() < 0.3 ? 8 : 1500));
    const end = Math.min(body.length, pos + len);
    if (r() < 0.04) {
      a.markGap(end - pos);
      b.markGap(end - pos);
      pos = end;
      continue;
    }
    const pad = Math.floor(r() * 5);
    const junk = Buffer.from("\r\n.\r\n\n\r", "latin1");
    const buf = Buffer.concat([junk.subarray(0, pad), body.subarray(pos, end), junk.subarray(pad % 3)]);
    const ra = a.scan(buf, pad, pad + end - pos, rel0 + pos, frame);
    const rb = b.scan(buf, pad, pad + end - pos, rel0 + pos, frame);
    expect(ra, `seed ${seed}: scan() at ${pos}`).toBe(rb);
    if (ra >= 0) break;
    pos = end;
    frame++;
  }
  expect(a.stats, `seed ${seed}`).toEqual(b.stats);
  expect(JSON.stringify(a.stats), `seed ${seed}: key order`).toBe(JSON.stringify(b.stats));
}

describe("DATA scanner: the fast path for ordinary lines changes no statistic", () => {
  it("matches the terminator-by-terminator reference on 3000 random messages, chunkings and gaps", () => {
    for (let seed = 1; seed <= 3000; seed++) compare(seed);
  });

  it("offsets of events on the message's first line count from where the content starts in the stream", () => {
    const long = new DataScanner(50);
    const body = Buffer.from(`${"z".repeat(1001)}\r\n.\r\n`, "latin1");
    long.scan(body, 0, body.length, 50, 7);
    expect(long.stats.firstLongLine).toEqual({ offset: 50, frame: 7, length: 1003 });
    // a bare-LF end of data right away: the sequence begins with the DATA command's own CRLF
    const bare = new DataScanner(50);
    const lf = Buffer.from(".\nMAIL FROM:<x@y.test>\r\n", "latin1");
    bare.scan(lf, 0, lf.length, 50, 7);
    expect(bare.stats.nonstandardEnds[0]).toMatchObject({ sequence: "\\r\\n.\\n", offset: 48, frame: 7 });
    expect(bare.stats.smuggledCommands[0]).toMatchObject({ offset: 52, frame: 7 });
  });

  it("counts ordinary lines, the longest and the first long one, and ends at CRLF.CRLF", () => {
    const s = new DataScanner();
    const body = Buffer.from(`Subject: x\r\n\r\n${"z".repeat(1001)}\r\n..\r\nlast\r\n.\r\nQUIT\r\n`, "latin1");
    const stop = s.scan(body, 0, body.length, 50, 7);
    expect(stop).toBe(body.length - "QUIT\r\n".length);
    expect(s.stats).toMatchObject({ lines: 5, longestLine: 1003, longLines: 1, firstLongLine: { offset: 50 + 14, frame: 7, length: 1003 }, endOfData: "\\r\\n.\\r\\n", endOffset: 50 + stop, bareLf: 0, bareCr: 0 });
  });
});
