/**
 * Two-point fixtures: one SMTP session written as two captures, one on the client's link and
 * one on the server's, with a box between them that may terminate TCP, re-segment, hold back,
 * rewrite or inject. Times are those of the sender's capture point; `transit` is added for the
 * far one, and `skew` is added to every time of the server-side capture (unsynchronised clocks).
 */
import { Conversation, writeCapture, type Packet } from "../support/writer.js";
import { tmpFile } from "../support/fixtures.js";
import { compareFiles } from "../../src/compare/index.js";
import type { CompareReport } from "../../src/compare/model.js";

export interface PathOptions {
  /** the box terminates TCP (its own connection to the server: other port, other ISNs) */
  terminate?: boolean;
  /** one-way time between the capture points (s) */
  transit?: number;
  t0?: number;
  clientPort?: number;
  /** the server as the client sees it (NAT/proxy address) and as the server-side capture sees it */
  serverAtClient?: string;
  serverAtServer?: string;
  clientAtServer?: string;
  /** a terminating box connects to the server this long after the client's SYN (s) */
  connectDelay?: number;
}

export class TwoPoint {
  readonly cs: Conversation;
  readonly ss: Conversation;
  t: number;
  readonly transit: number;
  private readonly terminate: boolean;
  private readonly connectDelay: number;

  constructor(o: PathOptions = {}) {
    this.terminate = o.terminate ?? true;
    this.transit = o.transit ?? 0.0002;
    this.connectDelay = o.connectDelay ?? 0.002;
    this.t = o.t0 ?? 1700000000;
    const port = o.clientPort ?? 40000;
    this.cs = new Conversation(`192.0.2.10:${port}`, o.serverAtClient ?? "192.0.2.25:25", { t0: this.t });
    this.ss = new Conversation(o.clientAtServer ?? (this.terminate ? `10.0.0.1:${port + 10000}` : `192.0.2.10:${port}`), o.serverAtServer ?? "10.0.0.25:25", {
      t0: this.t,
      isn: this.terminate ? { client: 777000, server: 888000 } : undefined,
    });
  }

  /** advance the sender's clock by `dt` seconds */
  wait(dt: number): this {
    this.t += dt;
    return this;
  }

  handshake(): this {
    const t = this.t;
    const x = this.transit;
    if (this.terminate) {
      // the box, half way between the points, answers the client's SYN at once and connects
      // to the server `connectDelay` later
      this.cs.handshake(t);
      const [syn, synAck, ack] = this.cs.packets.slice(-3);
      synAck.time = syn.time + x;
      ack.time = synAck.time + 0.0001;
      this.ss.handshake(syn.time + x / 2 + this.connectDelay - 0.001);
      this.t = Math.max(ack.time, this.ss.now) + 0.001;
    } else {
      this.cs.handshake(t);
      this.ss.handshake(t + x);
      this.t = t + x + 0.004;
    }
    return this;
  }

  /** The server sends `data` in one segment; the client side receives it in `chunks` (default: as sent), chunk i held `delays[i]` extra seconds. */
  server(data: string, o: { chunks?: string[]; delays?: number[] } = {}): this {
    const chunks = o.chunks ?? [data];
    if (chunks.join("") !== data) throw new Error("chunks must make up the data");
    this.ss.server(data, { t: this.t });
    chunks.forEach((c, i) => this.cs.server(c, { t: this.t + this.transit + i * 0.00001 + (o.delays?.[i] ?? 0) }));
    this.t = Math.max(this.cs.now, this.ss.now) + 0.001;
    return this;
  }

  /** The client sends `data`; the server side receives it in `chunks`. */
  client(data: string, o: { chunks?: string[]; delays?: number[]; asServerSees?: string } = {}): this {
    const seen = o.asServerSees ?? data;
    const chunks = o.chunks ?? [seen];
    this.cs.client(data, { t: this.t });
    chunks.forEach((c, i) => this.ss.client(c, { t: this.t + this.transit + i * 0.00001 + (o.delays?.[i] ?? 0) }));
    this.t = Math.max(this.cs.now, this.ss.now) + 0.001;
    return this;
  }

  /** Bytes from the server that the box rewrites: `toClient` is what the client side sees. */
  serverRewritten(data: string, toClient: string): this {
    this.ss.server(data, { t: this.t });
    this.cs.server(toClient, { t: this.t + this.transit });
    this.t = Math.max(this.cs.now, this.ss.now) + 0.001;
    return this;
  }

  /** A reply only the client side sees: the box answers by itself. */
  boxAnswers(data: string): this {
    this.cs.server(data, { t: this.t });
    this.t = this.cs.now + 0.001;
    return this;
  }

  /** A command only the client side sees: the box swallows it. */
  clientSwallowed(data: string): this {
    this.cs.client(data, { t: this.t });
    this.t = this.cs.now + 0.001;
    return this;
  }

  close(): this {
    this.client("QUIT\r\n").server("221 bye\r\n");
    this.cs.fin("server", { t: this.t });
    this.cs.fin("client", { t: this.t + 0.0001 });
    this.ss.fin("server", { t: this.t + 0.0002 });
    this.ss.fin("client", { t: this.t + 0.0003 });
    this.t += 0.001;
    return this;
  }
}

function write(convs: Conversation[], skew = 0): string {
  const packets: Packet[] = convs.flatMap((c) => c.packets).map((p) => ({ ...p, time: p.time + skew })).sort((a, b) => a.time - b.time);
  return tmpFile(writeCapture(packets));
}

/** Write the client-side and server-side captures of one or more two-point sessions. */
export function captures(paths: TwoPoint[], o: { skew?: number } = {}): { client: string; server: string } {
  return { client: write(paths.map((p) => p.cs)), server: write(paths.map((p) => p.ss), o.skew ?? 0) };
}

export async function compareBoth(f: { client: string; server: string }): Promise<{ cs: CompareReport; sc: CompareReport }> {
  return { cs: await compareFiles(f.client, f.server), sc: await compareFiles(f.server, f.client) };
}

export const EHLO7 = ["250-mx.example.test", "250-PIPELINING", "250-SIZE 10240000", "250-STARTTLS", "250-AUTH PLAIN LOGIN", "250-8BITMIME", "250 CHUNKING"].map((l) => l + "\r\n");

/**
 * The support case through a splitting proxy, up to the STARTTLS 220 at both points: the server
 * sends the EHLO reply in one segment; the box forwards lines 1–3 and holds 4–7 for 0.6 s; the
 * naive client sends STARTTLS in between. `t` is the time of the server's EHLO reply.
 */
export function splitByProxy(): { p: TwoPoint; t: number } {
  const p = new TwoPoint({ transit: 0.0003 }).handshake().server("220 mx.example.test ESMTP\r\n").client("EHLO naive.example.test\r\n");
  const t = p.t;
  p.ss.server(EHLO7.join(""), { t });
  p.cs.server(EHLO7.slice(0, 3).join(""), { t: t + 0.0003 });
  p.cs.client("STARTTLS\r\n", { t: t + 0.002 });
  p.ss.client("STARTTLS\r\n", { t: t + 0.0023 });
  p.ss.server("220 2.0.0 Ready to start TLS\r\n", { t: t + 0.003 });
  p.cs.server(EHLO7.slice(3).join(""), { t: t + 0.6003 });
  p.cs.server("220 2.0.0 Ready to start TLS\r\n", { t: t + 0.6004 });
  return { p, t };
}
