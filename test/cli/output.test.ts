import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Output } from "../../src/cli/options.js";

describe("Output (-o FILE)", () => {
  it("writes every piece in order, UTF-8 encoded: small, multi-byte, across the 1 MiB buffer, larger than it", () => {
    const file = join(mkdtempSync(join(tmpdir(), "smtpcap-out-")), "r.json");
    const pieces = ["{", "frames 7–7 …", "x".repeat(400_000), "é".repeat(300_000), "😀".repeat(10), "y".repeat(2_500_000), "\u00ff\u0100", "}"];
    const out = new Output(file);
    for (const p of pieces) out.write(p);
    out.flush();
    out.write("\n");
    out.close();
    const got = readFileSync(file);
    expect(got.equals(Buffer.from(pieces.join("") + "\n", "utf8"))).toBe(true);
  });
});
