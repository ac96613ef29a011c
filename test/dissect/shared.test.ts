import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { toJson } from "../../src/report/json.js";
import { SHARED } from "../support/fixtures.js";
import { captures } from "../support/golden.js";
import { describeShared, SHARED_PRESENT } from "../support/shared.js";
import { hasTshark } from "../support/tshark.js";

const ROOT = join(SHARED, "captures");
const SAMPLE = join(import.meta.dirname, "..", "..", "samples", "support-case.pcapng");
const tshark = hasTshark();

/** tcp.stream → frames of TLS ClientHellos, as tshark decodes them. */
function clientHellos(file: string): Map<number, number[]> {
  const out = spawnSync("tshark", ["-r", file, "-Y", "tls.handshake.type == 1", "-T", "fields", "-e", "tcp.stream", "-e", "frame.number"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).stdout;
  const m = new Map<number, number[]>();
  for (const line of out.split("\n").filter(Boolean)) {
    const [stream, frame] = line.split("\t").map(Number);
    m.set(stream, [...(m.get(stream) ?? []), frame]);
  }
  return m;
}

describeShared("TLS claims agree with the ClientHellos tshark sees", () => {
  for (const file of SHARED_PRESENT ? captures(ROOT) : []) {
    it.runIf(tshark)(relative(ROOT, file), async () => {
      const rep = await analyzeFile(file);
      const hellos = clientHellos(file);
      for (const s of rep.sessions) {
        const h = hellos.get(s.tcpStream) ?? [];
        // never called encrypted without a ClientHello in its stream
        if (s.tls?.encrypted) expect(h.length, `tcp.stream ${s.tcpStream}`).toBeGreaterThan(0);
        // a ClientHello after a STARTTLS 220 is called encrypted
        if (s.tls?.mode === "starttls" && h.some((f) => f > s.tls!.frame)) expect(s.tls.encrypted, `tcp.stream ${s.tcpStream}`).toBe(true);
        if (s.tls?.encrypted) expect(s.tls.clientHelloFrame).toBe(h[0]);
      }
    });
  }
});

describeShared("what the shared captures lack", () => {
  it("zeek/smtp-attachment-msg: the client acknowledged 169 server bytes and the server's FIN, none captured", async () => {
    // tshark: the client's last ACK (frame 17) is relative 171 = 169 data octets after the 1 of the
    // SYN, then the server's FIN, after the client's own FIN (frame 16, ack 170)
    const s = (await analyzeFile(join(ROOT, "zeek", "smtp-attachment-msg.pcap"))).sessions[0];
    expect(s.bytes.server).toBe(0);
    expect(s.gaps).toEqual([{ side: "server", offset: 0, bytes: 169, frame: 17, reason: "by the end of the capture the client had acknowledged 169 server bytes and the server's FIN that the capture does not hold (ACK in frame 17)" }]);
    expect(s.limits.map((l) => [l.kind, l.side, l.bytes])).toEqual([["no-server-bytes", "server", 169], ["acked-not-captured", "server", 169]]);
  });

  it("zeek/smtp-one-side-only: only the client's side", async () => {
    const s = (await analyzeFile(join(ROOT, "zeek", "smtp-one-side-only.pcap"))).sessions[0];
    expect(s.limits[0]).toEqual({ kind: "no-server-bytes", side: "server", frame: 19, bytes: 763, text: "the capture holds only the client's side: no packet from the server" });
  });

  it("smtp-errors stream 3 (port 465): the server answered the ClientHello in plaintext; not encrypted, replies kept", async () => {
    const s = (await analyzeFile(join(ROOT, "suricata-verify", "smtp-errors", "smtperr.pcap"))).sessions.find((x) => x.tcpStream === 3)!;
    expect(s.tls).toMatchObject({ mode: "implicit", clientHelloFrame: 151, serverHelloFrame: null, encrypted: false });
    expect(s.replies.map((r) => r.code)).toEqual([220, 402, 402, 400, 400, 402]);
    expect(s.limits).toEqual([]);
  });

  it("suricata-verify/ftp-quit: an FTP connection is not an SMTP session", async () => {
    const rep = await analyzeFile(join(ROOT, "suricata-verify", "ftp-quit", "input.pcap"));
    expect(rep.sessions).toEqual([]);
    expect(rep.diagnosis).toMatch(/^TCP but no SMTP: 1 TCP connection, none on an SMTP port/);
  });

  it("suricata-verify/smtp-long-command: QUIT sent where the server expected the AUTH LOGIN user name", async () => {
    const s = (await analyzeFile(join(ROOT, "suricata-verify", "smtp-long-command", "input.pcap"))).sessions[0];
    const q = s.commands.find((c) => c.frames[0] === 19)!;
    expect(q).toMatchObject({ kind: "command", verb: "QUIT", line: "QUIT", takenAsAuthResponse: true, secret: false });
    expect(s.replies[q.replies[0]].lines).toEqual(["334 UGFzc3dvcmQ6"]);
  });

  it.runIf(tshark)("one-sided copies of the lab captures carry the limit of the missing side", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smtpcap-oneside-"));
    for (const file of captures(join(ROOT, "lab"))) {
      for (const [keep, lacks] of [["198.51.100.10", "no-server-bytes"], ["198.51.100.25", "no-client-bytes"]] as const) {
        const out = join(dir, `${keep}-${basename(file)}`);
        execFileSync("tshark", ["-r", file, "-Y", `ip.src == ${keep}`, "-w", out, "-F", "pcap"], { stdio: "ignore" });
        let rep = await analyzeFile(out);
        if (rep.sessions.length === 0) {
          // a server on an unlisted port is recognised by its greeting: without the server's side
          // the file says which port to try, and with it the session is there
          const port = /try --port (\d+)/.exec(rep.diagnosis ?? "");
          expect(port, `${basename(file)} from ${keep}: ${rep.diagnosis}`).not.toBeNull();
          rep = await analyzeFile(out, { ports: [Number(port![1])] });
        }
        expect(rep.sessions.length, `${basename(file)} from ${keep}`).toBeGreaterThan(0);
        for (const s of rep.sessions) expect(s.limits.map((l) => l.kind), `${basename(file)} from ${keep}`).toContain(lacks);
      }
    }
  });
});

it("the support-case sample, session 1: QUIT seen (taken as the AUTH LOGIN user name), no credential in it", async () => {
  const rep = await analyzeFile(SAMPLE);
  const s = rep.sessions[1];
  expect(s.commands.map((c) => [c.kind, c.verb, c.line, c.frames, c.takenAsAuthResponse ?? false, c.secret])).toEqual([
    ["command", "EHLO", "EHLO client.example.test", [20], false, false],
    ["command", "AUTH", "AUTH LOGIN", [23], false, false],
    ["command", "QUIT", "QUIT", [28], true, false],
  ]);
  expect(s.commands.some((c) => c.kind === "auth-response" || c.authUser !== undefined)).toBe(false);
  expect(rep.sessions[0].tls).toMatchObject({ mode: "starttls", frame: 11, encrypted: false, plaintextFrame: 13 });
  expect(JSON.stringify(toJson(rep))).not.toContain("[redacted");
});
