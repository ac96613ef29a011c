import { describe, expect, it } from "vitest";
import { Judge } from "../../src/rules/engine.js";
import { DEFAULT_RULE_OPTIONS } from "../../src/rules/types.js";
import { analyzeConv, conv } from "../support/fixtures.js";
import { clean, hits } from "../support/rules.js";
import { ruleTester } from "../support/rule-tester.js";

// greeting-delay: invalid cases (a finding) and valid ones (none) side by side.

const RULE = "greeting-delay";

/** A SOCKS5 tunnel whose CONNECT reply (frame 7) comes `connect` s after the handshake, the greeting `greeting` s after that. */
function socks5(connect: number, greeting: number) {
  const c = conv({ server: "192.0.2.1:1080" }).handshake();
  c.client(Buffer.from([5, 1, 0])); // 4: no authentication
  c.server(Buffer.from([5, 0])); // 5
  c.client(Buffer.from([5, 1, 0, 1, 203, 0, 113, 25, 0, 25])); // 6: CONNECT 203.0.113.25:25
  c.server(Buffer.from([5, 0, 0, 1, 203, 0, 113, 25, 0, 25]), { t: c.now + connect }); // 7: the proxy reached the server
  c.server("220 mx.example.test ESMTP\r\n", { t: c.now + greeting }); // 8
  c.client("QUIT\r\n").server("221 bye\r\n").fin("server").fin("client");
  return c;
}

describe(`${RULE}: invalid`, () => {
  it("a greeting 12 s after the server's SYN/ACK (frame 2); a 220- teaser with the rest 6 s later", async () => {
    const c = conv().handshake();
    c.server("220-mx.example.test ESMTP\r\n", { t: c.now + 12 }); // 4
    c.server("220 ready\r\n", { t: c.now + 6 }); // 5
    c.client("QUIT\r\n");
    expect(await hits(RULE, c)).toEqual([
      { severity: "info", side: "server", frames: [2, 4], message: "the greeting began 12.0 s after the server's SYN/ACK" },
      { severity: "info", side: "server", frames: [4, 5], message: "the greeting's first line `220-mx.example.test ESMTP` came 6000 ms before the rest (a greeting teaser, as Postfix postscreen sends)" },
    ]);
  });

  it("through a tunnel whose reply time the model gives: counted from the proxy's CONNECT reply", async () => {
    const rep = await analyzeConv(socks5(0.1, 6));
    const s = rep.sessions[0];
    // the stream layer gives the tunnel's reply; set here as it will give it
    const judged = new Judge({ ...DEFAULT_RULE_OPTIONS, only: [RULE] }).judge({ ...s, tunnel: { kind: "socks5", port: 25, replyFrame: 7, replyTime: s.replies[0].firstTime - 6.5 } });
    expect(judged.findings.map((f) => [f.frames, f.message])).toEqual([[[7, 8], "the greeting began 6500 ms after the SOCKS proxy's CONNECT reply"]]);
  });
});

describe(`${RULE}: valid (no finding)`, () => {
  it("the client's SYN retransmitted for 7 s, the greeting 0.9 s after the SYN/ACK", async () => {
    const c = conv();
    const t0 = c.now;
    c.handshake(t0, { syn: { t: t0 } });
    // the same SYN sent again 1, 3 and 7 s later: the server answered only the last one
    const syn = c.packets[0];
    c.packets.splice(1, 0, ...[1, 3].map((d) => ({ ...syn, time: t0 + d })));
    c.packets[3] = { ...c.packets[3], time: t0 + 7 }; // SYN/ACK
    c.packets[4] = { ...c.packets[4], time: t0 + 7.001 }; // ACK
    c.server("220 mx.example.test ESMTP\r\n", { t: t0 + 7.9 });
    c.client("QUIT\r\n");
    const rep = await analyzeConv(c);
    expect(rep.findings.filter((f) => f.rule === RULE)).toEqual([]);
    expect(rep.sessions[0].tcp?.server.handshake?.frame).toBe(4);
  });

  it("through a SOCKS5 tunnel: 11 s to reach the server, the greeting 0.9 s later; without the tunnel's reply time nothing is claimed", async () => {
    expect(await hits(RULE, socks5(11, 0.9))).toEqual([]);
  });

  it("a prompt greeting; a greeting 4.9 s after the SYN/ACK", async () => {
    expect(await hits(RULE, clean())).toEqual([]);
    const c = conv().handshake();
    c.server("220 mx.example.test ESMTP\r\n", { t: c.now + 4.9 });
    expect(await hits(RULE, c)).toEqual([]);
  });
});


ruleTester(RULE, {
  invalid: [
    {
      name: "a greeting (4) 12 s after the SYN/ACK (2)",
      capture: () => {
        const c = conv().handshake();
        return c.server("220 mx.example.test ESMTP\r\n", { t: c.now + 12 }).client("QUIT\r\n");
      },
      findings: [{ severity: "info", side: "server", frames: [2, 4], message: "the greeting began 12.0 s after the server's SYN/ACK" }],
    },
  ],
  valid: [
    {
      name: "near miss: a greeting 4.9 s after the SYN/ACK",
      capture: () => {
        const c = conv().handshake();
        return c.server("220 mx.example.test ESMTP\r\n", { t: c.now + 4.9 });
      },
    },
    { name: "through a SOCKS5 tunnel without the tunnel's reply time: nothing claimed", capture: () => socks5(11, 0.9) },
  ],
});
