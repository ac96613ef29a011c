import { describe, expect, it } from "vitest";
import { duration, isoTime, parseZone } from "../../src/report/time.js";
import { plural, suggest, wrap, wrapParts } from "../../src/report/words.js";
import { useColor, wholeNumber } from "../../src/cli/options.js";
import { ALL_RULES } from "../../src/rules/index.js";
import { TOOL } from "../../src/report/tool.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

describe("times", () => {
  it("ISO 8601 to the microsecond, in UTC or a zone", () => {
    expect(isoTime(1764300000.001)).toBe("2025-11-28T03:20:00.001000Z");
    expect(isoTime(1764300000.123456)).toBe("2025-11-28T03:20:00.123456Z");
    expect(isoTime(1764300000.9999996)).toBe("2025-11-28T03:20:01.000000Z");
    expect(isoTime(1764300000, parseZone("+05:45")!)).toBe("2025-11-28T09:05:00.000000+05:45");
    expect(isoTime(1764300000, parseZone("-03:00")!)).toBe("2025-11-28T00:20:00.000000-03:00");
    expect(isoTime(Number.NaN)).toBe("");
  });

  it("--tz values", () => {
    expect(parseZone("UTC")).toEqual({ kind: "utc" });
    expect(parseZone("local")).toEqual({ kind: "local" });
    expect(parseZone("+0200")).toEqual({ kind: "fixed", minutes: 120 });
    expect(parseZone("+15:00")).toBeNull();
    expect(parseZone("CET")).toBeNull();
  });

  it("durations in ms below a second, in s above", () => {
    expect([0.0008, 0.6123, 6.3486, 125.04].map(duration)).toEqual(["0.8 ms", "612.3 ms", "6.349 s", "125.0 s"]);
  });
});

describe("words", () => {
  it("plurals", () => {
    expect([plural(1, "command"), plural(2, "command"), plural(1, "reply", "replies"), plural(0, "file")]).toEqual(["1 command", "2 commands", "1 reply", "0 files"]);
  });

  it("wraps at the width with a hanging indent; long words stay whole", () => {
    expect(wrap("aaa bbb ccc ddd", 10, "> ", "  ")).toEqual(["> aaa bbb", "  ccc ddd"]);
    expect(wrap("x tcp.stream-eq-0-&&-frame.number-in-{7,8,10} y", 12, "")).toEqual(["x", "tcp.stream-eq-0-&&-frame.number-in-{7,8,10}", "y"]);
  });

  it("facts break only between facts", () => {
    expect(wrapParts(["started 12:00", "3 commands", "TLS (starttls) from frame 11"], 30, "  ")).toEqual(["  started 12:00 · 3 commands", "  TLS (starttls) from frame 11"]);
    expect(wrapParts(["a very long fact that cannot fit on one line at all"], 20, "  ")).toEqual(["  a very long fact", "  that cannot fit on", "  one line at all"]);
  });

  it("did you mean: rule ids that contain the word, or are a few edits away", () => {
    const ids = ALL_RULES.map((r) => r.meta.id);
    expect(suggest("reply-split", ids)).toEqual(["reply-split-across-segments", "reply-split-delay"]);
    expect(suggest("greting-delay", ids)).toEqual(["greeting-delay"]);
    expect(suggest("qqqqqqqq", ids)).toEqual([]);
  });
});

describe("options", () => {
  it("colour follows --color, then FORCE_COLOR, then a non-empty NO_COLOR, then the terminal", () => {
    expect(useColor("auto", true, {})).toBe(true);
    expect(useColor("auto", false, {})).toBe(false);
    expect(useColor("auto", true, { NO_COLOR: "1" })).toBe(false);
    expect(useColor("auto", true, { NO_COLOR: "" })).toBe(true); // no-color.org: only a non-empty value
    expect(useColor("auto", false, { FORCE_COLOR: "1" })).toBe(true);
    expect(useColor("auto", false, { FORCE_COLOR: "" })).toBe(true);
    expect(useColor("auto", true, { FORCE_COLOR: "0" })).toBe(false);
    expect(useColor("auto", true, { TERM: "dumb" })).toBe(false);
    expect(useColor("always", false, { NO_COLOR: "1" })).toBe(true);
    expect(useColor("never", true, { FORCE_COLOR: "1" })).toBe(false);
    expect(useColor(false, true, {})).toBe(false);
  });

  it("whole numbers only", () => {
    const p = wholeNumber(1);
    expect(p("12")).toBe(12);
    for (const bad of ["0", "-1", "1.5", "1e3", "0x10", "", "9007199254740993"]) expect(() => p(bad), bad).toThrow();
  });

  it("the tool version is package.json's", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8"));
    expect(TOOL).toEqual({ name: pkg.name, version: pkg.version });
  });
});
