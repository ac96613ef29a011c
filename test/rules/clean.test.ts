import { describe, expect, it } from "vitest";
import { clean, findings } from "../support/rules.js";

describe("a well-behaved session", () => {
  it("has no findings at all", async () => {
    expect(await findings(clean())).toEqual([]);
  });
});
