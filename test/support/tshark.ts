import { execFileSync, spawnSync } from "node:child_process";

export function hasTshark(): boolean {
  try {
    execFileSync("tshark", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface Followed {
  node0: string;
  node1: string;
  bytes0: number;
  bytes1: number;
  /** bytes tshark reports as "[N bytes missing in capture file]" */
  missing0: number;
  missing1: number;
}

const MISSING = /\[(\d+) bytes missing in capture file\]\x00?/g;

/** `tshark -z follow,tcp,raw,N` for several streams at once: reassembled payload octets per node. */
export function tsharkFollow(file: string, streams: number[]): Map<number, Followed> {
  const out = new Map<number, Followed>();
  if (streams.length === 0) return out;
  const args = ["-r", file, "-q", ...streams.flatMap((n) => ["-z", `follow,tcp,raw,${n}`])];
  // tshark exits non-zero on a corrupt file after printing what it could read
  const text = spawnSync("tshark", args, { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] }).stdout;
  const blocks = text.split("===================================================================").map((b) => b.trim()).filter((b) => b.startsWith("Follow:"));
  for (const b of blocks) {
    const lines = b.split("\n");
    const stream = Number(/tcp\.stream eq (\d+)/.exec(lines[1])![1]);
    const node0 = lines[2].replace(/^Node 0: /, "").trim();
    const node1 = lines[3].replace(/^Node 1: /, "").trim();
    const bytes = [0, 0];
    const missing = [0, 0];
    for (const l of lines.slice(4)) {
      if (!l.trim()) continue;
      const node = l.startsWith("\t") ? 1 : 0;
      // follow inserts a text marker for lost bytes: count it as missing, not as payload
      const data = Buffer.from(l.trim(), "hex").toString("latin1");
      let markers = 0;
      for (const m of data.matchAll(MISSING)) {
        missing[node] += Number(m[1]);
        markers += m[0].length;
      }
      bytes[node] += data.length - markers;
    }
    out.set(stream, { node0, node1, bytes0: bytes[0], bytes1: bytes[1], missing0: missing[0], missing1: missing[1] });
  }
  return out;
}

/** Streams tshark dissects as SMTP. */
export function tsharkSmtpStreams(file: string): number[] {
  const text = spawnSync("tshark", ["-r", file, "-T", "fields", "-e", "tcp.stream", "-Y", "smtp"], { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] }).stdout;
  return [...new Set(text.split("\n").filter(Boolean).map(Number))].sort((a, b) => a - b);
}
