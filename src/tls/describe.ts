import type { TlsFacts } from "./connection.js";

/**
 * The TLS facts of a session in a few sentences for the text report (never a secret: the client
 * random is public, key material is not in TlsFacts at all).
 */
export function describeTls(t: TlsFacts): string[] {
  const out: string[] = [];
  const ch = t.clientHello, sh = t.serverHello;
  if (ch === null && sh === null && t.alerts.length === 0) return out;
  const parts: string[] = [];
  if (sh !== null) parts.push(`${sh.version} ${sh.cipherSuite} (ServerHello frame ${sh.frame}${t.helloRetryRequest ? `, after a HelloRetryRequest in frame ${t.helloRetryRequest.frame}` : ""})`);
  else if (ch !== null) parts.push(`no ServerHello: the client offered ${ch.versions.join(", ")} with ${ch.cipherSuites.length} cipher suites (ClientHello frame ${ch.frame})`);
  if (ch !== null) parts.push(ch.sni !== null ? `SNI ${ch.sni}` : "no SNI");
  const hs = t.completed === true ? "handshake completed" : t.completed === false ? "handshake not completed" : "whether the handshake completed cannot be told without keys";
  parts.push(hs);
  out.push(`TLS: ${parts.join("; ")}`);
  const cert = t.certificate;
  if (cert !== null && cert.certificates.length > 0) {
    const c = cert.certificates[0];
    out.push(`TLS certificate (frame ${cert.frame}${cert.visibleWithoutKeys ? "" : ", decrypted"}): ${c.subject}, issuer ${c.issuer}${c.selfSigned ? " (self-signed)" : ""}, valid ${c.notBeforeIso} to ${c.notAfterIso}, ${c.keyType}${c.keyBits ? ` ${c.keyBits} bits` : ""}${c.san.length ? `, names ${c.san.join(", ")}` : ""}${cert.chainLength > 1 ? `, chain of ${cert.chainLength}` : ""}`);
  } else if (sh !== null && sh.version === "TLS 1.3") out.push("TLS certificate: encrypted (TLS 1.3), not readable without the handshake keys");
  for (const a of t.alerts) {
    out.push(a.description !== null
      ? `TLS alert: ${a.level ?? ""} ${a.description} from the ${a.from} (frame ${a.frame}, ${a.decrypted ? "decrypted" : a.onWire})`.replace("  ", " ")
      : `TLS alert: an encrypted alert from the ${a.from} (frame ${a.frame}); which one cannot be read without keys`);
  }
  const d = t.decryption;
  if (d.status === "decrypted" || d.status === "partial") out.push(`TLS decrypted with ${d.source}${d.status === "partial" ? " (in part)" : ""}: ${t.client.plainBytes} client and ${t.server.plainBytes} server octets of application data`);
  for (const n of d.notes) out.push(`TLS: ${n}`);
  for (const g of t.gaps) out.push(`TLS: ${g.len} bytes of the ${g.from}'s TLS stream are missing from frame ${g.frame} on${g.beforeHandshakeEnd ? " (inside the handshake: cannot judge it)" : ""}`);
  if (t.notTls !== null) out.push(`TLS: the ${t.notTls.from}'s bytes from frame ${t.notTls.frame} are not TLS records`);
  return out;
}

/** The header fact of a session with TLS: where it began and what became of it. */
export function tlsHeadline(mode: "starttls" | "implicit", t: TlsFacts): string {
  const from = t.firstFrame ?? 0;
  const d = t.decryption;
  const failed = d.failedFrom.client ?? d.failedFrom.server;
  if (handshakeOnly(t)) return `TLS (${mode}) from frame ${from}: the handshake did not complete`;
  if (failed !== null) return `TLS (${mode}) from frame ${from}: decrypted up to frame ${failed}, then cannot decrypt`;
  if ((d.status === "decrypted" || d.status === "partial") && t.client.plainBytes + t.server.plainBytes > 0) return `TLS (${mode}) from frame ${from}: decrypted with ${d.source}, the SMTP inside is judged`;
  return `TLS (${mode}) from frame ${from}: the rest is encrypted`;
}

/** The TLS phase was decrypted without a failure and carried application data: nothing of the dialogue stays encrypted. */
export function fullyDecrypted(t: TlsFacts): boolean {
  const d = t.decryption;
  return d.status === "decrypted" && d.failedFrom.client === null && d.failedFrom.server === null && t.client.plainBytes + t.server.plainBytes > 0;
}

/** A fatal alert in clear ended the handshake before any encrypted record flowed (a refused hello, a rejected certificate). */
export function handshakeOnly(t: TlsFacts): boolean {
  return t.completed === false && t.client.encryptedRecords + t.server.encryptedRecords + t.client.appRecords + t.server.appRecords === 0
    && t.alerts.some((a) => a.level === "fatal" && !a.decrypted && a.description !== null);
}
