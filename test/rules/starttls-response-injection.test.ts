import { ruleTester } from "../support/rule-tester.js";
import { greeted } from "../support/rules.js";

// starttls-response-injection: its invalid cases (the exact findings) and valid ones (none) side by side.
ruleTester("starttls-response-injection", {
  invalid: [
    {
      name: "a plaintext reply after the STARTTLS 220",
      capture: () => greeted().client("STARTTLS\r\n").server("220 go ahead\r\n").server("250 extra\r\n"),
      findings: [
        { severity: "error", side: "server", frames: [9], message: "the reply `250 extra` was sent in plaintext after the STARTTLS 220, before the TLS handshake" },
      ],
    },
  ],
  valid: [
    { name: "STARTTLS refused", capture: () => greeted().client("STARTTLS\r\n").server("454 4.7.0 not now\r\n") },
  ],
});
