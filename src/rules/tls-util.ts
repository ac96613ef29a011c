import type { Session } from "../smtp/model.js";
import type { AlertFacts, TlsFacts } from "../tls/connection.js";
import type { CertificateFacts } from "../tls/handshake.js";
import { weakSuiteReason } from "../tls/names.js";

/**
 * The TLS layer's facts of a session, or null — also when the capture lost bytes of the session
 * from where TLS began (any gap on implicit TLS; after the STARTTLS 220 otherwise): a lost
 * ClientHello, Finished or alert would make an absence look like a refusal, and a missing packet
 * must never create an accusation. The gap itself is in the session's limits.
 */
export function tlsFacts(s: Session): TlsFacts | null {
  const tls = s.tls;
  if (tls === null || tls.facts === undefined) return null;
  for (const g of s.gaps) if (tls.mode === "implicit" || g.frame >= tls.frame) return null;
  return tls.facts;
}

/**
 * The TLS layer's facts whatever the capture lost: for rules that judge only what a message that
 * is in the capture says (the ServerHello's version and suite, the certificate's dates and names),
 * which a lost packet cannot make up.
 */
export function tlsFactsSeen(s: Session): TlsFacts | null {
  return s.tls?.facts ?? null;
}

/** The first fatal alert whose description is known. */
export function fatalAlert(t: TlsFacts): AlertFacts | null {
  return t.alerts.find((a) => a.level === "fatal" && a.description !== null) ?? null;
}

export const CERT_ALERTS = new Set(["bad_certificate", "unsupported_certificate", "certificate_revoked", "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied"]);

/** "CN=mx.lab.test (issuer CN=mx.lab.test, self-signed, valid 2026-12-06T18:48:19Z to 2036-12-03T18:48:19Z)": dates in ISO 8601 UTC, as Wireshark's validity fields show them (UTC) */
export function describeCert(c: CertificateFacts): string {
  return `${c.subject} (issuer ${c.issuer}${c.selfSigned ? ", self-signed" : ""}, valid ${isoSecond(c.notBeforeIso)} to ${isoSecond(c.notAfterIso)})`;
}

/** An ISO 8601 time without a zero fraction ("2036-12-03T18:48:19.000Z" → "2036-12-03T18:48:19Z"). */
export function isoSecond(iso: string): string {
  return iso.replace(/\.000Z$/, "Z");
}

/** A suite RFC 9325/7525 recommends: TLS 1.3 AES-GCM or ChaCha20, or (EC)DHE with AES-GCM or ChaCha20. */
export function recommendedSuite(name: string): boolean {
  return /^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/.test(name) || /^TLS_(EC)?DHE_(RSA|ECDSA)_WITH_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/.test(name);
}

export function listed(xs: string[], max = 8): string {
  return xs.length <= max ? xs.join(", ") : `${xs.slice(0, max).join(", ")} and ${xs.length - max} more`;
}

export { weakSuiteReason };
