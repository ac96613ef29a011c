import { describe, expect, it } from "vitest";
import { readCapture } from "../../src/capture/source.js";
import { TcpPacket } from "../../src/tcp/decode.js";
import { DEFAULT_TRACKER, FlowTracker } from "../../src/tcp/flows.js";
import type { SegmentMeta } from "../../src/tcp/reassembly.js";
import { SmtpFlowFactory } from "../../src/smtp/detect.js";
import type { Session } from "../../src/smtp/model.js";
import { DEFAULT_DISSECT } from "../../src/smtp/session.js";
import type { TlsPhase, TlsPhaseFactory, TlsSink } from "../../src/stream/tls-slot.js";
import { conv, tmpFile } from "../support/fixtures.js";
import { writeCapture } from "../support/writer.js";

/** A TLS record (type, TLS 1.2) around `body`. */
function record(type: number, body: string | Buffer): Buffer {
  const b = typeof body === "string" ? Buffer.from(body, "latin1") : body;
  return Buffer.concat([Buffer.from([type, 3, 3, b.length >> 8, b.length & 255]), b]);
}

/**
 * A stand-in TLS layer for the slot: records of type 23 carry their plaintext unencrypted, other
 * records (the handshake) carry none. It keeps, per direction, where each record ended in TCP
 * and plaintext offsets, to translate ACKs as a real TLS layer must.
 */
class IdentityTls implements TlsPhase {
  readonly facts = { started: [-1, -1] as [number, number], gaps: 0 };
  private held: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  private heldRel: [number, number] = [0, 0];
  private plain: [number, number] = [0, 0];
  private ends: [[number, number][], [number, number][]] = [[], []];
  constructor(private readonly sink: TlsSink, private readonly peerAck: (dir: 0 | 1, tcpAck: number) => number) {}
  start(dir: 0 | 1, tcpRel: number): void {
    this.facts.started[dir] = tcpRel;
    this.heldRel[dir] = tcpRel;
  }
  data(dir: 0 | 1, buf: Buffer, start: number, end: number, _tcpRel: number, meta: SegmentMeta): void {
    let all = Buffer.concat([this.held[dir], buf.subarray(start, end)]);
    while (all.length >= 5 && all.length >= 5 + all.readUInt16BE(3)) {
      const len = all.readUInt16BE(3);
      this.heldRel[dir] += 5 + len;
      if (all[0] === 23) {
        const at = this.plain[dir];
        this.plain[dir] += len;
        this.ends[dir].push([this.heldRel[dir], this.plain[dir]]);
        this.sink.data(dir, all, 5, 5 + len, at, { ...meta, ackRel: this.peerAck((dir ^ 1) as 0 | 1, meta.ackRel) });
      } else this.ends[dir].push([this.heldRel[dir], this.plain[dir]]);
      all = all.subarray(5 + len);
    }
    this.held[dir] = Buffer.from(all);
  }
  gap(): void {
    this.facts.gaps++;
  }
  plainAck(dir: 0 | 1, tcpAckRel: number): number {
    let p = 0;
    for (const [tcp, plain] of this.ends[dir]) if (tcp <= tcpAckRel) p = plain;
    return p;
  }
}

async function dissect(buf: Buffer, tls?: TlsPhaseFactory): Promise<Session[]> {
  const sessions: Session[] = [];
  const factory = new SmtpFlowFactory([], (s) => sessions.push(s), { ...DEFAULT_DISSECT, tls });
  const tracker = new FlowTracker(factory, DEFAULT_TRACKER);
  const pkt = new TcpPacket();
  await readCapture(tmpFile(buf), (frame, time, linkType, data, start, capLen) => {
    if (pkt.decode(linkType, data, start, capLen) === "tcp") tracker.packet(pkt, frame, time);
  });
  tracker.finishAll();
  return sessions;
}

function starttlsSession(): Buffer {
  const c = conv().handshake();
  c.server("220 mx.example.test ESMTP\r\n"); // 4
  c.client("EHLO client.example.test\r\n"); // 5
  c.server("250-mx.example.test\r\n250 STARTTLS\r\n"); // 6
  c.client("STARTTLS\r\n"); // 7
  c.server("220 go ahead\r\n"); // 8
  c.client(record(22, "client-hello")); // 9
  c.server(record(22, "server-hello")); // 10
  c.client(record(23, "EHLO client.example.test\r\n")); // 11
  c.server(record(23, "250-mx.example.test\r\n250 AUTH PLAIN\r\n")); // 12
  c.client(Buffer.concat([record(23, "MAIL FROM:<a@example.test>\r\n"), record(23, "QUIT\r\n")])); // 13
  c.server(record(23, "250 ok\r\n")); // 14
  c.server(record(23, "221 bye\r\n")); // 15
  c.fin("server").fin("client");
  return writeCapture(c.packets);
}

describe("the TLS slot: a TLS layer feeds its plaintext back into the SMTP dissector", () => {
  it("without a TLS layer the TLS bytes are noticed and dropped (as before)", async () => {
    const [s] = await dissect(starttlsSession());
    expect(s.commands.map((c) => c.verb)).toEqual(["EHLO", "STARTTLS"]);
    expect(s.tls).toMatchObject({ mode: "starttls", frame: 8, clientHelloFrame: 9, serverHelloFrame: 10, encrypted: true });
    expect(s.tls?.decrypted).toBeUndefined();
  });

  it("with one, the dialogue inside TLS is dissected in plaintext offsets, frames of the records' segments", async () => {
    const phases: IdentityTls[] = [];
    const [s] = await dissect(starttlsSession(), (sink) => {
      const p: IdentityTls = new IdentityTls(sink, (dir, ack) => p.plainAck(dir, ack));
      phases.push(p);
      return p;
    });
    expect(phases).toHaveLength(1);
    // TLS began right after STARTTLS (10 octets after the EHLO's 26) and after the 220 (27 + 35 + 14)
    expect(phases[0].facts.started).toEqual([36, 76]);
    expect(s.commands.map((c) => [c.verb, c.frames, c.start, c.end, c.inTls ?? false, c.afterStartTls])).toEqual([
      ["EHLO", [5], 0, 26, false, false],
      ["STARTTLS", [7], 26, 36, false, false],
      ["EHLO", [11], 0, 26, true, false],
      ["MAIL", [13], 26, 54, true, false],
      ["QUIT", [13], 54, 60, true, false],
    ]);
    expect(s.replies.map((r) => [r.code, r.frames, r.command, r.start, r.end, r.inTls ?? false])).toEqual([
      [220, [4], null, 0, 27, false],
      [250, [6], 0, 27, 62, false],
      [220, [8], 1, 62, 76, false],
      [250, [12], 2, 0, 37, true],
      [250, [14], 3, 37, 45, true],
      [221, [15], 4, 45, 54, true],
    ]);
    // the segment's ACK is translated into the peer's plaintext: frame 13 acknowledged the
    // server's records up to the 250 reply (37 plaintext octets)
    const mail = s.commands[3];
    // seq/ack inside TLS: plaintext offsets + 1 when the SYN was seen, like Wireshark's relative numbers (conversation.ts compares them with offset + 1)
    expect(mail.segments[0]).toMatchObject({ frame: 13, seq: 27, ack: 38, start: 26, end: 54 });
    expect(s.tls).toMatchObject({ mode: "starttls", frame: 8, clientHelloFrame: 9, serverHelloFrame: 10, decrypted: true });
    expect(s.notes).toContain("the TLS phase is decrypted: from frame 11 on the dialogue is read from the TLS plaintext (offsets are plaintext offsets)");
  });

  it("a factory that returns null (no keys for this connection) leaves the TLS bytes dropped", async () => {
    const [s] = await dissect(starttlsSession(), () => null);
    expect(s.commands.map((c) => c.verb)).toEqual(["EHLO", "STARTTLS"]);
    expect(s.tls?.decrypted).toBeUndefined();
  });
});
