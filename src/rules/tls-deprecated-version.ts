import { defineRule } from "./define.js";
import { tlsFactsSeen as tlsFacts } from "./tls-util.js";

const OLD = new Set(["SSL 3.0", "TLS 1.0", "TLS 1.1"]);

export default defineRule({
  id: "tls-deprecated-version",
  title: "TLS 1.0 or 1.1 (or SSL 3.0) negotiated",
  severity: "warning",
  side: "server",
  reference: "RFC 8996 §4",
  quote: "TLS 1.0 MUST NOT be used. Negotiation of TLS 1.0 from any version of TLS MUST NOT be permitted.",
  // the sentence for the version the ServerHello chose
  citations: {
    tls11: { reference: "RFC 8996 §5", quote: "TLS 1.1 MUST NOT be used. Negotiation of TLS 1.1 from any version of TLS MUST NOT be permitted." },
    ssl3: { reference: "RFC 7568 §3", quote: "SSLv3 MUST NOT be used. Negotiation of SSLv3 from any version of TLS MUST NOT be permitted." },
  },
  meaning: "The ServerHello chose TLS 1.1 or older. The server is at fault when the client offered TLS 1.2 or 1.3 too; the client when it offered nothing newer.",
  why: "TLS 1.0 and 1.1 lack modern AEAD suites and have known weaknesses (BEAST, weak PRF); RFC 8996 forbids them.",
  fix: "Server: enable TLS 1.2 and 1.3 and disable TLS 1.0 and 1.1. Client: enable TLS 1.2 and 1.3 and disable TLS 1.0 and 1.1.",
  plaintext: false,
}, (ctx) => {
  const t = tlsFacts(ctx.session);
  if (t === null || t.serverHello === null || !OLD.has(t.serverHello.version)) return;
  // without the ClientHello the capture cannot show whether the client offered anything newer:
  // which side chose the old version is then unknown, and nobody is blamed
  if (t.clientHello === null) return;
  const offered = t.clientHello.versions;
  const newer = offered.some((v) => v === "TLS 1.2" || v === "TLS 1.3");
  const v = t.serverHello.version;
  ctx.report({
    side: newer ? "server" : "client",
    cite: v === "TLS 1.1" ? "tls11" : v === "SSL 3.0" ? "ssl3" : undefined,
    frames: [t.serverHello.frame],
    message: `${t.serverHello.version} was negotiated (ServerHello frame ${t.serverHello.frame})${offered.length ? `, the client offered ${offered.join(", ")}` : ""}: ${v === "SSL 3.0" ? "RFC 7568 forbids SSL 3.0" : `RFC 8996 forbids ${v}`}`,
    evidence: `ServerHello version ${t.serverHello.version}`,
  });
});
