import { readFileSync } from "node:fs";
import { readCapture } from "../../src/capture/source.js";
import { TcpPacket } from "../../src/tcp/decode.js";
import { Reassembler, type SegmentMeta } from "../../src/tcp/reassembly.js";
import { TlsConnection, type RecordMeta } from "../../src/tls/connection.js";
import { DSB_TLS_KEY_LOG, KeyLog } from "../../src/tls/keylog.js";

export interface Driven {
  tls: TlsConnection;
  /** decrypted bytes per direction (0 = client) */
  plain: [Buffer[], Buffer[]];
  metas: [RecordMeta[], RecordMeta[]];
  gaps: { dir: 0 | 1; plainRel: number; frame: number; reason: string }[];
  /** TLS start frames per direction */
  startFrames: [number | null, number | null];
}

/**
 * One-connection capture → TCP reassembly → TlsConnection (TLS starts where a segment begins with a
 * TLS record header). `chunk`: each segment's bytes are handed over in pieces of that many octets.
 */
export async function drive(file: string, keys: KeyLog | null, readDsb = false, chunk = 0): Promise<Driven> {
  if (readDsb && keys === null) keys = new KeyLog();
  const plain: [Buffer[], Buffer[]] = [[], []];
  const metas: [RecordMeta[], RecordMeta[]] = [[], []];
  const gaps: Driven["gaps"] = [];
  const tls = new TlsConnection({
    keys,
    sink: {
      data: (dir, buf, start, end, _rel, meta) => {
        plain[dir].push(Buffer.from(buf.subarray(start, end)));
        metas[dir].push({ ...meta, frames: [...meta.frames] });
      },
      gap: (dir, plainRel, _len, frame, _time, reason) => gaps.push({ dir, plainRel, frame, reason }),
    },
  });
  const startFrames: [number | null, number | null] = [null, null];
  const reasm = new Reassembler({
    data(dir: 0 | 1, buf: Buffer, start: number, end: number, rel: number, meta: SegmentMeta) {
      if (!tls.started(dir) && end - start >= 5 && (buf[start] === 0x16 || buf[start] === 0x15) && buf[start + 1] === 3) {
        tls.start(dir, rel);
        startFrames[dir] = meta.frame;
      }
      if (chunk <= 0) tls.data(dir, buf, start, end, rel, meta);
      else for (let p = start; p < end; p += chunk) tls.data(dir, buf, p, Math.min(end, p + chunk), rel + (p - start), meta);
    },
    gap(dir, rel, len, frame, time, reason) { tls.gap(dir, rel, len, frame, time, reason); },
    ack() {},
    close(dir, kind, frame) { tls.close(dir, kind, frame); },
  });
  const pkt = new TcpPacket();
  let clientPort = -1;
  await readCapture(file, (frame, time, linkType, data, start, capLen) => {
    if (pkt.decode(linkType, data, start, capLen) !== "tcp") return;
    if (clientPort < 0) clientPort = pkt.srcPort;
    const dir = pkt.srcPort === clientPort ? 0 : 1;
    reasm.segment(dir, frame, time, pkt.seq, pkt.ack, pkt.flags, pkt.buf, pkt.payloadStart, pkt.capturedPayload, pkt.payloadLen, pkt.window, pkt.ttl);
  }, null, readDsb ? (type, data) => { if (type === DSB_TLS_KEY_LOG) keys!.add(data.toString("latin1"), "pcapng Decryption Secrets Block"); } : null);
  return { tls, plain, metas, gaps, startFrames };
}

export function keyLogOf(file: string): KeyLog {
  const k = new KeyLog();
  k.add(readFileSync(file, "latin1"), file.replace(/.*\//, ""));
  return k;
}
