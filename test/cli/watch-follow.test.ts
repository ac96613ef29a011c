import { describe, expect, it } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { conv, tmpFile } from "../support/fixtures.js";
import { writeCapture, type Packet } from "../support/writer.js";
import { naturalCompare, nextInSeries } from "../../src/capture/source.js";
import { BIN, ROOT, run } from "./run.js";

/** Everything a child writes, and promises for the first time stdout or stderr contains a string. */
function collect(p: ChildProcess) {
  let out = "";
  let err = "";
  const waiters: { needle: string; on: "out" | "err"; resolve: () => void }[] = [];
  const check = () => {
    for (const w of waiters.filter((x) => (x.on === "out" ? out : err).includes(x.needle))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  p.stdout!.on("data", (d: Buffer) => { out += d.toString("utf8"); check(); });
  p.stderr!.on("data", (d: Buffer) => { err += d.toString("utf8"); check(); });
  const exited = new Promise<number | null>((resolve) => p.on("close", (code) => resolve(code)));
  return {
    get out() { return out; },
    get err() { return err; },
    exited,
    when: (needle: string, on: "out" | "err" = "out") => new Promise<void>((resolve) => ((on === "out" ? out : err).includes(needle) ? resolve() : waiters.push({ needle, on, resolve }))),
  };
}

/**
 * A child that writes capture files as tcpdump does: each line "go" on its stdin runs the next
 * step (append `data` to `file`, creating it); it answers "done N" on stdout after step N.
 */
function fileWriter(steps: { file: string; data: Buffer }[]) {
  const parts = steps.map((s) => ({ file: s.file, data: tmpFile(s.data) }));
  const script = `const fs=require("fs");const steps=${JSON.stringify(parts)};let i=0;
const step=()=>{const s=steps[i++];fs.appendFileSync(s.file,fs.readFileSync(s.data));process.stdout.write("done "+i+"\\n");};
step();process.stdin.on("data",(d)=>{for(const _ of d.toString().match(/go/g)??[])if(i<steps.length)step();});`;
  const p = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "pipe"] });
  return { p, io: collect(p) };
}

function closedSession(client: string, t0: number, mail = false) {
  const c = conv({ client, t0 });
  c.handshake();
  c.server("220 mx.example.test ESMTP\r\n");
  c.client("EHLO client.example.test\r\n").server("250 mx.example.test\r\n");
  if (mail) c.client("MAIL FROM:<a@example.test>\r\n").server("250 OK\r\n");
  c.client("QUIT\r\n").server("221 Bye\r\n");
  c.fin("client").fin("server");
  return c.packets;
}

const body = (pcap: Buffer) => pcap.subarray(24);

describe("smtpcap watch --follow", () => {
  it("follows a growing file and tcpdump -C's next file; frames and tcp.stream go on as mergecap -a's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smtpcap-follow-"));
    const cap = join(dir, "cap.pcap");
    const a = closedSession("192.0.2.10:40000", 1700000000);
    const b = closedSession("192.0.2.11:40001", 1700000010, true);
    const c = closedSession("192.0.2.12:40002", 1700000020);
    const half = 5;
    const steps = [
      { file: cap, data: writeCapture(a) },
      // B begins in cap.pcap, the rotation cuts it, and it ends in cap.pcap1 with C
      { file: cap, data: body(writeCapture(b.slice(0, half))) },
      { file: cap + "1", data: writeCapture([...b.slice(half), ...c]) },
    ];
    const w = fileWriter(steps);
    await w.io.when("done 1");
    const p = spawn(process.execPath, [BIN, "watch", "--follow", "--format", "ndjson", cap], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    const sm = collect(p);
    // A is complete while cap.pcap is still growing (the writer is alive, nothing is rotated)
    await sm.when('"type":"session"');
    expect(JSON.parse(sm.out.split("\n")[0])).toMatchObject({ tcpStream: 0, verdict: { fault: "none" } });
    w.p.stdin!.write("go\n");
    await w.io.when("done 2");
    w.p.stdin!.write("go\n");
    await w.io.when("done 3");
    await sm.when("following", "err");
    await sm.when('"tcpStream":2');
    p.kill("SIGTERM");
    expect(await sm.exited).toBe(0);
    w.p.kill();
    const lines = sm.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["session", "session", "session", "file"]);
    expect(lines.map((l) => l.tcpStream).slice(0, 3)).toEqual([0, 1, 2]);
    const firstOfNext = a.length + half + 1;
    expect(sm.err).toBe(`smtpcap: following ${cap}1: its frame 1 is frame ${firstOfNext} here (frames and tcp.stream as in the files concatenated, mergecap -a)\n`);
    expect(lines[3]).toMatchObject({ packets: a.length + b.length + c.length, sessionCount: 3 });
    // B's MAIL (in cap.pcap1) is named by the frame tshark gives it in the concatenation
    const merged = join(dir, "merged.pcap");
    execFileSync("mergecap", ["-a", "-F", "pcap", "-w", merged, cap, cap + "1"]);
    const tshark = execFileSync("tshark", ["-r", merged, "-Y", "smtp.req.command == \"MAIL\"", "-T", "fields", "-e", "frame.number", "-e", "tcp.stream"], { encoding: "utf8" }).trim();
    const mail = lines[1].commands.find((x: { verb: string }) => x.verb === "MAIL");
    expect(tshark).toBe(`${mail.frames[0]}\t1`);
    expect(mail.frames[0]).toBeGreaterThan(firstOfNext);
  }, 60000);

  it("--follow needs a FILE", () => {
    const r = run(["watch", "--follow", "-"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("smtpcap: --follow needs a FILE (standard input is followed anyway)\n");
  });

  it("the next file of a series: -C numbers and -G strftime names, in name order with numbers as numbers", async () => {
    expect(["cap.pcap10", "cap.pcap2", "cap.pcap", "cap.pcap1"].sort(naturalCompare)).toEqual(["cap.pcap", "cap.pcap1", "cap.pcap2", "cap.pcap10"]);
    const dir = mkdtempSync(join(tmpdir(), "smtpcap-series-"));
    for (const n of ["cap.pcap", "cap.pcap1", "cap.pcap2", "cap.pcap10", "other.pcap", "cap.pcap.gz", "g-20261207-0100.pcap", "g-20261207-0105.pcap", "g-20261207-0110.pcap"]) writeFileSync(join(dir, n), "");
    expect(await nextInSeries(join(dir, "cap.pcap"))).toBe(join(dir, "cap.pcap1"));
    expect(await nextInSeries(join(dir, "cap.pcap2"))).toBe(join(dir, "cap.pcap10"));
    expect(await nextInSeries(join(dir, "cap.pcap10"))).toBeNull();
    expect(await nextInSeries(join(dir, "g-20261207-0100.pcap"))).toBe(join(dir, "g-20261207-0105.pcap"));
    expect(await nextInSeries(join(dir, "g-20261207-0110.pcap"))).toBeNull();
  });
});

/** `watch -` fed by a child on a real pipe that writes `data` and ends. */
function pipeWatch(data: Buffer, args: string[] = []) {
  const f = tmpFile(data);
  const w = spawn(process.execPath, ["-e", `process.stdout.write(require("fs").readFileSync(${JSON.stringify(f)}))`], { stdio: ["ignore", "pipe", "inherit"] });
  const p = spawn(process.execPath, [BIN, "watch", ...args, "-"], { cwd: ROOT, stdio: [w.stdout!, "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  return { file: f, io: collect(p) };
}

describe("smtpcap watch: the stream itself", () => {
  it("a pcapng section header in the middle (tcpdump restarted) is followed; frame numbers go on", async () => {
    const a = closedSession("192.0.2.10:40000", 1700000000);
    const b: Packet[] = closedSession("192.0.2.11:40001", 1700000100, true);
    const data = Buffer.concat([writeCapture(a, { format: "pcapng" }), writeCapture(b, { format: "pcapng" })]);
    const { io } = pipeWatch(data, ["--format", "ndjson"]);
    expect(await io.exited).toBe(0);
    const lines = io.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["session", "session", "file"]);
    expect(lines[1]).toMatchObject({ tcpStream: 1, firstFrame: a.length + 1, verdict: { fault: "none" } });
    expect(lines[2]).toMatchObject({ format: "pcapng", packets: a.length + b.length, problems: [] });
    expect(io.err).toBe("");
  }, 30000);

  it("truncated and garbled input on the pipe: the same one-line errors as for the file", async () => {
    const good = writeCapture([...closedSession("192.0.2.10:40000", 1700000000), ...closedSession("192.0.2.11:40001", 1700000100)]);
    const cut = good.subarray(0, good.length - 7);
    const garbled = Buffer.from(good);
    // the 3rd record's captured length: 0x7fffffff
    let off = 24;
    for (let k = 0; k < 2; k++) off += 16 + garbled.readUInt32LE(off + 8);
    garbled.writeUInt32LE(0x7fffffff, off + 8);
    for (const [data, status] of [[cut, 0], [garbled, 3]] as const) {
      const { file, io } = pipeWatch(data, ["--format", "compact"]);
      expect(await io.exited).toBe(status);
      const fromFile = run(["watch", "--format", "compact", file]);
      expect(fromFile.code).toBe(status);
      expect(io.err).toBe(fromFile.err.replaceAll(file, "<stdin>"));
      expect(io.err.trim().split("\n")).toHaveLength(1);
      expect(io.err).toMatch(/^smtpcap: (warning: )?<stdin>: byte \d+: /);
    }
  }, 60000);
});
