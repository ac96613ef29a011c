import { describe, expect, it } from "vitest";
import { captures, compareBoth, TwoPoint } from "../compare/twopoint.js";

const EHLO = ["250-mx.example.test\r\n", "250-PIPELINING\r\n", "250-STARTTLS\r\n", "250 8BITMIME\r\n"].join("");

function path(rewrite: (s: string) => string, greeting = "220 mx.example.test ESMTP\r\n"): TwoPoint {
  const p = new TwoPoint().handshake();
  p.serverRewritten(greeting, greeting === "220 mx.example.test ESMTP\r\n" ? greeting : "220 ************** ****\r\n");
  p.client("EHLO c.example.test\r\n");
  p.serverRewritten(EHLO, rewrite(EHLO));
  return p.client("MAIL FROM:<a@example.test>\r\n").server("250 ok\r\n").close();
}

describe("compare names the box between the capture points when its effects match", () => {
  it("STARTTLS masked as XXXXXXXA at the client side only: the ASA kind and its knob, either order of the captures", async () => {
    const { cs, sc } = await compareBoth(captures([path((s) => s.replace("250-STARTTLS", "250-XXXXXXXA"))]));
    const knob = "to turn ESMTP inspection off: `policy-map global_policy / class inspection_default / no inspect esmtp`.";
    expect(cs.pairs[0].verdict).toContain(`The box between the capture points acts as ESMTP inspection of the Cisco ASA/PIX kind: capture A shows \`250-XXXXXXXA\` (frame 6), capture B does not; ${knob}`);
    expect(sc.pairs[0].verdict).toContain(`The box between the capture points acts as ESMTP inspection of the Cisco ASA/PIX kind: capture B shows \`250-XXXXXXXA\` (frame 6), capture A does not; ${knob}`);
  });

  it("a rewrite that is not the ASA kind's (a keyword dropped) names no box", async () => {
    const { cs } = await compareBoth(captures([path((s) => s.replace("250-STARTTLS\r\n", "250-NOTLS\r\n"))]));
    expect(cs.pairs[0].changes.some((c) => c.kind === "rewritten")).toBe(true);
    expect(cs.pairs[0].verdict.some((v) => v.startsWith("The box between the capture points acts as"))).toBe(false);
  });

  it("the shared two-point captures (a splitting proxy, a passthrough proxy) name no box", async () => {
    const { existsSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { SHARED } = await import("../support/fixtures.js");
    const { compareFiles } = await import("../../src/compare/index.js");
    const dir = join(SHARED, "captures", "twoside");
    if (!existsSync(dir)) return;
    for (const n of ["utm-naive-starttls", "utm-naive-auth", "proxy-passthrough-auth"]) {
      const r = await compareFiles(join(dir, `${n}.client-side.pcap`), join(dir, `${n}.server-side.pcap`));
      for (const p of r.pairs) expect(p.verdict.filter((v) => v.includes("acts as")), n).toEqual([]);
    }
  });
});
