import { defineRule } from "./define.js";
import type { CertificateFacts } from "../tls/handshake.js";
import { CERT_ALERTS, describeCert, isoSecond, tlsFacts } from "./tls-util.js";

/** TLS ≤ 1.2: RFC 8446's sections do not apply; RFC 5246 §7.2.2 defines each certificate alert (the finding cites the one sent). */
const RFC5246: Record<string, string> = {
  bad_certificate: "A certificate was corrupt, contained signatures that did not verify correctly, etc.",
  unsupported_certificate: "A certificate was of an unsupported type.",
  certificate_revoked: "A certificate was revoked by its signer.",
  certificate_expired: "A certificate has expired or is not currently valid.",
  certificate_unknown: "Some other (unspecified) issue arose in processing the certificate, rendering it unacceptable.",
  unknown_ca: "A valid certificate chain or partial chain was received, but the certificate was not accepted because the CA certificate could not be located or couldn't be matched with a known, trusted CA.",
  access_denied: "A valid certificate was received, but when access control was applied, the sender decided not to proceed with negotiation.",
};

const MEANS: Record<string, string> = {
  unknown_ca: "it could not chain the certificate to a CA it trusts",
  // the RFC's own definition, "etc." included: the alert does not say which of these it was
  bad_certificate: "a certificate \"was corrupt, contained signatures that did not verify correctly, etc.\"",
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
  // TLS ≤ 1.2: RFC 8446's sections do not apply; RFC 5246 §7.2.2 defines the alerts
  citations: Object.fromEntries(Object.entries(RFC5246).map(([k, quote]) => [k, { reference: `RFC 5246 §7.2.2 (${k})`, quote }])),
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
  if (a.description === "bad_certificate" && cert !== undefined) {
    const why = likelyWhy(cert, ctx.session.startTime * 1000, t.clientHello?.sni ?? null);
    if (why !== null) means += `; likely because ${why}`;
  }
  const how = a.decrypted ? "encrypted, read with the key log" : "in plaintext";
  const frames = [...(t.certificate !== null ? [t.certificate.frame] : t.serverHello !== null ? [t.serverHello.frame] : []), a.frame];
  ctx.report({
    frames,
    message: `the client rejected the server's certificate with a fatal ${a.description} alert (frame ${a.frame}, ${how}): ${means}${facts}`,
    evidence: `alert ${a.description} from the client`,
    ...(t.version !== null && t.version !== "TLS 1.3" ? { cite: a.description! } : {}),
  });
});

/** What the certificate's facts show that a verifying client rejects: self-signed, out of its dates at capture time, names not covering the SNI (null: none). */
function likelyWhy(c: CertificateFacts, at: number, sni: string | null): string | null {
  const out: string[] = [];
  if (c.selfSigned) out.push(`it is self-signed (issuer ${c.issuer} is its subject), so no CA vouches for it`);
  if (at > Date.parse(c.notAfterIso)) out.push(`it had expired (not after ${isoSecond(c.notAfterIso)})`);
  else if (at < Date.parse(c.notBeforeIso)) out.push(`it was not yet valid (not before ${isoSecond(c.notBeforeIso)})`);
  if (sni !== null) {
    const names = c.san.length > 0 ? c.san : (/(?:^|,)CN=([^,]+)/.exec(c.subject)?.slice(1) ?? []);
    const h = sni.toLowerCase().replace(/\.$/, "");
    const covered = names.some((n) => { const p = n.toLowerCase(); return p === h || (p.startsWith("*.") && h.indexOf(".") > 0 && h.slice(h.indexOf(".") + 1) === p.slice(2)); });
    if (!covered) out.push(`its names (${names.join(", ") || "none"}) do not cover ${sni}, the SNI`);
  }
  return out.length > 0 ? out.join(", and ") : null;
}
