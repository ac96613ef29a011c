import type { Finding } from "../../src/rules/types.js";
import type { AnalyzeOptions, FileReport } from "../../src/analyze.js";
import type { Conversation } from "./writer.js";
import { analyzeConv, conv, ehloReply } from "./fixtures.js";

/** Every finding as the rules reported it: repeats not collapsed. */
export async function findings(c: Conversation | Conversation[], o: Partial<AnalyzeOptions> = {}): Promise<Finding[]> {
  return (await analyzeConv(c, {}, { collapse: false, ...o })).findings;
}

export async function report(c: Conversation | Conversation[], o: Partial<AnalyzeOptions> = {}): Promise<FileReport> {
  return analyzeConv(c, {}, o);
}

/** Findings of one rule, reduced to what the tests compare. */
export async function hits(rule: string, c: Conversation | Conversation[], o: Partial<AnalyzeOptions> = {}) {
  return (await findings(c, o)).filter((f) => f.rule === rule).map((f) => ({ severity: f.severity, side: f.side, frames: f.frames, message: f.message }));
}

export interface CleanOptions {
  ehlo?: string[];
  greeting?: string;
  body?: string;
  /** stop after the EHLO reply */
  ehloOnly?: boolean;
}

/**
 * A well-behaved session: greeting, EHLO, MAIL, RCPT, DATA, message, QUIT; frames:
 * 4 greeting, 5 EHLO, 6 EHLO reply, 7 MAIL, 8 250, 9 RCPT, 10 250, 11 DATA, 12 354,
 * 13 message, 14 250, 15 QUIT, 16 221, then FINs.
 */
export function clean(o: CleanOptions = {}, c: Conversation = conv().handshake()): Conversation {
  c.server(o.greeting ?? "220 mx.example.test ESMTP\r\n");
  c.client("EHLO client.example.test\r\n");
  c.server(ehloReply(o.ehlo));
  if (o.ehloOnly) return c;
  c.client("MAIL FROM:<a@example.test>\r\n");
  c.server("250 2.1.0 Ok\r\n");
  c.client("RCPT TO:<b@example.test>\r\n");
  c.server("250 2.1.5 Ok\r\n");
  c.client("DATA\r\n");
  c.server("354 End data with <CR><LF>.<CR><LF>\r\n");
  c.client(o.body ?? "Subject: hi\r\n\r\nhello\r\n.\r\n");
  c.server("250 2.0.0 Ok: queued\r\n");
  c.client("QUIT\r\n");
  c.server("221 2.0.0 Bye\r\n");
  c.fin("server").fin("client");
  return c;
}

/** Greeting and EHLO exchange, then the caller goes on. */
export function greeted(ehlo?: string[], c: Conversation = conv().handshake()): Conversation {
  return clean({ ehlo, ehloOnly: true }, c);
}

/** MAIL FROM:<a@b.test> and RCPT TO:<b@b.test>, both accepted: four frames. */
export function envelope(c: Conversation): Conversation {
  c.client("MAIL FROM:<a@b.test>\r\n");
  c.server("250 ok\r\n");
  c.client("RCPT TO:<b@b.test>\r\n");
  c.server("250 ok\r\n");
  return c;
}
