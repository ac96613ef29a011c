import { u16be } from "./bytes.js";
/** Link-layer types (LINKTYPE_* from the pcap link-type registry) that smtpcap decodes. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Result of peeling the link layer: where the IP header starts and which IP version it is. */
export interface L3 {
  offset: number;
  /** 4 or 6; 0 when the frame carries something else */
  version: number;
}

/**
 * Finds the IP header inside a frame. Writes into `out` (no allocation per frame).
 * Returns false for link types or protocols smtpcap does not decode.
 */
export function peelLink(linkType: number, buf: Buffer, start: number, end: number, out: L3): boolean {
  let p = start;
  let etherType: number;
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      if (end - p < 14) return false;
      etherType = u16be(buf, p + 12);
      p += 14;
      // 802.1Q, 802.1ad (QinQ) and the old 0x9100 tag, any depth
      while ((etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100) && end - p >= 4) {
        etherType = u16be(buf, p + 2);
        p += 4;
      }
      break;
    }
    case LINKTYPE.LINUX_SLL:
      if (end - p < 16) return false;
      etherType = buf.readUInt16BE(p + 14);
      p += 16;
      break;
    case LINKTYPE.LINUX_SLL2:
      if (end - p < 20) return false;
      etherType = buf.readUInt16BE(p);
      p += 20;
      break;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (end - p < 4) return false;
      // NULL stores the address family in the capturing host's byte order; LOOP in network order.
      let fam = buf.readUInt32BE(p);
      if (linkType === LINKTYPE.NULL && (fam & 0xffff) === 0) fam = buf.readUInt32LE(p);
      p += 4;
      if (fam === 2) etherType = 0x0800;
      else if (fam === 24 || fam === 28 || fam === 30 || fam === 10) etherType = 0x86dd;
      else return false;
      break;
    }
    case LINKTYPE.RAW:
    case 12: // DLT_RAW on OpenBSD
    case 14: // DLT_RAW on BSD/OS
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6: {
      if (end - p < 1) return false;
      const v = buf[p] >> 4;
      etherType = v === 4 ? 0x0800 : v === 6 ? 0x86dd : 0;
      break;
    }
    default:
      return false;
  }
  out.offset = p;
  out.version = etherType === 0x0800 ? 4 : etherType === 0x86dd ? 6 : 0;
  return out.version !== 0;
}

/** Whether smtpcap decodes frames of this link type at all. */
export function isSupportedLinkType(linkType: number): boolean {
  switch (linkType) {
    case LINKTYPE.NULL:
    case LINKTYPE.ETHERNET:
    case LINKTYPE.RAW:
    case 12:
    case 14:
    case LINKTYPE.LOOP:
    case LINKTYPE.LINUX_SLL:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
    case LINKTYPE.LINUX_SLL2:
      return true;
    default:
      return false;
  }
}
