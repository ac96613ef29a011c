/**
 * `smtpcap compare A B`: two captures taken at two points of the same path, their sessions
 * paired and every change between the points reported with frames on both sides (issue #14).
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { analyzeFile, type AnalyzeOptions, type FileReport } from "../analyze.js";
import { ALL_RULES } from "../rules/index.js";
import { filterFor } from "../rules/util.js";
import { boxBetween, productsOf } from "../products/match.js";
import { fingerprint } from "./align.js";
import { DEFAULT_COMPARE, type CompareFinding, type CompareOptions, type CompareReport, type Pair } from "./model.js";
import { PairAnalysis, type PairSide } from "./pair.js";
import { median, pairSessions } from "./pairing.js";
import { unitsOf } from "./units.js";
import { readWire, type WireSession } from "./wire.js";

export * from "./model.js";

/** A capture as the comparison reads it: the analysis, and the packets of its sessions. */
export interface CompareInput {
  report: FileReport;
  wire: Map<number, WireSession>;
  /** SHA-256 (hex) of the capture read from standard input, which cannot be hashed again later */
  sha256?: string;
}

export async function loadCapture(path: string, options: Partial<AnalyzeOptions> = {}): Promise<CompareInput> {
  if (path === "-") return loadStdin(options);
  const report = await analyzeFile(path, options);
  const wire = await readWire(path, report.sessions);
  return { report, wire };
}

/**
 * `-`: standard input, which can be read only once while a comparison reads each capture twice
 * (the analysis, then the packets' flags and handshakes): it is copied to a private temporary file
 * first (not held in memory), removed when both passes are done. `sha256`: of the bytes read, for
 * the HTML page, which cannot hash standard input afterwards.
 */
async function loadStdin(options: Partial<AnalyzeOptions>): Promise<CompareInput> {
  const dir = await mkdtemp(join(tmpdir(), "smtpcap-"));
  try {
    const file = join(dir, "stdin");
    const hash = createHash("sha256");
    const out = createWriteStream(file, { mode: 0o600 });
    await pipeline(process.stdin, async function* (src: AsyncIterable<Buffer>) {
      for await (const chunk of src) {
        hash.update(chunk);
        yield chunk;
      }
    }, out);
    const c = await loadCapture(file, options);
    c.report.file = "<stdin>";
    return { ...c, sha256: hash.digest("hex") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function meta(id: string): { reference: string } {
  const r = ALL_RULES.find((x) => x.meta.id === id);
  return { reference: r ? r.meta.reference : "RFC 5321 §2.3.10" };
}

function finding(p: Pair, rule: string, severity: CompareFinding["severity"], message: string, evidence: string, fa: number[], fb: number[]): CompareFinding {
  const a = [...new Set(fa)].sort((x, y) => x - y), b = [...new Set(fb)].sort((x, y) => x - y);
  return {
    rule, severity, side: "middlebox", message, reference: meta(rule).reference, evidence,
    frames: { a, b },
    filter: { a: filterFor(p.a.tcpStream, a), b: filterFor(p.b.tcpStream, b) },
  };
}

/** The catalogue findings the two captures prove together. */
function pairFindings(p: Pair, an: PairAnalysis): CompareFinding[] {
  const out: CompareFinding[] = [];
  const proxy = p.changes.filter((c) => c.kind === "tcp-terminated" || c.kind === "resegmented" || c.kind === "delayed");
  if (proxy.length > 0) {
    const kinds = [...new Set(proxy.map((c) => c.kind))];
    const seg = kinds.includes("resegmented") && p.placement !== "unknown" ? ": the segmentation seen at the client side was produced by the box, not by the MTA" : "";
    out.push(finding(p, "intercepting-proxy-detected", "info",
      `a proxy sits between the capture points (${kinds.join(", ")})${seg}`,
      proxy.map((c) => c.detail).join(" "), proxy.flatMap((c) => c.frames.a), proxy.flatMap((c) => c.frames.b)));
  }
  const rew = p.changes.filter((c) => c.kind === "rewritten" || c.kind === "injected" || c.kind === "removed");
  if (rew.length > 0) {
    out.push(finding(p, "middlebox-esmtp-rewriting", "warning",
      `the SMTP dialogue was changed between the capture points (${[...new Set(rew.map((c) => c.kind))].join(", ")}): the box acts as a gateway, not a wire`,
      rew.map((c) => c.detail).join(" "), rew.flatMap((c) => c.frames.a), rew.flatMap((c) => c.frames.b)));
  }
  for (const s of an.stripped) {
    out.push(finding(p, "starttls-unavailable-or-stripped", "warning", s.message, s.change.detail, s.change.frames.a, s.change.frames.b));
  }
  return out;
}

/** Seconds to the microsecond (capture timestamps carry no more). */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * Endpoint findings of the downstream capture that blame the sending endpoint for what the box
 * did (a split reply, a delay, a masked keyword): one sentence each, naming where it came from.
 */
function attributions(p: Pair): string[] {
  if (p.placement === "unknown") return [];
  const clientCap: "a" | "b" = p.placement === "a-nearer-client" ? "a" : "b";
  const serverCap: "a" | "b" = clientCap === "a" ? "b" : "a";
  const hits = new Map<string, { s2c: boolean; finding: Pair["endpoints"]["a"]["findings"][number]; kinds: Set<string> }>();
  for (const c of p.changes) {
    if (c.kind === "tcp-terminated" || c.kind === "removed") continue;
    const s2c = c.direction === "server-to-client";
    const down = s2c ? clientCap : serverCap;
    const sender = s2c ? "server" : "client";
    const frames = new Set(c.frames[down]);
    for (const f of p.endpoints[down].findings) {
      if ((f.side !== sender && f.side !== "middlebox") || !f.frames.some((x) => frames.has(x))) continue;
      const key = `${s2c} ${f.rule} ${f.frames.join(",")}`;
      const h = hits.get(key) ?? { s2c, finding: f, kinds: new Set<string>() };
      h.kinds.add(c.kind);
      hits.set(key, h);
    }
  }
  return [...hits.values()].map(({ s2c, finding: f, kinds }) => {
    const sender = s2c ? "server" : "client";
    const who = f.side === "middlebox" ? "a middlebox" : `the ${sender}`;
    return `At the ${s2c ? "client" : "server"} side, ${f.rule} (frames ${f.frames.join(", ")}) points at ${who}; the ${sender} side shows the ${sender} did not do it: the bytes were ${[...kinds].join(" and ")} between the capture points.`;
  });
}

/** Where this capture sits, from the pairs' placements. */
function nearer(pairs: Pair[], side: "a" | "b"): "client" | "server" | "unknown" {
  const votes = pairs.map((p) => p.placement).filter((x) => x !== "unknown");
  if (votes.length === 0) return "unknown";
  const aClient = votes.filter((v) => v === "a-nearer-client").length;
  if (aClient * 2 === votes.length) return "unknown";
  const aIsClient = aClient * 2 > votes.length;
  return (side === "a") === aIsClient ? "client" : "server";
}

/** Compare two analysed captures (A and B in the order given). */
export function compareCaptures(A: CompareInput, B: CompareInput, options: Partial<CompareOptions> = {}): CompareReport {
  const opts = { ...DEFAULT_COMPARE, ...options };
  const sa = A.report.sessions, sb = B.report.sessions;
  const ua = sa.map(unitsOf), ub = sb.map(unitsOf);
  const { pairs: cands } = pairSessions(sa, ua, ua.map(fingerprint), sb, ub, ub.map(fingerprint));
  const fa = A.report.findings, fb = B.report.findings;
  const pairs: Pair[] = [];
  for (const c of cands) {
    const side = (name: "a" | "b", r: FileReport, i: number, units: typeof ua[number], wire: Map<number, WireSession>, fs: typeof fa): PairSide =>
      ({ name, session: r.sessions[i], findings: fs.filter((f) => f.tcpStream === r.sessions[i].tcpStream), units, wire: wire.get(r.sessions[i].tcpStream) });
    const an = new PairAnalysis(side("a", A.report, c.i, ua[c.i], A.wire, fa), side("b", B.report, c.j, ub[c.j], B.wire, fb), opts);
    an.run();
    const p = an.result();
    p.similarity = Math.round(c.sim * 1000) / 1000;
    p.pairedBy = `${c.same} of ${c.total} commands and replies are identical at both points and the timing fits one session seen at two points${an.sameConnection ? "; the same TCP connection (equal ISNs)" : ""}`;
    if (!an.sameConnection && p.changes.some((x) => x.kind === "rewritten" || x.kind === "injected" || x.kind === "removed")) {
      p.limits.push(`cannot prove that A's tcp.stream ${p.a.tcpStream} and B's tcp.stream ${p.b.tcpStream} are one session: they were paired because ${p.pairedBy}; if they are two sessions, the rewritten, injected or removed units are differences between sessions, not the box's doing`);
    }
    p.findings = pairFindings(p, an);
    if (p.changes.every((x) => x.kind === "tcp-terminated")) {
      const apart = p.placement === "unknown" ? "" : `, ${(Math.abs(p.transit) * 1000).toFixed(3)} ms apart`;
      p.verdict.push(p.changes.length === 0
        ? `Nothing changed between the capture points: the same bytes in the same segments${apart}.`
        : `Otherwise the dialogue passed the box unchanged: the same bytes in the same segments${apart}.`);
    }
    p.verdict.push(...attributions(p));
    // the box named when its rewriting shows at one point only (src/products)
    if (p.changes.some((x) => x.kind === "rewritten")) {
      const box = boxBetween(productsOf(sa[c.i], fa.filter((f) => f.tcpStream === sa[c.i].tcpStream)), productsOf(sb[c.j], fb.filter((f) => f.tcpStream === sb[c.j].tcpStream)), { a: "capture A", b: "capture B" });
      if (box) p.verdict.push(box);
    }
    p.offset = round6(p.offset);
    p.transit = round6(p.transit);
    pairs.push(p);
  }
  const pairedA = new Set(cands.map((c) => c.i)), pairedB = new Set(cands.map((c) => c.j));
  const offsets = pairs.map((p) => p.offset);
  const outcome = pairs.length === 0 ? "nothing-paired" : pairs.some((p) => p.changes.length > 0) ? "changed" : "unchanged";
  return {
    schemaVersion: 1,
    a: { file: A.report.file, sessions: sa.length, nearer: nearer(pairs, "a") },
    b: { file: B.report.file, sessions: sb.length, nearer: nearer(pairs, "b") },
    clockOffset: pairs.length ? { seconds: round6(median(offsets)), pairs: pairs.length } : null,
    pairs,
    unpaired: {
      a: sa.filter((_, i) => !pairedA.has(i)).map((s) => s.tcpStream),
      b: sb.filter((_, i) => !pairedB.has(i)).map((s) => s.tcpStream),
    },
    outcome,
  };
}

/** Read, analyse and compare two capture files. */
export async function compareFiles(a: string, b: string, analyze: Partial<AnalyzeOptions> = {}, options: Partial<CompareOptions> = {}): Promise<CompareReport> {
  const [ca, cb] = [await loadCapture(a, analyze), await loadCapture(b, analyze)];
  return compareCaptures(ca, cb, options);
}
