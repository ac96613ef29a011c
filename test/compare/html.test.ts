import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareCaptures, compareFiles, loadCapture, type CompareReport, type Pair } from "../../src/compare/index.js";
import { compareHtmlReport, ladderSvg } from "../../src/report/html/compare.js";
import { tmpFile } from "../support/fixtures.js";
import { hasTshark } from "../support/tshark.js";
import { rng } from "../support/writer.js";
import { TwoPoint, captures, EHLO7, splitByProxy } from "./twopoint.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "smtpcap.js");
const GREETING = "220 mx.example.test ESMTP\r\n";

/** The support case through a proxy: the server sends the EHLO reply in one segment; the box
 * forwards lines 1–3 and holds 4–7 for 0.6 s; the naive client sends STARTTLS in between. */
function supportCase(): TwoPoint {
  const { p, t } = splitByProxy();
  p.cs.ack("client", { t: t + 0.601 });
  p.ss.ack("client", { t: t + 0.6013 });
  return p;
}

function count(html: string, re: RegExp): number {
  return (html.match(re) ?? []).length;
}

/** The SVG group of the arrow of unit `u` at capture `cap`. */
function arrow(html: string, cap: "a" | "b", u: number): string {
  const m = new RegExp(`<g class="arrow[^"]*" data-cap="${cap}" data-unit="${u}"[^>]*>.*?</g>`).exec(html);
  expect(m, `arrow ${cap} ${u}`).not.toBeNull();
  return m![0];
}

/** Text of the text nodes of an SVG fragment (titles left out), entity-decoded. */
function texts(svg: string): string[] {
  return [...svg.replace(/<title>.*?<\/title>/g, "").matchAll(/<text[^>]*>(.*?)<\/text>/g)].map((m) => m[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&"));
}

/** The y coordinate of an arrow's line. */
function arrowY(g: string): number {
  return Number(/<line x1="[^"]+" y1="([^"]+)"/.exec(g)![1]);
}

function arrowX(g: string): [number, number] {
  const m = /<line x1="([^"]+)" y1="[^"]+" x2="([^"]+)"/.exec(g)!;
  return [Number(m[1]), Number(m[2])];
}

function embedded(html: string): unknown {
  const open = '<script type="application/json" id="smtpcap-compare-data">';
  const start = html.indexOf(open);
  expect(start).toBeGreaterThan(0);
  const blob = html.slice(start + open.length, html.indexOf("</script>", start));
  expect(blob).not.toMatch(/[<>]/);
  return JSON.parse(blob);
}

function seenAt(p: Pair, k: "a" | "b"): number {
  return p.units.filter((u) => u[k] !== null).length;
}

describe("compare --format html: the ladder of the support case through a splitting proxy", () => {
  it("draws three lifelines, one arrow per unit and capture point, frames of both captures on every arrow", async () => {
    const f = captures([supportCase()]);
    const r = await compareFiles(f.client, f.server);
    const html = compareHtmlReport(r, { showSecrets: false });
    const p = r.pairs[0];
    expect(p.placement).toBe("a-nearer-client");
    expect(count(html, /<g class="lifeline" data-lifeline="client">/g)).toBe(1);
    expect(count(html, /<g class="lifeline" data-lifeline="middlebox">/g)).toBe(1);
    expect(count(html, /<g class="lifeline" data-lifeline="server">/g)).toBe(1);
    // 5 units, all seen at both points: 5 arrows per capture
    expect(seenAt(p, "a")).toBe(5);
    expect(count(html, /<g class="arrow[^"]*" data-cap="a"/g)).toBe(5);
    expect(count(html, /<g class="arrow[^"]*" data-cap="b"/g)).toBe(5);
    // the EHLO reply (unit 2): A frames 6, 8 (two segments), B frame 6 (one)
    const ra = arrow(html, "a", 2), rb = arrow(html, "b", 2);
    expect(texts(ra)).toEqual(["the 250 EHLO reply (7 lines)", "A frames 6, 8 · B frame 6", `A: 2 segments · ${hms(p.units[2].a!.time)}`]);
    expect(texts(rb)).toEqual(["the 250 EHLO reply (7 lines)", "B frame 6 · A frames 6, 8", `B: 1 segment · ${hms(p.units[2].b!.time)}`]);
    expect(ra).toContain('data-frames="6 8"');
    // A is the client side: its reply arrow runs middlebox → client (left), B's server → middlebox
    const [a1, a2] = arrowX(ra), [b1, b2] = arrowX(rb);
    expect(a1).toBeGreaterThan(a2);
    expect(b1).toBeGreaterThan(b2);
    expect(a2).toBeLessThan(b2);
    expect(ra).toContain('marker-end="url(#p1-hs)"');
    // the first segment reached the client side at once (one row for both arrows); STARTTLS
    // (unit 3) came next; the reply's last segment (A frame 8) only after the hold, on its own row
    const ya = arrowY(ra), yb = arrowY(rb), ys = arrowY(arrow(html, "a", 3));
    const tail = /<g class="tail s2c" data-cap="a" data-unit="2" data-frame="8">.*?<\/g>/.exec(html)![0];
    const yt = arrowY(tail);
    expect(ya).toBe(yb);
    expect(ys).toBeGreaterThan(ya);
    expect(yt).toBeGreaterThan(ys);
    expect(texts(tail)).toEqual(["… the 250 EHLO reply (7 lines), continued", "A frame 8: the last of 2 segments", `A: ${hms(p.units[2].a!.times[1])}`]);
    expect(count(html, /<g class="tail/g)).toBe(1);
    // the hold on the middlebox lifeline: from B frame 6 to A frame 8
    expect(html).toContain(`<g class="hold" data-unit="2" data-frames="b 6 a 8"><line x1="620" y1="${yb}" x2="620" y2="${yt}"/></g>`);
    const mark = /<g class="mark" data-unit="2" data-marks="resegmented delayed">.*?<\/g>/.exec(html)![0];
    expect(texts(mark)).toEqual(["‖ held 600 ms beyond the usual transit (B frame 6 → A frame 8)", "✂ resegmented: 2 segments at A, 1 at B"]);
    // the 220 behind the held lines: B frame 8 → A frame 9, on rows of their own
    expect(texts(/<g class="mark" data-unit="4"[^>]*>.*?<\/g>/.exec(html)![0])).toEqual(["‖ held 597 ms beyond the usual transit (B frame 8 → A frame 9)"]);
    expect(arrowY(arrow(html, "b", 4))).toBeLessThan(yt);
    expect(arrowY(arrow(html, "a", 4))).toBeGreaterThan(yt);
    expect(html).toContain(`<g class="hold" data-unit="4" data-frames="b 8 a 9">`);
    // units nothing happened to between the points: one row for both arrows, no mark
    expect(arrowY(arrow(html, "a", 0))).toBe(arrowY(arrow(html, "b", 0)));
    expect(html).not.toContain('<g class="mark" data-unit="0"');
    expect(html).toContain("TCP terminated in between: two connections (A frames 1, 2 | B frames 1, 2)");
  });

  it("lists the pair verdict, both endpoint verdicts, the changes and the findings", async () => {
    const f = captures([supportCase()]);
    const r = await compareFiles(f.client, f.server);
    const html = compareHtmlReport(r, { showSecrets: false });
    const p = r.pairs[0];
    expect(count(html, /<tr data-kind="/g)).toBe(p.changes.length);
    expect(html).toMatch(/<tr data-kind="delayed"><td class="kind">delayed<\/td><td>server-to-client<\/td><td class="frames">8<\/td><td class="frames">6<\/td><td>600 ms<\/td>/);
    expect(html).toContain("<p>The segmentation the client saw of the 250 EHLO reply (7 lines) was produced between the two capture points; the server sent it in 1 segment.</p>");
    expect(html).toContain('<div class="verdict v-client" data-endpoint="a"><p><strong>Endpoint verdict in A (the client side)</strong> (tcp.stream 0): The client is at fault');
    expect(html).toContain('data-endpoint="b"><p><strong>Endpoint verdict in B (the server side)</strong>');
    expect(html).toContain('<li data-rule="intercepting-proxy-detected">');
    expect(html).toContain("Wireshark filter in A: <code class=\"filter-text\">tcp.stream eq 0 &amp;&amp; frame.number in {1,2,6,8,9}</code>");
    expect(html).toContain("<p>A was captured nearer the client, B nearer the server.</p>");
    expect(html).toContain("Only in A: none. Only in B: none.");
    expect(html).toMatch(/<dt>clock offset<\/dt><dd>B = A [+−] [0-9.]+ ms, estimated from 1 pair/);
    // the model, embedded as it is
    expect(embedded(html)).toEqual(JSON.parse(JSON.stringify(r)));
  });

  it("swapping the arguments puts the client side on the left all the same", async () => {
    const f = captures([supportCase()]);
    const r = await compareFiles(f.server, f.client);
    expect(r.pairs[0].placement).toBe("b-nearer-client");
    const html = compareHtmlReport(r, { showSecrets: false });
    expect(texts(/<g class="lifeline" data-lifeline="client">.*?<\/g>/.exec(html)![0])).toEqual(["client", "192.0.2.10:40000 in B"]);
    expect(texts(/<g class="lifeline" data-lifeline="server">.*?<\/g>/.exec(html)![0])).toEqual(["server", "10.0.0.25:25 in A"]);
    // B's arrow of the EHLO reply is on the client half now
    const [b1, b2] = arrowX(arrow(html, "b", 2));
    const [a1] = arrowX(arrow(html, "a", 2));
    expect(b2).toBeLessThan(b1);
    expect(b1).toBeLessThanOrEqual(a1);
    expect(texts(/<g class="mark" data-unit="2"[^>]*>.*?<\/g>/.exec(html)![0])).toContain("✂ resegmented: 2 segments at B, 1 at A");
  });
});

function hms(sec: number): string {
  const d = new Date(Math.floor(sec) * 1000);
  const us = Math.round((sec - Math.floor(sec)) * 1e6);
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}:${String(d.getUTCSeconds()).padStart(2, "0")}.${String(us).padStart(6, "0")}`;
}

describe("tshark as the oracle", () => {
  it.runIf(hasTshark())("every arrow's frames carry data of its direction, and its time is tshark's frame.time of its first frame (tails: of their frame)", async () => {
    const f = captures([supportCase()]);
    const r = await compareFiles(f.client, f.server);
    const html = compareHtmlReport(r, { showSecrets: false });
    const files = { a: f.client, b: f.server };
    for (const k of ["a", "b"] as const) {
      const out = spawnSync("tshark", ["-r", files[k], "-T", "fields", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "tcp.len", "-e", "tcp.dstport"], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }).stdout;
      const frames = new Map(out.trim().split("\n").map((l) => l.split("\t")).map(([n, t, len, dport]) => [Number(n), { t: Number(t), len: Number(len), toServer: dport === "25" }]));
      let seen = 0;
      for (const m of html.matchAll(new RegExp(`<g class="(arrow|tail) (c2s|s2c)[^"]*" data-cap="${k}" data-unit="\\d+" data-frames?="([\\d ]+)">.*?</g>`, "g"))) {
        const listed = m[3].split(" ").map(Number);
        for (const n of listed) {
          expect(frames.get(n)!.len, `${k} frame ${n}`).toBeGreaterThan(0);
          expect(frames.get(n)!.toServer, `${k} frame ${n}`).toBe(m[2] === "c2s");
        }
        expect(texts(m[0])[2]).toContain(hms(frames.get(listed[0])!.t));
        seen++;
      }
      expect(seen).toBe(seenAt(r.pairs[0], k) + (k === "a" ? 1 : 0));
    }
  });
});

describe("units seen at one point only", () => {
  it("a swallowed command ends at the middlebox as removed, the box's own reply starts there as injected", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server(EHLO7.join(""));
    p.clientSwallowed("VRFY postmaster\r\n").boxAnswers("502 5.5.1 VRFY not allowed\r\n");
    const f = captures([p.close()]);
    const r = await compareFiles(f.client, f.server);
    const pr = r.pairs[0];
    const html = compareHtmlReport(r, { showSecrets: false });
    expect(seenAt(pr, "a")).toBe(7);
    expect(seenAt(pr, "b")).toBe(5);
    expect(count(html, /<g class="arrow[^"]*" data-cap="a"/g)).toBe(7);
    expect(count(html, /<g class="arrow[^"]*" data-cap="b"/g)).toBe(5);
    const vrfy = pr.units.findIndex((u) => u.label === "VRFY postmaster");
    const reply = pr.units.findIndex((u) => u.label.startsWith("the 502"));
    // client → middlebox, and no further
    const g = arrow(html, "a", vrfy);
    expect(g).toMatch(/^<g class="arrow c2s one" /);
    expect(arrowX(g)).toEqual([182, 617]);
    expect(texts(g)[1]).toBe("A frame 7 · B not seen");
    expect(texts(/<g class="mark" data-unit="\d+" data-marks="removed">.*?<\/g>/.exec(html)![0])).toEqual(["✕ removed between the points: not in B"]);
    // middlebox → client
    const gr = arrow(html, "a", reply);
    expect(arrowX(gr)).toEqual([618, 183]);
    expect(texts(/<g class="mark" data-unit="\d+" data-marks="injected">.*?<\/g>/.exec(html)![0])).toEqual(["✱ injected between the points: not in B"]);
    expect(count(html, /<g class="end" data-unit="\d+"/g)).toBe(2);
  });
});

describe("a run of units forwarded in other segments", () => {
  it("pipelined commands sent in one segment and forwarded in three: one mark for the run, on its last unit", async () => {
    const p = new TwoPoint().handshake().server(GREETING).client("EHLO c.example.test\r\n").server("250-mx.example.test\r\n250 PIPELINING\r\n");
    const group = "MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n";
    p.client(group, { chunks: ["MAIL FROM:<a@example.test>\r\n", "RCPT TO:<b@example.test>\r\n", "DATA\r\n"] });
    p.server("250 ok\r\n250 ok\r\n354 go ahead\r\n").client("hello\r\n.\r\n").server("250 queued\r\n").close();
    const f = captures([p]);
    const r = await compareFiles(f.client, f.server);
    const html = compareHtmlReport(r, { showSecrets: false });
    const units = r.pairs[0].units;
    const data = units.findIndex((u) => u.label === "DATA");
    expect(count(html, /data-marks="resegmented"/g)).toBe(1);
    expect(texts(new RegExp(`<g class="mark" data-unit="${data}" data-marks="resegmented">.*?</g>`).exec(html)![0])).toEqual(["✂ these 3 units resegmented: 1 segment at A, 3 at B"]);
    // each command keeps its own frames on its arrows: all in A frame 7, one segment each at B
    expect(["MAIL FROM:<a@example.test>", "RCPT TO:<b@example.test>", "DATA"].map((l) => texts(arrow(html, "b", units.findIndex((u) => u.label === l)))[1]))
      .toEqual(["B frame 7 · A frame 7", "B frame 8 · A frame 7", "B frame 9 · A frame 7"]);
  });
});

describe("placement unknown", () => {
  it("a capture compared with itself: lifelines named after the captures, no direction along the path", async () => {
    const f = captures([supportCase()]);
    const c = await loadCapture(f.client);
    const r = compareCaptures(c, c);
    expect(r.pairs[0].placement).toBe("unknown");
    const html = compareHtmlReport(r, { showSecrets: false });
    expect(html).toContain('<p class="placement" data-placement="unknown">Cannot judge which capture point is nearer the client: the units seen at both points show no one-way transit between them. The ladder names its outer lifelines after the captures and draws no direction along the path.</p>');
    expect(html).toContain('<p class="placement" data-placement="unknown">Cannot judge which capture is nearer the client: the pairs do not show it; the ladders name their lifelines after the capture files.</p>');
    expect(html).not.toContain('data-lifeline="client"');
    expect(html).not.toContain('data-lifeline="server"');
    const a = `A: ${f.client}`;
    expect(texts(/<g class="lifeline" data-lifeline="a">.*?<\/g>/.exec(html)![0])[0]).toBe(a.length > 44 ? a.slice(0, 43) + "…" : a);
    expect(html).toContain(`capture A: ${f.client}</text>`);
    expect(html).not.toContain("marker-end");
    expect(html).not.toMatch(/\(client side\)|\(server side\)/);
    expect(texts(arrow(html, "a", 1))[0]).toBe("client → server: EHLO naive.example.test");
    expect(texts(arrow(html, "b", 2))[0]).toBe("server → client: the 250 EHLO reply (7 lines)");
    expect(count(html, /<g class="arrow[^"]*" data-cap="a"/g)).toBe(r.pairs[0].units.length);
    expect(count(html, /<g class="mark/g)).toBe(0);
    expect(html).toContain("No change: the same bytes in the same segments at both points.");
  });
});

describe("several pairs, unpaired sessions, the unit cap", () => {
  it("one ladder per pair; unpaired streams listed", async () => {
    const paths: TwoPoint[] = [];
    for (let i = 0; i < 4; i++) {
      const p = new TwoPoint({ t0: 1700000000 + i * 0.005, clientPort: 40000 + i, connectDelay: i === 0 ? 0.014 : 0.002 });
      paths.push(p.handshake().server(GREETING).client("EHLO same.example.test\r\n").server("250-mx.example.test\r\n250 PIPELINING\r\n").close());
    }
    const lone = new TwoPoint({ t0: 1700000000.1, clientPort: 40009 }).handshake().server(GREETING).client("EHLO b.example.test\r\n").server("250 ok\r\n").close();
    lone.ss.packets.length = 0;
    const f = captures([...paths, lone], { skew: 3.7 });
    const r = await compareFiles(f.client, f.server);
    const html = compareHtmlReport(r, { showSecrets: false });
    expect(r.pairs).toHaveLength(4);
    expect(count(html, /<svg class="cmp"/g)).toBe(4);
    expect(count(html, /<details class="pair" id="pair-\d" open>/g)).toBe(4);
    expect(count(html, /data-lifeline="middlebox"/g)).toBe(4);
    expect(html).toContain(`Only in A: tcp.stream ${r.unpaired.a.join(", ")}. Only in B: none.`);
    expect(r.unpaired.a).toEqual([4]);
    expect(html).toContain("4 paired sessions: changes between the capture points in 4.");
    // arrow ids and markers are per pair
    expect(count(html, /<marker id="p4-hc"/g)).toBe(1);
  });

  it("says how many units a capped pair did not draw", async () => {
    const f = captures([supportCase()]);
    const r = await compareFiles(f.client, f.server);
    const p = { ...r.pairs[0], unitsDropped: 17 };
    const { svg, arrows } = ladderSvg(r, p, 1);
    expect(arrows).toEqual({ a: 5, b: 5 });
    expect(texts(svg)).toContain("17 more units not drawn (a pair lists at most 2000)");
    // a pair without units still draws its lifelines
    const empty = ladderSvg(r, { ...r.pairs[0], units: [], changes: [] }, 1);
    expect(empty.arrows).toEqual({ a: 0, b: 0 });
    expect(count(empty.svg, /<g class="lifeline"/g)).toBe(3);
  });
});

describe("random sessions through random boxes", () => {
  it("every unit is drawn once at each point that saw it, and every change the comparison reports is marked on the ladder", async () => {
    for (let seed = 1; seed <= 16; seed++) {
      const r0 = rng(seed);
      const p = new TwoPoint({ t0: 1700000000 + seed, transit: 0.0001 + r0() * 0.0009, terminate: r0() < 0.7 }).handshake();
      p.server(GREETING).client("EHLO c.example.test\r\n");
      const whole = EHLO7.join("");
      if (r0() < 0.3) p.serverRewritten(whole, whole.replace("250-STARTTLS", "250-XXXXXXXA"));
      else {
        const cut = 1 + Math.floor(r0() * 5);
        p.server(whole, { chunks: [EHLO7.slice(0, cut).join(""), EHLO7.slice(cut).join("")], delays: [0, r0() < 0.5 ? 0.3 + r0() : 0] });
      }
      for (let i = 0, n = Math.floor(r0() * 4); i < n; i++) {
        p.client(`RCPT TO:<u${i}@example.test>\r\n`);
        if (r0() < 0.2) p.boxAnswers("250 ok (box)\r\n");
        else p.server("250 ok\r\n", { delays: [r0() < 0.2 ? 0.5 : 0] });
      }
      const f = captures([p.close()]);
      for (const r of [await compareFiles(f.client, f.server), await compareFiles(f.server, f.client)]) {
        const pr = r.pairs[0];
        const html = compareHtmlReport(r, { showSecrets: false });
        for (const k of ["a", "b"] as const) expect(count(html, new RegExp(`<g class="arrow[^"]*" data-cap="${k}"`, "g")), `seed ${seed} ${k}`).toBe(seenAt(pr, k));
        const marked = new Set([...html.matchAll(/<g class="mark[^"]*" data-unit="\d+" data-marks="([^"]*)"/g)].flatMap((m) => m[1].split(" ")));
        for (const c of pr.changes) if (c.kind !== "tcp-terminated") expect(marked.has(c.kind), `seed ${seed}: ${c.kind}`).toBe(true);
        expect(count(html, /<g class="hold"/g), `seed ${seed}`).toBe(pr.changes.filter((c) => c.kind === "delayed").length);
        expect(count(html, /<g class="mark neutral"/g), `seed ${seed}`).toBe(0);
      }
    }
  }, 60_000);

  it("two captures of different sessions: no pair, no ladder, and the page says so", async () => {
    const x = new TwoPoint().handshake().server(GREETING).client("EHLO a.example.test\r\n").server("250 ok\r\n").close();
    const y = new TwoPoint({ t0: 1700000000.1, clientPort: 40001 }).handshake().server("220 other.example.test\r\n").client("HELO b\r\n").server("250 hi\r\n").close();
    const r = await compareFiles(captures([x]).client, captures([y]).server);
    expect(r.pairs).toEqual([]);
    const html = compareHtmlReport(r, { showSecrets: false });
    expect(html).toContain("No session of A was found in B.");
    expect(html).toContain("Cannot judge which capture is nearer the client: no session was paired.");
    expect(html).toContain("<dt>clock offset</dt><dd>cannot judge: no session was paired</dd>");
    expect(html).toContain("Only in A: tcp.stream 0. Only in B: tcp.stream 0.");
    expect(count(html, /<svg/g)).toBe(0);
  });
});

describe("hostile capture text", () => {
  const SCRIPT = "<script>window.__pwned=1</script>";
  const IMG = "<img src=x onerror=window.__pwned=2>";
  const COMMENT = "</script><!-- <script>window.__pwned=5</script>";

  function hostile(): { client: string; server: string; report: Promise<CompareReport> } {
    const p = new TwoPoint().handshake().server(`220 ${SCRIPT} mx\r\n`).client(`EHLO ${IMG}\r\n`);
    p.serverRewritten(`250-mx ${COMMENT}\r\n250 \x1b[31mred\x07\r\n`, `250-mx ${IMG}\r\n250 \x1b[2J"q'\r\n`);
    p.clientSwallowed(`VRFY ${SCRIPT}\r\n`).boxAnswers(`502 ${COMMENT}\r\n`);
    const caps = captures([p.close()]);
    // the file names are capture-controlled text too
    const dir = mkdtempSync(join(tmpdir(), "smtpcap-cmphtml-"));
    const client = join(dir, `c<img src=y onerror=window.__pwned=4>".pcap`);
    const server = join(dir, "s<script>alert(1)<\\script>.pcap");
    writeFileSync(client, readFileSync(caps.client));
    writeFileSync(server, readFileSync(caps.server));
    return { client, server, report: compareFiles(client, server) };
  }

  it("escapes every string from the captures and keeps the embedded JSON inside its element", async () => {
    const h = hostile();
    const r = await h.report;
    const html = compareHtmlReport(r, { showSecrets: false });
    // exactly one script element: the JSON (the page runs no script at all)
    expect(count(html, /<script/gi)).toBe(1);
    expect(html).toContain("script-src &#39;none&#39;");
    expect(html).not.toMatch(/<img|<!--/i);
    expect(html).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
    expect(html).toContain("EHLO &lt;img src=x onerror=window.__pwned=2&gt;");
    expect(html).toContain("c&lt;img src=y onerror=window.__pwned=4&gt;&quot;.pcap");
    expect(html).toContain("\\x1b[2J&quot;q&#39;");
    expect(embedded(html)).toEqual(JSON.parse(JSON.stringify(r)));
    expect(r.a.file).toBe(h.client);
  });
});

describe("smtpcap compare --format html", () => {
  function run(args: string[]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  it("-o FILE writes the page; without -o it goes to standard output, as analyze --format html", () => {
    const f = captures([supportCase()]);
    const out = tmpFile(Buffer.alloc(0), ".html");
    const r = run(["compare", "--format", "html", "-o", out, f.client, f.server]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe("");
    const page = readFileSync(out, "utf8");
    expect(page.startsWith("<!doctype html>\n")).toBe(true);
    expect(count(page, /<svg class="cmp"/g)).toBe(1);
    expect(count(page, /<g class="arrow[^"]*" data-cap="a"/g)).toBe(5);
    // the SHA-256 of each capture, for the reader to check they hold the same files
    expect(page).toMatch(/<dt>SHA-256 of A<\/dt><dd><code>[0-9a-f]{64}<\/code>/);
    const s = run(["compare", "--format", "html", f.client, f.server]);
    expect(s.code).toBe(1);
    expect(s.out).toBe(page);
  });

  it("exits 0 on a capture compared with itself", () => {
    const f = captures([supportCase()]);
    const r = run(["compare", "--format", "html", f.client, f.client]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('data-placement="unknown"');
  });
});
