import { describe, expect, it } from "vitest";
import type { Command } from "../../src/smtp/model.js";
import { REPLY_CODES, ehloKeyword, isVerb, replyCodesFor } from "../../src/smtp/vocabulary.js";

function command(kind: Command["kind"], verb: string): Command {
  return { index: 0, kind, verb, line: verb, frames: [], time: 0, segments: [], start: 0, end: 0, lineInfo: null, replies: [], afterStartTls: false, secret: false };
}

describe("vocabulary", () => {
  it("isVerb: one to three verbs, command lines only", () => {
    expect(isVerb(command("command", "RCPT"), "RCPT")).toBe(true);
    expect(isVerb(command("command", "RCPT"), "MAIL")).toBe(false);
    expect(isVerb(command("command", "HELO"), "EHLO", "HELO")).toBe(true);
    expect(isVerb(command("command", "LHLO"), "EHLO", "HELO", "LHLO")).toBe(true);
    expect(isVerb(command("command", "QUIT"), "EHLO", "HELO", "LHLO")).toBe(false);
    // a message or a SASL response is no command, whatever its verb field says
    expect(isVerb(command("auth-response", "AUTH"), "AUTH")).toBe(false);
    expect(isVerb(command("message", ""), "")).toBe(false);
  });

  it("ehloKeyword: the keyword up to the first space, the parameters split at each space as written", () => {
    expect(ehloKeyword("250-PIPELINING")).toEqual({ keyword: "PIPELINING", params: [] });
    expect(ehloKeyword("250-SIZE 1000")).toEqual({ keyword: "SIZE", params: ["1000"] });
    expect(ehloKeyword("250-AUTH  PLAIN LOGIN")).toEqual({ keyword: "AUTH", params: ["", "PLAIN", "LOGIN"] });
    expect(ehloKeyword("250-8BITMIME ")).toEqual({ keyword: "8BITMIME", params: [""] });
    expect(ehloKeyword("250-")).toEqual({ keyword: "", params: [] });
    expect(ehloKeyword("250")).toEqual({ keyword: "", params: [] });
  });

  it("replyCodesFor: the codes of the verb; none for BDAT, unknown verbs and property names", () => {
    expect(replyCodesFor(command("command", "RSET"))).toEqual([250]);
    expect(replyCodesFor(command("command", "DATA"))).toEqual(REPLY_CODES.DATA);
    expect(replyCodesFor(command("auth-response", ""))).toEqual(REPLY_CODES.AUTH);
    expect(replyCodesFor(command("command", "BDAT"))).toBeNull();
    expect(replyCodesFor(command("command", "XCLIENT"))).toBeNull();
    for (const verb of ["CONSTRUCTOR", "__PROTO__", "TOSTRING", "constructor", "__proto__", "hasOwnProperty"]) expect(replyCodesFor(command("command", verb))).toBeNull();
  });
});
