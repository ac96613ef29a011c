import { defineRule } from "./define.js";
import { listed, recommendedSuite, tlsFacts } from "./tls-util.js";

export default defineRule({
  id: "tls-no-shared-cipher",
  title: "TLS handshake refused: no cipher suite both sides accept",
  severity: "error",
  side: "client",
  reference: "RFC 8446 §6.2; RFC 7525 §4.2",
  quote: "handshake_failure: Receipt of a \"handshake_failure\" alert message indicates that the sender was unable to negotiate an acceptable set of security parameters given the options available.",
  meaning: "The server answered the ClientHello with a fatal handshake_failure or insufficient_security alert and no ServerHello: it accepts none of the cipher suites (or groups) the client offered. When the client offered none of the suites RFC 7525 §4.2 / RFC 9325 recommend (AES-GCM or ChaCha20-Poly1305, with ECDHE/DHE in TLS 1.2), the client is at fault; otherwise the server, which refused recommended suites.",
  why: "No TLS session is possible: a client that requires TLS cannot send mail.",
  fix: "Client: offer the recommended suites (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256). Server: enable the recommended suites the client offered.",
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
  const suites = ch.cipherSuites.filter((n) => !/SCSV|GREASE/.test(n));
  const good = suites.filter(recommendedSuite);
  const versions = ch.versions.join(", ");
  const n = `${suites.length} cipher suite${suites.length === 1 ? "" : "s"}`;
  const hello = `(${versions}, ClientHello frame ${ch.frame})`;
  const why = good.length > 0
    ? `the client offered ${hello} recommended suites the server does not accept: ${listed(good, 3)}`
    : suites.length === 1 ? `the client offered only ${suites[0]} ${hello}, not a suite RFC 7525 §4.2 recommends`
      : `none of the ${n} the client offered ${hello} is one RFC 7525 §4.2 recommends`;
  ctx.report({
    side: good.length === 0 ? "client" : "server",
    frames: [ch.frame, a.frame],
    message: `the server refused the client's cipher suites with a fatal ${a.description} alert (frame ${a.frame}, no ServerHello): ${why}${suites.length > 1 ? `; offered: ${listed(suites)}` : ""}`,
    evidence: `alert ${a.description} from the server; offered ${n}`,
  });
});
