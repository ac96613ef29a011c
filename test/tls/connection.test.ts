import { describe, expect, it } from "vitest";
import { TlsConnection } from "../../src/tls/connection.js";
import { drive, keyLogOf } from "./drive.js";

const TLS_DIR = "../shared/captures/tls";

const meta = (frame: number, seq: number) => ({ frame, time: frame, seq, ackRel: NaN });

function conn() {
  const gaps: { dir: number; plainRel: number; frame: number; reason: string }[] = [];
  const tls = new TlsConnection({ keys: null, sink: { data: () => {}, gap: (dir, plainRel, _l, frame, _t, reason) => gaps.push({ dir, plainRel, frame, reason }) } });
  return { tls, gaps };
}

describe("TlsConnection limits", () => {
  it("a gap inside the handshake stops that direction and says so; nothing is guessed", () => {
    const { tls, gaps } = conn();
    tls.start(0, 0);
    // the first 8 octets of a 20-octet handshake record, then 100 octets lost
    tls.data(0, Buffer.from([0x16, 3, 1, 0, 20, 1, 0, 0]), 0, 8, 0, meta(4, 0));
    tls.gap(0, 8, 100, 6, 6, "lost segment");
    tls.data(0, Buffer.from([0x16, 3, 1, 0, 1, 0]), 0, 6, 108, meta(7, 108));
    expect(tls.facts.gaps).toEqual([{ from: "client", frame: 6, len: 100, beforeHandshakeEnd: true }]);
    expect(tls.facts.handshake).toEqual([]);
    expect(tls.facts.client.records).toBe(0);
    expect(gaps).toEqual([{ dir: 0, plainRel: 0, frame: 6, reason: "100 bytes of the client's TLS stream are missing from the capture (lost segment): nothing more of this direction can be read" }]);
  });

  it("bytes that are not TLS records stop the reading of that side (notTls), never guessed as records", () => {
    const { tls, gaps } = conn();
    tls.start(1, 0);
    tls.data(1, Buffer.from("220 mx ESMTP\r\n"), 0, 14, 0, meta(3, 0));
    expect(tls.facts.notTls).toEqual({ from: "server", frame: 3, offset: 0 });
    expect(gaps.map((g) => g.reason)).toEqual(["the server's bytes from frame 3 are not TLS records"]);
  });

  it("an alert split over two segments is read once, with the frame of its last byte and both frames", () => {
    const { tls } = conn();
    tls.start(1, 0);
    tls.data(1, Buffer.from([0x15, 3, 3]), 0, 3, 0, meta(8, 0));
    tls.data(1, Buffer.from([0, 2, 2, 40]), 0, 4, 3, meta(9, 3));
    expect(tls.facts.alerts).toEqual([{ frame: 9, from: "server", level: "fatal", description: "handshake_failure", onWire: "plaintext", decrypted: false }]);
    expect(tls.recordLog).toEqual([{ from: "server", frame: 9, type: 21, length: 2 }]);
  });
});

describe("TlsConnection: records gathered from pieces", () => {
  // records are joined once their last byte is in (and not kept at all when they cannot be
  // decrypted): handing the same bytes over 1, 3 or 700 octets at a time must change nothing
  for (const name of ["tls13-keyupdate", "tls12-cbc-postfix", "tls13-chacha-postfix", "implicit-tls-465"]) {
    for (const withKeys of [true, false]) {
      it(`${name}${withKeys ? " with its key log" : " without keys"}: the same facts, records and plaintext`, async () => {
        const file = `${TLS_DIR}/${name}.pcap`;
        const keys = () => (withKeys ? keyLogOf(`${TLS_DIR}/${name}.keys`) : null);
        const whole = await drive(file, keys());
        if (withKeys) expect(Buffer.concat(whole.plain[0]).length).toBeGreaterThan(0);
        for (const chunk of [1, 3, 700]) {
          const pieces = await drive(file, keys(), false, chunk);
          expect(pieces.tls.facts).toEqual(whole.tls.facts);
          expect(pieces.tls.recordLog).toEqual(whole.tls.recordLog);
          expect(pieces.gaps).toEqual(whole.gaps);
          for (const dir of [0, 1] as const) {
            expect(Buffer.concat(pieces.plain[dir]).equals(Buffer.concat(whole.plain[dir]))).toBe(true);
            expect(pieces.metas[dir].map((m) => [m.frame, m.record, m.frames])).toEqual(whole.metas[dir].map((m) => [m.frame, m.record, m.frames]));
          }
        }
      });
    }
  }
});
