import { describe, expect, it } from "vitest";
import { compareCaptures, compareFiles, loadCapture, type CompareReport } from "../../src/compare/index.js";
import { rng } from "../support/writer.js";
import { TwoPoint, captures, compareBoth, EHLO7, splitByProxy } from "./twopoint.js";

const GREETING = "220 mx.example.test ESMTP\r\n";

function kinds(r: CompareReport, pair = 0): string[] {
  return r.pairs[pair].changes.map((c) => `${c.kind} ${c.direction}`);
}

/** Every pair of `ab` is in `ba` with A and B swapped, and every change mirrored. */
function expectMirrored(ab: CompareReport, ba: CompareReport): void {
  expect(ba.pairs.map((p) => [p.b.tcpStream, p.a.tcpStream]).sort()).toEqual(ab.pairs.map((p) => [p.a.tcpStream, p.b.tcpStream]).sort());
  for (const p of ab.pairs) {
    const q = ba.pairs.find((x) => x.b.tcpStream === p.a.tcpStream)!;
    expect(q.changes.map((c) => ({ kind: c.kind, direction: c.direction, frames: { a: c.frames.b, b: c.frames.a }, delayMs: c.delayMs, detail: c.detail })))
      .toEqual(p.changes.map((c) => ({ kind: c.kind, direction: c.direction, frames: c.frames, delayMs: c.delayMs, detail: c.detail })));
    expect(q.findings.map((f) => f.rule)).toEqual(p.findings.map((f) => f.rule));
  }
  expect(ba.unpaired).toEqual({ a: ab.unpaired.b, b: ab.unpaired.a });
}

async function expectNoChangeWithItself(file: string): Promise<void> {
  const c = await loadCapture(file);
  const r = compareCaptures(c, c);
  expect(r.pairs.length).toBe(c.report.sessions.filter((s) => s.commands.length + s.replies.length > 0).length);
  expect(r.pairs.flatMap((p) => p.changes)).toEqual([]);
  expect(r.pairs.flatMap((p) => p.findings)).toEqual([]);
  for (const p of r.pairs) expect(p.a.tcpStream).toBe(p.b.tcpStream);
}

/** The support case through a proxy: the server sends the EHLO reply in one segment; the box
 * forwards lines 1–3, holds 4–7 for 0.6 s; the naive client sends STARTTLS in between. */
function supportCase(): TwoPoint {
  const { p, t } = splitByProxy();
  p.cs.ack("client", { t: t + 0.601 });
  p.ss.ack("client", { t: t + 0.6013 });
  return p;
}

describe("a proxy that re-segments and delays (the support case)", () => {
  it("shows the segmentation and the hold produced between the points, and keeps the client's fault", async () => {
    const f = captures([supportCase()]);
    const { cs, sc } = await compareBoth(f);
    expect(cs.a.nearer).toBe("client");
    expect(cs.b.nearer).toBe("server");
    expect(cs.pairs).toHaveLength(1);
    expect(cs.unpaired).toEqual({ a: [], b: [] });
    const p = cs.pairs[0];
    expect(kinds(cs)).toEqual(["tcp-terminated client-to-server", "resegmented server-to-client", "delayed server-to-client", "delayed server-to-client"]);
    // client side: SYN 1, SYN-ACK 2, ACK 3, greeting 4, EHLO 5, lines 1–3 in 6, STARTTLS 7, lines 4–7 in 8
    // server side: SYN 1, SYN-ACK 2, ACK 3, greeting 4, EHLO 5, whole reply in 6, STARTTLS 7, 220 in 8
    const [term, reseg, delayed, ready] = p.changes;
    expect(term.frames).toEqual({ a: [1, 2], b: [1, 2] });
    expect(term.detail).toContain("the SYN-ACK at the client side (frame 2) came 1.8 ms before the SYN reached the server side (frame 1)");
    expect(reseg.frames).toEqual({ a: [6, 8], b: [6] });
    expect(reseg.detail).toBe("the 250 EHLO reply (7 lines): 1 segment at the server side (frame 6), 2 segments at the client side (frames 6, 8): lines 1–7 at the server side, lines 1–3 | 4–7 at the client side");
    expect(delayed.frames).toEqual({ a: [8], b: [6] });
    expect(delayed.delayMs).toBe(600);
    expect(delayed.detail).toContain("lines 4–7 of the 250 EHLO reply (7 lines) passed the server side in frame 6 and left towards the client in frame 8 (the client side): held 600 ms (600 ms from the server side to the client side, 0.3 ms of it usual transit)");
    expect(delayed.detail).toContain("The box did not wait for the client: the client's last packet before the release (frame 7, segment with 10 bytes of data) came 598 ms earlier");
    // the 220 behind the held lines waited too
    expect(ready.frames).toEqual({ a: [9], b: [8] });
    expect(ready.delayMs).toBe(597);
    expect(ready.detail).toContain("the 220 STARTTLS reply passed the server side in frame 8 and left towards the client in frame 9 (the client side): held 597 ms (");
    expect(ready.detail).toContain("Nothing came from the client while the bytes were held: the box released them on its own");
    expect(p.verdict).toContain("The segmentation the client saw of the 250 EHLO reply (7 lines) was produced between the two capture points; the server sent it in 1 segment.");
    // the client-side findings that blame the server are traced to the box
    expect(p.verdict).toContain("At the client side, reply-split-across-segments (frames 6, 8) points at the server; the server side shows the server did not do it: the bytes were resegmented and delayed between the capture points.");
    expect(p.findings.map((x) => x.rule)).toEqual(["intercepting-proxy-detected"]);
    expect(p.findings[0].filter).toEqual({ a: "tcp.stream eq 0 && frame.number in {1,2,6,8,9}", b: "tcp.stream eq 0 && frame.number in {1,2,6,8}" });
    // what a ladder draws: each unit with its frames at both points, in time order
    expect(p.units.map((u) => [u.direction === "client-to-server" ? "C" : "S", u.label, u.a?.frames, u.b?.frames, u.differs])).toEqual([
      ["S", "the 220 greeting", [4], [4], false],
      ["C", "EHLO naive.example.test", [5], [5], false],
      ["S", "the 250 EHLO reply (7 lines)", [6, 8], [6], false],
      ["C", "STARTTLS", [7], [7], false],
      ["S", "the 220 STARTTLS reply", [9], [8], false],
    ]);
    expect(p.unitsDropped).toBe(0);
    // the endpoint verdicts stand: the client acted on a partial reply (RFC 5321 §4.3.1)
    expect(p.endpoints.a.fault).toBe("client");
    expect(p.endpoints.a.findings.map((x) => x.rule)).toContain("client-acted-on-partial-multiline-reply");
    expect(p.endpoints.b.findings.map((x) => x.rule)).not.toContain("client-acted-on-partial-multiline-reply");
    expectMirrored(cs, sc);
  });

  it("a retransmission after the release does not explain the hold as loss; one during the hold may", async () => {
    // as in utm-naive-auth: the box re-sends the 220 8 ms after releasing it (a copy lost beyond the client-side point)
    const { p, t } = splitByProxy();
    p.cs.server("220 2.0.0 Ready to start TLS\r\n", { t: t + 0.6084, seq: p.cs.nxt.server - 30, noAdvance: true });
    p.cs.ack("client", { t: t + 0.609 });
    const after = await compareFiles(...Object.values(captures([p])) as [string, string]);
    const held = after.pairs[0].changes.filter((c) => c.kind === "delayed");
    expect(held.map((c) => c.frames)).toEqual([{ a: [8], b: [6] }, { a: [9], b: [8] }]);
    for (const c of held) expect(c.detail).not.toContain("retransmitted");
    // the server re-sends its EHLO reply while the box holds lines 4–7: loss may explain part of it
    const q = splitByProxy();
    q.p.ss.server(EHLO7.join(""), { t: q.t + 0.3, seq: q.p.ss.nxt.server - 30 - EHLO7.join("").length, noAdvance: true });
    const during = await compareFiles(...Object.values(captures([q.p])) as [string, string]);
    const first = during.pairs[0].changes.find((c) => c.kind === "delayed")!;
    expect(first.detail).toContain(`(the captures hold ${EHLO7.join("").length} retransmitted bytes in this direction while the bytes were held: part of the delay may be loss on the path rather than the box holding the bytes)`);
  });

  it("each capture compared with itself shows no change", async () => {
    const f = captures([supportCase()]);
    await expectNoChangeWithItself(f.client);
    await expectNoChangeWithItself(f.server);
  });
});

describe("a firewall that masks STARTTLS", () => {
  function masked(): TwoPoint {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n");
    p.serverRewritten(EHLO7.join(""), EHLO7.join("").replace("250-STARTTLS", "250-XXXXXXXA"));
    return p.client("MAIL FROM:<a@example.test>\r\n").server("250 ok\r\n").close();
  }

  it("reports the rewritten line, the middlebox rewriting and the stripped STARTTLS, proven by the server side", async () => {
    const { cs, sc } = await compareBoth(captures([masked()]));
    const p = cs.pairs[0];
    expect(kinds(cs)).toEqual(["tcp-terminated client-to-server", "rewritten server-to-client"]);
    const rw = p.changes[1];
    expect(rw.frames).toEqual({ a: [6], b: [6] });
    expect(rw.detail).toBe("the 250 EHLO reply (7 lines): line 4 `250-STARTTLS` at the server side became `250-XXXXXXXA` at the client side (the `STARTTLS` keyword masked)");
    expect(p.findings.map((x) => [x.rule, x.severity])).toEqual([
      ["intercepting-proxy-detected", "info"],
      ["middlebox-esmtp-rewriting", "warning"],
      ["starttls-unavailable-or-stripped", "warning"],
    ]);
    expect(p.findings[2].message).toBe("the server offered STARTTLS in its EHLO reply (the server side), but the client was shown the reply without it (the client side)");
    expect(p.findings[2].reference).toBe("RFC 3207 §6");
    expect(p.pairedBy).toBe("6 of 7 commands and replies are identical at both points and the timing fits one session seen at two points");
    expect(p.limits).toEqual(["cannot prove that A's tcp.stream 0 and B's tcp.stream 0 are one session: they were paired because 6 of 7 commands and replies are identical at both points and the timing fits one session seen at two points; if they are two sessions, the rewritten, injected or removed units are differences between sessions, not the box's doing"]);
    expectMirrored(cs, sc);
  });
});

describe("a box that answers by itself", () => {
  it("reports the swallowed command as removed and the box's reply as injected", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250 mx.example.test\r\n");
    p.clientSwallowed("VRFY postmaster\r\n").boxAnswers("502 5.5.1 VRFY not allowed\r\n");
    p.client("MAIL FROM:<a@example.test>\r\n").server("250 ok\r\n").close();
    const { cs, sc } = await compareBoth(captures([p]));
    const pr = cs.pairs[0];
    expect(kinds(cs)).toEqual(["tcp-terminated client-to-server", "removed client-to-server", "injected server-to-client"]);
    expect(pr.changes[1]).toEqual({ kind: "removed", direction: "client-to-server", frames: { a: [7], b: [] }, detail: "`VRFY postmaster` passed the client side (frame 7) but never reached the server side: the box between the capture points swallowed it" });
    expect(pr.changes[2]).toEqual({ kind: "injected", direction: "server-to-client", frames: { a: [8], b: [] }, detail: "the 502 VRFY reply appears at the client side (frame 8) but never passed the server side: the box between the capture points answered by itself" });
    expect(pr.findings.map((f) => f.rule)).toEqual(["intercepting-proxy-detected", "middlebox-esmtp-rewriting"]);
    expectMirrored(cs, sc);
  });

  it("a capture that ends early cannot accuse the box: cannot judge", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250 mx.example.test\r\n");
    p.cs.client("MAIL FROM:<a@example.test>\r\n", { t: p.t });
    p.cs.server("250 ok\r\n", { t: p.t + 0.01 });
    const r = await compareFiles(captures([p]).client, captures([p]).server);
    expect(r.pairs[0].changes.filter((c) => c.kind === "removed" || c.kind === "injected")).toEqual([]);
    expect(r.pairs[0].limits.join(" ")).toMatch(/^cannot judge `MAIL FROM:<a@example.test>` \(frame 7 in A\): it is not in B, whose capture ends earlier/);
  });
});

describe("four concurrent sessions between the same hosts", () => {
  it("pair by content and time, whatever the stream order at the server side and the clock skew", async () => {
    const paths: TwoPoint[] = [];
    for (let i = 0; i < 4; i++) {
      // the box connects to the server late for the first session: server-side stream order differs
      const p = new TwoPoint({ t0: 1700000000 + i * 0.005, clientPort: 40000 + i, connectDelay: i === 0 ? 0.014 : 0.002 });
      p.handshake();
      p.server(GREETING).client("EHLO same.example.test\r\n").server("250-mx.example.test\r\n250 PIPELINING\r\n").close();
      paths.push(p);
    }
    const f = captures(paths, { skew: 3.7 });
    const { cs, sc } = await compareBoth(f);
    expect(cs.pairs).toHaveLength(4);
    expect(cs.unpaired).toEqual({ a: [], b: [] });
    expect(cs.clockOffset!.seconds).toBeCloseTo(3.7, 3);
    // client-side streams 0..3 in start order; server side: session 0 is stream 2 (starts after sessions 1 and 2)
    const ports = cs.pairs.map((p) => [p.a.client, p.b.client]);
    expect(ports).toEqual([
      ["192.0.2.10:40000", "10.0.0.1:50000"],
      ["192.0.2.10:40001", "10.0.0.1:50001"],
      ["192.0.2.10:40002", "10.0.0.1:50002"],
      ["192.0.2.10:40003", "10.0.0.1:50003"],
    ]);
    expect(cs.pairs.map((p) => p.b.tcpStream)).toEqual([2, 0, 1, 3]);
    for (const p of cs.pairs) expect(p.changes.map((c) => c.kind)).toEqual(["tcp-terminated"]);
    expectMirrored(cs, sc);
  });

  it("a session only one capture holds is listed as unpaired", async () => {
    const a = new TwoPoint().handshake().server(GREETING).client("EHLO a.example.test\r\n").server("250 ok\r\n").close();
    const b = new TwoPoint({ t0: 1700000000.1, clientPort: 40001 }).handshake().server(GREETING).client("EHLO b.example.test\r\n").server("250 ok\r\n").close();
    b.ss.packets.length = 0;
    const { cs, sc } = await compareBoth(captures([a, b]));
    expect(cs.pairs.map((p) => [p.a.tcpStream, p.b.tcpStream])).toEqual([[0, 0]]);
    expect(cs.unpaired).toEqual({ a: [1], b: [] });
    expectMirrored(cs, sc);
  });
});

describe("a direct path seen at both ends", () => {
  it("reports no change", async () => {
    const p = new TwoPoint({ terminate: false, transit: 0.004, clientAtServer: "192.0.2.10:40000", serverAtServer: "192.0.2.25:25" }).handshake();
    p.server(GREETING).client("EHLO c.example.test\r\n").server(EHLO7.join("")).client("MAIL FROM:<a@example.test>\r\n").server("250 ok\r\n").close();
    const { cs, sc } = await compareBoth(captures([p], { skew: -12.5 }));
    expect(cs.pairs).toHaveLength(1);
    expect(cs.pairs[0].changes).toEqual([]);
    expect(cs.pairs[0].findings).toEqual([]);
    expect(cs.pairs[0].placement).toBe("a-nearer-client");
    expect(cs.pairs[0].transit).toBeCloseTo(0.004, 5);
    expect(cs.clockOffset!.seconds).toBeCloseTo(-12.5, 4);
    expect(cs.pairs[0].verdict).toEqual(["Nothing changed between the capture points: the same bytes in the same segments, 4.000 ms apart."]);
    expect(cs.pairs[0].pairedBy).toBe("7 of 7 commands and replies are identical at both points and the timing fits one session seen at two points; the same TCP connection (equal ISNs)");
    expectMirrored(cs, sc);
  });
});

describe("pipelined commands forwarded apart", () => {
  it("reports the group that shared one segment at the client side and three at the server side", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250-mx.example.test\r\n250 PIPELINING\r\n");
    const group = "MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n";
    p.client(group, { chunks: ["MAIL FROM:<a@example.test>\r\n", "RCPT TO:<b@example.test>\r\n", "DATA\r\n"] });
    p.server("250 ok\r\n250 ok\r\n354 go ahead\r\n").client("hello\r\n.\r\n").server("250 queued\r\n").close();
    const { cs, sc } = await compareBoth(captures([p]));
    const pr = cs.pairs[0];
    expect(kinds(cs)).toEqual(["tcp-terminated client-to-server", "resegmented client-to-server"]);
    // client side: MAIL/RCPT/DATA in frame 7; server side: frames 7, 8, 9
    expect(pr.changes[1].frames).toEqual({ a: [7], b: [7, 8, 9] });
    expect(pr.changes[1].detail).toBe("`MAIL FROM:<a@example.test>`, `RCPT TO:<b@example.test>`, `DATA`: 1 segment at the client side (frame 7), 3 segments at the server side (frames 7, 8, 9)");
    expect(pr.verdict).toContain("The server received 3 commands in 3 segments that the client had sent in 1 segment: the box between the capture points re-segmented them.");
    expectMirrored(cs, sc);
  });
});

describe("more boxes", () => {
  it("an EHLO keyword removed: the line diff names it, later lines are not blamed", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n");
    p.serverRewritten(EHLO7.join(""), EHLO7.filter((l) => !l.includes("STARTTLS")).join(""));
    const { cs, sc } = await compareBoth(captures([p.client("QUIT\r\n").server("221 bye\r\n")]));
    const rw = cs.pairs[0].changes.find((c) => c.kind === "rewritten")!;
    expect(rw.detail).toBe("the 250 EHLO reply (7 lines): line 4 `250-STARTTLS` at the server side is missing at the client side (the `STARTTLS` keyword removed)");
    expect(cs.pairs[0].findings.map((f) => f.rule)).toContain("starttls-unavailable-or-stripped");
    expectMirrored(cs, sc);
  });

  it("STARTTLS answered by the box itself: removed, injected, and STARTTLS stripped", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server(EHLO7.join(""));
    p.clientSwallowed("STARTTLS\r\n").boxAnswers("454 4.7.0 TLS not available\r\n");
    const { cs } = await compareBoth(captures([p.close()]));
    const pr = cs.pairs[0];
    expect(kinds(cs)).toEqual(["tcp-terminated client-to-server", "removed client-to-server", "injected server-to-client"]);
    const st = pr.findings.find((f) => f.rule === "starttls-unavailable-or-stripped")!;
    expect(st.message).toBe("the client's STARTTLS (the client side) never reached the server (the server side): the box kept the session from upgrading to TLS");
    expect(st.frames).toEqual({ a: [7], b: [] });
  });

  it("without the handshake, an ACK for bytes not yet at the server side proves TCP termination", async () => {
    const p = new TwoPoint({ transit: 0.0002 });
    p.cs.midstream();
    p.ss.midstream();
    p.server(GREETING).client("EHLO c.example.test\r\n").server("250 mx.example.test\r\n");
    // the box acknowledges MAIL at once and forwards it 5 ms later
    const t = p.t;
    p.cs.client("MAIL FROM:<a@example.test>\r\n", { t });
    p.cs.ack("server", { t: t + 0.00005 });
    p.ss.client("MAIL FROM:<a@example.test>\r\n", { t: t + 0.005 });
    p.t = t + 0.006;
    p.server("250 ok\r\n");
    const { cs, sc } = await compareBoth(captures([p]));
    const term = cs.pairs[0].changes.find((c) => c.kind === "tcp-terminated")!;
    // client side: greeting 1, EHLO 2, reply 3, MAIL 4, ACK 5; server side: MAIL in frame 4
    expect(term.frames).toEqual({ a: [5], b: [4] });
    expect(term.detail).toMatch(/^Two TCP connections: the client side received an ACK for `MAIL FROM:<a@example.test>` \(frame 5\) 5\.0 ms before those bytes reached the server side \(frame 4\)/);
    expectMirrored(cs, sc);
  });

  it("a box that releases held bytes right after the client's ACK may have waited for it", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n");
    const t = p.t;
    p.ss.server(EHLO7.join(""), { t });
    p.cs.server(EHLO7.slice(0, 3).join(""), { t: t + 0.0002 });
    p.cs.ack("client", { t: t + 0.45 });
    p.cs.server(EHLO7.slice(3).join(""), { t: t + 0.4501 });
    p.t = t + 0.46;
    p.client("QUIT\r\n").server("221 bye\r\n");
    const { cs } = await compareBoth(captures([p]));
    const d = cs.pairs[0].changes.find((c) => c.kind === "delayed")!;
    expect(d.delayMs).toBe(450);
    expect(d.detail).toContain("The box released them 0.1 ms after the client's ACK in frame 7 (the client side): it may have waited for it");
  });
});

describe("pairing by time", () => {
  it("two sessions that said the same an hour apart are not one session seen twice", async () => {
    const x = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250 ok\r\n").close();
    const y = new TwoPoint({ t0: 1700003600, clientPort: 40001 }).handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250 ok\r\n").close();
    const z = new TwoPoint({ t0: 1700007200, clientPort: 40002 }).handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250 ok\r\n").close();
    // the client side holds x and y, the server side y and z: of the two readings (clocks equal,
    // y↔y; or B's clock an hour ahead, x↔y and y↔z) the one with two pairs wins
    const client = captures([x, y]).client;
    const server = captures([y, z]).server;
    const r = await compareFiles(client, server);
    expect(r.pairs.map((p) => [p.a.client, p.b.client])).toEqual([["192.0.2.10:40000", "10.0.0.1:50001"], ["192.0.2.10:40001", "10.0.0.1:50002"]]);
    expect(r.clockOffset!.seconds).toBeCloseTo(3600, 3);
    expect(r.unpaired).toEqual({ a: [], b: [] });
  });

  it("of two equally good readings, the one with the clocks closest to each other", async () => {
    const x = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250 ok\r\n").close();
    const y = new TwoPoint({ t0: 1700003600, clientPort: 40001 }).handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250 ok\r\n").close();
    const r = await compareFiles(captures([x, y]).client, captures([y]).server);
    expect(r.pairs.map((p) => [p.a.client, p.b.client])).toEqual([["192.0.2.10:40001", "10.0.0.1:50001"]]);
    expect(r.unpaired).toEqual({ a: [0], b: [] });
  });
});

describe("many concurrent sessions", () => {
  it("120 identical sessions started at random moments, with per-session transit and skewed clocks, pair one to one", async () => {
    const r0 = rng(7);
    const paths: TwoPoint[] = [];
    let t = 1700000000;
    for (let i = 0; i < 120; i++) {
      t += r0() * 0.02;
      const p = new TwoPoint({ t0: t, clientPort: 20000 + i, transit: 0.0001 + r0() * 0.0004 });
      paths.push(p.handshake().server(GREETING).client("EHLO a.example.test\r\n").server("250-mx\r\n250 PIPELINING\r\n").client("MAIL FROM:<a@example.test>\r\n").server("250 ok\r\n").close());
    }
    const { cs } = await compareBoth(captures(paths, { skew: -2.5 }));
    expect(cs.pairs).toHaveLength(120);
    expect(cs.pairs.filter((p) => Number(p.b.client.split(":")[1]) !== Number(p.a.client.split(":")[1]) + 10000)).toEqual([]);
    expect(cs.clockOffset!.seconds).toBeCloseTo(-2.5, 4);
    expect(cs.pairs.filter((p) => p.changes.map((c) => c.kind).join() !== "tcp-terminated")).toEqual([]);
  }, 60_000);
});

describe("a missing packet never accuses the box", () => {
  it("a command the server-side capture lost (the server's ACK covers it) is 'cannot judge', not removed", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250 mx.example.test\r\n");
    const t = p.t;
    p.cs.client("RCPT TO:<b@example.test>\r\n", { t });
    p.ss.client("RCPT TO:<b@example.test>\r\n", { t: t + 0.0002, lose: true });
    p.t = t + 0.001;
    p.server("550 no such user\r\n").close();
    const { cs } = await compareBoth(captures([p]));
    const pr = cs.pairs[0];
    expect(pr.changes.map((c) => c.kind)).toEqual(["tcp-terminated"]);
    expect(pr.limits.some((l) => l.startsWith("cannot judge `RCPT TO:<b@example.test>` (frame 7 in A): it is not in B, whose capture has a gap"))).toBe(true);
  });

  it("a server-side capture that holds only the client's direction: cannot judge the replies, no transit", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250 mx.example.test\r\n").close();
    // asymmetric routing: the server's packets never pass the server-side capture point
    const only = p.ss.packets.filter((pk) => pk.ip[12] === 10 && pk.ip[15] === 1);
    p.ss.packets.length = 0;
    p.ss.packets.push(...only);
    const { cs } = await compareBoth(captures([p]));
    const pr = cs.pairs[0];
    expect(pr.changes.filter((c) => c.kind === "removed" || c.kind === "injected")).toEqual([]);
    expect(pr.limits).toContain("cannot tell the transit between the capture points: only one direction has units seen at both points");
    expect(pr.limits.filter((l) => l.startsWith("cannot judge the ")).length).toBe(3);
  });
});

/** Give an IPv4 SYN or SYN-ACK an MSS option (the writer writes no TCP options). */
function withMss(p: TwoPoint["cs"], which: "syn" | "synack", mss: number): void {
  const i = p.packets.findIndex((pk) => (pk.ip[33] & 0x02) !== 0 && ((pk.ip[33] & 0x10) !== 0) === (which === "synack"));
  const ip = p.packets[i].ip;
  const opt = Buffer.from([2, 4, mss >> 8, mss & 0xff]);
  const out = Buffer.concat([ip.subarray(0, 40), opt, ip.subarray(40)]);
  out.writeUInt16BE(out.length, 2);
  out[32] = 6 << 4;
  p.packets[i] = { ...p.packets[i], ip: out };
}

describe("a capture host that merged segments", () => {
  it("segments larger than the announced MSS: segmentation is not compared in that direction, and the pair says why", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n");
    // the server sends the reply in two segments; the client-side host's GRO hands one 170-byte frame to the capture
    p.ss.server(EHLO7.slice(0, 3).join(""), { t: p.t });
    p.ss.server(EHLO7.slice(3).join(""), { t: p.t + 0.00001 });
    p.cs.server(EHLO7.join(""), { t: p.t + 0.0002 });
    p.t += 0.001;
    p.client("QUIT\r\n").server("221 bye\r\n");
    withMss(p.cs, "syn", 100);
    withMss(p.ss, "syn", 100);
    const { cs } = await compareBoth(captures([p]));
    const pr = cs.pairs[0];
    expect(pr.changes.map((c) => c.kind)).toEqual(["tcp-terminated"]);
    expect(pr.limits).toContain("cannot compare the segmentation server-to-client: A holds segments larger than the MSS the receiver announced (frame 6: 120 > 100 bytes), so its capture host merged segments (GRO/LRO) and its boundaries are not the wire's");
  });
});

describe("a box that holds the client's bytes", () => {
  it("the message content held 1.5 s before it reaches the server: delayed client-to-server", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250 mx.example.test\r\n");
    p.client("MAIL FROM:<a@example.test>\r\n").server("250 ok\r\n").client("RCPT TO:<b@example.test>\r\n").server("250 ok\r\n");
    p.client("DATA\r\n").server("354 go ahead\r\n");
    p.client("Subject: hi\r\n\r\nhello\r\n.\r\n", { delays: [1.5] }).server("250 queued\r\n").close();
    const { cs, sc } = await compareBoth(captures([p]));
    const d = cs.pairs[0].changes.find((c) => c.kind === "delayed")!;
    expect(d.direction).toBe("client-to-server");
    expect(d.delayMs).toBe(1500);
    // client side: 1-3 handshake, 4 greeting, 5 EHLO, 6 reply, 7 MAIL, 8, 9 RCPT, 10, 11 DATA, 12 354, 13 content
    expect(d.frames).toEqual({ a: [13], b: [13] });
    expect(d.detail).toBe("the message content (25 bytes) passed the client side in frame 13 and left towards the server in frame 13 (the server side): held 1500 ms (1500 ms from the client side to the server side, 0.2 ms of it usual transit). Nothing came from the server while the bytes were held: the box released them on its own");
    expectMirrored(cs, sc);
  });
});
