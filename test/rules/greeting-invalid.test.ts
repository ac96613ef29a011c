import { ruleTester } from "../support/rule-tester.js";
import { conv } from "../support/fixtures.js";

ruleTester("greeting-invalid", {
  invalid: [
    {
      name: "a 250 greeting (4)",
      capture: () => conv().handshake().server("250 mx ready\r\n"),
      findings: [{ severity: "error", side: "server", frames: [4], message: "the greeting has code 250; a connection opens with 220 (or 554, 521, 421)" }],
    },
    {
      name: "a 220 greeting starting with a few asterisks, no mask",
      capture: () => conv().handshake().server("220 *** mail service\r\n"),
      findings: [{ severity: "warning", side: "server", frames: [4], message: "the 220 greeting starts with `***`, not a domain or address literal" }],
    },
  ],
  valid: [
    { name: "near miss: a 554 greeting", capture: () => conv().handshake().server("554 no service\r\n") },
    { name: "near miss: an address-literal 220", capture: () => conv().handshake().server("220 [192.0.2.25] ready\r\n") },
    { name: "a banner masked by a firewall blames the middlebox, not the server", capture: () => conv().handshake().server("220 ******************************\r\n") },
  ],
});
