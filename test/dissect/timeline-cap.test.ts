import { describe, expect, it } from "vitest";
import { DEFAULT_DISSECT } from "../../src/smtp/session.js";
import { analyzeConv, conv } from "../support/fixtures.js";

describe("the cap on a session's timeline (commands and replies kept per session)", () => {
  it("beyond it: counted, a limit of its own, and the verdict cannot claim no violation", async () => {
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n").client("EHLO client.example.test\r\n").server("250 mx.example.test\r\n");
    for (let i = 0; i < 3; i++) c.client("NOOP\r\n").server("250 OK\r\n");
    c.client("QUIT\r\n").server("221 Bye\r\n");
    c.fin("client").fin("server");
    const saved = DEFAULT_DISSECT.maxItemsPerSession;
    DEFAULT_DISSECT.maxItemsPerSession = 3;
    try {
      const rep = await analyzeConv(c);
      const s = rep.sessions[0];
      // the QUIT was not kept: "closed without QUIT" would be an accusation made of a missing part
      expect(rep.findings).toEqual([]);
      expect(s.verdict.notEvaluable).toContain("connection-close-violation");
      // kept: EHLO, NOOP, NOOP and the greeting, 250 (EHLO), 250 (NOOP); dropped: NOOP, QUIT and 250, 250, 221
      expect(s.commands.map((x) => x.verb)).toEqual(["EHLO", "NOOP", "NOOP"]);
      expect(s.replies).toHaveLength(3);
      expect(s.limits).toEqual([{ kind: "timeline-capped", text: "5 commands and replies beyond the first 3 of each kind in this session were counted but not kept, so not judged" }]);
      expect(s.verdict.fault).toBe("undetermined");
      expect(s.verdict.summary).toBe("Cannot judge: 5 commands and replies beyond the first 3 of each kind in this session were counted but not kept, so not judged.");
    } finally {
      DEFAULT_DISSECT.maxItemsPerSession = saved;
    }
  });
});
