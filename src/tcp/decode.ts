import { i32be, u16be, u32be } from "../capture/bytes.js";
import { peelLink, type L3 } from "../capture/link.js";

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/**
 * A decoded TCP/IP packet. One instance is reused for every frame (the gopacket
 * DecodingLayerParser habit): decoding allocates nothing but the address key.
 */
export class TcpPacket {
  ipVersion = 0;
  /** canonical text of source and destination addresses, filled lazily */
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  /** IPv4 TTL or IPv6 hop limit */
  ttl = 0;
  /** IPv4 Identification (Wireshark ip.id); -1 for IPv6, which has none outside a fragment header */
  ipId = -1;
  /** TCP options: buf[optStart, optEnd) (empty when the header has none or they were cut) */
  optStart = 0;
  optEnd = 0;
  /** payload as a view: buf[payloadStart, payloadStart + capturedPayload) */
  buf: Buffer = Buffer.alloc(0);
  payloadStart = 0;
  /** payload bytes present in the capture */
  capturedPayload = 0;
  /** payload bytes the packet carried on the wire (IP length minus headers) */
  payloadLen = 0;
  srcAddrStart = 0;
  dstAddrStart = 0;
  /** IPv4 only: the addresses as signed 32-bit integers, read once (allocation-free connection lookup) */
  srcIp4 = 0;
  dstIp4 = 0;
  private l3: L3 = { offset: 0, version: 0 };

  /**
   * Decodes link, IP and TCP headers. Returns "tcp" for a TCP segment, "frag" for an IP
   * fragment, "other" for anything else smtpcap does not follow.
   */
  decode(linkType: number, buf: Buffer, start: number, capLen: number): "tcp" | "frag" | "other" | "short" {
    const end = start + capLen;
    if (!peelLink(linkType, buf, start, end, this.l3)) return "other";
    let p = this.l3.offset;
    let ipEnd: number;
    if (this.l3.version === 4) {
      if (end - p < 20 || buf[p] >> 4 !== 4) return "short";
      const ihl = (buf[p] & 0x0f) * 4;
      if (ihl < 20) return "short";
      const total = u16be(buf, p + 2);
      const fragField = u16be(buf, p + 6);
      if ((fragField & 0x3fff) !== 0) return "frag";
      if (buf[p + 9] !== 6) return "other";
      // total === 0 happens with TSO captures: trust the captured length then
      if (total !== 0 && total < ihl) return "short";
      this.ipVersion = 4;
      this.ttl = buf[p + 8];
      this.ipId = u16be(buf, p + 4);
      this.srcAddrStart = p + 12;
      this.dstAddrStart = p + 16;
      this.srcIp4 = i32be(buf, p + 12);
      this.dstIp4 = i32be(buf, p + 16);
      ipEnd = total === 0 ? Number.MAX_SAFE_INTEGER : p + total;
      p += ihl;
    } else {
      if (end - p < 40 || buf[p] >> 4 !== 6) return "short";
      const plen = u16be(buf, p + 4);
      let next = buf[p + 6];
      this.ipVersion = 6;
      this.ttl = buf[p + 7];
      this.ipId = -1;
      this.srcAddrStart = p + 8;
      this.dstAddrStart = p + 24;
      ipEnd = plen === 0 ? Number.MAX_SAFE_INTEGER : p + 40 + plen;
      p += 40;
      // extension headers: hop-by-hop, routing, destination options, fragment, AH
      for (;;) {
        if (next === 6) break;
        if (next === 0 || next === 43 || next === 60) {
          if (end - p < 8) return "short";
          next = buf[p];
          p += (buf[p + 1] + 1) * 8;
        } else if (next === 44) {
          if (end - p < 8) return "short";
          return "frag";
        } else if (next === 51) {
          if (end - p < 8) return "short";
          next = buf[p];
          p += (buf[p + 1] + 2) * 4;
        } else return "other";
      }
    }
    if (end - p < 20) return "short";
    const hdr = (buf[p + 12] >> 4) * 4;
    if (hdr < 20) return "short";
    this.srcPort = u16be(buf, p);
    this.dstPort = u16be(buf, p + 2);
    this.seq = u32be(buf, p + 4);
    this.ack = u32be(buf, p + 8);
    this.flags = buf[p + 13];
    this.window = u16be(buf, p + 14);
    this.optStart = p + 20;
    this.optEnd = Math.min(p + hdr, end);
    const wireEnd = Math.min(ipEnd, Number.MAX_SAFE_INTEGER);
    const payloadStart = p + hdr;
    this.buf = buf;
    this.payloadStart = payloadStart;
    if (wireEnd === Number.MAX_SAFE_INTEGER) {
      this.payloadLen = Math.max(0, end - payloadStart);
    } else {
      this.payloadLen = Math.max(0, wireEnd - payloadStart);
    }
    // Ethernet pads short frames: never read past the IP length; snaplen may cut before it.
    this.capturedPayload = Math.max(0, Math.min(end, payloadStart + this.payloadLen) - payloadStart);
    return "tcp";
  }

  addr(start: number): string {
    const b = this.buf;
    if (this.ipVersion === 4) return `${b[start]}.${b[start + 1]}.${b[start + 2]}.${b[start + 3]}`;
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) parts.push(b.readUInt16BE(start + i).toString(16));
    return compressV6(parts);
  }

  /** source address and port as a string key (set by flowKey) */
  srcKey = "";



  /** A key for the connection, the same in both directions (smaller endpoint first). */
  flowKey(): string {
    const b = this.buf;
    const n = this.ipVersion === 4 ? 4 : 16;
    const s = b.toString("latin1", this.srcAddrStart, this.srcAddrStart + n);
    const d = b.toString("latin1", this.dstAddrStart, this.dstAddrStart + n);
    const a = s + String.fromCharCode(this.srcPort >> 8, this.srcPort & 0xff);
    const z = d + String.fromCharCode(this.dstPort >> 8, this.dstPort & 0xff);
    this.srcKey = a;
    return a < z ? a + z : z + a;
  }
}

function compressV6(parts: string[]): string {
  // RFC 5952: longest run of zero groups (length ≥ 2) becomes "::"
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== "0") { i++; continue; }
    let j = i;
    while (j < 8 && parts[j] === "0") j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return parts.join(":");
  return parts.slice(0, best).join(":") + "::" + parts.slice(best + bestLen).join(":");
}

/** "192.0.2.1:25" or "[2001:db8::1]:25" */
export function endpoint(addr: string, port: number): string {
  return addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}
