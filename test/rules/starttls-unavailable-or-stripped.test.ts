import { ruleTester } from "../support/rule-tester.js";
import { conv } from "../support/fixtures.js";
import { greeted } from "../support/rules.js";

const TLS = ["250-mx.example.test", "250-PIPELINING", "250-STARTTLS", "250 AUTH PLAIN LOGIN"];

/** A session that offers STARTTLS, takes it, and whose TLS phase is in the capture decrypted. */
function decrypted(client: string, t0: number) {
  const c = greeted(TLS, conv({ client, t0 }).handshake());
  c.client("STARTTLS\r\n").server("220 2.0.0 ready\r\n"); // 7, 8
  c.client("EHLO client.example.test\r\n"); // 9, inside TLS
  c.server("250-mx.example.test\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n"); // 10
  return c.client("QUIT\r\n").server("221 bye\r\n").fin("server").fin("client");
}

ruleTester("starttls-unavailable-or-stripped", {
  invalid: [
    {
      // Cisco ASA's default ESMTP inspection shows STARTTLS as `XXXXXXXA` (Cisco 118550)
      name: "an X-masked keyword in the EHLO reply (6)",
      capture: () => greeted(["250-mx.example.test", "250-PIPELINING", "250 XXXXXXXA"]),
      findings: [
        { severity: "warning", side: "middlebox", frames: [6], message: "the EHLO reply carries the masked keyword `XXXXXXXA`: a middlebox replaced an extension with X's (8 characters, as long as STARTTLS)" },
      ],
    },
    {
      // ASA letters the keywords it masks in order (suricata-verify smtp-extract-url-schemes): one
      // finding for the reply; only the 8-character mask is said to be as long as STARTTLS
      name: "several masked keywords in one EHLO reply: one finding",
      capture: () => greeted(["250-mx.example.test", "250-XXXA", "250-PIPELINING", "250-XXXXXXXB", "250 XXXXXXXXXXXC"]),
      findings: [
        { severity: "warning", side: "middlebox", frames: [6], message: "the EHLO reply carries 3 masked keywords (`XXXA`, `XXXXXXXB`, `XXXXXXXXXXXC`): a middlebox replaced extensions with X's; `XXXXXXXB` is as long as STARTTLS (8 characters)" },
      ],
    },
    {
      name: "a keyword of eight X's",
      capture: () => greeted(["250-mx.example.test", "250-PIPELINING", "250 XXXXXXXX"]),
      findings: [
        { severity: "warning", side: "middlebox", frames: [6], message: "the EHLO reply carries the masked keyword `XXXXXXXX`: a middlebox replaced an extension with X's (8 characters, as long as STARTTLS)" },
      ],
    },
    {
      name: "a second connection (EHLO reply frame 12) is not offered STARTTLS, the first was",
      capture: () => [
        greeted(TLS, conv({ client: "192.0.2.11:40001" }).handshake()),
        greeted(["250-mx.example.test", "250 PIPELINING"], conv({ client: "192.0.2.12:40002", t0: 1700000100 }).handshake()),
      ],
      findings: [{ severity: "warning", side: "middlebox", frames: [12], message: "the EHLO reply does not offer STARTTLS, but an earlier connection to the same server 192.0.2.25:25 (tcp.stream 0) was offered it" }],
    },
  ],
  valid: [
    { name: "near miss: X keywords that are no mask (XEXCH50, X-EXPS, XXA, XXXXXXX5)", capture: () => greeted(["250-mx.example.test", "250-XEXCH50", "250-X-EXPS GSSAPI", "250-XXA", "250 XXXXXXX5"]) },
    { name: "near miss: the EHLO reply inside decrypted TLS lacks STARTTLS (RFC 3207 §4.2)", capture: () => [decrypted("192.0.2.11:40001", 1700000000), decrypted("192.0.2.12:40002", 1700000100)] },
    { name: "near miss: one connection only, no STARTTLS offered", capture: () => greeted(["250-mx.example.test", "250 PIPELINING"]) },
  ],
});
