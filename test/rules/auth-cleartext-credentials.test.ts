import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { greeted, hits, report } from "../support/rules.js";
import { ruleTester } from "../support/rule-tester.js";

// auth-cleartext-credentials: invalid cases (a finding) and valid ones (none) side by side.

const RULE = "auth-cleartext-credentials";

/** A capture that starts mid-connection, the server's bytes before the AUTH lost (acknowledged, not captured). */
function midAuthLogin() {
  const c = conv().midstream();
  c.server("250 2.0.0 ok\r\n"); // 1: the answer to a command before the capture began
  c.server("250-mx.example.test\r\n250 AUTH LOGIN PLAIN\r\n", { lose: true });
  c.client("AUTH LOGIN\r\n"); // 2: acknowledges the lost bytes
  c.server("334 VXNlcm5hbWU6\r\n"); // 3
  c.client("dXNlcg==\r\n"); // 4: "user"
  c.server("334 UGFzc3dvcmQ6\r\n"); // 5
  c.client("cGFzcw==\r\n"); // 6: "pass"
  c.server("235 2.7.0 ok\r\n"); // 7
  return c;
}

describe(`${RULE}: invalid`, () => {
  it("mid-connection, server bytes lost before the first reply that can be paired: the credentials in clear need no reply to prove; the outcome is not claimed", async () => {
    const c = midAuthLogin();
    expect(await hits(RULE, c)).toEqual([
      { severity: "warning", side: "client", frames: [2, 4, 6], message: "AUTH `LOGIN` was sent without TLS: the password is on the wire in clear" },
    ]);
    const v = (await report(c)).sessions[0].verdict;
    expect(v.notEvaluable).not.toContain(RULE);
  });

  it("the same exchange with every byte captured: the outcome (235) is said", async () => {
    const c = greeted(["250-mx.example.test", "250 AUTH LOGIN PLAIN"]);
    c.client("AUTH LOGIN\r\n"); // 7
    c.server("334 VXNlcm5hbWU6\r\n");
    c.client("dXNlcg==\r\n"); // 9
    c.server("334 UGFzc3dvcmQ6\r\n");
    c.client("cGFzcw==\r\n"); // 11
    c.server("235 2.7.0 ok\r\n");
    expect(await hits(RULE, c)).toEqual([
      { severity: "warning", side: "client", frames: [7, 9, 11], message: "AUTH `LOGIN` was sent without TLS: the password is on the wire in clear; the server accepted it (235)" },
    ]);
  });

  it("AUTH NTLM outside TLS: challenge-response, no password sent: an info citing RFC 3207 §1, not the RFC 4954 password sentence", async () => {
    const c = greeted(["250-mx.example.test", "250 AUTH NTLM"]);
    c.client("AUTH NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==\r\n"); // 7
    c.server("334 TlRMTVNTUAACAAAADAAMADgAAAAFgomi\r\n"); // 8
    c.client("TlRMTVNTUAADAAAAGAAYAEgAAAAYABgAYAAAAAwADAB4AAAACAAIAIQAAAAQABAAjAAAAAAAAACcAAAABYKIogYBsR0AAAAP\r\n"); // 9
    c.server("235 2.7.0 ok\r\n"); // 10
    expect(await hits(RULE, c)).toEqual([
      { severity: "info", side: "client", frames: [7, 9], message: "AUTH `NTLM` took place without TLS: NTLM is challenge-response and sent no password, but anyone on the path can record the exchange and attack the password offline (NTLM responses are derived from the password hash); the server accepted it (235)" },
    ]);
    const rep = await report(c);
    expect(rep.findings.find((f) => f.rule === RULE)?.reference).toBe("RFC 3207 §1");
    expect(rep.sessions[0].verdict.fault).toBe("none"); // an info decides nothing
  });
});

describe(`${RULE}: valid (no finding)`, () => {
  it("AUTH LOGIN refused before any response line: no credential was sent", async () => {
    const c = greeted(["250-mx.example.test", "250 AUTH LOGIN"]);
    c.client("AUTH LOGIN\r\n"); // 7
    c.server("504 5.5.4 unrecognized\r\n"); // 8
    c.client("QUIT\r\n");
    c.server("221 bye\r\n");
    expect(await hits(RULE, c)).toEqual([]);
  });
});

ruleTester(RULE, {
  invalid: [
    {
      name: "AUTH PLAIN with an initial response (7) outside TLS, accepted (8)",
      capture: () => greeted(["250-mx.example.test", "250 AUTH LOGIN PLAIN"]).client("AUTH PLAIN AGFAYg==\r\n").server("235 2.7.0 ok\r\n"),
      findings: [{ severity: "warning", side: "client", frames: [7], message: "AUTH `PLAIN` was sent without TLS: the password is on the wire in clear; the server accepted it (235)" }],
    },
    {
      name: "AUTH LOGIN (7), username (9), password (11) outside TLS, accepted",
      capture: () =>
        greeted(["250-mx.example.test", "250 AUTH LOGIN PLAIN"]).client("AUTH LOGIN\r\n").server("334 VXNlcm5hbWU6\r\n")
          .client("dXNlcg==\r\n").server("334 UGFzc3dvcmQ6\r\n").client("cGFzcw==\r\n").server("235 2.7.0 ok\r\n"),
      findings: [{ severity: "warning", side: "client", frames: [7, 9, 11], message: "AUTH `LOGIN` was sent without TLS: the password is on the wire in clear; the server accepted it (235)" }],
    },
  ],
  valid: [
    {
      name: "near miss: AUTH LOGIN refused (504) before any credential was sent",
      capture: () => greeted(["250-mx.example.test", "250 AUTH LOGIN"]).client("AUTH LOGIN\r\n").server("504 5.5.4 unrecognized\r\n").client("QUIT\r\n").server("221 bye\r\n"),
    },
  ],
});
