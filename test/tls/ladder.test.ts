import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import type { LadderedTlsFacts } from "../../src/tls/describe.js";
import { SHARED } from "../support/fixtures.js";
import { SHARED_PRESENT, describeShared } from "../support/shared.js";
import { hasTshark } from "../support/tshark.js";

const TLS = join(SHARED, "captures", "tls");
const files = SHARED_PRESENT ? readdirSync(TLS).filter((f) => f.endsWith(".pcap")).sort() : [];

/** tshark's Info column of each TLS frame (the oracle for the ladder's arrow texts). */
function tsharkInfo(file: string, keys: string | null): Map<number, string> {
  const out = execFileSync("tshark", ["-r", file, ...(keys ? ["-o", `tls.keylog_file:${keys}`] : []), "-Y", "tls", "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"], { encoding: "utf8" });
  return new Map(out.trim().split("\n").filter((l) => l !== "").map((l) => l.split("\t")).map(([f, info]) => [Number(f), info]));
}

describeShared("TLS ladder: each arrow names a frame's TLS records as tshark's Info column does", () => {
  for (const f of files) {
    for (const withKeys of [false, true]) {
      const keys = join(TLS, f.replace(/\.pcap$/, ".keys"));
      if (withKeys && !existsSync(keys)) continue;
      it.runIf(hasTshark())(`${f}${withKeys ? " with keys" : ""}`, async () => {
        const rep = await analyzeFile(join(TLS, f), { tlsKeylogs: withKeys ? [keys] : [] });
        const info = tsharkInfo(join(TLS, f), withKeys ? keys : null);
        const ladder = rep.sessions.flatMap((s) => (s.tls?.facts as LadderedTlsFacts | undefined)?.ladder ?? []);
        const hello = rep.sessions.flatMap((s) => (s.tls?.facts?.clientHello ? [s.tls.facts.clientHello.frame] : []));
        // every ClientHello is an arrow, and every arrow says what tshark says of its frame
        for (const h of hello) expect(ladder.some((a) => a.frame === h && a.text === "Client Hello")).toBe(true);
        for (const a of ladder) expect([a.frame, a.text.replace(/ \(decrypted\)/g, "")]).toEqual([a.frame, info.get(a.frame)]);
        // in time order
        for (let i = 1; i < ladder.length; i++) expect(ladder[i].time).toBeGreaterThanOrEqual(ladder[i - 1].time);
        // a decrypted message is marked only with keys
        if (!withKeys) expect(ladder.filter((a) => a.text.includes("(decrypted)"))).toEqual([]);
      });
    }
  }
});
