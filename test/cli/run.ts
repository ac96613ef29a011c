import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const BIN = join(ROOT, "bin", "smtpcap.js");

/** Runs the built CLI; colour variables are cleared unless given. */
export function run(args: string[], o: { input?: Buffer; env?: Record<string, string> } = {}) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...o.env };
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input: o.input, encoding: "utf8", env: env as NodeJS.ProcessEnv, maxBuffer: 1 << 30 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Offsets of each record in a classic pcap file (24-byte header, 16-byte record headers). */
export function pcapRecordOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  for (let off = 24; off + 16 <= buf.length; off += 16 + buf.readUInt32LE(off + 8)) out.push(off);
  return out;
}
