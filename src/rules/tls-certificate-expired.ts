import { defineRule } from "./define.js";
import { describeCert, isoSecond, tlsFacts } from "./tls-util.js";

export default defineRule({
  id: "tls-certificate-expired",
  title: "The server's certificate was expired or not yet valid at capture time",
  severity: "warning",
  side: "server",
  reference: "RFC 8446 §6.2; RFC 5280 §4.1.2.5",
  quote: "certificate_expired: A certificate has expired or is not currently valid.",
  meaning: "The server's end-entity certificate, as the capture shows it (TLS ≤ 1.2 in clear, TLS 1.3 with the key log), has a validity period that does not include the time of the capture.",
  why: "Verifying clients refuse the handshake (certificate_expired); others learn to ignore certificate errors.",
  fix: "Server: renew the certificate and reload the service (and monitor expiry).",
  plaintext: false,
}, (ctx) => {
  const s = ctx.session;
  const t = tlsFacts(s);
  const m = t?.certificate;
  const c = m?.certificates[0];
  if (!m || c === undefined) return;
  const at = s.startTime * 1000;
  const before = Date.parse(c.notBeforeIso), after = Date.parse(c.notAfterIso);
  const when = new Date(at).toISOString();
  if (at > after) ctx.report({ frames: [m.frame], message: `the server's certificate (frame ${m.frame}) had expired when the capture was made (${when}): not after ${isoSecond(c.notAfterIso)}; the certificate: ${describeCert(c)}`, evidence: `notAfter ${isoSecond(c.notAfterIso)}` });
  else if (at < before) ctx.report({ frames: [m.frame], message: `the server's certificate (frame ${m.frame}) was not yet valid when the capture was made (${when}): not before ${isoSecond(c.notBeforeIso)}; the certificate: ${describeCert(c)}`, evidence: `notBefore ${isoSecond(c.notBeforeIso)}` });
});
