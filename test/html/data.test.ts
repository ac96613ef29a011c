import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { fileData } from "../../src/report/html/data.js";
import { fileSha256, htmlEscape } from "../../src/report/html/index.js";

describe("HTML report data (what the page draws from)", () => {
  it("holds the support case's facts: the early STARTTLS, the client's ACKs, FINs, segments", async () => {
    const rep = await analyzeFile("samples/support-case.pcapng");
    const d = fileData(rep, { sha256: fileSha256("samples/support-case.pcapng") });
    expect(d.sha).toBe("a16c86ffa49b34e8ea93b81fdb6bb7219f5af3f9daa8bef26f94caa835b31467");
    expect(d.first).toBe(1764300000.001);
    expect(d.timesFrom).toBe("packets");
    expect(d.k).toEqual([3, 2, 2]);
    const s0 = d.S[0];
    // STARTTLS (command 1) carried ack 92: 3 of the 11 lines of reply 1, which ends at seq 210 in frame 10
    expect(s0.E).toEqual([[1, 92, 1, 3, 11, 210, 10]]);
    // the EHLO reply: two segments, frame 7 (seq 36, 56 bytes, lines 0-2) and frame 10 (seq 92, 118 bytes, lines 3-10), 600.999 ms apart
    expect(s0.R[1][3]).toEqual([
      [7, 6, 36, 27, 56, 0, 3, 0],
      [10, 606.999, 92, 37, 118, 3, 8, 0],
    ]);
    expect(s0.R[1][7]).toBe(210);
    // the only client ACK without data the model knows (the last before a server segment): frame 3, ack 1
    expect(s0.A).toEqual([[3, 2, 1]]);
    expect(s0.X).toEqual([[0, "fin", 15, 1710.999], [1, "fin", 14, 1709.999]]);
    expect(s0.v[0]).toBe("client");
    expect(s0.F[0].slice(0, 4)).toEqual(["client-acted-on-partial-multiline-reply", 0, "client", [7, 8, 10]]);
  });

  it("marks a command line the server took as an AUTH response", async () => {
    const rep = await analyzeFile("samples/support-case.pcapng");
    const quit = rep.sessions[1].commands[2];
    quit.takenAsAuthResponse = true;
    const d = fileData(rep, { sha256: "" });
    expect(d.S[1].C[2][3] & 2).toBe(2);
  });

  it("escapes text for HTML; no hash for standard input", () => {
    expect(htmlEscape(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(fileSha256("<stdin>")).toBe("");
    expect(fileSha256("/nonexistent/file.pcap")).toBe("");
  });
});
