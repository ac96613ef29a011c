import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeFile, type AnalyzeOptions, type FileReport } from "../../src/analyze.js";
import { Conversation, writeCapture, type WriteOptions } from "./writer.js";

const dir = mkdtempSync(join(tmpdir(), "smtpcap-test-"));
let n = 0;

/** Write a capture to a temporary file and return its path. */
export function tmpFile(buf: Buffer, ext = ".pcap"): string {
  const p = join(dir, `f${n++}${ext}`);
  writeFileSync(p, buf);
  return p;
}

export async function analyzeConv(conv: Conversation | Conversation[], w: WriteOptions = {}, o: Partial<AnalyzeOptions> = {}): Promise<FileReport> {
  const convs = Array.isArray(conv) ? conv : [conv];
  const packets = convs.flatMap((c) => c.packets).sort((a, b) => a.time - b.time);
  return analyzeFile(tmpFile(writeCapture(packets, w)), o);
}

export const SHARED = join(import.meta.dirname, "..", "..", "..", "shared");
export const LAB = join(SHARED, "captures", "lab");

/** Default client/server pair for crafted sessions. */
export function conv(opts: { server?: string; client?: string; t0?: number } = {}): Conversation {
  return new Conversation(opts.client ?? "192.0.2.10:40000", opts.server ?? "192.0.2.25:25", { t0: opts.t0 });
}

export const EHLO_LINES = ["250-mx.example.test", "250-PIPELINING", "250-SIZE 10240000", "250-STARTTLS", "250-AUTH PLAIN LOGIN", "250-8BITMIME", "250 CHUNKING"];

export function ehloReply(lines: string[] = EHLO_LINES): string {
  return lines.map((l) => l + "\r\n").join("");
}

/** The support case: an EHLO reply split in two segments 0.6 s apart; STARTTLS after the first. */
export function supportCase(): Conversation {
  const c = conv({ server: "192.0.2.25:2525" }).handshake();
  c.server("220 mx.example.test ESMTP\r\n");
  c.client("EHLO naive.example.test\r\n");
  const lines = ehloReply().split("\r\n");
  c.server(lines.slice(0, 3).join("\r\n") + "\r\n");
  c.client("STARTTLS\r\n");
  c.ack("server");
  c.server(lines.slice(3).join("\r\n"), { t: c.now + 0.6 });
  c.server("220 2.0.0 Ready to start TLS\r\n");
  c.ack("client");
  return c;
}
