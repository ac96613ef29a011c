import { describe, expect, it } from "vitest";
import { join, relative } from "node:path";
import { analyzeFile } from "../src/analyze.js";
import { hasTshark, tsharkFollow, tsharkSmtpStreams } from "./support/tshark.js";
import { LAB, SHARED } from "./support/fixtures.js";
import { captures } from "./support/golden.js";

const ALL = captures(join(SHARED, "captures"));

describe("the support case (lab/utm-naive-starttls)", () => {
  for (const ext of ["pcap", "pcapng"]) {
    it(`${ext}: one EHLO reply of 11 lines in 2 segments (frames 8 and 11), STARTTLS in frame 9, session marked STARTTLS`, async () => {
      const rep = await analyzeFile(join(LAB, `utm-naive-starttls.${ext}`));
      expect(rep.sessions).toHaveLength(1);
      const s = rep.sessions[0];
      const ehlo = s.commands.find((c) => c.verb === "EHLO")!;
      const reply = s.replies[ehlo.replies[0]];
      expect(reply.code).toBe(250);
      expect(reply.lines).toHaveLength(11);
      expect(reply.lines[10]).toBe("250 CHUNKING");
      expect(reply.frames).toEqual([8, 11]);
      expect(reply.segments.map((g) => [g.frame, g.seq, g.bytes, g.lines.length])).toEqual([[8, 45, 52, 3], [11, 97, 110, 8]]);
      expect(reply.complete).toBe(true);
      const starttls = s.commands.find((c) => c.verb === "STARTTLS")!;
      expect(starttls.frames).toEqual([9]);
      expect(starttls.segments[0].ack).toBe(97);
      expect(s.replies[starttls.replies[0]].lines).toEqual(["220 2.0.0 Ready to start TLS"]);
      expect(s.tls).toMatchObject({ mode: "starttls", frame: 12 });
      expect(s.bytes).toEqual({ client: 37, server: 236 });
      expect(s.retransmitted.server).toBe(30);
    });
  }
});

describe.runIf(hasTshark())("sessions and byte counts agree with tshark -z follow,tcp,raw", () => {
  for (const file of ALL) {
    it(relative(join(SHARED, "captures"), file), async () => {
      const rep = await analyzeFile(file);
      const follow = tsharkFollow(file, rep.sessions.map((s) => s.tcpStream));
      // every connection Wireshark dissects as SMTP is a session here too
      const ours = new Set(rep.sessions.map((s) => s.tcpStream));
      expect(tsharkSmtpStreams(file).filter((n) => !ours.has(n))).toEqual([]);
      for (const s of rep.sessions) {
        const f = follow.get(s.tcpStream);
        expect(f, `tcp.stream ${s.tcpStream}`).toBeDefined();
        const clientIs0 = f!.node0 === s.client;
        expect([s.client, s.server].sort()).toEqual([f!.node0, f!.node1].sort());
        const want = clientIs0 ? { client: f!.bytes0, server: f!.bytes1 } : { client: f!.bytes1, server: f!.bytes0 };
        expect({ stream: s.tcpStream, ...s.bytes }).toEqual({ stream: s.tcpStream, ...want });
        const lost = (side: string) => s.gaps.filter((g) => g.side === side && !g.reason.includes("end of the capture")).reduce((a, g) => a + g.bytes, 0);
        const wantLost = clientIs0 ? { client: f!.missing0, server: f!.missing1 } : { client: f!.missing1, server: f!.missing0 };
        expect({ stream: s.tcpStream, client: lost("client"), server: lost("server") }).toEqual({ stream: s.tcpStream, ...wantLost });
      }
    });
  }
});
