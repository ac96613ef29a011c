import { defineRule } from "./define.js";
import type { CloseEvent, Session } from "../smtp/model.js";
import type { TlsFacts } from "../tls/connection.js";
import { tlsFacts } from "./tls-util.js";

export default defineRule({
  id: "tls-handshake-abandoned",
  title: "The client broke off the TLS handshake after the server's first flight",
  severity: "warning",
  side: "client",
  traits: ["tls-outcome-unread"],
  reference: "RFC 8446 §6.2",
  quote: "Whenever an implementation encounters a fatal error condition, it SHOULD send an appropriate fatal alert and MUST close the connection without sending or receiving any additional data.",
  meaning: "The server answered the ClientHello (ServerHello and, in TLS ≤ 1.2, its certificate); the client then closed the connection without completing the handshake and without a readable alert: in TLS ≤ 1.2 it sent no ClientKeyExchange, in TLS 1.3 at most one encrypted record (the size of an encrypted alert) and no Finished that the capture shows. This is how a client that silently rejects the server's certificate looks; with the handshake keys the record can be read. A close by RST counts only when the RST's sequence number shows that no client byte is missing before it; otherwise a lost alert cannot be ruled out and the rule cannot judge.",
  why: "The handshake ends without saying why; the server logs only a lost connection.",
  fix: "Client: check its log for the certificate or parameter it rejected (a key log with the handshake secrets lets smtpcap read the alert). Server: check that its certificate chain is complete, unexpired and names the host the client asked for.",
  plaintext: false,
}, (ctx) => {
  const s = ctx.session;
  const t = tlsFacts(s);
  const close = t === null ? null : abandonedClose(s, t);
  if (t === null || close === null) return;
  // an RST counts only when its sequence number shows that no client byte is missing before it
  // (a lost alert or Finished would lie there); otherwise the rule is not evaluable (below)
  if (close.kind === "rst" && !rstInSequence(close)) return;
  const how = close.kind === "rst" ? `RST, frame ${close.frame}; no client byte is missing before the RST (seq ${close.rstSeq!.seq})` : `FIN, frame ${close.frame}`;
  const sh = t.serverHello!;
  if (t.version !== "TLS 1.3") {
    if (t.handshake.some((h) => h.from === "client" && h.type !== "client_hello")) return;
    const last = t.handshake.filter((h) => h.from === "server").pop()!;
    ctx.report({
      frames: [sh.frame, close.frame],
      message: `the client closed the connection (${how}) after the server's ${last.type} (frame ${last.frame}) without a ClientKeyExchange and without an alert: it broke off the TLS handshake, typically because it rejected the server's certificate`,
      evidence: `no client handshake message after the ClientHello${close.kind === "rst" ? `; RST seq ${close.rstSeq!.seq} = the next client seq the capture expected` : ""}`,
    });
    return;
  }
  const c = t.client;
  if (c.finishedFrame !== null || c.encryptedRecords + c.appRecords > 1) return;
  const last = c.last;
  const one = last !== null && last.type === 23 && c.encryptedRecords === 1
    ? ` one encrypted record (frame ${last.frame}, ${last.length} octets${last.length === 19 ? ", the size of an encrypted alert" : ""}) and`
    : "";
  // an encrypted record before the close may be the fatal alert RFC 8446 §6.2 asks for: then the
  // client did what the RFC says, and why it refused (often the server's certificate) is unread:
  // a fact (info), not the client's fault; with no record at all it closed without any alert
  ctx.report({
    severity: one ? "info" : undefined,
    frames: [sh.frame, ...(one ? [last!.frame] : []), close.frame].filter((f, i, a) => a.indexOf(f) === i),
    message: `the client ended the TLS 1.3 handshake right after the server's flight (frame ${sh.frame}): it sent${one} no Finished the capture can show, then closed (${how}); ${unreadWhy(t)}`,
    evidence: `client encrypted records: ${c.encryptedRecords}${close.kind === "rst" ? `; RST seq ${close.rstSeq!.seq} = the next client seq the capture expected` : ""}`,
  });
}, (s) => {
  const t = tlsFacts(s);
  const close = t === null ? null : abandonedClose(s, t);
  if (close === null || close.kind !== "rst" || rstInSequence(close)) return null;
  const where = close.rstSeq === undefined ? "its sequence number is not known" : `its seq ${close.rstSeq.seq} lies beyond the client bytes the capture holds (next seq ${close.rstSeq.expected})`;
  return `the client reset the connection (RST, frame ${close.frame}) during the TLS handshake, but ${where}: a lost alert or handshake message before the RST cannot be ruled out`;
});

/** The client's close that ends a handshake the server answered, with no readable client alert and no fatal server alert; null otherwise. */
function abandonedClose(s: Session, t: TlsFacts): CloseEvent | null {
  if (t.serverHello === null || t.completed === true || t.gaps.length > 0) return null;
  if (t.alerts.some((a) => a.from === "client" && a.description !== null)) return null;
  if (t.alerts.some((a) => a.from === "server" && a.level === "fatal")) return null;
  const close = s.close.client;
  if (close === null || (t.firstClose !== null && t.firstClose.from !== "client")) return null;
  return close;
}

/** An RST whose sequence number is the next one the capture expected of the client: no client byte is missing before it. */
function rstInSequence(c: CloseEvent): boolean {
  return c.rstSeq !== undefined && c.rstSeq.seq === c.rstSeq.expected;
}

/** Why the client's encrypted record cannot be read, as the key log given (or its absence) says. */
function unreadWhy(t: TlsFacts): string {
  const d = t.decryption;
  const failed = d.failedFrom.client;
  if (failed !== null) return `the key log given does not decrypt the client's records (from frame ${failed}), so which alert (if any) it sent cannot be read`;
  if (d.status === "no-key") return "the key log given holds no secrets for this connection, so which alert (if any) it sent cannot be read";
  return "without the client's handshake secret which alert (if any) it sent cannot be read";
}
