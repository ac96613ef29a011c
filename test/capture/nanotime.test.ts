import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { analyzeFile, type FileReport } from "../../src/analyze.js";
import { Clock, finerThanMicros, ticksToExact, unitsToNanos } from "../../src/capture/clock.js";
import { readCapture } from "../../src/capture/source.js";
import { toJson } from "../../src/report/json.js";
import { supportCase, tmpFile } from "../support/fixtures.js";
import { binaryTicksToNs, EPOCH_2025, epochString, exactTimes, isoOf, nanoPcap, ticksPcapng, type FileJ, session } from "../support/exact-times.js";
import { hasTshark } from "../support/tshark.js";


const float = (ns: bigint) => Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;

/** Every absolute time of the JSON report with the frame it belongs to. */
function timesByFrame(rep: FileReport): { frame: number; iso: string; time: number }[] {
  const j = toJson(rep) as unknown as FileJ;
  const out: { frame: number; iso: string; time: number }[] = [];
  for (const s of j.sessions) {
    out.push({ frame: s.firstFrame, iso: s.startTimeIso, time: s.startTime }, { frame: s.lastFrame, iso: s.endTimeIso, time: s.endTime });
    for (const x of [...s.commands, ...s.replies]) {
      out.push({ frame: x.frames[0], iso: x.timeIso, time: x.time });
      for (const g of x.segments) out.push({ frame: g.frame, iso: g.timeIso, time: g.time });
    }
    for (const e of [s.close.client, s.close.server]) if (e) out.push({ frame: e.frame, iso: e.timeIso, time: e.time });
  }
  return out;
}

describe("exact times of captures finer than a microsecond", () => {
  const packets = session();
  const ns = exactTimes(packets.length);

  it("the frames' fractions are beyond a float (the test would prove nothing otherwise)", () => {
    expect(ns.some((t) => Math.round((float(t) % 1) * 1e9) !== Number(t % 1_000_000_000n))).toBe(true);
  });

  for (const bigEndian of [false, true]) {
    it(`nanosecond pcap (${bigEndian ? "big" : "little"}-endian): every time of the JSON report has the frame's 9 digits; the floats are as before`, async () => {
      const rep = await analyzeFile(tmpFile(nanoPcap(packets, ns, bigEndian)));
      expect(rep.format).toBe("pcap-ns");
      expect(rep.sessions).toHaveLength(1);
      const times = timesByFrame(rep);
      expect(times.length).toBe(18);
      for (const t of times) {
        expect(t.iso, `frame ${t.frame}`).toBe(isoOf(ns[t.frame - 1]));
        // the float stays what the reader always delivered: seconds + nanoseconds / 1e9
        expect(t.time).toBe(Number(ns[t.frame - 1] / 1_000_000_000n) + Number(ns[t.frame - 1] % 1_000_000_000n) / 1e9);
      }
      const j = toJson(rep) as unknown as FileJ;
      expect(j.firstTimeIso).toBe("2025-11-28T03:20:00.123456789Z");
      expect(j.lastTimeIso).toBe(isoOf(ns[ns.length - 1]));
      expect(j.lastTimeIso).toBe("2025-11-28T03:20:01.223456800Z");
      expect(j.findings.map((f) => [f.rule, f.frames, f.timeIso])).toEqual([["bare-cr-lf-in-reply", [8], isoOf(ns[7])]]);
    });
  }

  it("pcapng, if_tsresol 9", async () => {
    const rep = await analyzeFile(tmpFile(ticksPcapng(packets, ns, { tsresol: 9 }), ".pcapng"));
    for (const t of timesByFrame(rep)) expect(t.iso, `frame ${t.frame}`).toBe(isoOf(ns[t.frame - 1]));
    expect((toJson(rep) as unknown as FileJ).firstTimeIso).toBe("2025-11-28T03:20:00.123456789Z");
  });

  it("pcapng, if_tsresol 2^-30 (binary): nanoseconds truncated as wiretap does", async () => {
    // ticks of 2^-30 s: 1764300000 s + k × 977 ticks (~910 ns), never a whole number of ns
    const ticks = packets.map((_, i) => (EPOCH_2025 << 30n) + 123n + BigInt(i) * 107_374_183n);
    const want = ticks.map((k) => binaryTicksToNs(k, 30));
    const rep = await analyzeFile(tmpFile(ticksPcapng(packets, ticks, { tsresol: 0x80 | 30 }), ".pcapng"));
    const j = toJson(rep) as unknown as FileJ;
    expect(j.firstTimeIso).toBe("2025-11-28T03:20:00.000000114Z");
    for (const t of timesByFrame(rep)) expect(t.iso, `frame ${t.frame}`).toBe(isoOf(want[t.frame - 1]));
  });

  it("pcapng, if_tsresol 9 with if_tsoffset (seconds added to every time, also negative)", async () => {
    const offset = 1_000_000_000n;
    const ticks = ns.map((t) => t - offset * 1_000_000_000n);
    const rep = await analyzeFile(tmpFile(ticksPcapng(packets, ticks, { tsresol: 9, tsoffset: offset }), ".pcapng"));
    for (const t of timesByFrame(rep)) expect(t.iso, `frame ${t.frame}`).toBe(isoOf(ns[t.frame - 1]));
    const neg = await analyzeFile(tmpFile(ticksPcapng(packets, ns.map((t) => t + 5_000_000_000n), { tsresol: 9, tsoffset: -5n }), ".pcapng"));
    expect((toJson(neg) as unknown as FileJ).firstTimeIso).toBe("2025-11-28T03:20:00.123456789Z");
  });

  it("frames closer than a float can tell apart: each time is its own frame's", async () => {
    // frames 5 and 6 (the EHLO and the 250 reply) 40 ns apart
    const close = [...ns];
    close[5] = close[4] + 40n;
    for (let i = 6; i < close.length; i++) close[i] = close[5] + BigInt(i - 5) * 100_000_001n;
    expect(float(close[4])).toBe(float(close[5]));
    const rep = await analyzeFile(tmpFile(nanoPcap(packets, close)));
    const times = timesByFrame(rep);
    expect(times.some((t) => t.frame === 5) && times.some((t) => t.frame === 6)).toBe(true);
    for (const t of times) expect(t.iso, `frame ${t.frame}`).toBe(isoOf(close[t.frame - 1]));
  });

  it("the TLS time (the support case: STARTTLS answered 220)", async () => {
    const sc = supportCase().packets;
    const t = exactTimes(sc.length);
    const rep = await analyzeFile(tmpFile(nanoPcap(sc, t)));
    const tls = (toJson(rep) as unknown as { sessions: { tls: { frame: number; timeIso: string } | null }[] }).sessions[0].tls;
    expect(tls).not.toBeNull();
    expect(tls!.timeIso).toBe(isoOf(t[tls!.frame - 1]));
    expect(tls!.timeIso).toMatch(/\.\d{9}Z$/);
  });

  it("microsecond captures keep 6 digits (also pcapng if_tsresol 6 with if_tsoffset)", async () => {
    const micros = ns.map((t) => t / 1000n);
    const rep = await analyzeFile(tmpFile(ticksPcapng(packets, micros.map((u) => u - 100_000_000n), { tsresol: 6, tsoffset: 100n }), ".pcapng"));
    const j = toJson(rep) as unknown as FileJ;
    expect(j.firstTimeIso).toBe("2025-11-28T03:20:00.123456Z");
    expect(j.sessions[0].replies[0].timeIso).toBe(`2025-11-28T03:20:00.${String(micros[3] % 1_000_000n).padStart(6, "0")}Z`);
    expect(rep.clock).toBeUndefined();
  });

  it("agrees with tshark's frame.time_epoch, frame by frame", async (ctx) => {
    if (!hasTshark()) {
      console.warn("tshark not found: the cross-check with frame.time_epoch is skipped");
      ctx.skip();
    }
    const ticks30 = packets.map((_, i) => (EPOCH_2025 << 30n) + 123n + BigInt(i) * 107_374_183n);
    const files = [
      tmpFile(nanoPcap(packets, ns)),
      tmpFile(ticksPcapng(packets, ns, { tsresol: 9 }), ".pcapng"),
      tmpFile(ticksPcapng(packets, ticks30, { tsresol: 0x80 | 30 }), ".pcapng"),
      tmpFile(ticksPcapng(packets, ns.map((t) => t - 10n ** 18n), { tsresol: 9, tsoffset: 1_000_000_000n }), ".pcapng"),
    ];
    for (const file of files) {
      const epochs = execFileSync("tshark", ["-r", file, "-T", "fields", "-e", "frame.time_epoch"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().split("\n");
      expect(epochs).toHaveLength(packets.length);
      const rep = await analyzeFile(file);
      for (const t of timesByFrame(rep)) {
        const [sec, frac] = epochs[t.frame - 1].split(".");
        expect(t.iso, `${file} frame ${t.frame}`).toBe(isoOf(BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, "0"))));
      }
    }
  });
});

describe("the clock", () => {
  it("splits 64-bit tick counts exactly, truncating to nanoseconds as wiretap does", () => {
    const check = (ticks: bigint, units: bigint) => {
      const got = ticksToExact(Number(ticks >> 32n), Number(ticks & 0xffffffffn), Number(units));
      expect(got, `${ticks} at ${units}/s`).toEqual({ sec: Number(ticks / units), ns: Number(((ticks % units) * 1_000_000_000n) / units) });
    };
    for (const t of [0n, 1764300000123456789n, 0xffffffffffffffffn, 1764300000999999999n]) check(t, 1_000_000_000n);
    for (const n of [7n, 10n, 20n, 30n, 32n, 40n, 60n]) for (const t of [(EPOCH_2025 << 30n) + 123n, 0xfedcba9876543210n]) check(t, 1n << n);
    for (const u of [10n ** 7n, 10n ** 10n, 10n ** 12n]) check(17643000001234567899n % (1n << 64n), u);
    expect(unitsToNanos(1, 1024)).toBe(976562);
  });

  it("decides which resolutions need more than 6 digits", () => {
    expect([1, 10, 1000, 1e6, 64].map(finerThanMicros)).toEqual([false, false, false, false, false]);
    expect([1e7, 1e9, 1e12, 128, 1024, 2 ** 20, 2 ** 30].map(finerThanMicros)).toEqual([true, true, true, true, true, true, true]);
  });

  it("finds frames recorded out of time order, and decides shared floats by frame, earliest or latest", () => {
    const c = new Clock();
    expect(c.fine).toBe(false);
    const t = 1764300001; // 1764300000.999999999 and 1764300001.000000001 share this float
    c.record(1, 1764300000.5, 500000000);
    c.record(2, t, 999999999);
    c.record(3, t, 1);
    c.record(4, 1764300000.25, 250000000); // earlier than frame 3
    expect(c.fine).toBe(true);
    expect(c.exact(1764300000.25)).toEqual({ sec: 1764300000, ns: 250000000 });
    expect(c.exact(t)).toEqual({ sec: 1764300000, ns: 999999999 });
    expect(c.exact(t, 3)).toEqual({ sec: 1764300001, ns: 1 });
    expect(c.exact(t, [9, 3])).toEqual({ sec: 1764300001, ns: 1 });
    expect(c.exact(t, "earliest")).toEqual({ sec: 1764300000, ns: 999999999 });
    expect(c.exact(t, "latest")).toEqual({ sec: 1764300001, ns: 1 });
    expect(c.exact(1764300000.75)).toBeNull();
  });

  it("holds many frames (pages) and reads the same through the stream reader", async () => {
    const c = new Clock();
    for (let i = 1; i <= 10000; i++) c.record(i, 1764300000 + i / 1000, i * 1000000 % 1e9);
    expect(c.exact(1764300000 + 5000 / 1000)).toEqual({ sec: 1764300005, ns: 0 });
    expect(c.exact(1764300000 + 4321 / 1000)).toEqual({ sec: 1764300004, ns: 321000000 });
    const packets = session();
    const file = tmpFile(nanoPcap(packets, exactTimes(packets.length)));
    const clock = new Clock();
    const times: number[] = [];
    await readCapture(file, (_f, time) => times.push(time), clock);
    expect(times.map((x, i) => clock.exact(x, i + 1))).toEqual(exactTimes(packets.length).map((t) => ({ sec: Number(t / 1_000_000_000n), ns: Number(t % 1_000_000_000n) })));
    expect(epochString(exactTimes(1)[0])).toBe("1764300000.123456789");
  });
});

describe("the clock, when the capture's clock steps back", () => {
  it("a step back of an hour starts a new run; a slight one is kept aside; both are found", () => {
    const c = new Clock();
    const base = 1764300000;
    for (let i = 0; i < 100; i++) c.record(i + 1, base + 3600 + i / 10, (i * 100000000) % 1e9);
    for (let i = 0; i < 100; i++) c.record(i + 101, base + i / 10 + 0.05, ((i * 100000000) % 1e9) + 50000000);
    c.record(201, base + 9.9, 900000000); // slightly earlier than frame 200 (base + 9.95)
    expect(c.exact(base + 3600 + 5)).toEqual({ sec: base + 3605, ns: 0 });
    expect(c.exact(base + 5.05)).toEqual({ sec: base + 5, ns: 50000000 });
    expect(c.exact(base + 9.9)).toEqual({ sec: base + 9, ns: 900000000 });
  });
});
