#!/usr/bin/env node
// The floor under `smtpcap analyze`: read a capture and decode every frame's link, IP and TCP
// headers, and nothing else (no connections, no SMTP, no rules, no output).
import { readCapture } from "../dist/capture/source.js";
import { TcpPacket } from "../dist/tcp/decode.js";

const pkt = new TcpPacket();
let tcp = 0;
const r = await readCapture(process.argv[2], (frame, time, linkType, data, start, capLen) => {
  if (pkt.decode(linkType, data, start, capLen) === "tcp") tcp++;
});
console.log(`${r.frames} frames, ${tcp} TCP`);
