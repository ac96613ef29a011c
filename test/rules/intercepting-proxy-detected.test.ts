import { describe, expect, it } from "vitest";
import { conv } from "../support/fixtures.js";
import { clean, hits, report } from "../support/rules.js";
import { tcpOptions, type SegmentOptions } from "../support/writer.js";
import { ipIdSeen } from "../../src/tcp/window.js";
import { ruleTester } from "../support/rule-tester.js";

const RULE = "intercepting-proxy-detected";

/** A clean session whose SYN/ACK (frame 2) has `synAck`, the server's data segments (4–16) TTL `dataTtl`. */
function session(synAck: SegmentOptions, dataTtl: number, data: SegmentOptions = {}) {
  const c = conv();
  c.ttl.server = dataTtl;
  c.handshake(undefined, { synAck });
  if (data.options) {
    // every server data segment carries the given options (timestamps)
    const server = c.server.bind(c);
    c.server = (d, o = {}) => server(d, { ...data, ...o });
  }
  return clean({}, c);
}

describe(RULE, () => {
  it("trigger: SYN/ACK TTL 64, every server data segment TTL 57", async () => {
    const h = await hits(RULE, session({ ttl: 64, options: tcpOptions([{ mss: 1380 }, "nop", { ws: 7 }]) }, 57));
    expect(h).toEqual([{
      severity: "info", side: "middlebox", frames: [2, 4, 16],
      message: "SYN/ACK frame 2 TTL 64, server data segments TTL 57 (frames 4–16): the handshake was answered by a different device from the one that sent the server's data, or came by another path; a TCP-terminating proxy or a SYN proxy in front of the server does this, but it is not proof",
    }]);
    const rep = await report(session({ ttl: 64, options: tcpOptions([{ mss: 1380 }, "nop", { ws: 7 }]) }, 57));
    expect(rep.findings.find((f) => f.rule === RULE)!.evidence).toBe("SYN/ACK frame 2: TTL 64, MSS 1380, window 65535, window scale 7, no SACK, no timestamps, options MSS,NOP,WS; 7 server data segments, all with TTL 57 (Wireshark: ip.ttl); the SYN/ACK and the data do not both carry TCP timestamps, which could show whether one TCP stack sent them");
    // an info middlebox finding never blames an endpoint
    expect(rep.sessions[0].verdict.fault).toBe("none");
  });

  it("near miss: SYN/ACK TTL equal to the data TTL, with another IP ID pattern (ID 0 in the SYN/ACK, as Linux sends)", async () => {
    expect(await hits(RULE, session({ ttl: 57, ipId: 0 }, 57, { ipId: 4242 }))).toEqual([]);
  });

  it("near miss: the TTL differs, but TCP timestamps show one clock: one TCP stack sent both (a path difference)", async () => {
    const ts = (v: number) => tcpOptions(["nop", "nop", { ts: [v, 0] }]);
    expect(await hits(RULE, session({ ttl: 50, options: ts(1000) }, 51, { options: ts(1010) }))).toEqual([]);
    // another clock (a proxy's stack) does not veto
    expect(await hits(RULE, session({ ttl: 50, options: ts(1000) }, 51, { options: ts(3_000_000_000) }))).toHaveLength(1);
  });

  it("near miss: the server's data TTL changes during the session: a changing path, no claim", async () => {
    const c = conv();
    c.ttl.server = 57;
    c.handshake(undefined, { synAck: { ttl: 64 } });
    c.server("220 mx ESMTP\r\n");
    c.client("EHLO a.test\r\n");
    c.server("250 mx\r\n", { ttl: 58 });
    expect(await hits(RULE, c)).toEqual([]);
  });

  it("without the SYN/ACK (capture started mid-connection): not evaluable, not clean", async () => {
    const c = conv().midstream();
    clean({}, c);
    const v = (await report(c)).sessions[0].verdict;
    expect(v.notEvaluableWhy![v.notEvaluable.indexOf(RULE)]).toBe("the server's SYN/ACK is not in the capture");
  });

  it("one direction (no server data segment): not evaluable", async () => {
    const c = session({ ttl: 64 }, 57);
    c.packets.splice(0, c.packets.length, ...c.packets.filter((p) => !(p.ip[15] === 25 && p.ip.length > 40)));
    const v = (await report(c)).sessions[0].verdict;
    expect(v.notEvaluableWhy![v.notEvaluable.indexOf(RULE)]).toBe("the capture holds no data segment from the server");
  });
});

describe(`${RULE}: the TCP timestamp option and clock`, () => {
  const ts = (v: number) => tcpOptions(["nop", "nop", { ts: [v, 0] }]);

  it("trigger: SYN and SYN/ACK carry timestamps, the server's data segments none (RFC 7323 §3.2)", async () => {
    const c = conv();
    c.handshake(undefined, { syn: { options: ts(500) }, synAck: { options: ts(1000) } });
    clean({}, c);
    expect(await hits(RULE, c)).toEqual([{
      severity: "info", side: "middlebox", frames: [2, 4],
      message: "SYN/ACK frame 2 carries the TCP timestamp option (as the SYN did), yet the server's data segments do not (first: frame 4): RFC 7323 §3.2 then has every segment carry it, so the handshake and the data most likely came from different TCP stacks (or a box on the path removed the option); a TCP-terminating proxy or a SYN proxy in front of the server does this, but it is not proof",
    }]);
    const f = (await report(c)).findings.find((x) => x.rule === RULE)!;
    expect(f.evidence).toBe("SYN/ACK frame 2: TTL 64, no MSS, window 65535, no window scale, no SACK, timestamps, options NOP,NOP,TS; first server data segment frame 4: no timestamp option, TTL 64 (Wireshark: tcp.options.timestamp.tsval, ip.ttl)");
  });

  it("trigger: no timestamps in the SYN/ACK, but in the server's data (the reverse)", async () => {
    const h = await hits(RULE, session({ ttl: 64 }, 64, { options: ts(77) }));
    expect(h.map((x) => x.frames)).toEqual([[2, 4]]);
    expect(h[0].message).toMatch(/^SYN\/ACK frame 2 carries no TCP timestamp option, yet the server's data segments do \(first: frame 4\)/);
  });

  it("trigger: the same TTL, the data's TSval behind the SYN/ACK's: two clocks", async () => {
    const h = await hits(RULE, session({ ttl: 64, options: ts(900_000) }, 64, { options: ts(5_000) }));
    expect(h).toHaveLength(1);
    expect(h[0].frames).toEqual([2, 4]);
    expect(h[0].message).toMatch(/^SYN\/ACK frame 2 has TSval 900000; the server's first data segment \(frame 4\), \d+ ms later, has TSval 5000, behind it: one timestamp clock does not run backwards/);
  });

  it("near miss: the same TTL, the data's TSval far ahead (a fast clock proves nothing)", async () => {
    expect(await hits(RULE, session({ ttl: 64, options: ts(1000) }, 64, { options: ts(90_000_000) }))).toEqual([]);
  });

  it("near miss: a small step back (Linux SYN cookies round the SYN/ACK's TSval down)", async () => {
    expect(await hits(RULE, session({ ttl: 64, options: ts(1063) }, 64, { options: ts(1001) }))).toEqual([]);
  });

  it("near miss: timestamps in every segment, one clock", async () => {
    expect(await hits(RULE, session({ ttl: 64, options: ts(1000) }, 64, { options: ts(1004) }))).toEqual([]);
  });

  it("near miss: timestamps in the SYN/ACK only, but the SYN had none (not negotiated: nothing to compare)", async () => {
    const c = conv();
    c.handshake(undefined, { syn: {}, synAck: { options: ts(1000) } });
    clean({}, c);
    expect(await hits(RULE, c)).toEqual([]);
  });
});

describe(`${RULE}: the IPv4 Identification`, () => {
  /** A clean session: SYN/ACK (frame 2) TTL `synTtl` with IP ID `synId`; server data TTL 57 with
   * IDs from `dataIds` (a number: one counter from it; a function: the ID of the n-th packet). */
  function ids(synTtl: number, synId: number, dataIds: number | ((n: number) => number)) {
    const c = conv();
    c.ttl.server = 57;
    c.handshake(undefined, { synAck: { ttl: synTtl, ipId: synId } });
    if (typeof dataIds === "number") c.ipId.server = dataIds;
    else {
      let n = 0;
      const server = c.server.bind(c);
      c.server = (d, o = {}) => server(d, { ipId: dataIds(n++), ...o });
    }
    return clean({}, c);
  }
  const evidence = async (c: ReturnType<typeof ids>) => (await report(c)).findings.find((f) => f.rule === RULE)?.evidence;

  it("near miss: the TTL differs, but the SYN/ACK's ID is just behind the data's counter: one sender, a path difference", async () => {
    expect(await hits(RULE, ids(64, 0x1233, 0x1234))).toEqual([]);
    // across the 16-bit wrap
    expect(await hits(RULE, ids(64, 0xfff0, 0x0005))).toEqual([]);
  });

  it("the TTL claim stands when the SYN/ACK's ID is 0 (Linux sends 0 in SYN/ACKs with DF): the ID shows nothing", async () => {
    const c = ids(64, 0, 0x1234);
    expect((await hits(RULE, c)).map((h) => h.frames)).toEqual([[2, 4, 16]]);
    expect(await evidence(c)).toMatch(/; IP ID \(ip\.id\): SYN\/ACK 0x0000, the 7 server data segments 0x1234 \(frame 4\) to 0x123a \(frame 16\), one incrementing counter \(an ID of 0 in a SYN\/ACK shows nothing: Linux sends it\)$/);
  });

  it("the TTL claim stands when the SYN/ACK's ID is off the data's counter; the evidence says the ID alone shows nothing", async () => {
    const c = ids(64, 0x9999, 0x1234);
    expect((await hits(RULE, c)).map((h) => h.frames)).toEqual([[2, 4, 16]]);
    expect(await evidence(c)).toMatch(/SYN\/ACK 0x9999, the 7 server data segments 0x1234 .*\(an ID off the data's counter shows nothing alone: Linux before 2022 took SYN\/ACK IDs from another generator\)$/);
  });

  it("near miss: the same TTL, no timestamps, the SYN/ACK's ID off the data's per-connection counter: no claim from the IP ID alone", async () => {
    // Linux before 2022: the SYN/ACK's ID from the shared generator, the data's from the socket's counter
    expect(await hits(RULE, ids(57, 0x9999, 0x1234))).toEqual([]);
    expect(await hits(RULE, ids(57, 0, 0x1234))).toEqual([]);
  });

  it("random data IDs (OpenBSD) are no counter: they neither veto the TTL claim nor show in its evidence", async () => {
    const random = [0x1234, 0x8a01, 0x03ff, 0xc3c3, 0x5a5a, 0x7001, 0x2bad, 0xe00e, 0x4444];
    const c = ids(64, 0x1233, (n) => random[n % random.length]);
    expect((await hits(RULE, c)).map((h) => h.frames)).toEqual([[2, 4, 16]]);
    expect(await evidence(c)).not.toMatch(/IP ID/);
    // a constant ID (0, RFC 6864 atomic datagrams) is no counter either
    const zero = ids(64, 0x0001, () => 0);
    expect((await hits(RULE, zero)).map((h) => h.frames)).toEqual([[2, 4, 16]]);
  });
});

describe("ipIdSeen: one incrementing counter of IP IDs", () => {
  const run = (ids: number[]) => {
    const r = { first: ids[0], firstFrame: 1, last: ids[0], lastFrame: 1, segments: 1, counter: true };
    ids.slice(1).forEach((id, i) => ipIdSeen(r, id, i + 2));
    return r;
  };
  it("steps of 1 to 64, across the 16-bit wrap, are one counter; a repeat, a step back or a jump are not", () => {
    expect(run([0xfffe, 0xffff, 0x0000, 0x0040])).toEqual({ first: 0xfffe, firstFrame: 1, last: 0x0040, lastFrame: 4, segments: 4, counter: true });
    expect(run([5, 5]).counter).toBe(false);
    expect(run([5, 4]).counter).toBe(false);
    expect(run([5, 5 + 65]).counter).toBe(false);
  });
});

ruleTester(RULE, {
  invalid: [
    {
      name: "SYN/ACK (2) TTL 64, every server data segment (4–16) TTL 57",
      capture: () => session({ ttl: 64, options: tcpOptions([{ mss: 1380 }, "nop", { ws: 7 }]) }, 57),
      findings: [{
        severity: "info", side: "middlebox", frames: [2, 4, 16],
        message: "SYN/ACK frame 2 TTL 64, server data segments TTL 57 (frames 4–16): the handshake was answered by a different device from the one that sent the server's data, or came by another path; a TCP-terminating proxy or a SYN proxy in front of the server does this, but it is not proof",
      }],
    },
  ],
  valid: [
    { name: "near miss: SYN/ACK TTL equal to the data TTL, another IP ID pattern", capture: () => session({ ttl: 57, ipId: 0 }, 57, { ipId: 4242 }) },
    { name: "near miss: the TTL differs, TCP timestamps show one clock", capture: () => session({ ttl: 50, options: tcpOptions(["nop", "nop", { ts: [1000, 0] }]) }, 51, { options: tcpOptions(["nop", "nop", { ts: [1010, 0] }]) }) },
    { name: "a clean session", capture: () => clean() },
  ],
});
