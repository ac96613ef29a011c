import { describe, expect, it } from "vitest";
import { Ip4Table } from "../../src/tcp/flow-table.js";

describe("Ip4Table", () => {
  it("finds a connection from either direction; replaces; keeps port pairs apart", () => {
    const t = new Ip4Table<string>();
    const a = 0x0a000001, b = (0xc0000219 | 0); // 10.0.0.1 and 192.0.2.25 (negative as int32)
    t.set(a, 40000, b, 25, "one");
    expect(t.get(a, 40000, b, 25)).toBe("one");
    expect(t.get(b, 25, a, 40000)).toBe("one");
    expect(t.get(a, 25, b, 40000)).toBeUndefined(); // ports swapped is another connection
    expect(t.get(a, 40001, b, 25)).toBeUndefined();
    t.set(b, 25, a, 40000, "two"); // the same connection, keyed from the other side
    expect(t.get(a, 40000, b, 25)).toBe("two");
    expect(t.size).toBe(1);
    t.set(a, 5000, a, 5001, "self"); // both ends on one host
    expect(t.get(a, 5001, a, 5000)).toBe("self");
    expect(t.size).toBe(2);
  });

  it("grows without losing entries (100 000 connections)", () => {
    const t = new Ip4Table<number>(16);
    for (let i = 0; i < 100_000; i++) t.set((0x0a000000 + (i >> 8)) | 0, 1024 + (i & 255), 0xc0000219 | 0, 25, i);
    expect(t.size).toBe(100_000);
    let ok = 0;
    for (let i = 0; i < 100_000; i++) if (t.get(0xc0000219 | 0, 25, (0x0a000000 + (i >> 8)) | 0, 1024 + (i & 255)) === i) ok++;
    expect(ok).toBe(100_000);
    expect([...t.values()].length).toBe(100_000);
  });
});
