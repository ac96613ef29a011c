import { defineRule } from "./define.js";
import { CERT_ALERTS, describeCert, isoSecond, tlsFacts } from "./tls-util.js";

const MEANS: Record<string, string> = {
  unknown_ca: "it could not chain the certificate to a CA it trusts",
  bad_certificate: "the certificate was corrupt or its signature did not verify",
  certificate_expired: "the certificate had expired or was not yet valid",
  certificate_unknown: "it found the certificate unacceptable",
  unsupported_certificate: "the certificate was of a type it does not support",
  certificate_revoked: "the certificate was revoked",
  access_denied: "its access control refused the certificate",
};

export default defineRule({
  id: "tls-certificate-rejected",
  title: "TLS handshake failed: the client rejected the server's certificate",
  severity: "error",
  side: "server",
  reference: "RFC 8446 §4.4.2.2, §6.2",
  quote: "If the client cannot construct an acceptable chain using the provided certificates and decides to abort the handshake, then it MUST abort the handshake with an appropriate certificate-related alert (by default, \"unsupported_certificate\"; see Section 6.2 for more information).",
  meaning: "The client answered the server's certificate with a fatal certificate alert (unknown_ca, bad_certificate, certificate_expired, certificate_unknown, …): it does not trust what the server presented. The certificate's facts are named where the capture shows them (TLS ≤ 1.2, or TLS 1.3 decrypted).",
  why: "The handshake ends; a client that insists on a verified certificate (DANE, MTA-STS, submission clients) will not deliver.",
  fix: "Server: present a certificate chain from a CA the client trusts, unexpired, with the full chain and the host name the client connects to. Client: add the server's CA to the trust store if the certificate is meant to be trusted.",
  plaintext: false,
}, (ctx) => {
  const t = tlsFacts(ctx.session);
  if (t === null) return;
  const a = t.alerts.find((x) => x.from === "client" && x.level === "fatal" && x.description !== null && CERT_ALERTS.has(x.description));
  if (a === undefined) return;
  const cert = t.certificate?.certificates[0];
  const facts = cert !== undefined ? `; the certificate (frame ${t.certificate!.frame}): ${describeCert(cert)}` : t.version === "TLS 1.3" ? "; the certificate is encrypted (TLS 1.3) and cannot be shown without the handshake keys" : "";
  // certificate_expired says "expired or not yet valid": the dates and the capture time tell which
  let means = MEANS[a.description!];
  if (a.description === "certificate_expired" && cert !== undefined) {
    const at = ctx.session.startTime * 1000;
    if (at > Date.parse(cert.notAfterIso)) means = `the certificate had expired (not after ${isoSecond(cert.notAfterIso)}, while the capture is from ${isoSecond(new Date(Math.floor(at / 1000) * 1000).toISOString())})`;
    else if (at < Date.parse(cert.notBeforeIso)) means = `the certificate was not yet valid (not before ${isoSecond(cert.notBeforeIso)}, while the capture is from ${isoSecond(new Date(Math.floor(at / 1000) * 1000).toISOString())})`;
  }
  const how = a.decrypted ? "encrypted, read with the key log" : "in plaintext";
  const frames = [...(t.certificate !== null ? [t.certificate.frame] : t.serverHello !== null ? [t.serverHello.frame] : []), a.frame];
  ctx.report({
    frames,
    message: `the client rejected the server's certificate with a fatal ${a.description} alert (frame ${a.frame}, ${how}): ${means}${facts}`,
    evidence: `alert ${a.description} from the client`,
  });
});
