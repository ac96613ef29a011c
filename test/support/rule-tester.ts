import { describe, expect, it } from "vitest";
import type { AnalyzeOptions } from "../../src/analyze.js";
import type { Finding } from "../../src/rules/types.js";
import type { Conversation } from "./writer.js";
import { findings } from "./rules.js";

/**
 * ESLint's RuleTester for smtpcap rules: one call per rule lists its invalid cases (the exact
 * findings: severity, side, frames, message) and its valid ones (no finding) side by side, so a
 * reader of a rule finds its cases in test/rules/<rule>.test.ts at once.
 */
export interface RuleCase {
  name: string;
  /** a crafted capture, one scenario (test/support/writer.ts) */
  capture: () => Conversation | Conversation[];
  options?: Partial<AnalyzeOptions>;
}

export interface InvalidCase extends RuleCase {
  findings: { severity: Finding["severity"]; side: Finding["side"]; frames: number[]; message: string }[];
  /** further checks on the rule's findings (evidence, reference, …) */
  also?: (found: Finding[]) => void;
}

export function ruleTester(rule: string, cases: { invalid: InvalidCase[]; valid: RuleCase[] }): void {
  describe(rule, () => {
    describe("invalid", () => {
      for (const c of cases.invalid) {
        it(c.name, async () => {
          const found = (await findings(c.capture(), c.options)).filter((f) => f.rule === rule);
          expect(found.map((f) => ({ severity: f.severity, side: f.side, frames: f.frames, message: f.message }))).toEqual(c.findings);
          c.also?.(found);
        });
      }
    });
    describe("valid", () => {
      for (const c of cases.valid) {
        it(c.name, async () => {
          expect((await findings(c.capture(), c.options)).filter((f) => f.rule === rule).map((f) => f.message)).toEqual([]);
        });
      }
    });
  });
}
