/** One captured frame, handed to the next stage without copying: `data` is a view into the
 * reader's current chunk and is only valid during the callback. `time` is epoch seconds, NaN for a
 * frame the file gives no time (a pcapng simple packet block). */
export interface FrameSink {
  (frame: number, time: number, linkType: number, data: Buffer, start: number, capLen: number, origLen: number): void;
}

/** Receives the secrets of a pcapng Decryption Secrets Block (type 0x544c534b: a TLS key log), before the frames that need them. */
export interface SecretsSink {
  (type: number, data: Buffer, fileOffset: number): void;
}

/** A reading problem: something in the file that could not be read as it claims to be. */
export interface ReadProblem {
  message: string;
  /** byte offset in the capture file; of a gzip-compressed one, in the decompressed stream (`offsetText`) */
  offset: number;
  /** "error" stops reading the file; "warning" means reading went on (or the file simply ended) */
  level: "error" | "warning";
}

/** How a problem's offset is printed: "byte N", or "byte N of the decompressed stream" for a gzip file. */
export function offsetText(offset: number, gzip: boolean): string {
  return gzip ? `byte ${offset} of the decompressed stream` : `byte ${offset}`;
}

/** "pcap-modified": the patched libpcap format (magic a1b2cd34, 24-byte record headers), read by tshark */
export type CaptureFormat = "pcap" | "pcap-ns" | "pcap-modified" | "pcapng";

/** A push parser: fed the file chunk by chunk, it calls the sink once per frame. */
export interface FormatParser {
  readonly format: CaptureFormat;
  /** Feed the next bytes. Returns false once the parser has stopped on an error. */
  push(chunk: Buffer): boolean;
  /** Direct mode (no copying): parse buf starting at file offset base; returns bytes consumed, -1 once stopped. */
  parseAt(buf: Buffer, base: number): number;
  /** Direct mode: the input ended with buf[from..] unconsumed. */
  endAt(buf: Buffer, from: number, base: number): void;
  /** The input ended: reports a truncated last record. */
  end(): void;
  readonly frames: number;
  readonly problems: ReadProblem[];
}

/** Where a parser keeps a partial record across chunk boundaries. */
export class Carry {
  private rest: Buffer | null = null;
  /** file offset of byte 0 of the buffer returned by take() */
  base = 0;

  take(chunk: Buffer): Buffer {
    if (this.rest === null) return chunk;
    const joined = Buffer.concat([this.rest, chunk]);
    this.rest = null;
    return joined;
  }

  keep(buf: Buffer, from: number): void {
    this.base += from;
    if (from < buf.length) this.rest = Buffer.from(buf.subarray(from));
    else this.rest = null;
  }

  get pending(): number {
    return this.rest === null ? 0 : this.rest.length;
  }
}

/** What pcap and pcapng share: chunked (push) and in-place (parseAt) feeding, stopping on an error. */
export abstract class RecordParser implements FormatParser {
  abstract readonly format: CaptureFormat;
  readonly problems: ReadProblem[] = [];
  frames = 0;
  protected carry = new Carry();
  protected stopped = false;

  /** Parse complete records of buf (file offset carry.base); returns the bytes consumed, -1 once stopped. */
  protected abstract parse(buf: Buffer): number;

  abstract end(): void;

  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    const buf = this.carry.take(chunk);
    const pos = this.parse(buf);
    if (pos < 0) return false;
    this.carry.keep(buf, pos);
    return true;
  }

  parseAt(buf: Buffer, base: number): number {
    if (this.stopped) return -1;
    this.carry.base = base;
    return this.parse(buf);
  }

  endAt(buf: Buffer, from: number, base: number): void {
    this.carry.base = base;
    this.carry.keep(buf, from);
    this.end();
  }

  protected failAt(message: string, offset: number): number {
    this.problems.push({ level: "error", message, offset });
    this.stopped = true;
    return -1;
  }
}
