import type { SegmentMeta } from "../tcp/reassembly.js";
import type { TlsPhase } from "../stream/tls-slot.js";
import type { AlertFacts, TlsFacts } from "./connection.js";

/**
 * The TLS facts of a session in a few sentences for the text report (never a secret: the client
 * random is public, key material is not in TlsFacts at all).
 */
export function describeTls(t: TlsFacts): string[] {
  const out: string[] = [];
  const ch = t.clientHello, sh = t.serverHello;
  if (ch === null && sh === null && t.alerts.length === 0) return out;
  const parts: string[] = [];
  if (sh !== null) parts.push(`${sh.version} ${sh.cipherSuite} (ServerHello frame ${sh.frame}${t.helloRetryRequest ? `, after a HelloRetryRequest in frame ${t.helloRetryRequest.frame}` : ""})`);
  else if (ch !== null) parts.push(`no ServerHello: the client offered ${ch.versions.join(", ")} with ${offeredSuites(ch.cipherSuites).text} (ClientHello frame ${ch.frame})`);
  if (ch !== null) parts.push(ch.sni !== null ? `SNI ${ch.sni}` : "no SNI");
  const fatal = fatalEnd(t);
  const hs = t.completed === true ? "handshake completed"
    : fatal !== null ? `handshake not completed: the ${fatal.from} sent a fatal ${fatal.description} alert (frame ${fatal.frame})`
      : t.completed === false ? "handshake not completed" : "whether the handshake completed cannot be told without keys";
  parts.push(hs);
  out.push(`TLS: ${parts.join("; ")}`);
  const cert = t.certificate;
  if (cert !== null && cert.certificates.length > 0) {
    const c = cert.certificates[0];
    out.push(`TLS certificate (frame ${cert.frame}${cert.visibleWithoutKeys ? "" : ", decrypted"}): ${c.subject}, issuer ${c.issuer}${c.selfSigned ? " (self-signed)" : ""}, valid ${c.notBeforeIso.replace(/\.000Z$/, "Z")} to ${c.notAfterIso.replace(/\.000Z$/, "Z")}, ${c.keyType}${c.keyBits ? ` ${c.keyBits} bits` : ""}${c.san.length ? `, names ${c.san.join(", ")}` : ""}${cert.chainLength > 1 ? `, chain of ${cert.chainLength}` : ""}`);
  } else if (sh !== null && sh.version === "TLS 1.3") out.push("TLS certificate: encrypted (TLS 1.3), not readable without the handshake keys");
  for (const a of t.alerts) {
    out.push(a.description !== null
      ? `TLS alert: ${a.level ?? ""} ${a.description} from the ${a.from} (frame ${a.frame}, ${a.decrypted ? "decrypted" : a.onWire})`.replace("  ", " ")
      : `TLS alert: an encrypted alert from the ${a.from} (frame ${a.frame}); which one cannot be read without keys`);
  }
  const d = t.decryption;
  if (d.status === "decrypted" || d.status === "partial") out.push(`TLS decrypted with ${d.source}${d.status === "partial" && t.client.encryptedRecords + t.server.encryptedRecords > 0 ? " (in part)" : ""}: ${t.client.plainBytes} client and ${t.server.plainBytes} server octets of application data`);
  for (const n of notesThatMattered(t)) out.push(`TLS: ${n}`);
  for (const g of t.gaps) out.push(`TLS: ${g.len} bytes of the ${g.from}'s TLS stream are missing from frame ${g.frame} on${g.beforeHandshakeEnd ? " (inside the handshake: cannot judge it)" : ""}`);
  if (t.notTls !== null) out.push(`TLS: the ${t.notTls.from}'s bytes from frame ${t.notTls.frame} are not TLS records`);
  return out;
}

/**
 * The cipher suites a ClientHello offered, counted one way everywhere: the real suites, with the
 * signalling values (the renegotiation SCSV, TLS_FALLBACK_SCSV, GREASE) named apart, as tshark
 * lists them among the suites: "1 cipher suite (and the renegotiation SCSV)".
 */
export function offeredSuites(names: string[]): { suites: string[]; text: string } {
  const suites = names.filter((n) => !/SCSV|GREASE/.test(n));
  const extra: string[] = [];
  if (names.includes("TLS_EMPTY_RENEGOTIATION_INFO_SCSV")) extra.push("the renegotiation SCSV");
  if (names.includes("TLS_FALLBACK_SCSV")) extra.push("TLS_FALLBACK_SCSV");
  const grease = names.filter((n) => /GREASE/.test(n)).length;
  if (grease > 0) extra.push(`${grease} GREASE value${grease === 1 ? "" : "s"}`);
  const text = `${suites.length} cipher suite${suites.length === 1 ? "" : "s"}${extra.length ? ` (and ${extra.join(" and ")})` : ""}`;
  return { suites, text };
}

/** The header fact of a session with TLS: where it began and what became of it. */
export function tlsHeadline(mode: "starttls" | "implicit", t: TlsFacts): string {
  const from = t.firstFrame ?? 0;
  const d = t.decryption;
  const failed = firstFailure(t);
  if (handshakeOnly(t)) return `TLS (${mode}) from frame ${from}: the handshake did not complete`;
  const fatal = fatalEnd(t);
  if (fatal !== null && endedInHandshake(t)) return `TLS (${mode}) from frame ${from}: the handshake did not complete (fatal ${fatal.description} alert from the ${fatal.from}, frame ${fatal.frame})`;
  if (failed !== null) return `TLS (${mode}) from frame ${from}: ${anyDecrypted(t) ? "decrypted in part; " : ""}cannot decrypt ${failureSides(t)}`;
  if ((d.status === "decrypted" || d.status === "partial") && t.client.plainBytes + t.server.plainBytes > 0) {
    const cut = t.notTls !== null ? `; the ${t.notTls.from}'s bytes from frame ${t.notTls.frame} are not TLS records and are not read` : "";
    return `TLS (${mode}) from frame ${from}: decrypted with ${d.source}, the SMTP inside is judged${cut}`;
  }
  // only the client spoke TLS (a ClientHello to a server that answered in plaintext): nothing is encrypted
  if (t.server.records === 0 && t.client.encryptedRecords + t.client.appRecords === 0) return `TLS (${mode}) from frame ${from}: the client sent a ClientHello, the server no TLS record; nothing is encrypted`;
  return `TLS (${mode}) from frame ${from}: the rest is encrypted`;
}

/** A decryption failure's reason in words fit for a sentence: no nested parenthesis. */
export function failureReason(reason: string | undefined): string {
  if (reason === undefined || reason === "the record fails authentication (wrong key, or the capture is damaged)") return "authentication failed (wrong key, or damaged capture)";
  return reason;
}

/**
 * The decryption notes worth saying: a key log's lack of secrets did not matter when no record
 * stayed encrypted (a handshake that ended before the records that need them, tls13-client-rejects-cert).
 */
function notesThatMattered(t: TlsFacts): string[] {
  if (t.client.encryptedRecords + t.server.encryptedRecords > 0) return t.decryption.notes;
  return t.decryption.notes.filter((n) => !/^the key log \(.*\) lacks /.test(n));
}

/** The earliest frame from which a side's records could not be decrypted (null: no failure), with that side's note. */
export function firstFailure(t: TlsFacts): { frame: number; side: "client" | "server"; reason: string | undefined; both: boolean } | null {
  const { client, server } = t.decryption.failedFrom;
  if (client === null && server === null) return null;
  const side = server !== null && (client === null || server <= client) ? "server" : "client";
  const frame = (side === "server" ? server : client) as number;
  const prefix = `${side}: cannot decrypt from frame ${frame}: `;
  const note = t.decryption.notes.find((n) => n.startsWith(prefix));
  return { frame, side, reason: note?.slice(prefix.length), both: client !== null && server !== null };
}

/**
 * The first frame from which one side's TLS stream (or either side's, without `side`) was not
 * read on: a record that failed to decrypt, TCP bytes lost inside TLS (nothing more of that
 * direction is read), or bytes that stopped being TLS records. Null: all of it was read.
 */
export function unreadFrom(t: TlsFacts, side?: "client" | "server"): number | null {
  const { client, server } = t.decryption.failedFrom;
  let from = Infinity;
  if (side !== "server" && client !== null) from = client;
  if (side !== "client" && server !== null) from = Math.min(from, server);
  if (t.notTls !== null && (side === undefined || t.notTls.from === side)) from = Math.min(from, t.notTls.frame);
  for (const g of t.gaps) if (side === undefined || g.from === side) from = Math.min(from, g.frame);
  return from === Infinity ? null : from;
}

/** Which sides could not be decrypted from which frame: "the server's records from frame 12 and the client's from frame 13". */
function failureSides(t: TlsFacts): string {
  const { client, server } = t.decryption.failedFrom;
  if (client !== null && server !== null) {
    const [a, fa, b, fb] = server <= client ? ["server", server, "client", client] : ["client", client, "server", server];
    return `the ${a}'s records from frame ${fa} and the ${b}'s from frame ${fb}`;
  }
  return server !== null ? `the server's records from frame ${server}` : `the client's records from frame ${client}`;
}

/** Some record of the connection was opened with the key log: application data, a handshake message or an alert. */
function anyDecrypted(t: TlsFacts): boolean {
  return t.client.plainBytes + t.server.plainBytes > 0 || t.handshake.some((h) => h.decrypted) || t.alerts.some((a) => a.decrypted);
}

/** The TLS phase was decrypted without a failure and carried application data: nothing of the dialogue stays encrypted. */
export function fullyDecrypted(t: TlsFacts): boolean {
  const d = t.decryption;
  return d.status === "decrypted" && d.failedFrom.client === null && d.failedFrom.server === null && t.client.plainBytes + t.server.plainBytes > 0;
}

/** The readable fatal alert that ended a handshake that did not complete (null: none, or it completed). */
function fatalEnd(t: TlsFacts): AlertFacts | null {
  if (t.completed === true) return null;
  return t.alerts.find((a) => a.level === "fatal" && a.description !== null) ?? null;
}

/** A readable fatal alert ended a handshake that did not complete, before any application data flowed: no dialogue followed. */
export function endedInHandshake(t: TlsFacts): boolean {
  return fatalEnd(t) !== null && t.client.appRecords + t.server.appRecords === 0;
}

/** A fatal alert in clear ended the handshake before any encrypted record flowed (a refused hello, a rejected certificate). */
export function handshakeOnly(t: TlsFacts): boolean {
  return t.completed === false && t.client.encryptedRecords + t.server.encryptedRecords + t.client.appRecords + t.server.appRecords === 0
    && t.alerts.some((a) => a.level === "fatal" && !a.decrypted && a.description !== null);
}

/** One arrow of the TLS handshake in a ladder: the records one frame of one side carried, named as tshark's Info column names them. */
export interface TlsLadderItem {
  frame: number;
  /** capture time of the frame (seconds since the epoch) */
  time: number;
  from: "client" | "server";
  /** "Server Hello, Certificate, Server Key Exchange, Server Hello Done", "Alert (Level: Fatal, Description: Protocol Version)" */
  text: string;
}

/** TlsFacts with the ladder a timed TLS phase adds (absent: the phase was not timed). */
export type LadderedTlsFacts = TlsFacts & { ladder?: TlsLadderItem[] };

/** Wireshark's capitalisation of the words of a snake_case TLS name. */
const UPPER = new Set(["ca", "psk", "mac"]);
/** names already turned (a few dozen handshake, alert and level names: computed once each) */
const WS_NAMES = new Map<string, string>();
function wsName(snake: string): string {
  let n = WS_NAMES.get(snake);
  if (n === undefined) {
    n = snake.split("_").map((w) => (UPPER.has(w) ? w.toUpperCase() : w.charAt(0).toUpperCase() + w.slice(1))).join(" ");
    if (WS_NAMES.size < 1024) WS_NAMES.set(snake, n);
  }
  return n;
}

function alertText(a: AlertFacts): string {
  if (a.description === null || a.level === null) return "Encrypted Alert";
  return `Alert (Level: ${wsName(a.level)}, Description: ${wsName(a.description)})${a.decrypted ? " (decrypted)" : ""}`;
}

const MAX_LADDER = 60;
/** Frames of unreadable application data drawn per side (the first each way, and a TLS 1.3 handshake flight that looks like it). */
const MAX_APP_FRAMES = 3;

interface LoggedRecord { from: "client" | "server"; frame: number; type: number }

/**
 * The handshake as arrows: each frame's records in order — handshake messages (decrypted ones
 * marked), Change Cipher Spec, an encrypted handshake message, alerts, and application data
 * records the key log did not open (their first frames each way). Decrypted application data is
 * not listed: the SMTP inside is drawn as commands and replies.
 */
export function tlsLadder(t: TlsFacts, records: readonly LoggedRecord[], times: ReadonlyMap<number, number>): TlsLadderItem[] {
  const b = new Ladder(t, times);
  const tls13 = t.serverHello?.version === "TLS 1.3" || t.helloRetryRequest !== null;
  let ccsClient = false, ccsServer = false;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const side = r.from;
    if (r.type === 20) {
      if (side === "client") ccsClient = true;
      else ccsServer = true;
      b.put(side, r.frame, "Change Cipher Spec");
      continue;
    }
    const encrypted = tls13 ? r.type === 23 : side === "client" ? ccsClient : ccsServer;
    if (!encrypted) {
      if (r.type === 22) b.takeHandshake(side, r.frame, false);
      else if (r.type === 21) {
        const a = b.takeAlert(side, r.frame, false);
        if (a !== null) b.put(side, r.frame, alertText(a));
      } else if (r.type === 23 && b.appOk(side, r.frame)) b.put(side, r.frame, "Application Data");
      continue;
    }
    if (b.read(side, r.frame)) {
      if (b.takeHandshake(side, r.frame, true) > 0) continue;
      const a = b.takeAlert(side, r.frame, true);
      if (a !== null) b.put(side, r.frame, alertText(a));
      // decrypted application data: drawn as the SMTP inside
      continue;
    }
    if (r.type === 21) {
      b.takeAlert(side, r.frame, null);
      b.put(side, r.frame, "Encrypted Alert");
    } else if (r.type === 22) b.put(side, r.frame, "Encrypted Handshake Message");
    else if (r.type === 23 && b.appOk(side, r.frame)) b.put(side, r.frame, "Application Data");
  }
  const out = b.out;
  // alerts past the record log (a close_notify after a long dialogue)
  const alerts = t.alerts;
  for (let i = 0; i < alerts.length; i++) {
    if (b.alertTaken(i)) continue;
    const a = alerts[i];
    const time = times.get(a.frame);
    if (time !== undefined && out.length < MAX_LADDER) out.push({ frame: a.frame, time, from: a.from, text: alertText(a) });
  }
  // the log is in capture order as a rule: sort (which copies) only when it is not
  for (let i = 1; i < out.length; i++) {
    if (byTime(out[i - 1], out[i]) > 0) {
      out.sort(byTime);
      break;
    }
  }
  return out;
}

function byTime(x: TlsLadderItem, y: TlsLadderItem): number {
  return x.time - y.time || x.frame - y.frame;
}

/** The arrows of tlsLadder() being drawn: one pass over the record log, without a closure per session. */
class Ladder {
  readonly out: TlsLadderItem[] = [];
  /** the arrow being filled (its side's and frame's parts), its last part and how many */
  private cur: TlsLadderItem | null = null;
  private curLast = "";
  private curParts = 0;
  /** the next handshake message of each side (an index into t.handshake) */
  private hsClient = 0;
  private hsServer = 0;
  /** alerts drawn (bit i: t.alerts[i]; a list past 30 alerts) */
  private taken = 0;
  private takenMore: boolean[] | null = null;
  private appClient = 0;
  private appServer = 0;
  private readonly readable: boolean;

  constructor(private readonly t: TlsFacts, private readonly times: ReadonlyMap<number, number>) {
    this.readable = t.decryption.status === "decrypted" || t.decryption.status === "partial";
  }

  read(side: "client" | "server", frame: number): boolean {
    const failed = this.t.decryption.failedFrom[side];
    return this.readable && (failed === null || frame < failed);
  }

  /** the arrow being filled is this frame's of this side */
  private isCur(side: "client" | "server", frame: number): boolean {
    const c = this.cur;
    return c !== null && c.frame === frame && c.from === side;
  }

  put(side: "client" | "server", frame: number, part: string): void {
    let c = this.cur;
    if (c === null || c.frame !== frame || c.from !== side) {
      const time = this.times.get(frame);
      if (time === undefined || this.out.length >= MAX_LADDER) {
        this.cur = null;
        return;
      }
      c = this.cur = { frame, time, from: side, text: part };
      this.out.push(c);
      this.curParts = 1;
      this.curLast = part;
      return;
    }
    c.text = `${c.text}, ${part}`;
    this.curParts++;
    this.curLast = part;
  }

  /** application data of a side is listed for its first MAX_APP_FRAMES frames */
  appOk(side: "client" | "server", frame: number): boolean {
    if (this.isCur(side, frame) && this.curLast === "Application Data") return true;
    if (side === "client") {
      if (this.appClient >= MAX_APP_FRAMES) return false;
      this.appClient++;
    } else {
      if (this.appServer >= MAX_APP_FRAMES) return false;
      this.appServer++;
    }
    return true;
  }

  /** Draws the side's next handshake messages of this frame read this way; returns how many. */
  takeHandshake(side: "client" | "server", frame: number, decrypted: boolean): number {
    const hs = this.t.handshake, hrr = this.t.helloRetryRequest;
    let i = side === "client" ? this.hsClient : this.hsServer;
    let got = 0;
    for (;;) {
      while (i < hs.length && hs[i].from !== side) i++;
      if (i >= hs.length) break;
      const h = hs[i];
      if (h.frame !== frame || h.decrypted !== decrypted) break;
      i++;
      const isHrr = h.type === "server_hello" && hrr !== null && hrr.frame === h.frame && got === 0 && !h.decrypted;
      const name = isHrr ? "Hello Retry Request" : wsName(h.type);
      got++;
      this.put(side, frame, decrypted ? `${name} (decrypted)` : name);
    }
    if (side === "client") this.hsClient = i;
    else this.hsServer = i;
    return got;
  }

  alertTaken(i: number): boolean {
    return i < 30 ? (this.taken & (1 << i)) !== 0 : this.takenMore !== null && this.takenMore[i - 30] === true;
  }

  takeAlert(side: "client" | "server", frame: number, decrypted: boolean | null): AlertFacts | null {
    const alerts = this.t.alerts;
    for (let i = 0; i < alerts.length; i++) {
      const a = alerts[i];
      if (a.from === side && a.frame === frame && (decrypted === null || a.decrypted === decrypted) && !this.alertTaken(i)) {
        if (i < 30) this.taken |= 1 << i;
        else (this.takenMore ??= [])[i - 30] = true;
        return a;
      }
    }
    return null;
  }
}

/** The TLS phase API the SMTP dissector drives (src/stream/tls-slot.ts) over a TlsConnection. */
interface TlsConnectionLike extends TlsPhase {
  readonly facts: TlsFacts;
  readonly recordLog: readonly LoggedRecord[];
}

/** Frames whose capture time a timed phase keeps at most (records and alerts only). */
const MAX_TIMED_FRAMES = 1024;

/**
 * The TLS phase of a connection, keeping the capture time of each frame that completed a TLS
 * record or an alert, so that `facts.ladder` can draw the handshake in time order. The facts are
 * the connection's own object; `ladder` is (re)computed when they are read.
 */
export function timedTls(conn: TlsConnectionLike): TlsPhase {
  return new TimedTls(conn);
}

/** timedTls()'s phase: methods of a class, not five closures and an object per connection. */
class TimedTls implements TlsPhase {
  private readonly times = new Map<number, number>();

  constructor(private readonly conn: TlsConnectionLike) {}

  start(dir: 0 | 1, tcpRel: number): void {
    this.conn.start(dir, tcpRel);
  }

  data(dir: 0 | 1, buf: Buffer, start: number, end: number, tcpRel: number, meta: SegmentMeta): void {
    const conn = this.conn;
    const records = conn.recordLog.length, alerts = conn.facts.alerts.length;
    conn.data(dir, buf, start, end, tcpRel, meta);
    const times = this.times;
    if ((conn.recordLog.length !== records || conn.facts.alerts.length !== alerts) && times.size < MAX_TIMED_FRAMES && !times.has(meta.frame)) times.set(meta.frame, meta.time);
  }

  gap(dir: 0 | 1, tcpRel: number, len: number, frame: number, time: number, reason: string): void {
    this.conn.gap(dir, tcpRel, len, frame, time, reason);
  }

  plainAck(dir: 0 | 1, tcpAckRel: number): number {
    return this.conn.plainAck(dir, tcpAckRel);
  }

  get facts(): LadderedTlsFacts {
    const f = this.conn.facts as LadderedTlsFacts;
    f.ladder = tlsLadder(f, this.conn.recordLog, this.times);
    return f;
  }
}
