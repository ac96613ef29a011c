import type { TcpPacket } from "../tcp/decode.js";
import type { Flow, FlowApp, FlowFactory } from "../tcp/flows.js";
import type { Session } from "./model.js";
import { DEFAULT_DISSECT, SmtpSession, type DissectOptions } from "./session.js";

/** Ports where SMTP is expected: SMTP (25), submission (587), the common alternative 2525. */
export const SMTP_PORTS = [25, 587, 2525];
/** Implicit TLS submission (RFC 8314). */
export const SMTPS_PORT = 465;

/** Greeting pattern that makes a connection on any other port SMTP: the server's first payload is a 220 line. */
function looksLikeGreeting(buf: Buffer, start: number, len: number): boolean {
  return len >= 4 && buf[start] === 0x32 && buf[start + 1] === 0x32 && buf[start + 2] === 0x30
    && (buf[start + 3] === 0x20 || buf[start + 3] === 0x2d || buf[start + 3] === 0x0d);
}

/** Decides which TCP connections are SMTP and creates their dissectors. */
export class SmtpFlowFactory implements FlowFactory {
  private readonly ports: Set<number>;

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
    if (looksLikeGreeting(pkt.buf, pkt.payloadStart, pkt.capturedPayload)) {
      flow.serverDir = dir;
      flow.tag = "greeting";
      return "follow";
    }
    // SMTP through an HTTP proxy: "CONNECT host:25 HTTP/1.x"
    const head = pkt.buf.toString("latin1", pkt.payloadStart, pkt.payloadStart + Math.min(pkt.capturedPayload, 300));
    const m = /^CONNECT \S+:(\d+) /.exec(head);
    if (m && this.ports.has(Number(m[1]))) {
      flow.serverDir = (dir ^ 1) as 0 | 1;
      flow.tag = "http-connect";
      return "follow";
    }
    return "ignore";
  }

  create(flow: Flow): FlowApp {
    return new SmtpSession(flow, this.onSession, this.opts);
  }
}
