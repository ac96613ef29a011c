import { defineRule } from "./define.js";
import { tlsFactsSeen as tlsFacts } from "./tls-util.js";

/** RFC 6125 §6.4: case-insensitive, a wildcard only as the whole left-most label. */
function covers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase(), h = host.toLowerCase().replace(/\.$/, "");
  if (p === h) return true;
  if (p.startsWith("*.")) {
    const dot = h.indexOf(".");
    return dot > 0 && h.slice(dot + 1) === p.slice(2);
  }
  return false;
}

export default defineRule({
  id: "tls-certificate-name-mismatch",
  title: "The server's certificate does not name the host the client asked for (SNI)",
  severity: "warning",
  side: "server",
  reference: "RFC 7525 §6.1; RFC 6125 §6.4; RFC 6066 §3",
  quote: "Readers are referred to [RFC6125] for further details regarding generic host name validation in the TLS context.",
  meaning: "The client named a host in the server_name extension (SNI); the server's certificate, as the capture shows it, names other hosts: none of its subjectAltName DNS names (or, without any, its subject CN) covers the SNI.",
  why: "A verifying client rejects the certificate; one that does not cannot tell the server from an impostor.",
  fix: "Server: present a certificate whose subjectAltName includes the host name clients use (the MX host name), or configure SNI-based certificate selection.",
  plaintext: false,
}, (ctx) => {
  const t = tlsFacts(ctx.session);
  const sni = t?.clientHello?.sni;
  const m = t?.certificate;
  const c = m?.certificates[0];
  if (!sni || !m || c === undefined) return;
  const names = c.san.length > 0 ? c.san : (/(?:^|,)CN=([^,]+)/.exec(c.subject)?.slice(1) ?? []);
  if (names.some((n) => covers(n, sni))) return;
  ctx.report({
    frames: [t!.clientHello!.frame, m.frame],
    message: `the server's certificate (frame ${m.frame}) names ${names.length ? names.join(", ") : "no host"}, not ${sni}, the host the client asked for in the ClientHello (frame ${t!.clientHello!.frame})`,
    evidence: `SNI ${sni}; certificate ${c.subject}`,
  });
});
