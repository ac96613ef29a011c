import { ruleTester } from "../support/rule-tester.js";
import { conv } from "../support/fixtures.js";
import { clean } from "../support/rules.js";

ruleTester("middlebox-esmtp-rewriting", {
  invalid: [
    {
      name: "an asterisk-masked banner (4) and an XXXX command (7)",
      capture: () =>
        conv().handshake().server("220 ****************************2*0*0******2**0*******0*\r\n").client("EHLO a.test\r\n").server("250 mx\r\n")
          .client("XXXX\r\n").server("500 unknown command\r\n"),
      findings: [
        { severity: "warning", side: "middlebox", frames: [4], message: "the greeting `220 ****************************2*0*0******2**0*******0*` is masked with asterisks: a firewall's SMTP inspection (such as Cisco ASA/PIX) rewrote it" },
        { severity: "warning", side: "middlebox", frames: [7], message: "a command arrived as `XXXX`: a firewall replaced a command it does not allow with X's" },
      ],
    },
  ],
  valid: [
    { name: "near miss: a normal banner and commands", capture: () => clean() },
  ],
});
