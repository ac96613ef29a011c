import { describe, expect, it } from "vitest";
import { Clock } from "../../src/capture/clock.js";

describe("Clock.forgetBefore (a live reader's flat memory)", () => {
  it("forgets whole pages of frames below the oldest open connection, keeps the first frame and the rest", () => {
    const c = new Clock();
    const t0 = 1700000000;
    // frames 1..10000, 1 ms apart, 123 ns past each float's microsecond
    const t = (f: number) => t0 + f / 1000;
    for (let f = 1; f <= 10000; f++) c.record(f, t(f), ((f % 1000) * 1000000 + 123) % 1e9);
    expect(c.exact(t(100), 100)).toEqual({ sec: t0, ns: 100000123 });
    c.forgetBefore(5000);
    // frames 1..4096 were one page, all below 5000: gone, but for the capture's first frame
    expect(c.exact(t(100), 100)).toBeNull();
    expect(c.exact(t(4096), 4096)).toBeNull();
    expect(c.exact(t(1), "earliest")).toEqual({ sec: t0, ns: 1000123 });
    // frames 4097.. (their page holds frames ≥ 5000) are kept
    expect(c.exact(t(4097), 4097)).toEqual({ sec: t0 + 4, ns: 97000123 });
    expect(c.exact(t(9999), 9999)).toEqual({ sec: t0 + 9, ns: 999000123 });
    // new frames after forgetting are found
    c.record(10001, t(10001), 1000123);
    expect(c.exact(t(10001), 10001)).toEqual({ sec: t0 + 10, ns: 1000123 });
    // everything below the newest page
    c.forgetBefore(Infinity);
    expect(c.exact(t(5000), 5000)).toBeNull();
    expect(c.exact(t(10001), 10001)).toEqual({ sec: t0 + 10, ns: 1000123 });
    expect(c.fine).toBe(true);
  });
});
