import { defineRule } from "./define.js";
import { tlsFacts } from "./tls-util.js";

export default defineRule({
  id: "tls-handshake-abandoned",
  title: "The client broke off the TLS handshake after the server's first flight",
  severity: "warning",
  side: "client",
  reference: "RFC 8446 §6.2",
  quote: "Whenever an implementation encounters a fatal error condition, it SHOULD send an appropriate fatal alert and MUST close the connection without sending or receiving any additional data.",
  meaning: "The server answered the ClientHello (ServerHello and, in TLS ≤ 1.2, its certificate); the client then closed the connection without completing the handshake and without a readable alert: in TLS ≤ 1.2 it sent no ClientKeyExchange, in TLS 1.3 at most one encrypted record (the size of an encrypted alert) and no Finished that the capture shows. This is how a client that silently rejects the server's certificate looks; with the handshake keys the record can be read.",
  why: "The handshake ends without saying why; the server logs only a lost connection.",
  fix: "Client: check its log for the certificate or parameter it rejected (a key log with the handshake secrets lets smtpcap read the alert). Server: check that its certificate chain is complete, unexpired and names the host the client asked for.",
  plaintext: false,
}, (ctx) => {
  const s = ctx.session;
  const t = tlsFacts(s);
  if (t === null || t.serverHello === null || t.completed === true || t.gaps.length > 0) return;
  if (t.alerts.some((a) => a.from === "client" && a.description !== null)) return;
  if (t.alerts.some((a) => a.from === "server" && a.level === "fatal")) return;
  const close = s.close.client;
  if (close === null || (t.firstClose !== null && t.firstClose.from !== "client")) return;
  // A FIN's sequence number shows whether client bytes before it are missing (a gap, and then no
  // facts); an RST's is not checked, so a lost alert or Finished just before it cannot be ruled
  // out: a missing packet must not create this accusation.
  if (close.kind === "rst") return;
  const sh = t.serverHello;
  if (t.version !== "TLS 1.3") {
    if (t.handshake.some((h) => h.from === "client" && h.type !== "client_hello")) return;
    const last = t.handshake.filter((h) => h.from === "server").pop()!;
    ctx.report({
      frames: [sh.frame, close.frame],
      message: `the client closed the connection (${close.kind.toUpperCase()}, frame ${close.frame}) after the server's ${last.type} (frame ${last.frame}) without a ClientKeyExchange and without an alert: it broke off the TLS handshake, typically because it rejected the server's certificate`,
      evidence: `no client handshake message after the ClientHello`,
    });
    return;
  }
  const c = t.client;
  if (c.finishedFrame !== null || c.encryptedRecords + c.appRecords > 1) return;
  const last = c.last;
  const one = last !== null && last.type === 23 && c.encryptedRecords === 1
    ? ` one encrypted record (frame ${last.frame}, ${last.length} octets${last.length === 19 ? ", the size of an encrypted alert" : ""}) and`
    : "";
  ctx.report({
    frames: [sh.frame, ...(one ? [last!.frame] : []), close.frame].filter((f, i, a) => a.indexOf(f) === i),
    message: `the client ended the TLS 1.3 handshake right after the server's flight (frame ${sh.frame}): it sent${one} no Finished the capture can show, then closed (${close.kind.toUpperCase()}, frame ${close.frame}); without the client's handshake secret which alert (if any) it sent cannot be read`,
    evidence: `client encrypted records: ${c.encryptedRecords}`,
  });
});
