import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { analyzeFile } from "../../src/analyze.js";
import { readCapture } from "../../src/capture/source.js";
import { pcapngBlock, writeCapture, type LinkKind } from "../support/writer.js";
import { SHARED, supportCase, tmpFile } from "../support/fixtures.js";
import { describeShared, SHARED_PRESENT } from "../support/shared.js";

async function summary(buf: Buffer, ext = ".pcap") {
  const rep = await analyzeFile(tmpFile(buf, ext));
  const s = rep.sessions[0];
  return {
    format: rep.format,
    packets: rep.packets,
    problems: rep.problems.map((p) => p.message),
    client: s?.client,
    server: s?.server,
    bytes: s?.bytes,
    ehloSegments: s?.replies[1]?.segments.map((g) => [g.frame, g.bytes]),
    time: s?.commands[0]?.time,
  };
}

describe("capture formats", () => {
  const packets = supportCase().packets;
  const expected = {
    packets: packets.length,
    problems: [],
    client: "192.0.2.10:40000",
    server: "192.0.2.25:2525",
    bytes: { client: 35, server: 177 },
    ehloSegments: [[6, 56], [9, 64]],
  };

  for (const format of ["pcap", "pcap-ns", "pcapng"] as const) {
    for (const bigEndian of [false, true]) {
      it(`${format} ${bigEndian ? "big" : "little"}-endian`, async () => {
        const got = await summary(writeCapture(packets, { format, bigEndian }));
        expect(got).toMatchObject({ ...expected, format });
        expect(got.time).toBeCloseTo(packets[4].time, 5);
      });
    }
  }

  it("pcapng with nanosecond if_tsresol keeps the time", async () => {
    const got = await summary(writeCapture(packets, { format: "pcapng", tsresol: 9 }));
    expect(got.time).toBeCloseTo(packets[4].time, 6);
  });

  it("gzip is detected by magic, not by name", async () => {
    const got = await summary(writeCapture(packets, { format: "pcapng", gzip: true }), ".bin");
    expect(got).toMatchObject(expected);
  });

  for (const link of ["ethernet", "vlan", "qinq", "sll", "sll2", "null", "loop", "raw"] as LinkKind[]) {
    it(`link type ${link}`, async () => {
      expect(await summary(writeCapture(packets, { link }))).toMatchObject(expected);
    });
  }

  it("snaplen-truncated frames: the missing payload is a gap, not data", async () => {
    const c = supportCase();
    c.packets[5].snap = 14 + 20 + 20 + 10; // frame 6: only 10 bytes of its 56-byte payload captured
    const rep = await analyzeFile(tmpFile(writeCapture(c.packets)));
    const s = rep.sessions[0];
    expect(s.gaps).toEqual([{ side: "server", offset: 37, bytes: 46, frame: 6, reason: "segment cut short by the capture's snap length" }]);
    expect(s.bytes.server).toBe(177 - 46);
  });
});

describe("bad input", () => {
  it("a truncated file is analysed as far as it goes, with a warning naming the offset", async () => {
    const full = writeCapture(supportCase().packets);
    const cut = full.subarray(0, full.length - 20);
    const rep = await analyzeFile(tmpFile(cut));
    expect(rep.packets).toBe(supportCase().packets.length - 1);
    expect(rep.problems).toEqual([{ level: "warning", message: expect.stringMatching(/^truncated: last record incomplete/), offset: expect.any(Number) }]);
    expect(rep.sessions[0].replies.length).toBe(3);
  });

  it("garbage is not a capture", async () => {
    const rep = await analyzeFile(tmpFile(Buffer.from("hello world, not a pcap")));
    expect(rep.problems).toEqual([{ level: "error", message: "not a capture file (starts with 68656c6c; expected pcap or pcapng)", offset: 0 }]);
  });

  it("empty and missing files", async () => {
    expect((await analyzeFile(tmpFile(Buffer.alloc(0)))).problems[0].message).toBe("empty file");
    expect((await analyzeFile("/nonexistent/x.pcap")).problems[0].message).toBe("no such file");
  });

  it("a pcapng block with an impossible length stops reading there", async () => {
    const buf = Buffer.from(writeCapture(supportCase().packets, { format: "pcapng" }));
    // the third block (first EPB) starts after SHB (28) and IDB (32)
    buf.writeUInt32LE(7, 60 + 4);
    const rep = await analyzeFile(tmpFile(buf));
    expect(rep.packets).toBe(0);
    expect(rep.problems).toEqual([{ level: "error", message: "block of type 0x6 has an impossible length 7", offset: 60 }]);
  });
});

describeShared("a damaged shared capture", () => {
  it("the corrupt record in smtp-to-comma is reported at offset 3695 and the 18 good packets kept", async () => {
    const rep = await analyzeFile(join(SHARED, "captures/suricata-verify/smtp-to-comma/10.7.29.101_49898-178.63.41.150_25.pcap"));
    expect(rep.packets).toBe(18);
    expect(rep.problems).toHaveLength(1);
    expect(rep.problems[0]).toMatchObject({ level: "error", offset: 3695 });
    expect(rep.problems[0].message).toMatch(/^record 19 claims 3925868813 captured bytes/);
  });
});

describeShared("pcapng conformance files (Wireshark's reader tests)", () => {
  const dir = join(SHARED, "captures/pcapng-conformance");
  const rows = SHARED_PRESENT ? readFileSync(join(dir, "packets.tsv"), "utf8").trim().split("\n").slice(1).map((l) => l.split("\t")) : [];
  for (const [file, count] of rows) {
    it(`${file}: ${count} packets`, async () => {
      let n = 0;
      const res = await readCapture(join(dir, file), () => n++);
      expect(res.problems).toEqual([]);
      expect(n).toBe(Number(count));
      expect(res.frames).toBe(Number(count));
    });
  }
});

describe("the direct reader's buffer handling", () => {
  // records larger than the room kept in front of each read (256 KiB), some larger than a whole
  // read (4 MiB): their partial tails are joined across reads; the gzip path, which streams, must agree
  const sizes = [700_000, 3_000, 900_000, 60, 5_000_000, 1_000_000, 123_457, 9_000_000, 800_000, 64];
  const frame = (i: number, n: number) => Buffer.alloc(n, (i * 37 + 11) & 0xff);

  function pcap(): Buffer {
    const head = Buffer.alloc(24);
    head.writeUInt32LE(0xa1b2c3d4, 0);
    head.writeUInt16LE(2, 4);
    head.writeUInt16LE(4, 6);
    head.writeUInt32LE(16_000_000, 16); // snaplen
    head.writeUInt32LE(1, 20);
    const recs = sizes.map((n, i) => {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(1000 + i, 0);
      h.writeUInt32LE(n, 8);
      h.writeUInt32LE(n, 12);
      return Buffer.concat([h, frame(i, n)]);
    });
    return Buffer.concat([head, ...recs]);
  }

  function pcapng(): Buffer {
    const block = pcapngBlock;
    const shb = Buffer.alloc(16);
    shb.writeUInt32LE(0x1a2b3c4d, 0);
    shb.writeUInt16LE(1, 4);
    shb.writeBigInt64LE(-1n, 8);
    const idb = Buffer.alloc(8);
    idb.writeUInt16LE(1, 0);
    const epbs = sizes.map((n, i) => {
      const h = Buffer.alloc(20);
      h.writeUInt32LE(n, 12);
      h.writeUInt32LE(n, 16);
      return block(6, Buffer.concat([h, frame(i, n)]));
    });
    return Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), ...epbs]);
  }

  async function frames(path: string) {
    const got: [number, number, number][] = [];
    const r = await readCapture(path, (_f, _t, _l, data, start, capLen) => {
      let sum = 0;
      for (let i = start; i < start + capLen; i += 4099) sum = (sum + data[i]) & 0xffff;
      got.push([capLen, data[start], sum]);
    });
    return { got, problems: r.problems, frames: r.frames };
  }

  for (const [name, make] of [["pcap", pcap], ["pcapng", pcapng]] as const) {
    it(`${name}: every frame whole, as the gzip (stream) reader sees it`, async () => {
      const file = make();
      const direct = await frames(tmpFile(file, `.${name}`));
      const streamed = await frames(tmpFile(gzipSync(file), `.${name}.gz`));
      expect(direct.problems).toEqual([]);
      expect(direct.frames).toBe(sizes.length);
      expect(direct.got.map((g) => g[0])).toEqual(sizes);
      expect(direct.got.map((g) => g[1])).toEqual(sizes.map((_, i) => (i * 37 + 11) & 0xff));
      expect(direct).toEqual(streamed);
    });
  }
});

describeShared("pcapng simple packet blocks carry no time", () => {
  const dir = join(SHARED, "captures/pcapng-conformance/output_le");
  it("a file of simple packet blocks only has no first or last time (tshark shows none), not 1970", async () => {
    const rep = await analyzeFile(join(dir, "basic/test010.pcapng"));
    expect(rep.packets).toBe(4); // tshark lists 4 frames, with an empty frame.time_epoch
    expect([rep.firstTime, rep.lastTime]).toEqual([null, null]);
  });
  it("mixed with enhanced packet blocks: first and last time come from the timed frames (frame 2 of 3, as tshark's frame.time_epoch)", async () => {
    const rep = await analyzeFile(join(dir, "advanced/test100.pcapng"));
    expect(rep.firstTime).toBeCloseTo(1340954905.298858, 6);
    expect(rep.lastTime).toBeCloseTo(1340954905.301858, 6);
  });
});
