import type { SegmentMeta } from "../tcp/reassembly.js";

/**
 * The slot where a TLS layer plugs in between TCP (or a tunnel) and the SMTP dissector.
 *
 * The SMTP dissector decides when a TLS phase begins (the byte after the STARTTLS 220, the first
 * byte on port 465, a first TLS record) and from then on hands that direction's TCP bytes to a
 * `TlsPhase` instead of its own line machinery. Without a phase (the default) the bytes are
 * noticed and dropped. A phase that can decrypt feeds the plaintext back into the dissector
 * through the `TlsSink` it was created with: the dissector runs its usual line, command and reply
 * machinery on that second byte space (offsets are plaintext offsets, starting at 0 per direction).
 */
export interface TlsPhase {
  /** Direction `dir` speaks TLS from TCP stream offset `tcpRel` on (relative as in StreamHandler). */
  start(dir: 0 | 1, tcpRel: number): void;
  /** TCP bytes buf[start, end) of a started direction, at TCP offset `tcpRel`, from segment `meta`. */
  data(dir: 0 | 1, buf: Buffer, start: number, end: number, tcpRel: number, meta: SegmentMeta): void;
  /** TCP bytes [tcpRel, tcpRel + len) of a started direction are missing from the capture. */
  gap(dir: 0 | 1, tcpRel: number, len: number, frame: number, time: number, reason: string): void;
  /** The plaintext offset of direction `dir` that a TCP ACK of `dir`'s stream up to `tcpAckRel`
   * covers (the plaintext of every record wholly acknowledged); NaN when not known. */
  plainAck(dir: 0 | 1, tcpAckRel: number): number;
  /** what the layer learnt (handshake, version, cipher, why it could not decrypt …); opaque to SMTP */
  readonly facts: unknown;
}

/**
 * Where a decrypted unit came from: the record(s) that carried it. `frame`/`time` are those of the
 * segment that completed the record; `ackRel` is the ACK field of that segment translated into the
 * peer's plaintext offsets (TlsPhase.plainAck of the peer), NaN when unknown. `seq` is the TCP
 * sequence number of the record's first byte.
 */
export type RecordMeta = SegmentMeta;

/** What a TLS phase feeds its plaintext into (the SMTP dissector implements it). */
export interface TlsSink {
  /** plaintext buf[start, end) of direction `dir` at plaintext offset `plainRel` */
  data(dir: 0 | 1, buf: Buffer, start: number, end: number, plainRel: number, meta: RecordMeta): void;
  /** plaintext [plainRel, plainRel + len) of direction `dir` could not be recovered */
  gap(dir: 0 | 1, plainRel: number, len: number, frame: number, time: number, reason: string): void;
}

/**
 * Creates the TLS phase of one connection (e.g. `new TlsConnection({ keys, sink })`); null when
 * this connection's TLS cannot be decrypted (then the dissector drops the TLS bytes as before).
 * `tcpStream` is the TCP connection's Wireshark `tcp.stream` index, `clientDir` the client's TCP direction.
 */
export type TlsPhaseFactory = (sink: TlsSink, tcpStream: number, clientDir: 0 | 1) => TlsPhase | null;
