import { Conversation, writeCapture } from "./writer.js";

const EHLO = [
  "250-mx.example.test",
  "250-PIPELINING",
  "250-SIZE 10240000",
  "250-VRFY",
  "250-ETRN",
  "250-STARTTLS",
  "250-AUTH PLAIN LOGIN",
  "250-ENHANCEDSTATUSCODES",
  "250-8BITMIME",
  "250-DSN",
  "250 CHUNKING",
];

/** A firewall in front of the server forwards the first three EHLO lines, then the rest 0.6 s later. */
function splitEhlo(c: Conversation, early: string): void {
  c.server("220 mx.example.test ESMTP Postfix\r\n");
  c.client("EHLO client.example.test\r\n");
  c.ack("server");
  c.server(EHLO.slice(0, 3).map((l) => l + "\r\n").join(""));
  c.client(early);
  c.ack("server", { t: c.now + 0.04 });
  c.server(EHLO.slice(3).map((l) => l + "\r\n").join(""), { t: c.now + 0.56 });
}

/**
 * The support case: the client sends STARTTLS after the first segment of a split EHLO reply,
 * gives up on TLS, and on its retry without TLS sends AUTH after the first segment again.
 */
export function supportCaseSample(): Buffer {
  const a = new Conversation("198.51.100.10:52974", "203.0.113.25:25", { t0: 1764300000 });
  a.handshake();
  splitEhlo(a, "STARTTLS\r\n");
  a.server("220 2.0.0 Ready to start TLS\r\n");
  a.ack("client");
  a.client("QUIT\r\n", { t: a.now + 1.1 });
  a.fin("server").fin("client");
  const b = new Conversation("198.51.100.10:52980", "203.0.113.25:25", { t0: a.now + 5, isn: { client: 77000, server: 91000 } });
  b.handshake();
  splitEhlo(b, "AUTH LOGIN\r\n");
  b.server("334 VXNlcm5hbWU6\r\n");
  b.ack("client");
  // the client took "250-VRFY…" as the answer to AUTH, gave up and said QUIT, which the server reads as a user name
  b.client("QUIT\r\n", { t: b.now + 1 });
  b.server("334 UGFzc3dvcmQ6\r\n");
  b.fin("client").fin("server");
  return writeCapture([...a.packets, ...b.packets], { format: "pcapng" });
}

/** A clean session that pipelines MAIL/RCPT/DATA after PIPELINING was advertised. */
export function cleanSample(): Buffer {
  const c = new Conversation("198.51.100.10:40000", "203.0.113.25:25", { t0: 1764300100 });
  c.handshake();
  c.server("220 mx.example.test ESMTP Postfix\r\n");
  c.client("EHLO client.example.test\r\n");
  c.server(EHLO.map((l) => l + "\r\n").join(""));
  c.client("MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
  c.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  c.client("Subject: hello\r\n\r\nHello Bob.\r\n.\r\nQUIT\r\n");
  c.server("250 2.0.0 Ok: queued as 4F2A1\r\n221 2.0.0 Bye\r\n");
  c.fin("server").fin("client");
  return writeCapture(c.packets);
}

export const SAMPLES: Record<string, () => Buffer> = {
  "support-case.pcapng": supportCaseSample,
  "clean-pipelining.pcap": cleanSample,
};
