import { describe, expect, it } from "vitest";
import { Ip4Connections, R_FIN0, R_FIN1, R_RESET } from "../../src/tcp/flow-table.js";

const A = 0x0a000001, B = 0xc0000219 | 0; // 10.0.0.1 and 192.0.2.25 (negative as int32)

describe("Ip4Connections", () => {
  it("finds a connection from either direction and keeps port pairs apart", () => {
    const t = new Ip4Connections<string>();
    const s = t.add(A, 40000, B, 25, 0, "one");
    expect(t.find(A, 40000, B, 25)).toBe(s);
    expect(t.find(B, 25, A, 40000)).toBe(s);
    expect(t.live[s]).toBe("one");
    expect(t.find(A, 25, B, 40000)).toBe(-1); // ports swapped is another connection
    expect(t.find(A, 40001, B, 25)).toBe(-1);
    expect(t.fromFirst(s, B, 25)).toBe(true); // 192.0.2.25 is negative as int32: it sorts first
    expect(t.fromFirst(s, A, 40000)).toBe(false);
    const self = t.add(A, 5000, A, 5001, 1, "self"); // both ends on one host
    expect(t.find(A, 5001, A, 5000)).toBe(self);
    expect(t.fromFirst(self, A, 5000)).toBe(true);
    expect(t.fromFirst(self, A, 5001)).toBe(false);
    expect(t.size).toBe(2);
  });

  it("grows without losing entries (100 000 connections); retired ones keep their numbers", () => {
    const t = new Ip4Connections<number>(16);
    for (let i = 0; i < 100_000; i++) {
      const s = t.add((0x0a000000 + (i >> 8)) | 0, 1024 + (i & 255), B, 25, i, i);
      if (i % 2) t.retire(s, i, -1, 0, 0);
    }
    expect(t.size).toBe(100_000);
    let ok = 0;
    for (let i = 0; i < 100_000; i++) {
      const s = t.find(B, 25, (0x0a000000 + (i >> 8)) | 0, 1024 + (i & 255));
      if (s >= 0 && t.index[s] === i && (i % 2 ? t.live[s] === undefined && t.seq0[s] === i : t.live[s] === i)) ok++;
    }
    expect(ok).toBe(100_000);
    expect([...t.liveValues()].length).toBe(50_000);
  });

  it("forgets closed connections silent for the TTL when it grows, and only those", () => {
    const t = new Ip4Connections<string>(16, 600);
    const closed = [R_RESET, R_FIN0 | R_FIN1];
    for (let i = 0; i < 6; i++) t.retire(t.add(A, 1000 + i, B, 25, i, "x"), 1, 1, i < 2 ? closed[i] : i === 2 ? R_FIN0 : 0, 0);
    t.now = 1000; // everything above is 1000 s old: the two closed ones may go, the half-closed and open stay
    for (let i = 6; i < 9; i++) t.add(A, 1000 + i, B, 25, i, "live"); // the 9th entry makes it rebuild
    expect(t.find(A, 1000, B, 25)).toBe(-1);
    expect(t.find(A, 1001, B, 25)).toBe(-1);
    for (let i = 2; i < 9; i++) expect(t.index[t.find(A, 1000 + i, B, 25)]).toBe(i);
    expect(t.size).toBe(7);
  });

  it("a live table shrinks back once the connections it held are past the TTL (purge)", () => {
    const t = new Ip4Connections<string>(16, 600);
    t.forgetUnclosed = true;
    const addRetired = (n: number, from: number) => {
      for (let i = from; i < from + n; i++) t.retire(t.add((0x0a000000 + i) | 0, 40000, B, 25, i, "x"), 1, 1, 0, t.now);
    };
    t.now = 1000;
    addRetired(100_000, 0);
    const peak = t.capacity;
    expect(peak).toBeGreaterThanOrEqual(200_000);
    // a tenth of the TTL later nothing is old enough: the table is kept
    t.now = 1060;
    t.purge();
    expect(t.size).toBe(100_000);
    expect(t.capacity).toBe(peak); // never grown by a purge
    // a slower rate later: 1 000 new connections, the old 100 000 past the TTL
    t.now = 1700;
    addRetired(1000, 200_000);
    t.purge();
    expect(t.size).toBe(1000);
    expect(t.capacity).toBe(2048); // the smallest at most 5/8 full
    for (const i of [200_000, 200_999]) expect(t.index[t.find(B, 25, (0x0a000000 + i) | 0, 40000)]).toBe(i);
    expect(t.find(B, 25, 0x0a000000, 40000)).toBe(-1);
    // purge runs at most once per tenth of the shorter TTL (LIVE_CLOSED_TTL, 240 s) of capture time
    t.now = 2400;
    t.purge();
    expect(t.size).toBe(0);
    for (let i = 0; i < 10; i++) t.retire(t.add((0x0b000000 + i) | 0, 40000, B, 25, 300_000 + i, "x"), 1, 1, 0, 1800);
    t.now = 2423;
    t.purge();
    expect(t.size).toBe(10);
    t.now = 2424;
    t.purge();
    expect(t.size).toBe(0);
  });

  it("a file's table (no forgetUnclosed) is never purged", () => {
    const t = new Ip4Connections<string>(16, 600);
    for (let i = 0; i < 1000; i++) t.retire(t.add((0x0a000000 + i) | 0, 40000, B, 25, i, "x"), 1, 1, R_RESET, 0);
    const cap = t.capacity;
    t.now = 5000;
    t.purge();
    expect(t.size).toBe(1000);
    expect(t.capacity).toBe(cap);
  });
});

describe("Ip4Connections purge (live reader)", () => {
  it("compacts in place at a steady rate: slots bounded, survivors found, closed pairs gone after 2 MSL", () => {
    const t = new Ip4Connections<string>(16, 600);
    t.forgetUnclosed = true;
    let n = 0;
    // 100 closed connections per second of capture time for 3000 s: 24 000 within 240 s
    for (let sec = 0; sec < 3000; sec++) {
      t.now = sec;
      for (let j = 0; j < 100; j++, n++) t.retire(t.add((0x0a000000 + (n >> 12)) | 0, 1024 + (n & 4095), B, 25, n, "x"), 1, 1, R_FIN0 | R_FIN1, sec);
      t.purge();
    }
    expect(t.capacity).toBeLessThanOrEqual(65536);
    expect(t.size).toBeLessThanOrEqual(100 * 265);
    let found = 0;
    for (let m = n - 100 * 230; m < n; m++) {
      const s = t.find((0x0a000000 + (m >> 12)) | 0, 1024 + (m & 4095), B, 25);
      if (s >= 0 && t.index[s] === m) found++;
    }
    expect(found).toBe(100 * 230); // the last 230 s kept
    expect(t.find((0x0a000000 + ((n - 100 * 300) >> 12)) | 0, 1024 + ((n - 100 * 300) & 4095), B, 25)).toBe(-1);
  });
});
