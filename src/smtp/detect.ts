import type { TcpPacket } from "../tcp/decode.js";
import type { Flow, FlowApp, FlowFactory } from "../tcp/flows.js";
import type { Session } from "./model.js";
import { socksKind } from "../stream/socks.js";
import { TunnelLayer } from "../stream/tunnel.js";
import { DEFAULT_DISSECT, SmtpSession, type DissectOptions, type Evidence } from "./session.js";
import { sessionTcp } from "./tcp-facts.js";

/** Ports where SMTP is expected: SMTP (25), submission (587), the common alternative 2525. */
export const SMTP_PORTS = [25, 587, 2525];
/** Implicit TLS submission (RFC 8314). */
export const SMTPS_PORT = 465;

/** Client payloads an undecided connection may send before the server's first line decides. */
const MAX_CLIENT_FIRST = 4;

/** Greeting pattern that makes a connection on any other port a candidate: the server's first payload is a 220 line. */
function looksLikeGreeting(buf: Buffer, start: number, len: number): boolean {
  return len >= 4 && buf[start] === 0x32 && buf[start + 1] === 0x32 && buf[start + 2] === 0x30
    && (buf[start + 3] === 0x20 || buf[start + 3] === 0x2d || buf[start + 3] === 0x0d);
}

/** The payloads of direction `dir` kept while the connection is undecided, in order (empty: none). */
function earlyBytes(flow: Flow, dir: 0 | 1): Buffer {
  const e = flow.early, d = flow.earlyData;
  if (e === null || d === null) return EMPTY;
  const parts: Buffer[] = [];
  // Flow.early: nine numbers a packet, the direction first and the payload's index seventh
  for (let k = 0; k + 8 < e.length; k += 9) if (e[k] === dir && e[k + 6] >= 0) parts.push(d[e[k + 6]].data);
  return parts.length === 0 ? EMPTY : Buffer.concat(parts);
}
const EMPTY = Buffer.alloc(0);

/** bytes a 220 greeting may begin with when TCP cut it before its fourth byte ("2", "22", "220") */
function greetingPrefix(buf: Buffer, start: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (buf[start + i] !== (i === 0 ? 0x32 : i === 1 ? 0x32 : 0x30)) return false;
  return len > 0 && len < 4;
}

const CLIENT_FIRST_RE = /^(EHLO|HELO|LHLO) [\x21-\x7e]/i;
/** payload that only SMTP sends (the verbs and codes SMTP shares with FTP and others do not count) */
const SMTP_VERB_RE = /^(EHLO |HELO |LHLO |MAIL FROM:|RCPT TO:|STARTTLS\r?\n|BDAT [0-9])/i;


/** first client commands that make a connection SMTP (FTP, POP3 and the like send none of them first) */
const SMTP_EVIDENCE_RE = /^(EHLO|HELO|LHLO|MAIL|STARTTLS)( |$)/i;
/** client commands SMTP shares with other protocols (FTP has QUIT, NOOP, HELP, AUTH): no decision yet */
const SHARED_VERB_RE = /^(QUIT|NOOP|HELP|RSET|AUTH|VRFY|EXPN)( |$)/i;

/** reply lines only SMTP sends (the codes SMTP shares with FTP and others do not count) */
export const SMTP_REPLY_RE = /^(?:[245][0-9]{2}[ -][\x20-\x7e]*\bE?SMTP\b|250-(?:PIPELINING|8BITMIME|SIZE|STARTTLS|ENHANCEDSTATUSCODES|CHUNKING|SMTPUTF8|AUTH)\b|354 )/i;

/** Why a followed connection is not reported as an SMTP session. */
export type SkipReason = "no-payload" | "not-smtp";

/**
 * Whether one followed connection is SMTP, decided as the dialogue goes: "port" (an SMTP port, or
 * a tunnel to one), "pending" (a 220 greeting or a tunnel on another port: SMTP once the client
 * sends an SMTP command), "smtp" (confirmed), "rejected".
 */
export class SmtpEvidence implements Evidence {
  private state: "port" | "pending" | "smtp" | "rejected";

  constructor(tag: string, private readonly ports: ReadonlySet<number>) {
    this.state = tag === "greeting" || tag === "socks" ? "pending" : "port";
  }

  get rejected(): boolean {
    return this.state === "rejected";
  }

  clientLine(text: string): boolean {
    if (this.state !== "pending") return true;
    if (SMTP_EVIDENCE_RE.test(text)) this.state = "smtp";
    else if (!SHARED_VERB_RE.test(text)) {
      this.state = "rejected";
      return false;
    }
    return true;
  }

  tunnel(port: number, failed: boolean): void {
    if (failed) this.state = "rejected";
    else if (this.ports.has(port)) this.state = "port";
  }

  found(): void {
    // a tunnel on a port followed as SMTP: SMTP only if it leads to an SMTP port or speaks SMTP
    if (this.state === "port") this.state = "pending";
  }

  decide(s: Session): "smtp" | SkipReason {
    if (s.bytes.client === 0 && s.bytes.server === 0 && s.gaps.length === 0) return "no-payload";
    // the client's side absent from the capture: the server's own SMTP-only replies are the evidence
    if (this.state === "pending" && s.bytes.client === 0 && s.replies.some((r) => r.lines.some((l) => SMTP_REPLY_RE.test(l)))) this.state = "smtp";
    return this.state === "pending" || this.state === "rejected" ? "not-smtp" : "smtp";
  }
}

/** Counters the factory keeps for the file's statistics and diagnosis. */
export interface DetectStats {
  /** followed connections that never carried payload (refused, scanned) */
  connectionsWithoutPayload: number;
  /** connections with a 220 banner whose client did not speak SMTP (FTP and the like) */
  notSmtp: number;
  /** connections not followed whose first payload looked like SMTP, by the likely server port */
  smtpLikePorts: Map<number, number>;
}

/** Decides which TCP connections are SMTP and creates their dissectors. */
export class SmtpFlowFactory implements FlowFactory {
  private readonly ports: Set<number>;
  readonly stats: DetectStats = { connectionsWithoutPayload: 0, notSmtp: 0, smtpLikePorts: new Map() };

  constructor(extraPorts: number[], private readonly onSession: (s: Session) => void, private readonly opts: DissectOptions = DEFAULT_DISSECT) {
    this.ports = new Set([...SMTP_PORTS, SMTPS_PORT, ...extraPorts]);
  }

  classify(flow: Flow, pkt: TcpPacket, dir: 0 | 1): "follow" | "ignore" | "undecided" {
    const p0 = flow.initPort, p1 = flow.respPort;
    // The SYN sender is the client, so only the responder's port counts then (a client whose
    // ephemeral port happens to be 2525 is not talking SMTP); without a SYN, either port does,
    // and the side on the SMTP port is the server.
    if (this.ports.has(p1) || (!flow.sawSyn && this.ports.has(p0))) {
      flow.serverDir = flow.sawSyn || this.ports.has(p1) ? 1 : 0;
      return "follow";
    }
    if (pkt.payloadLen === 0) return "undecided";
    let buf = pkt.buf, start = pkt.payloadStart, len = pkt.capturedPayload;
    // a greeting TCP cut within its first three bytes: wait for the rest, then judge them together
    const before = flow.earlyPayloads > 0 ? earlyBytes(flow, dir) : EMPTY;
    if (before.length > 0 && greetingPrefix(before, 0, before.length)) {
      buf = Buffer.concat([before, buf.subarray(start, start + len)]);
      start = 0;
      len = buf.length;
    }
    if (greetingPrefix(buf, start, len) && flow.earlyPayloads < MAX_CLIENT_FIRST) return "undecided";
    if (looksLikeGreeting(buf, start, len)) {
      // a candidate: SMTP only once the client answers with an SMTP command (the session decides)
      flow.serverDir = dir;
      flow.tag = "greeting";
      return "follow";
    }
    const head = buf.toString("latin1", start, start + Math.min(len, 300));
    // a client that speaks first on another port: wait for the server's first line
    const clientSide = flow.sawSyn ? dir === 0 : true;
    if (clientSide && CLIENT_FIRST_RE.test(head) && flow.earlyPayloads < MAX_CLIENT_FIRST) return "undecided";
    // SMTP through an HTTP proxy: "CONNECT host:25 HTTP/1.x"
    const m = /^CONNECT \S+:(\d+) /.exec(head);
    if (m && this.ports.has(Number(m[1]))) {
      flow.serverDir = (dir ^ 1) as 0 | 1;
      flow.tag = "http-connect";
      return "follow";
    }
    // SMTP through a SOCKS proxy: SOCKS4 names the port at once; SOCKS5 after the method offer
    const socks = flow.earlyPayloads === 0 && (!flow.sawSyn || dir === 0) ? socksKind(buf, start, len) : 0;
    if (socks === 5 || (socks === 4 && this.ports.has(buf.readUInt16BE(start + 2)))) {
      flow.serverDir = (dir ^ 1) as 0 | 1;
      flow.tag = "socks";
      return "follow";
    }
    this.hint(flow, dir, head);
    return "ignore";
  }

  /** Remember the port of a connection not followed whose payload looks like SMTP (for "try --port N"). */
  private hint(flow: Flow, dir: 0 | 1, head: string): void {
    let port = -1;
    if (flow.earlyPayloads > 0) port = flow.respPort; // a client that spoke SMTP first, never answered with a greeting
    else if (SMTP_REPLY_RE.test(head)) port = dir === 0 ? flow.initPort : flow.respPort;
    else if (SMTP_VERB_RE.test(head)) port = dir === 0 ? flow.respPort : flow.initPort;
    if (port < 0) return;
    const m = this.stats.smtpLikePorts;
    if (m.size < 10000 || m.has(port)) m.set(port, (m.get(port) ?? 0) + 1);
  }

  abandoned(flow: Flow): void {
    if (flow.earlyPayloads === 0) this.stats.connectionsWithoutPayload++;
    else this.stats.smtpLikePorts.set(flow.respPort, (this.stats.smtpLikePorts.get(flow.respPort) ?? 0) + 1); // a client that spoke SMTP first, unanswered
  }

  create(flow: Flow): FlowApp {
    // the TCP layer's ACK/window trace goes with the session (read by the conversation pass)
    const done = (s: Session) => {
      s.tcp = sessionTcp(flow.tcpTrace(), flow.serverDir === 0 ? 0 : 1);
      this.onSession(s);
    };
    const session = new SmtpSession(flow, done, new SmtpEvidence(flow.tag, this.ports), this.opts, (why: SkipReason) => {
      if (why === "no-payload") this.stats.connectionsWithoutPayload++;
      else this.stats.notSmtp++;
    });
    // stream layers in front of the dissector: a tunnel's handshake is peeled off first; on a port
    // followed as SMTP, a client that opens with a SOCKS or HTTP CONNECT request is a tunnel too
    const serverDir = flow.serverDir === 0 ? 0 : 1;
    if (flow.tag === "socks" || flow.tag === "http-connect") return new TunnelLayer(flow.tag, serverDir, session);
    if (flow.tag === "") return new TunnelLayer("sniff", serverDir, session);
    return session;
  }
}
