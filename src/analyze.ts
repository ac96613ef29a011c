import { basename } from "node:path";
import { readCapture, type ReadResult } from "./capture/source.js";
import type { ReadProblem } from "./capture/types.js";
import { TcpPacket } from "./tcp/decode.js";
import { DEFAULT_TRACKER, FlowTracker } from "./tcp/flows.js";
import { SmtpFlowFactory } from "./smtp/detect.js";
import type { Session } from "./smtp/model.js";
import { DEFAULT_DISSECT } from "./smtp/session.js";
import { runRules, type RuleOptions, DEFAULT_RULE_OPTIONS } from "./rules/engine.js";
import type { Finding, SessionVerdict } from "./rules/types.js";

export interface AnalyzeOptions extends RuleOptions {
  /** extra ports on which to expect SMTP */
  ports: number[];
  showSecrets: boolean;
  maxOutOfOrderBytes: number;
  maxOpenFlows: number;
}

export const DEFAULT_ANALYZE: AnalyzeOptions = {
  ...DEFAULT_RULE_OPTIONS,
  ports: [],
  showSecrets: false,
  maxOutOfOrderBytes: DEFAULT_TRACKER.maxOutOfOrderBytes,
  maxOpenFlows: DEFAULT_TRACKER.maxOpenFlows,
};

export interface FileStats {
  frames: number;
  tcpPackets: number;
  tcpConnections: number;
  nonTcp: number;
  ipFragments: number;
  malformed: number;
}

/** Everything smtpcap knows about one capture file. */
export interface FileReport {
  file: string;
  format: ReadResult["format"];
  gzip: boolean;
  packets: number;
  bytes: number;
  stats: FileStats;
  sessions: (Session & { verdict: SessionVerdict })[];
  findings: Finding[];
  problems: ReadProblem[];
}

/** Read, reassemble, dissect and judge one capture file. Never throws for bad input. */
export async function analyzeFile(path: string, options: Partial<AnalyzeOptions> = {}): Promise<FileReport> {
  const opts: AnalyzeOptions = { ...DEFAULT_ANALYZE, ...options };
  const sessions: Session[] = [];
  const factory = new SmtpFlowFactory(opts.ports, (s) => sessions.push(s), { ...DEFAULT_DISSECT, showSecrets: opts.showSecrets });
  const tracker = new FlowTracker(factory, { ...DEFAULT_TRACKER, maxOutOfOrderBytes: opts.maxOutOfOrderBytes, maxOpenFlows: opts.maxOpenFlows });
  const pkt = new TcpPacket();
  const stats: FileStats = { frames: 0, tcpPackets: 0, tcpConnections: 0, nonTcp: 0, ipFragments: 0, malformed: 0 };
  const read = await readCapture(path, (frame, time, linkType, data, start, capLen) => {
    const kind = pkt.decode(linkType, data, start, capLen);
    if (kind === "tcp") tracker.packet(pkt, frame, time);
    else if (kind === "frag") stats.ipFragments++;
    else if (kind === "short") stats.malformed++;
    else stats.nonTcp++;
  });
  tracker.finishAll();
  stats.frames = read.frames;
  stats.tcpPackets = tracker.stats.tcpPackets;
  stats.tcpConnections = tracker.stats.connections;
  if (tracker.stats.overLimit > 0) {
    read.problems.push({ level: "warning", offset: 0, message: `${tracker.stats.overLimit} SMTP connections were not analysed: more than ${opts.maxOpenFlows} were open at once (--max-open-flows)` });
  }
  sessions.sort((a, b) => a.tcpStream - b.tcpStream);
  sessions.forEach((s, i) => (s.index = i));
  const judged = runRules(sessions, opts);
  return {
    file: path === "-" ? "<stdin>" : path,
    format: read.format,
    gzip: read.gzip,
    packets: read.frames,
    bytes: read.bytes,
    stats,
    sessions: judged.sessions,
    findings: judged.findings,
    problems: read.problems,
  };
}

export function displayName(path: string): string {
  return path === "-" ? "<stdin>" : basename(path);
}
