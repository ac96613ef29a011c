import { u32be, u32le } from "./bytes.js";
import { finerThanMicros, ticksToExact, type Clock } from "./clock.js";
import { RecordParser, type FrameSink, type SecretsSink } from "./types.js";

/** Largest block accepted; a larger length field means the file is corrupt (Wireshark's limit is similar). */
export const MAX_PCAPNG_BLOCK = 16 * 1024 * 1024;

const SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const DSB = 10;

interface Iface {
  linkType: number;
  snapLen: number;
  unitsPerSec: number;
  tsOffset: number;
  /** the resolution is finer than 1 µs (or not a divisor of it): exact times go to the clock */
  fine: boolean;
}

/** pcapng (draft-ietf-opsawg-pcapng): sections of either byte order, IDB/EPB/SPB/OPB; other blocks are skipped by length. */
export class PcapngParser extends RecordParser {
  readonly format = "pcapng" as const;
  private le = true;
  private ifaces: Iface[] = [];
  private sawShb = false;

  /** `clock`: where exact times of interfaces with a resolution finer than 1 µs are recorded */
  constructor(private readonly sink: FrameSink, private readonly clock: Clock | null = null, private readonly secrets: SecretsSink | null = null) {
    super();
  }

  protected parse(buf: Buffer): number {
    const end = buf.length;
    let pos = 0;
    while (pos + 12 <= end) {
      const fileOff = this.carry.base + pos;
      let type = u32le(buf, pos);
      if (type === SHB) {
        const bom = buf.readUInt32LE(pos + 8);
        if (bom === 0x1a2b3c4d) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else return this.failAt("section header block with an unknown byte-order magic", fileOff);
        this.sawShb = true;
      } else if (!this.sawShb) {
        return this.failAt("not a pcapng file (no section header block)", fileOff);
      }
      const le = this.le;
      if (!le) type = u32be(buf, pos);
      const len = le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_PCAPNG_BLOCK) {
        return this.failAt(`block of type 0x${type.toString(16)} has an impossible length ${len}`, fileOff);
      }
      if (pos + len > end) break;
      const trailer = le ? u32le(buf, pos + len - 4) : u32be(buf, pos + len - 4);
      if (trailer !== len) {
        return this.failAt(`block of type 0x${type.toString(16)}: trailing length ${trailer} differs from leading length ${len}`, fileOff);
      }
      const body = pos + 8;
      const bodyEnd = pos + len - 4;
      switch (type) {
        case SHB:
          this.ifaces = [];
          break;
        case IDB:
          this.readIdb(buf, body, bodyEnd, fileOff);
          break;
        case EPB:
        case OPB: {
          if (bodyEnd - body < 20) return this.failAt("packet block too short", fileOff);
          const ifId = type === EPB
            ? (le ? u32le(buf, body) : u32be(buf, body))
            : (le ? buf.readUInt16LE(body) : buf.readUInt16BE(body));
          const iface = this.ifaces[ifId];
          if (iface === undefined) {
            this.problems.push({ level: "warning", message: `packet block names interface ${ifId}, which the section did not describe; frame skipped`, offset: fileOff });
            this.frames++;
            break;
          }
          const hi = le ? u32le(buf, body + 4) : u32be(buf, body + 4);
          const lo = le ? u32le(buf, body + 8) : u32be(buf, body + 8);
          const capLen = le ? u32le(buf, body + 12) : u32be(buf, body + 12);
          const origLen = le ? u32le(buf, body + 16) : u32be(buf, body + 16);
          if (body + 20 + capLen > bodyEnd) return this.failAt(`packet block claims ${capLen} captured bytes, more than the block holds`, fileOff);
          this.frames++;
          const time = (hi * 4294967296 + lo) / iface.unitsPerSec + iface.tsOffset;
          if (iface.fine && this.clock !== null) this.clock.record(this.frames, time, ticksToExact(hi, lo, iface.unitsPerSec).ns);
          this.sink(this.frames, time, iface.linkType, buf, body + 20, capLen, origLen);
          break;
        }
        case SPB: {
          const iface = this.ifaces[0];
          if (iface === undefined) return this.failAt("simple packet block without an interface description", fileOff);
          const origLen = le ? u32le(buf, body) : u32be(buf, body);
          let capLen = Math.min(origLen, bodyEnd - body - 4);
          if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen);
          this.frames++;
          // a simple packet block carries no timestamp (tshark shows none): NaN says so
          this.sink(this.frames, NaN, iface.linkType, buf, body + 4, capLen, origLen);
          break;
        }
        case DSB: {
          // Decryption Secrets Block: secrets type, length, data (a TLS key log for 0x544c534b)
          if (this.secrets === null || bodyEnd - body < 8) break;
          const stype = le ? u32le(buf, body) : u32be(buf, body);
          const slen = le ? u32le(buf, body + 4) : u32be(buf, body + 4);
          if (body + 8 + slen > bodyEnd) {
            this.problems.push({ level: "warning", message: `decryption secrets block claims ${slen} bytes of secrets, more than the block holds; ignored`, offset: fileOff });
            break;
          }
          this.secrets(stype, Buffer.from(buf.subarray(body + 8, body + 8 + slen)), fileOff);
          break;
        }
        default:
          break; // NRB, ISB, custom and unknown blocks carry no frames
      }
      pos += len;
    }
    return pos;
  }

  override end(): void {
    if (this.stopped) return;
    if (!this.sawShb) this.problems.push({ level: "error", message: "file too short for a pcapng section header", offset: 0 });
    else if (this.carry.pending > 0) {
      this.problems.push({ level: "warning", message: `truncated: last block incomplete (${this.carry.pending} bytes left over)`, offset: this.carry.base });
    }
  }

  private readIdb(buf: Buffer, body: number, bodyEnd: number, fileOff: number): void {
    const le = this.le;
    const iface: Iface = {
      linkType: le ? buf.readUInt16LE(body) : buf.readUInt16BE(body),
      snapLen: le ? u32le(buf, body + 4) : u32be(buf, body + 4),
      unitsPerSec: 1e6,
      tsOffset: 0,
      fine: false,
    };
    let p = body + 8;
    while (p + 4 <= bodyEnd) {
      const code = le ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
      const olen = le ? buf.readUInt16LE(p + 2) : buf.readUInt16BE(p + 2);
      if (code === 0) break;
      if (p + 4 + olen > bodyEnd) {
        this.problems.push({ level: "warning", message: "interface description option runs past its block", offset: fileOff });
        break;
      }
      if (code === 9 && olen >= 1) {
        const v = buf[p + 4];
        iface.unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
      } else if (code === 14 && olen >= 8) {
        const off = le ? buf.readBigInt64LE(p + 4) : buf.readBigInt64BE(p + 4);
        iface.tsOffset = Number(off);
      }
      p += 4 + ((olen + 3) & ~3);
    }
    iface.fine = finerThanMicros(iface.unitsPerSec);
    this.ifaces.push(iface);
  }

}
