import { defineRule } from "./define.js";
import { tlsFactsSeen as tlsFacts, weakSuiteReason } from "./tls-util.js";

export default defineRule({
  id: "tls-weak-cipher-suite",
  title: "A weak TLS cipher suite was negotiated (RC4, NULL, EXPORT, 3DES) or one without forward secrecy",
  severity: "warning",
  side: "server",
  reference: "RFC 7525 §4.1",
  quote: "Implementations MUST NOT negotiate RC4 cipher suites.",
  meaning: "The ServerHello chose a suite RFC 7525 §4.1 rules out: RC4, NULL encryption, EXPORT-grade, single DES or 3DES (less than 128 bits of security), anonymous key exchange (warning); or static RSA key exchange, which gives no forward secrecy (info).",
  why: "Such a suite gives little or no confidentiality (NULL, EXPORT, RC4) or lets anyone with the server's key later decrypt recorded sessions (static RSA).",
  fix: "Server: disable these suites and prefer ECDHE with AES-GCM or ChaCha20-Poly1305 (TLS 1.3 where possible).",
  plaintext: false,
}, (ctx) => {
  const t = tlsFacts(ctx.session);
  const sh = t?.serverHello;
  if (!sh || sh.helloRetryRequest) return;
  const weak = weakSuiteReason(sh.cipherSuiteId);
  if (weak !== null) {
    ctx.report({ frames: [sh.frame], message: `the server chose ${sh.cipherSuite} (${weak}) in the ServerHello (frame ${sh.frame}): RFC 7525 forbids negotiating it`, evidence: `suite ${sh.cipherSuite}` });
    return;
  }
  if (/^TLS_RSA_WITH_/.test(sh.cipherSuite)) {
    ctx.report({ severity: "info", frames: [sh.frame], message: `the server chose ${sh.cipherSuite} (static RSA key exchange, no forward secrecy) in the ServerHello (frame ${sh.frame}): RFC 7525 §4.1 says not to`, evidence: `suite ${sh.cipherSuite}` });
  }
});
