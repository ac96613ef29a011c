import { ruleTester } from "../support/rule-tester.js";
import { clean, greeted } from "../support/rules.js";

/** NOOP typed one octet per segment (frames 7..12), as telnet sends it. */
function typed() {
  const c = greeted();
  for (const ch of "NOOP\r\n") c.client(ch);
  return c.server("250 ok\r\n");
}

ruleTester("command-split-across-segments", {
  invalid: [
    {
      name: "one octet per segment (telnet)",
      capture: typed,
      findings: [
        { severity: "info", side: "client", frames: [7, 8, 9, 10, 11, 12], message: "`NOOP` was carried in 6 segments (frames 7, 8, 9, 10, 11, 12)" },
      ],
    },
  ],
  valid: [
    { name: "near miss: whole command lines", capture: () => clean() },
    { name: "near miss: two commands in one segment", capture: () => greeted().client("NOOP\r\nNOOP\r\n").server("250 ok\r\n250 ok\r\n") },
  ],
});
