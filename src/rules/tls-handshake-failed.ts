import { defineRule } from "./define.js";
import { CERT_ALERTS, tlsFacts } from "./tls-util.js";

/** Alerts the more specific TLS rules explain. */
const EXPLAINED = new Set([...CERT_ALERTS, "protocol_version"]);

export default defineRule({
  id: "tls-handshake-failed",
  title: "TLS handshake ended by a fatal alert",
  severity: "error",
  side: "server",
  reference: "RFC 8446 §6.2",
  quote: "Upon transmission or receipt of a fatal alert message, both parties MUST immediately close the connection.",
  meaning: "A fatal alert other than those explained by tls-version-refused, tls-no-shared-cipher and tls-certificate-rejected ended the TLS handshake. The side that sent it found fault with its peer: the peer is named.",
  why: "No TLS session: the SMTP dialogue cannot continue.",
  fix: "Client: compare its TLS settings with the server's (versions, suites, groups, SNI, certificates) and the alert's meaning. Server: compare its TLS settings with what the client offered and the alert's meaning.",
  plaintext: false,
}, (ctx) => {
  const t = tlsFacts(ctx.session);
  if (t === null || t.completed === true) return;
  const a = t.alerts.find((x) => x.level === "fatal" && x.description !== null);
  if (a === undefined || EXPLAINED.has(a.description!)) return;
  if (a.from === "server" && t.serverHello === null && (a.description === "handshake_failure" || a.description === "insufficient_security")) return;
  const peer = a.from === "client" ? "server" : "client";
  ctx.report({
    side: peer,
    frames: [a.frame],
    message: `the ${a.from} ended the TLS handshake with a fatal ${a.description} alert (frame ${a.frame}), finding fault with what the ${peer} sent`,
    evidence: `alert ${a.description} from the ${a.from}`,
  });
});
