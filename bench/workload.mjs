// Generates benchmark captures with the project's capture writer: many interleaved SMTP
// sessions (32 open at a time) with multi-line replies, split replies, pipelining and big
// bodies, plus ~20% non-SMTP bulk traffic. Streams to disk: memory stays flat at any size.
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadSupport } from "../test/support/load.mjs";

const { Conversation, frameFor, rng } = await loadSupport(fileURLToPath(new URL("../test/support/writer.ts", import.meta.url)));

const EHLO = ["250-mx.bench.test", "250-PIPELINING", "250-SIZE 52428800", "250-VRFY", "250-ETRN", "250-STARTTLS",
  "250-AUTH PLAIN LOGIN", "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250 CHUNKING"].map((l) => l + "\r\n");

function body(r, size) {
  const line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\r\n";
  const n = Math.max(1, Math.floor(size / line.length));
  return "Subject: bench\r\nFrom: a@bench.test\r\n\r\n" + line.repeat(n) + ".\r\n";
}

/** One SMTP session's packets (a few hundred KB at most). */
function smtpSession(r, i, maxBody = 400000) {
  const c = new Conversation(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${1024 + (i % 60000)}`, "192.0.2.25:25", { isn: { client: (r() * 4e9) >>> 0, server: (r() * 4e9) >>> 0 } });
  c.handshake();
  c.server("220 mx.bench.test ESMTP\r\n");
  c.client("EHLO client.bench.test\r\n");
  if (r() < 0.3) { c.server(EHLO.slice(0, 3).join("")); c.ack("client"); c.server(EHLO.slice(3).join("")); }
  else c.server(EHLO.join(""));
  const rcpts = 1 + Math.floor(r() * 3);
  let cmds = "MAIL FROM:<sender@bench.test> SIZE=100000\r\n";
  for (let k = 0; k < rcpts; k++) cmds += `RCPT TO:<user${k}@bench.test>\r\n`;
  c.client(cmds + "DATA\r\n");
  c.server("250 2.1.0 Ok\r\n" + "250 2.1.5 Ok\r\n".repeat(rcpts) + "354 End data with <CR><LF>.<CR><LF>\r\n");
  const msg = Buffer.from(body(r, 2000 + Math.floor(r() * r() * maxBody)), "latin1");
  for (let off = 0, seg = 0; off < msg.length; off += 1448, seg++) {
    c.client(msg.subarray(off, off + 1448));
    if (seg % 2 === 1) c.ack("server");
  }
  c.server("250 2.0.0 Ok: queued as ABC123\r\n");
  c.client("QUIT\r\n");
  c.server("221 2.0.0 Bye\r\n");
  c.fin("client").fin("server").ack("client");
  return c.packets;
}

/** A non-SMTP bulk transfer (HTTPS-like) of about `bytes`. */
function noise(r, i, bytes) {
  const c = new Conversation(`172.16.${(i >> 8) & 255}.${i & 255}:${20000 + (i % 40000)}`, "198.51.100.80:443");
  c.handshake();
  c.client(Buffer.alloc(300, 0x16));
  const chunk = Buffer.alloc(1448, 0x17);
  for (let sent = 0, seg = 0; sent < bytes; sent += 1448, seg++) {
    c.server(chunk);
    if (seg % 2 === 1) c.ack("client");
  }
  c.fin("server").fin("client");
  return c.packets;
}

/** Write a pcap of about `targetBytes` to `path`. Returns { bytes, packets, sessions }. */
export function writeWorkload(path, targetBytes, seed = 1, { concurrency = 32, maxBody = 400000 } = {}) {
  const r = rng(seed);
  const fd = openSync(path, "w");
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); header.writeUInt16LE(2, 4); header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16); header.writeUInt32LE(1, 20);
  writeSync(fd, header);
  let written = 24, packets = 0, sessions = 0, nextId = 0;
  const out = [];
  let outBytes = 0;
  let t = 1764300000;
  const flush = () => { if (out.length) { writeSync(fd, Buffer.concat(out)); out.length = 0; outBytes = 0; } };
  const active = [];
  const refill = () => {
    while (active.length < concurrency && written < targetBytes) {
      const i = nextId++;
      const pk = r() < 0.1 ? noise(r, i, Math.min(maxBody, 100000 + Math.floor(r() * 400000))) : (sessions++, smtpSession(r, i, maxBody));
      active.push({ pk, at: 0 });
    }
  };
  refill();
  while (active.length) {
    for (let a = 0; a < active.length; a++) {
      const s = active[a];
      const n = Math.min(s.pk.length - s.at, 1 + Math.floor(r() * 4));
      for (let k = 0; k < n; k++) {
        const p = s.pk[s.at++];
        const f = frameFor(p, "ethernet");
        t += 0.00001;
        const rec = Buffer.alloc(16);
        const sec = Math.floor(t);
        rec.writeUInt32LE(sec, 0); rec.writeUInt32LE(Math.round((t - sec) * 1e6) % 1000000, 4);
        rec.writeUInt32LE(f.length, 8); rec.writeUInt32LE(f.length, 12);
        out.push(rec, f);
        outBytes += 16 + f.length;
        written += 16 + f.length;
        packets++;
      }
      if (s.at >= s.pk.length) { active.splice(a, 1); a--; }
    }
    if (outBytes > 1 << 22) flush();
    refill();
  }
  flush();
  closeSync(fd);
  return { bytes: written, packets, sessions };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, mb] = process.argv.slice(2);
  const t0 = Date.now();
  const res = writeWorkload(path, Number(mb) * 1e6);
  console.log(`${path}: ${(res.bytes / 1e6).toFixed(1)} MB, ${res.packets} packets, ${res.sessions} SMTP sessions, ${Date.now() - t0} ms`);
}

/**
 * A port scan: `n` connection attempts to port 80 (a SYN each, answered by RST/ACK), 10 000 a
 * second, from ever-new address and port pairs. Every one is a TCP connection (tcp.stream) of its
 * own and none is SMTP: the connection table must stay small.
 */
export function writeScan(path, n) {
  const rec = 16 + 14 + 20 + 20;
  const buf = Buffer.alloc(24 + n * rec * 2);
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(65535, 16);
  buf.writeUInt32LE(1, 20);
  let p = 24;
  const put = (t, sip, dip, sp, dp, seq, ack, flags) => {
    buf.writeUInt32LE(Math.floor(t), p);
    buf.writeUInt32LE(Math.round((t % 1) * 1e6) % 1000000, p + 4);
    buf.writeUInt32LE(54, p + 8);
    buf.writeUInt32LE(54, p + 12);
    p += 16;
    buf.writeUInt16BE(0x0800, p + 12);
    p += 14;
    buf[p] = 0x45;
    buf.writeUInt16BE(40, p + 2);
    buf[p + 8] = 64;
    buf[p + 9] = 6;
    buf.writeUInt32BE(sip >>> 0, p + 12);
    buf.writeUInt32BE(dip >>> 0, p + 16);
    p += 20;
    buf.writeUInt16BE(sp, p);
    buf.writeUInt16BE(dp, p + 2);
    buf.writeUInt32BE(seq >>> 0, p + 4);
    buf.writeUInt32BE(ack >>> 0, p + 8);
    buf[p + 12] = 0x50;
    buf[p + 13] = flags;
    buf.writeUInt16BE(65535, p + 14);
    p += 20;
  };
  for (let i = 0; i < n; i++) {
    const t = 1764300000 + i / 10000;
    const client = 0x0a000000 + (i >> 14);
    const server = 0xc0000250;
    const port = 1024 + (i & 16383);
    const seq = Math.imul(i, 7919) >>> 0;
    put(t, client, server, port, 80, seq, 0, 0x02);
    put(t + 0.00005, server, client, 80, port, 0, seq + 1, 0x14);
  }
  writeFileSync(path, buf);
  return { bytes: buf.length, packets: 2 * n, connections: n };
}
