import { defineRule } from "./define.js";
import { offeredSuites } from "../tls/describe.js";
import { tlsFactsSeen as tlsFacts, weakSuiteReason } from "./tls-util.js";

export default defineRule({
  id: "tls-weak-cipher-suite",
  title: "A weak TLS cipher suite was negotiated (RC4, NULL, EXPORT, 3DES) or one without forward secrecy",
  severity: "warning",
  side: "server",
  reference: "RFC 7525 §4.1",
  quote: "Implementations MUST NOT negotiate RC4 cipher suites.",
  meaning: "The ServerHello chose a suite RFC 7525 §4.1 rules out: RC4, NULL encryption, EXPORT-grade, single DES or 3DES (less than 128 bits of security), anonymous key exchange (warning); or static RSA key exchange, which gives no forward secrecy (info). The server is at fault when the client offered a better suite; the client when it offered nothing better.",
  why: "Such a suite gives little or no confidentiality (NULL, EXPORT, RC4) or lets anyone with the server's key later decrypt recorded sessions (static RSA).",
  fix: "Server: disable these suites and prefer ECDHE with AES-GCM or ChaCha20-Poly1305 (TLS 1.3 where possible). Client: offer such suites.",
  plaintext: false,
}, (ctx) => {
  const t = tlsFacts(ctx.session);
  const sh = t?.serverHello;
  if (!sh || sh.helloRetryRequest) return;
  const weak = weakSuiteReason(sh.cipherSuiteId);
  const staticRsa = (n: string): boolean => /^TLS_RSA_WITH_/.test(n);
  const what = weak ?? (staticRsa(sh.cipherSuite) ? "static RSA key exchange, no forward secrecy" : null);
  if (what === null) return;
  const severity = weak !== null ? "warning" : "info";
  const rfc = weak !== null ? "RFC 7525 forbids negotiating it" : "RFC 7525 §4.1 says not to";
  // the side: the server, when the client offered a suite without this weakness; the client, when it offered nothing better
  const ch = t!.clientHello;
  const offered = ch !== null ? offeredSuites(ch.cipherSuites).suites : null;
  const better = ch === null ? true : ch.cipherSuiteIds.some((id, i) => !/SCSV|GREASE/.test(ch.cipherSuites[i]) && weakSuiteReason(id) === null && (weak !== null || !staticRsa(ch.cipherSuites[i])));
  if (ch !== null && offered !== null && offered.length > 0 && !better) {
    const only = offered.length === 1 ? `only ${offered[0]}` : `only weak suites (${offered.length}, ${offered.join(", ")})`;
    ctx.report({ severity, side: "client", frames: [ch.frame, sh.frame], message: `the client offered ${only} in the ClientHello (frame ${ch.frame}), and the server chose ${sh.cipherSuite} (${what}) in the ServerHello (frame ${sh.frame}): ${rfc}`, evidence: `suite ${sh.cipherSuite}; offered ${offeredSuites(ch.cipherSuites).text}` });
    return;
  }
  ctx.report({ severity, frames: [sh.frame], message: `the server chose ${sh.cipherSuite} (${what}) in the ServerHello (frame ${sh.frame}): ${rfc}`, evidence: `suite ${sh.cipherSuite}` });
});
