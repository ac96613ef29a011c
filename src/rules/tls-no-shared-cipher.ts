import { defineRule } from "./define.js";
import { offeredSuites } from "../tls/describe.js";
import { listed, recommendedSuite, tlsFacts } from "./tls-util.js";

/** The text that names the recommended suites for the versions offered: RFC 7525 §4.2 lists TLS 1.2 suites only; TLS 1.3's are RFC 8446 §9.1's. */
function standardFor(versions: string[]): { by: string; cite?: "tls13" } {
  const v13 = versions.includes("TLS 1.3"), v12 = versions.some((v) => v !== "TLS 1.3");
  if (v13 && !v12) return { by: "RFC 8446 §9.1 names", cite: "tls13" };
  return v13 ? { by: "RFC 7525 §4.2 (TLS 1.2) or RFC 8446 §9.1 (TLS 1.3) names" } : { by: "RFC 7525 §4.2 recommends" };
}

export default defineRule({
  id: "tls-no-shared-cipher",
  title: "TLS handshake refused: no cipher suite both sides accept",
  severity: "error",
  side: "client",
  reference: "RFC 8446 §6.2; RFC 7525 §4.2",
  // a client that offered only TLS 1.3: the suites TLS 1.3 itself requires (RFC 7525 §4.2 lists TLS 1.2 suites only)
  citations: {
    tls13: { reference: "RFC 8446 §9.1, §6.2", quote: "A TLS-compliant application MUST implement the TLS_AES_128_GCM_SHA256 [GCM] cipher suite and SHOULD implement the TLS_AES_256_GCM_SHA384 [GCM] and TLS_CHACHA20_POLY1305_SHA256 [RFC8439] cipher suites (see Appendix B.4)." },
  },
  quote: "handshake_failure: Receipt of a \"handshake_failure\" alert message indicates that the sender was unable to negotiate an acceptable set of security parameters given the options available.",
  meaning: "The server answered the ClientHello with a fatal handshake_failure or insufficient_security alert and no ServerHello: it accepts none of the cipher suites (or groups) the client offered. When the client offered none of the recommended suites (for TLS 1.2 those of RFC 7525 §4.2 / RFC 9325: AES-GCM or ChaCha20-Poly1305 with ECDHE/DHE; for TLS 1.3 those RFC 8446 §9.1 requires: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256), the client is at fault; otherwise the server, which refused recommended suites.",
  why: "No TLS session is possible: a client that requires TLS cannot send mail.",
  fix: "Client: offer the recommended suites (TLS 1.3: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256; TLS 1.2: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256). Server: enable the recommended suites the client offered.",
  plaintext: false,
}, (ctx) => {
  const t = tlsFacts(ctx.session);
  if (t === null || t.serverHello !== null) return;
  const a = t.alerts.find((x) => x.from === "server" && x.level === "fatal" && (x.description === "handshake_failure" || x.description === "insufficient_security"));
  if (a === undefined) return;
  const ch = t.clientHello;
  if (ch === null) {
    ctx.report({ side: "server", frames: [a.frame], message: `the server ended the TLS handshake with a fatal ${a.description} alert (frame ${a.frame}) before any ServerHello; the ClientHello is not in the capture, so which side's suites were lacking cannot be judged`, evidence: `alert ${a.description}` });
    return;
  }
  const { suites, text: n } = offeredSuites(ch.cipherSuites);
  const good = suites.filter(recommendedSuite);
  const versions = ch.versions.join(", ");
  const std = standardFor(ch.versions);
  const hello = `(${versions}, ClientHello frame ${ch.frame})`;
  const why = good.length > 0
    ? `the client offered ${hello} recommended suites the server does not accept: ${listed(good, 3)}`
    : suites.length === 1 ? `the client offered only ${suites[0]} ${hello}, not a suite ${std.by}`
      : `none of the ${n} the client offered ${hello} is one ${std.by}`;
  ctx.report({
    side: good.length === 0 ? "client" : "server",
    ...(good.length === 0 && std.cite !== undefined ? { cite: std.cite } : {}),
    frames: [ch.frame, a.frame],
    message: `the server refused the client's cipher suites with a fatal ${a.description} alert (frame ${a.frame}, no ServerHello): ${why}${suites.length > 1 ? `; offered: ${listed(suites)}` : ""}`,
    evidence: `alert ${a.description} from the server; offered ${n}`,
  });
});
