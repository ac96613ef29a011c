import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { report } from "../support/rules.js";
import { toText } from "../../src/report/text.js";

// `editcap -s 90` on a capture whose 220 is longer than the snap length: the greeting's line ends
// where the frame was cut. The server's first bytes of a connection whose start was captured are
// its greeting all the same; before, the timeline said "220 mx.example.test ESMT (not paired with
// a command: the capture lacks bytes)".
describe("a greeting cut by the snap length", () => {
  // Ethernet 14 + IPv4 20 + TCP 20: 20 bytes of the 57-byte greeting kept
  const capture = () => conv().handshake()
    .server("220 mx.example.test ESMTP Postfix (Debian/GNU) ready\r\n", { snap: 74 })
    .client("EHLO client.example.test\r\n")
    .server("250 mx.example.test\r\n")
    .client("QUIT\r\n")
    .server("221 bye\r\n")
    .fin("server").fin("client");

  it("is the greeting, not a reply without its command", async () => {
    const rep = await report(capture());
    const s = rep.sessions[0];
    expect(s.replies.map((r) => [r.lines[0], r.greeting, r.command])).toEqual([
      ["220 mx.example.test ", true, null],
      ["250 mx.example.test", false, 0],
      ["221 bye", false, 1],
    ]);
    const text = toText(rep, { color: false, verbose: false });
    expect(text).toContain("220 mx.example.test  (greeting)");
    expect(text).not.toContain("not paired with a command");
  });
});
