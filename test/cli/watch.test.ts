import { describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { cleanSample } from "../support/samples.js";
import { conv, tmpFile } from "../support/fixtures.js";
import { writeCapture } from "../support/writer.js";
import { BIN, ROOT } from "./run.js";

/** Everything a child writes to stdout, and a promise for the first time it contains `needle`. */
function collect(p: ChildProcess) {
  let out = "";
  let err = "";
  const waiters: { needle: string; resolve: () => void }[] = [];
  p.stdout!.on("data", (d: Buffer) => {
    out += d.toString("utf8");
    for (const w of waiters.filter((x) => out.includes(x.needle))) w.resolve();
  });
  p.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => p.on("close", (code) => resolve(code)));
  return {
    get out() { return out; },
    get err() { return err; },
    exited,
    when: (needle: string) => new Promise<void>((resolve) => (out.includes(needle) ? resolve() : waiters.push({ needle, resolve }))),
  };
}

/**
 * A writer child on a real pipe: writes `first`, then waits until its stdin says "go", then writes
 * `rest` and ends. Its stdout is smtpcap's stdin.
 */
function writer(first: Buffer, rest: Buffer) {
  const a = tmpFile(first);
  const b = tmpFile(rest);
  const script = `const fs=require("fs");process.stdout.write(fs.readFileSync(${JSON.stringify(a)}));process.stdin.once("data",()=>{process.stdout.write(fs.readFileSync(${JSON.stringify(b)}),()=>process.exit(0));});`;
  return spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
}

function watch(args: string[], stdin: ChildProcess["stdout"]) {
  return spawn(process.execPath, [BIN, "watch", ...args], { cwd: ROOT, stdio: [stdin!, "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
}

const PCAP_HEADER = 24;

describe("smtpcap watch", () => {
  it("a session's report arrives while the writer still holds the pipe open", async () => {
    const pcap = cleanSample();
    const w = writer(pcap, Buffer.alloc(0));
    const sm = collect(watch(["--format", "ndjson"], w.stdout));
    // the writer has not ended: it waits for "go"; the session (both FINs are in it) must come out now
    await sm.when('"type":"session"');
    expect(w.exitCode).toBeNull();
    expect(sm.out).not.toContain('"type":"file"');
    const session = JSON.parse(sm.out.split("\n")[0]);
    expect(session).toMatchObject({ index: 0, tcpStream: 0, verdict: { fault: "none" } });
    w.stdin!.write("go\n");
    expect(await sm.exited).toBe(0);
    const lines = sm.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["session", "file"]);
    expect(lines[1]).toMatchObject({ sessionCount: 1, packets: 12 });
  }, 30000);

  it("text: the same session block as analyze; the summary when the input ends", async () => {
    const pcap = cleanSample();
    const w = writer(pcap.subarray(0, PCAP_HEADER), pcap.subarray(PCAP_HEADER));
    const sm = collect(watch([], w.stdout));
    w.stdin!.write("go\n");
    expect(await sm.exited).toBe(0);
    expect(sm.out).toMatch(/^<stdin>\n\nSession 0 {2}tcp\.stream 0 {2}client 198\.51\.100\.10:40000 → server 203\.0\.113\.25:25\n/);
    expect(sm.out).toMatch(/\n {2}pcap, 12 packets from [^]*1 SMTP session; findings: 0 errors, 0 warnings, 0 infos\n$/);
    expect(sm.err).toBe("");
  }, 30000);

  it("a connection silent past --idle (capture time) is judged then, and says it saw no end", async () => {
    // one session left open (no QUIT reply, no FIN), then 20 s later another connection's packets
    const c = conv();
    c.handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO client.example.test\r\n");
    const d = conv({ client: "192.0.2.11:40001", t0: c.now + 20 });
    d.handshake();
    d.server("220 mx.example.test ESMTP\r\n");
    const pcap = writeCapture([...c.packets, ...d.packets]);
    const w = writer(pcap, Buffer.alloc(0));
    const sm = collect(watch(["--format", "ndjson", "--idle", "10"], w.stdout));
    await sm.when('"type":"session"');
    expect(w.exitCode).toBeNull();
    const first = JSON.parse(sm.out.split("\n")[0]);
    expect(first.tcpStream).toBe(0);
    expect(first.verdict.fault).toBe("undetermined");
    expect(first.verdict.summary).toBe("Cannot judge: the capture saw no end of this connection within 10 s of capture time (--idle), with EHLO (frame 5) unanswered.");
    // a dissector limit of its own kind, not the end of the capture
    expect(first.limits).toEqual([{ kind: "idle-closed", frame: 5, text: "the capture saw no end of this connection within 10 s of capture time (--idle), with EHLO (frame 5) unanswered" }]);
    w.stdin!.write("go\n");
    expect(await sm.exited).toBe(0);
    // the second connection ends with the input, as in analyze
    const second = JSON.parse(sm.out.trim().split("\n")[1]);
    expect(second.tcpStream).toBe(1);
    expect(second.verdict.summary).not.toContain("--idle");
  }, 30000);

  it("SIGTERM: what is open is judged, the summary written, exit as analyze", async () => {
    // a closed session (its report shows that smtpcap is reading), and one left open
    const done = conv({ client: "192.0.2.12:40002" });
    done.handshake();
    done.server("220 mx.example.test ESMTP\r\n");
    done.client("QUIT\r\n").server("221 Bye\r\n");
    done.fin("client").fin("server");
    const c = conv({ t0: done.now + 1 });
    c.handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO client.example.test\r\n");
    const w = writer(writeCapture([...done.packets, ...c.packets]), Buffer.alloc(0));
    const p = watch(["--format", "ndjson"], w.stdout);
    const sm = collect(p);
    await sm.when('"type":"session"');
    expect(sm.out.trim().split("\n")).toHaveLength(1);
    p.kill("SIGTERM");
    expect(await sm.exited).toBe(0);
    const lines = sm.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["session", "session", "file"]);
    expect(lines[1]).toMatchObject({ index: 1, tcpStream: 1, verdict: { fault: "undetermined" } });
    expect(lines[2]).toMatchObject({ sessionCount: 2 });
    // the status line is for terminals only
    expect(sm.err).toBe("");
    w.kill();
  }, 30000);

  it("--idle-wall: when nothing arrives for that long, the open connections are judged, saying why", async () => {
    const c = conv();
    c.handshake();
    c.server("220 mx.example.test ESMTP\r\n");
    c.client("EHLO client.example.test\r\n");
    const w = writer(writeCapture(c.packets), Buffer.alloc(0));
    const sm = collect(watch(["--format", "ndjson", "--idle-wall", "1"], w.stdout));
    await sm.when('"type":"session"');
    expect(w.exitCode).toBeNull();
    const first = JSON.parse(sm.out.split("\n")[0]);
    expect(first.verdict.summary).toBe("Cannot judge: the capture saw no end of this connection within 1 s without any packet arriving (--idle-wall), with EHLO (frame 5) unanswered.");
    w.stdin!.write("go\n");
    expect(await sm.exited).toBe(0);
    expect(sm.out.trim().split("\n").map((l) => JSON.parse(l).type)).toEqual(["session", "file"]);
  }, 30000);

  it("--max-open-flows: the longest-idle connection makes room, is judged saying so, and is counted", async () => {
    const a = conv({ client: "192.0.2.10:40000" });
    a.handshake();
    a.server("220 mx.example.test ESMTP\r\n");
    a.client("EHLO client.example.test\r\n");
    const b = conv({ client: "192.0.2.11:40001", t0: a.now + 1 });
    b.handshake();
    b.server("220 mx.example.test ESMTP\r\n");
    b.client("QUIT\r\n").server("221 Bye\r\n");
    b.fin("client").fin("server");
    const w = writer(writeCapture([...a.packets, ...b.packets]), Buffer.alloc(0));
    const sm = collect(watch(["--format", "ndjson", "--max-open-flows", "1"], w.stdout));
    w.stdin!.write("go\n");
    expect(await sm.exited).toBe(0);
    const lines = sm.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.type, l.tcpStream])).toEqual([["session", 0], ["session", 1], ["file", undefined]]);
    expect(lines[0].verdict.summary).toBe("Cannot judge: smtpcap stopped following this connection, the longest idle, to follow a new one (more than 1 open, --max-open-flows): the capture saw no end of it, with EHLO (frame 5) unanswered.");
    expect(lines[0].limits.map((l: { kind: string }) => l.kind)).toEqual(["idle-closed"]);
    expect(lines[1].verdict.fault).toBe("none");
    expect(sm.err).toBe("smtpcap: warning: <stdin>: SMTP connections ended early to make room: 1 (more than 1 were open at once, --max-open-flows; the longest idle each time)\n");
  }, 30000);

  it("a reader that goes away (| head): exit 0, nothing on stderr", async () => {
    const many = [];
    for (let i = 0; i < 200; i++) {
      const c = conv({ client: `192.0.2.${10 + (i % 200)}:${40000 + i}`, t0: 1700000000 + i });
      c.handshake();
      c.server("220 mx.example.test ESMTP\r\n");
      c.client("QUIT\r\n").server("221 Bye\r\n");
      c.fin("client").fin("server");
      many.push(...c.packets);
    }
    const w = writer(writeCapture(many), Buffer.alloc(0));
    const p = watch([], w.stdout);
    let err = "";
    p.stderr!.on("data", (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((resolve) => p.on("close", (code) => resolve(code)));
    p.stdout!.once("data", () => p.stdout!.destroy());
    expect(await exited).toBe(0);
    expect(err).toBe("");
    w.kill();
  }, 30000);

  it("README documents watch with the worked example", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain("tcpdump -i eth0 -U -w - 'tcp port 25 or tcp port 587' | smtpcap watch -");
  });
});
