import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { Reassembler, type StreamHandler } from "../../src/tcp/reassembly.js";
import { windowScales, type SynFacts } from "../../src/tcp/window.js";
import { conversationOf } from "../../src/smtp/conversation.js";
import { analyzeConv, conv, tmpFile } from "../support/fixtures.js";
import { hasTshark } from "../support/tshark.js";
import { tcpOptions, writeCapture, type Conversation } from "../support/writer.js";

const SYN_OPTS = tcpOptions([{ mss: 1460 }, "sackPerm", { ts: [1000, 0] }, "nop", { ws: 7 }]);
const SYNACK_OPTS = tcpOptions([{ mss: 1400 }, "nop", "nop", "sackPerm", "nop", { ws: 2 }]);

/** Handshake with window scaling (client shift 7, server shift 2); frames: 4 greeting, 5 EHLO, 6 pure ACK (window change), 7 EHLO reply, 8 client pure ACK. */
function scaled(): Conversation {
  const c = conv();
  c.window = { client: 502, server: 1000 };
  c.handshake(undefined, { syn: { options: SYN_OPTS, window: 64240, ttl: 63 }, synAck: { options: SYNACK_OPTS, window: 65160, ttl: 61 } });
  c.server("220 mx ESMTP\r\n"); // 4
  c.client("EHLO a.test\r\n"); // 5
  c.ack("server", { window: 990 }); // 6
  c.server("250 mx\r\n"); // 7
  c.ack("client"); // 8
  return c;
}

describe("ACK and window records (src/tcp/window.ts)", () => {
  it("records every segment that moves the ACK or changes the window, pure ACKs included, with the scale from the handshake", async () => {
    const rep = await analyzeConv(scaled());
    const s = rep.sessions[0];
    const t = s.tcp!;
    expect(t.server.scale).toBe(2);
    expect(t.client.scale).toBe(7);
    const rows = (r: readonly number[]) => Array.from({ length: r.length / 4 }, (_, i) => [r[i * 4], r[i * 4 + 2], r[i * 4 + 3]]);
    // [frame, ack offset, raw window]: 3 the handshake ACK, 5 the EHLO acknowledging the greeting, 8 the ACK of the EHLO reply
    expect(rows(t.client.records)).toEqual([[3, 0, 502], [5, 14, 502], [8, 22, 502]]);
    expect(rows(t.server.records)).toEqual([[4, 0, 1000], [6, 13, 990], [7, 13, 1000]]);
    const facts = conversationOf(s).tcp;
    expect([1, 2].map((i) => facts.server.at(i))).toMatchObject([{ frame: 6, ack: 13, raw: 990, window: 3960, scaled: true }, { frame: 7, window: 4000 }]);
    expect(facts.server.lastBefore(7)).toBe(1);
    expect(facts.server.lastBefore(4)).toBe(-1);
  });

  it("SYN and SYN/ACK facts: TTL, MSS, raw window, window scale, SACK, timestamps, option order", async () => {
    const s = (await analyzeConv(scaled())).sessions[0];
    const syn: Partial<SynFacts> = { frame: 1, ttl: 63, window: 64240, mss: 1460, wscale: 7, sackPermitted: true, timestamps: true, tsval: 1000, options: ["MSS", "SACK_PERM", "TS", "NOP", "WS"] };
    expect(s.tcp!.client.handshake).toMatchObject(syn);
    expect(s.tcp!.server.handshake).toMatchObject({ frame: 2, ttl: 61, window: 65160, mss: 1400, wscale: 2, sackPermitted: true, timestamps: false, tsval: null, options: ["MSS", "NOP", "NOP", "SACK_PERM", "NOP", "WS"] });
    expect(s.tcp!.server.dataTtl).toEqual({ first: 64, min: 64, max: 64, firstFrame: 4, lastFrame: 7, segments: 2, changedFrame: null });
  });

  it.runIf(hasTshark())("the scaled windows are Wireshark's tcp.window_size", async () => {
    const c = scaled();
    const file = tmpFile(writeCapture(c.packets));
    const out = spawnSync("tshark", ["-r", file, "-T", "fields", "-e", "frame.number", "-e", "tcp.ack", "-e", "tcp.window_size", "-Y", "frame.number >= 6 && frame.number <= 8"], { encoding: "utf8" }).stdout.trim().split("\n");
    const s = (await analyzeConv(c)).sessions[0];
    const f = conversationOf(s).tcp;
    const ours = [f.server.at(1), f.server.at(2), f.client.at(2)].map((p) => [p.frame, p.ack! + 1, p.window].join("\t"));
    expect(ours).toEqual(out);
  });

  it("without the handshake the scale is unknown and windows stay raw", async () => {
    const c = conv().midstream();
    c.window.server = 1000;
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250 mx\r\n");
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tcp!.server.scale).toBeNull();
    expect(s.tcp!.server.handshake).toBeNull();
    expect(conversationOf(s).tcp.server.at(0)).toMatchObject({ raw: 1000, window: 1000, scaled: false });
  });

  it("window scale negotiation (RFC 7323 §2.2)", () => {
    const f = (wscale: number | null) => ({ wscale }) as SynFacts;
    expect(windowScales(f(7), f(2))).toEqual([7, 2]);
    expect(windowScales(f(7), f(null))).toEqual([0, 0]);
    expect(windowScales(f(null), null)).toEqual([0, 0]); // a SYN without the option: scaling is off
    expect(windowScales(f(7), null)).toEqual([null, null]); // the SYN/ACK decides, and it is missing
    expect(windowScales(null, f(3))).toEqual([null, 3]); // a SYN/ACK with the option proves the SYN had one
    expect(windowScales(null, null)).toEqual([null, null]);
  });

  it("memory is bounded: a record only on change, at most maxWindowRecords per direction", () => {
    const none: StreamHandler = { data() {}, gap() {}, ack() {}, close() {} };
    const r = new Reassembler(none, { maxOutOfOrderBytes: 1 << 20, maxOutOfOrderSegments: 64, maxWindowRecords: 3 });
    const empty = Buffer.alloc(0);
    r.segment(0, 1, 0, 100, 0, 0x02, empty, 0, 0, 0, 1000, 64); // SYN: no record
    r.segment(1, 2, 0, 500, 101, 0x12, empty, 0, 0, 0, 1000, 64); // SYN/ACK: no record
    for (let i = 0; i < 10; i++) r.segment(0, 3 + i, i, 101, 501, 0x10, empty, 0, 0, 0, 1000, 64); // duplicate ACKs: one record
    expect(r.window.direction(0, 0).count).toBe(1);
    for (let i = 0; i < 10; i++) r.segment(0, 20 + i, 10 + i, 101, 501, 0x10, empty, 0, 0, 0, 2000 + i, 64);
    const d = r.window.direction(0, 0);
    expect(d.count).toBe(3);
    expect(d.truncatedAt).toBe(22);
  });

  it("data-segment TTL: the first, the range, and the first frame that differs", async () => {
    const c = conv().handshake();
    c.server("220 mx ESMTP\r\n"); // 4
    c.client("EHLO a.test\r\n");
    c.server("250 mx\r\n", { ttl: 57 }); // 6
    c.client("QUIT\r\n");
    c.server("221 bye\r\n"); // 8
    const s = (await analyzeConv(c)).sessions[0];
    expect(s.tcp!.server.dataTtl).toEqual({ first: 64, min: 57, max: 64, firstFrame: 4, lastFrame: 8, segments: 3, changedFrame: 6 });
  });
});
