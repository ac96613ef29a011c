import { u32be, u32le } from "./bytes.js";
import type { Clock } from "./clock.js";
import { RecordParser, type CaptureFormat, type FrameSink } from "./types.js";

/** Largest record a classic pcap may claim (libpcap's own limit for non-D-Bus link types). */
export const MAX_PCAP_RECORD = 262144 * 4;

/** Classic libpcap files: both byte orders, microsecond and nanosecond timestamps. */
export class PcapParser extends RecordParser {
  format: CaptureFormat = "pcap";
  private le = true;
  private tsDiv = 1e6;
  private linkType = -1;
  private snapLen = 0;
  private headerDone = false;
  /** record header length: 16, or 24 in the modified format (ifindex, protocol, packet type, pad) */
  private recHdr = 16;

  /** `clock`: where a nanosecond file's exact times are recorded (the float delivered cannot hold them) */
  constructor(private readonly sink: FrameSink, private readonly clock: Clock | null = null) {
    super();
  }

  protected parse(buf: Buffer): number {
    let pos = 0;
    if (!this.headerDone) {
      if (buf.length < 24) return 0;
      const magic = buf.readUInt32LE(0);
      if (magic === 0xa1b2c3d4) this.le = true;
      else if (magic === 0xd4c3b2a1) this.le = false;
      else if (magic === 0xa1b23c4d) { this.le = true; this.tsDiv = 1e9; }
      else if (magic === 0x4d3cb2a1) { this.le = false; this.tsDiv = 1e9; }
      else if (magic === 0xa1b2cd34) { this.le = true; this.recHdr = 24; this.format = "pcap-modified"; }
      else if (magic === 0x34cdb2a1) { this.le = false; this.recHdr = 24; this.format = "pcap-modified"; }
      else return this.failAt("not a pcap file (bad magic)", 0);
      if (this.tsDiv === 1e9) this.format = "pcap-ns";
      this.snapLen = this.le ? buf.readUInt32LE(16) : buf.readUInt32BE(16);
      // The top bits of the link-type field carry FCS information (pcap draft §4): mask them off.
      this.linkType = (this.le ? buf.readUInt32LE(20) : buf.readUInt32BE(20)) & 0x0fffffff;
      this.headerDone = true;
      if (this.tsDiv !== 1e9 && this.clock !== null) this.clock.coarse = true;
      pos = 24;
    }
    const le = this.le;
    const limit = Math.max(MAX_PCAP_RECORD, this.snapLen);
    const end = buf.length;
    const hdr = this.recHdr;
    const clock = this.tsDiv === 1e9 ? this.clock : null;
    while (pos + hdr <= end) {
      const sec = le ? u32le(buf, pos) : u32be(buf, pos);
      const frac = le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
      const capLen = le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
      const origLen = le ? u32le(buf, pos + 12) : u32be(buf, pos + 12);
      if (capLen > limit) {
        return this.failAt(`record ${this.frames + 1} claims ${capLen} captured bytes (more than the ${limit}-byte limit); file is corrupt from here`, this.carry.base + pos);
      }
      if (pos + hdr + capLen > end) break;
      this.frames++;
      const time = sec + frac / this.tsDiv;
      if (clock !== null) clock.record(this.frames, time, frac % 1e9);
      this.sink(this.frames, time, this.linkType, buf, pos + hdr, capLen, origLen);
      pos += hdr + capLen;
    }
    return pos;
  }

  override end(): void {
    if (this.stopped) return;
    if (!this.headerDone) {
      this.problems.push({ level: "error", message: "file too short for a pcap header", offset: 0 });
    } else if (this.carry.pending > 0) {
      this.problems.push({
        level: "warning",
        message: `truncated: last record incomplete (${this.carry.pending} bytes left over)`,
        offset: this.carry.base,
      });
    }
  }

}
