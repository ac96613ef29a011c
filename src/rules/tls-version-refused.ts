import { defineRule } from "./define.js";
import { tlsFacts } from "./tls-util.js";

/** Versions RFC 8996 (and RFC 7568) forbid. */
const OLD = new Set(["SSL 3.0", "TLS 1.0", "TLS 1.1"]);

/** The citation for the newest of these old versions (none: TLS 1.0, the rule's own quote). */
function citeFor(versions: string[]): "tls11" | "ssl3" | undefined {
  if (versions.includes("TLS 1.1")) return "tls11";
  if (versions.includes("TLS 1.0")) return undefined;
  return versions.includes("SSL 3.0") ? "ssl3" : undefined;
}

export default defineRule({
  id: "tls-version-refused",
  title: "TLS handshake refused: no common protocol version",
  severity: "error",
  side: "client",
  reference: "RFC 8996 §4; RFC 8446 §6.2",
  quote: "TLS 1.0 MUST NOT be used. Negotiation of TLS 1.0 from any version of TLS MUST NOT be permitted.",
  // the sentence for the newest version the client offered (RFC 8996 §5 for TLS 1.1, RFC 7568 §3 for SSL 3.0)
  citations: {
    tls11: { reference: "RFC 8996 §5; RFC 8446 §6.2", quote: "TLS 1.1 MUST NOT be used. Negotiation of TLS 1.1 from any version of TLS MUST NOT be permitted." },
    ssl3: { reference: "RFC 7568 §3; RFC 8446 §6.2", quote: "SSLv3 MUST NOT be used. Negotiation of SSLv3 from any version of TLS MUST NOT be permitted." },
  },
  quoteFor: {
    server: { reference: "RFC 8446 §6.2", quote: "protocol_version: The protocol version the peer has attempted to negotiate is recognized but not supported (see Appendix D)." },
  },
  meaning: "A fatal protocol_version alert ended the handshake: the two sides share no TLS version. When the client offered only TLS 1.1 or older (which RFC 8996 forbids), the client is at fault; when it offered TLS 1.2 or 1.3 and the server refused, the server is.",
  why: "No TLS session is possible, so a client that requires TLS cannot send mail, and one that does not may fall back to plaintext.",
  fix: "Client: enable TLS 1.2 and TLS 1.3 (RFC 8996 forbids TLS 1.0 and 1.1; in OpenSSL MinProtocol = TLSv1.2). Server: enable TLS 1.2 and TLS 1.3 (Postfix smtpd_tls_protocols = >=TLSv1.2).",
  plaintext: false,
}, (ctx) => {
  const t = tlsFacts(ctx.session);
  if (t === null) return;
  const a = t.alerts.find((x) => x.level === "fatal" && x.description === "protocol_version");
  if (a === undefined) return;
  const ch = t.clientHello;
  const offered = ch?.versions ?? [];
  const peer = a.from === "server" ? "client" : "server";
  const hello = ch !== null ? ` (ClientHello frame ${ch.frame})` : "";
  const frames = ch !== null ? [ch.frame, a.frame] : [a.frame];
  if (a.from === "server") {
    const onlyOld = offered.length > 0 && offered.every((v) => OLD.has(v));
    const what = offered.length === 0 ? "the ClientHello is not in the capture" : `the client offered only ${offered.join(", ")}${hello}`;
    const side = onlyOld || offered.length === 0 ? "client" : "server";
    ctx.report({
      side,
      cite: side === "client" && onlyOld ? citeFor(offered) : undefined,
      frames, message: `the server refused the client's TLS version with a fatal protocol_version alert (frame ${a.frame}): ${what}, no ServerHello followed`,
      evidence: `alert ${a.description} from the server, offered ${offered.join("/") || "unknown"}`,
    });
    return;
  }
  const chosen = t.serverHello?.version ?? "unknown";
  ctx.report({
    side: OLD.has(chosen) ? "server" : "client",
    frames: t.serverHello !== null ? [t.serverHello.frame, a.frame] : [a.frame],
    message: `the client refused the server's TLS version with a fatal protocol_version alert (frame ${a.frame}): the server chose ${chosen}, the client offered ${offered.join(", ") || "versions the capture does not show"}`,
    evidence: `alert ${a.description} from the ${a.from}, sent to the ${peer}`,
  });
});
