import { describe, expect, it } from "vitest";
import { KeyLog, keyLogFileProblem } from "../../src/tls/keylog.js";

const R = "11".repeat(32);

describe("NSS key log", () => {
  it("reads CLIENT_RANDOM and the TLS 1.3 secrets, skips comments, blank lines and unused labels", () => {
    const k = new KeyLog();
    const n = k.add(`# written by a test\n\nCLIENT_RANDOM ${R} ${"aa".repeat(48)}\r\nCLIENT_HANDSHAKE_TRAFFIC_SECRET ${R.toUpperCase()} ${"bb".repeat(32)}\nEXPORTER_SECRET ${R} ${"cc".repeat(32)}\n`, "a.keys");
    expect(n).toBe(3);
    expect(k.warnings).toEqual([]);
    const e = k.get(Buffer.from(R, "hex"))!;
    expect(e.source).toBe("a.keys");
    expect(Object.keys(e.secrets).sort()).toEqual(["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_RANDOM"]);
    expect(e.secrets.CLIENT_RANDOM!.length).toBe(48);
    expect(k.get("22".repeat(32))).toBeNull();
  });

  it("a malformed line is a warning with its line number; the valid lines still count", () => {
    const k = new KeyLog();
    expect(k.add(`CLIENT_RANDOM ${R} ${"aa".repeat(48)}\nCLIENT_RANDOM 1234 abcd\nhello world\nFOO ${R} aa\n`, "b.keys")).toBe(1);
    expect(k.warnings).toEqual([
      { source: "b.keys", line: 2, message: "client random is 2 bytes, not 32" },
      { source: "b.keys", line: 3, message: "not `LABEL <client random> <secret>` in hex" },
      { source: "b.keys", line: 4, message: "unknown label FOO" },
    ]);
  });

  it("a file with no valid line is not a key log: the problem names the file", () => {
    const k = new KeyLog();
    expect(keyLogFileProblem(k, "GET / HTTP/1.1\r\nHost: x\r\n", "notes.txt")).toBe("notes.txt: not a TLS key log (no line of the form `LABEL <client random> <secret>`)");
    expect(keyLogFileProblem(k, `CLIENT_RANDOM ${R} ${"aa".repeat(48)}\n`, "ok.keys")).toBeNull();
    expect(k.sources).toEqual(["ok.keys"]);
  });

  it("several key logs: the source names each file that supplied a used secret; a repeated line is no conflict, a different secret is", () => {
    const k = new KeyLog();
    k.add(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${R} ${"bb".repeat(32)}\nSERVER_TRAFFIC_SECRET_0 ${R} ${"cc".repeat(32)}\n`, "a.keys");
    k.add(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${R} ${"bb".repeat(32)}\n`, "pcapng Decryption Secrets Block");
    const e = k.get(R)!;
    expect(e.source).toBe("a.keys"); // the same secret again: still a.keys's
    expect(e.conflicts).toEqual([]);
    k.add(`SERVER_TRAFFIC_SECRET_0 ${R} ${"dd".repeat(32)}\n`, "b.keys");
    // before: "a.keys", though the server's secret in use came from b.keys
    expect(e.source).toBe("a.keys and b.keys");
    expect(e.secrets.SERVER_TRAFFIC_SECRET_0!.toString("hex")).toBe("dd".repeat(32));
    expect(e.conflicts).toEqual(["the key logs disagree on SERVER_TRAFFIC_SECRET_0 for this connection: a.keys and b.keys hold different secrets; the one in b.keys is used"]);
    k.add(`SERVER_TRAFFIC_SECRET_0 ${R} ${"ee".repeat(32)}\n`, "b.keys");
    expect(e.conflicts[1]).toBe("b.keys holds two different SERVER_TRAFFIC_SECRET_0 secrets for this connection: the later one is used");
  });
});
