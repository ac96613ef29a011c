import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { conv, tmpFile } from "../support/fixtures.js";
import { hasTshark } from "../support/tshark.js";
import { writeCapture } from "../support/writer.js";

function capture(bigEndian: boolean): string {
  const c = conv().handshake();
  c.server("220 mx.example.test ESMTP\r\n").client("EHLO client.example.test\r\n").server("250 mx.example.test\r\n");
  c.client("QUIT\r\n").server("221 bye\r\n").fin("server").fin("client");
  return tmpFile(writeCapture(c.packets, { format: "pcap-modified", bigEndian }));
}

describe("the modified pcap format (magic a1b2cd34, 24-byte record headers)", () => {
  for (const bigEndian of [false, true]) {
    it(`is read (${bigEndian ? "big" : "little"}-endian), frame for frame`, async () => {
      const file = capture(bigEndian);
      const rep = await analyzeFile(file);
      expect(rep.format).toBe("pcap-modified");
      expect(rep.problems).toEqual([]);
      expect(rep.packets).toBe(10);
      expect(rep.sessions[0].replies.map((r) => [r.code, r.frames])).toEqual([[220, [4]], [250, [6]], [221, [8]]]);
      if (hasTshark()) {
        const frames = execFileSync("tshark", ["-r", file, "-Y", "smtp.response", "-T", "fields", "-e", "frame.number"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
        expect(frames.trim().split("\n").map(Number)).toEqual([4, 6, 8]);
      }
    });
  }
});
