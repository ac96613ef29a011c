/**
 * Names the products of one session — server, client, middlebox — from the catalogue
 * (catalog.ts), on evidence the capture shows: each claim lists the frames and the text that
 * matched. Reads only the session model (and, for the proxy and the client's behaviour, the
 * session's findings); judges nothing.
 *
 * Confidence: `certain` only when two strong signatures of different kinds agree (a keyword set
 * and a reply text the product writes itself, two rewriting effects) and no other product of
 * that role matched anything; otherwise `likely`. A banner alone is always `likely`: it can be
 * rewritten; one reply text alone names nothing (test servers copy them). Two products with the
 * same score name neither.
 */
import type { Command, Mailer, Reply, Session } from "../smtp/model.js";
import { escapeText } from "../text/escape.js";
import { CATALOG, type Product, type ProductRole, type Setting, type Signature, type SignatureKind } from "./catalog.js";

export type Confidence = "certain" | "likely";

export interface Evidence {
  kind: SignatureKind;
  /** the frames that carried the matched text */
  frames: number[];
  /** the matched text, escaped and clipped (a reply or command line, or a summary of an order) */
  text: string;
  /** which signature matched, in words */
  what: string;
}

export interface ProductClaim {
  id: string;
  name: string;
  role: ProductRole;
  confidence: Confidence;
  evidence: Evidence[];
  /** another product of this role also matched something (weaker): its id, and why `certain` was not given */
  also?: { id: string; name: string; evidence: Evidence[] }[];
}

/** What the client did, named as a class of behaviour (not a product), from a finding of the session. */
export interface ClientBehaviour {
  behaviour: string;
  rule: string;
  frames: number[];
}

export interface SessionProducts {
  server: ProductClaim | null;
  client: ProductClaim | null;
  middlebox: ProductClaim | null;
  /** behaviour classes of the client, from its findings (empty: none found) */
  clientBehaviour: ClientBehaviour[];
}

/** The part of a finding the matcher reads (rules/types Finding has these fields). */
export interface FindingLike {
  rule: string;
  frames: number[];
  side: string;
}

/** Replies and commands read per session at most: signatures sit in the first exchanges. */
const MAX_REPLIES = 200;
const MAX_COMMANDS = 200;
const TEXT_MAX = 100;

/** Findings that name a behaviour class of the client (never a product). */
const BEHAVIOURS: Record<string, string> = {
  "client-acted-on-partial-multiline-reply": "reads one TCP segment as the whole reply (acted on the first lines of a multi-line reply)",
  "client-command-before-reply-complete": "sends the next command before the reply is complete",
  "pregreet-early-talker": "talks before the server's greeting",
  "pipelining-not-negotiated": "pipelines commands the server did not offer PIPELINING for",
  "client-timeout-too-short": "gives up sooner than the RFC 5321 §4.5.3.2 timeouts",
  "plaintext-after-starttls-failure": "goes on in plaintext when STARTTLS fails",
};

interface View {
  greeting: Reply | null;
  /** the greeting's place in the session's replies */
  greetingAt: number;
  /** the replies to EHLO commands (before TLS) */
  ehlo: Reply[];
  /** their places in the session's replies */
  ehloAt: number[];
  replies: Reply[];
  commands: Command[];
  /** the X-Mailer / User-Agent fields of messages no SMTP server had handled yet (no Received:
   * field): written by the software that sent them in this session */
  mailers: Mailer[];
  /** the places of their messages in the session's commands */
  mailersAt: number[];
  /** per signature of REPLY_SIGS: the first reply line (outside the greeting) it matches */
  replyHits: (LineAt | undefined)[];
  /** the keywords of each EHLO reply's lines after the first (null: a masked keyword), read once for every ehlo-order signature */
  ehloKeywords: (string | null)[][] | null;
}

interface LineAt {
  r: Reply;
  /** r's place in the session's replies */
  j: number;
  i: number;
}

/**
 * Every reply line is tested against every reply signature of the catalogue: the signatures are
 * numbered, and which of them a line's text matches is computed once per distinct text and kept
 * (the same replies come back in session after session). Patterns without the g or y flag only:
 * test() of such a pattern depends on nothing but the text.
 */
const REPLY_SIGS: readonly Signature[] = CATALOG.flatMap((p) => p.signatures.filter((s) => s.kind === "reply" && s.pattern && !s.pattern.global && !s.pattern.sticky));
const REPLY_INDEX = new Map<Signature, number>(REPLY_SIGS.map((s, k) => [s, k]));
/** distinct line texts kept (cleared when full), and the longest text kept */
const LINE_CACHE_MAX = 4096;
const LINE_CACHE_LEN = 200;
const NO_HITS: readonly number[] = [];
const lineHits = new Map<string, readonly number[]>();

/** The numbers (in REPLY_SIGS) of the reply signatures `line` matches. */
function replyHitsOf(line: string): readonly number[] {
  let h = lineHits.get(line);
  if (h !== undefined) return h;
  h = NO_HITS;
  for (let k = 0; k < REPLY_SIGS.length; k++) if (REPLY_SIGS[k].pattern!.test(line)) h = h === NO_HITS ? [k] : [...h, k];
  if (line.length <= LINE_CACHE_LEN) {
    if (lineHits.size >= LINE_CACHE_MAX) lineHits.clear();
    lineHits.set(line, h);
  }
  return h;
}

function viewOf(s: Session): View {
  let greeting: Reply | null = null;
  let greetingAt = -1;
  const ehlo: Reply[] = [];
  const ehloAt: number[] = [];
  const n = Math.min(s.replies.length, MAX_REPLIES);
  for (let i = 0; i < n; i++) if (s.replies[i].greeting) { greeting = s.replies[i]; greetingAt = i; break; }
  const cs = s.commands;
  const m = Math.min(cs.length, MAX_COMMANDS);
  for (let i = 0; i < m; i++) {
    const c = cs[i];
    if (c.kind !== "command" || c.verb !== "EHLO" || c.afterStartTls) continue;
    const r = c.replies.length > 0 ? s.replies[c.replies[0]] : undefined;
    if (r && !r.afterStartTls && r.code === 250) {
      ehlo.push(r);
      ehloAt.push(c.replies[0]);
    }
  }
  const mailers: Mailer[] = [];
  const mailersAt: number[] = [];
  for (let i = 0; i < m; i++) {
    const mm = cs[i].kind === "message" ? cs[i].message?.mailer : undefined;
    if (mm && !mm.received) {
      mailers.push(mm);
      mailersAt.push(i);
    }
  }
  const replyHits: (LineAt | undefined)[] = new Array<LineAt | undefined>(REPLY_SIGS.length).fill(undefined);
  let left = REPLY_SIGS.length;
  for (let j = 0; j < n && left > 0; j++) {
    const r = s.replies[j];
    if (r.greeting) continue;
    for (let i = 0; i < r.lines.length; i++) {
      for (const k of replyHitsOf(r.lines[i])) {
        if (replyHits[k] === undefined) {
          replyHits[k] = { r, j, i };
          left--;
        }
      }
    }
  }
  return { greeting, greetingAt, ehlo, ehloAt, replies: s.replies.length > n ? s.replies.slice(0, n) : s.replies, commands: cs.length > m ? cs.slice(0, m) : cs, mailers, mailersAt, replyHits, ehloKeywords: null };
}

function shown(s: string, max = TEXT_MAX): string {
  return escapeText(s.length <= max ? s : s.slice(0, max - 3) + "...");
}

/** A reply line's text after the code and separator. */
function after(line: string): string {
  return line.length > 4 ? line.slice(4) : "";
}

/** Frames that carried line `i` of a reply (its segment with the line's terminator, or all). */
function lineFrames(r: Reply, i: number): number[] {
  const li = r.lineInfo[i];
  if (li) return [li.frame];
  return r.frames.slice(0, 1);
}

/**
 * Where the frames of an evidence item are in the session: line `b` of reply `a` (lineFrames),
 * the first four frames of reply `a`, the first frame of command `a`, the X-Mailer or User-Agent
 * field of the message that is command `a`.
 */
interface At {
  t: "line" | "reply" | "command" | "mailer";
  a: number;
  b: number;
}

/** An Evidence whose frames are still to be read from its session (`at`). */
interface Found {
  kind: SignatureKind;
  at: At;
  text: string;
  what: string;
}

function framesAt(s: Session, at: At): number[] {
  switch (at.t) {
    case "line":
      return lineFrames(s.replies[at.a], at.b);
    case "reply":
      return s.replies[at.a].frames.slice(0, 4);
    case "command":
      return s.commands[at.a].frames.slice(0, 1);
    case "mailer":
      return [s.commands[at.a].message!.mailer!.frame];
  }
}

function evidenceIn(s: Session, l: readonly Found[]): Evidence[] {
  const out: Evidence[] = [];
  for (const f of l) out.push({ kind: f.kind, frames: framesAt(s, f.at), text: f.text, what: f.what });
  return out;
}

/** The claim with its evidence's frames read from `s`. */
function claimIn(s: Session, c: FoundClaim | null): ProductClaim | null {
  if (c === null) return null;
  const claim: ProductClaim = { id: c.id, name: c.name, role: c.role, confidence: c.confidence, evidence: evidenceIn(s, c.evidence) };
  if (c.also !== undefined) claim.also = c.also.map((h) => ({ id: h.id, name: h.name, evidence: evidenceIn(s, h.evidence) }));
  return claim;
}

/** An EHLO keyword line masked by a middlebox: X's ending in another capital (`XXXXXXXA`). */
const MASKED_KEYWORD = /^X{3,}[A-WYZ]$/;

/** The keyword of an EHLO reply line (`AUTH=` for the old `AUTH=LOGIN` form), upper case. */
function keywordOf(line: string): string {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)(=?)/.exec(after(line));
  return m ? m[1].toUpperCase() + m[2] : "";
}

/** The keywords of the EHLO replies' lines after the first (null: masked), computed once per view. */
function ehloKeywords(v: View): (string | null)[][] {
  if (v.ehloKeywords === null) {
    v.ehloKeywords = v.ehlo.map((r) => {
      const kws: (string | null)[] = [];
      for (let i = 1; i < r.lines.length; i++) kws.push(MASKED_KEYWORD.test(after(r.lines[i])) ? null : keywordOf(r.lines[i]));
      return kws;
    });
  }
  return v.ehloKeywords;
}

function matchOrder(sig: Signature, v: View): Found | null {
  const o = sig.order!;
  const all = ehloKeywords(v);
  for (let j = 0; j < v.ehlo.length; j++) {
    const r = v.ehlo[j];
    if (r.lines.length < 2) continue;
    let last = -1, count = 0, ok = true;
    const seen = new Set<string>();
    for (const kw of all[j]) {
      if (kw === null) continue;
      const at = o.keywords.indexOf(kw);
      if (at <= last) { ok = false; break; }
      last = at;
      count++;
      seen.add(kw);
    }
    if (!ok || count < o.min || !o.required.every((k) => seen.has(k))) continue;
    return { kind: sig.kind, at: { t: "reply", a: v.ehloAt[j], b: 0 }, text: shown(r.lines.slice(1).map(after).join(", "), 3 * TEXT_MAX), what: sig.what };
  }
  return null;
}

/** The rewriting effects a middlebox leaves (catalog `effect` signatures). */
const EFFECTS: Record<string, (v: View) => { at: At; text: string } | null> = {
  "banner-masked": (v) => {
    const g = v.greeting;
    if (!g || !g.complete || !(g.lines[0] ?? "").includes("**")) return null;
    const text = g.lines.map(after).join("");
    const stars = text.split("*").length - 1;
    const solid = text.replace(/\s/g, "").length;
    return stars >= 5 && stars * 2 >= solid ? { at: { t: "line", a: v.greetingAt, b: 0 }, text: shown(g.lines[0]) } : null;
  },
  "ehlo-keyword-masked": (v) => {
    for (let j = 0; j < v.ehlo.length; j++) {
      const r = v.ehlo[j];
      for (let i = 1; i < r.lines.length; i++) if (MASKED_KEYWORD.test(after(r.lines[i]))) return { at: { t: "line", a: v.ehloAt[j], b: i }, text: shown(r.lines[i]) };
    }
    return null;
  },
  "command-masked": (v) => {
    for (let j = 0; j < v.commands.length; j++) {
      const c = v.commands[j];
      if (c.kind === "command" && !c.afterStartTls && /^X{4,}$/.test(c.verb) && /^X{4,}(\s|$)/.test(c.line)) return { at: { t: "command", a: j, b: 0 }, text: shown(c.line) };
    }
    return null;
  },
};

function matchSignature(sig: Signature, v: View): Found | null {
  const p = sig.pattern;
  switch (sig.kind) {
    case "banner": {
      const g = v.greeting;
      if (!g || !p) return null;
      for (let i = 0; i < g.lines.length; i++) if (p.test(after(g.lines[i]))) return { kind: sig.kind, at: { t: "line", a: v.greetingAt, b: i }, text: shown(g.lines[i]), what: sig.what };
      return null;
    }
    case "ehlo-line": {
      for (let j = 0; j < v.ehlo.length; j++) {
        const r = v.ehlo[j];
        if (p && r.lines.length > 0 && p.test(after(r.lines[0]))) return { kind: sig.kind, at: { t: "line", a: v.ehloAt[j], b: 0 }, text: shown(r.lines[0]), what: sig.what };
      }
      return null;
    }
    case "ehlo-keyword": {
      for (let j = 0; j < v.ehlo.length; j++) {
        const r = v.ehlo[j];
        for (let i = 1; i < r.lines.length; i++) if (p && p.test(r.lines[i])) return { kind: sig.kind, at: { t: "line", a: v.ehloAt[j], b: i }, text: shown(r.lines[i]), what: sig.what };
      }
      return null;
    }
    case "ehlo-order":
      return matchOrder(sig, v);
    case "reply": {
      if (!p) return null;
      const k = REPLY_INDEX.get(sig);
      if (k !== undefined) {
        const at = v.replyHits[k];
        return at ? { kind: sig.kind, at: { t: "line", a: at.j, b: at.i }, text: shown(at.r.lines[at.i]), what: sig.what } : null;
      }
      for (let j = 0; j < v.replies.length; j++) {
        const r = v.replies[j];
        if (r.greeting) continue;
        for (let i = 0; i < r.lines.length; i++) if (p.test(r.lines[i])) return { kind: sig.kind, at: { t: "line", a: j, b: i }, text: shown(r.lines[i]), what: sig.what };
      }
      return null;
    }
    case "command": {
      if (!p) return null;
      for (let j = 0; j < v.commands.length; j++) {
        const c = v.commands[j];
        if (c.kind === "command" && !c.secret && p.test(c.line)) return { kind: sig.kind, at: { t: "command", a: j, b: 0 }, text: shown(c.line), what: sig.what };
      }
      return null;
    }
    case "header": {
      if (!p) return null;
      for (let j = 0; j < v.mailers.length; j++) {
        const m = v.mailers[j];
        const line = `${m.field}: ${m.value}`;
        if (p.test(line)) return { kind: sig.kind, at: { t: "mailer", a: v.mailersAt[j], b: 0 }, text: shown(line), what: sig.what };
      }
      return null;
    }
    case "effect": {
      const f = sig.effect ? EFFECTS[sig.effect] : undefined;
      const hit = f ? f(v) : null;
      return hit ? { kind: sig.kind, at: hit.at, text: hit.text, what: sig.what } : null;
    }
  }
}

interface Scored {
  product: Product;
  evidence: Found[];
  score: number;
  strongKinds: Set<string>;
}

function score(p: Product, v: View): Scored | null {
  if (p.contrary !== undefined) for (const sig of p.contrary) if (matchSignature(sig, v) !== null) return null;
  let evidence: Found[] | null = null;
  let sc = 0;
  let strongKinds: Set<string> | null = null;
  for (const sig of p.signatures) {
    const e = matchSignature(sig, v);
    if (e === null) continue;
    (evidence ??= []).push(e);
    sc += sig.strength === "strong" ? 2 : 1;
    if (sig.strength === "strong") (strongKinds ??= new Set()).add(sig.kind === "effect" ? `effect:${sig.effect}` : sig.kind);
  }
  if (evidence === null) return null;
  // reply texts are imitated (test servers copy Postfix's): replies alone name a product only when two of its texts agree
  if (evidence.every((e) => e.kind === "reply") && evidence.length < 2) return null;
  return { product: p, evidence, score: sc, strongKinds: strongKinds ?? new Set() };
}

/** Products that may show the evidence of another (Exchange 2000/2003 run on the Windows SMTP
 * service; aiosmtpd keeps the EHLO of Python's smtpd, which it derives from). */
const INCLUDES: Record<string, string[]> = { exchange: ["ms-smtpsvc"], aiosmtpd: ["python-smtpd"] };

/** Per role, the products named from a capture's dialogue (those named only from a finding are not). */
const MATCHED: Record<ProductRole, Product[]> = { server: [], client: [], middlebox: [] };
for (const p of CATALOG) {
  if (p.signatures.length === 0) continue;
  if (p.signatures.every((s) => s.kind === "effect" && s.effect === "handshake-answered-by-another-stack")) continue; // named from a finding
  MATCHED[p.role].push(p);
}

/** A ProductClaim whose evidence still points into the session (what the memo keeps). */
interface FoundClaim extends Omit<ProductClaim, "evidence" | "also"> {
  evidence: Found[];
  also?: { id: string; name: string; evidence: Found[] }[];
}

function pick(role: ProductRole, v: View): FoundClaim | null {
  const hits: Scored[] = [];
  for (const p of MATCHED[role]) {
    const s = score(p, v);
    if (s) hits.push(s);
  }
  if (hits.length === 0) return null;
  hits.sort((a, b) => b.score - a.score);
  const best = hits[0];
  const inc = INCLUDES[best.product.id] ?? [];
  const rivals = hits.slice(1).filter((h) => !inc.includes(h.product.id));
  if (hits.length > 1 && hits[1].score === best.score) return null; // evidence for two products as strong: name neither
  const evidence = [...best.evidence];
  // an included product's signature may be the same test at the same place (aiosmtpd and smtpd share one EHLO order): listed once
  const same = (x: Found, y: Found) => x.kind === y.kind && x.at.t === y.at.t && x.at.a === y.at.a && x.at.b === y.at.b;
  for (const h of hits.slice(1)) if (inc.includes(h.product.id)) for (const e of h.evidence) if (!evidence.some((x) => same(x, e))) evidence.push(e);
  const claim: FoundClaim = {
    id: best.product.id, name: best.product.name, role,
    confidence: best.strongKinds.size >= 2 && rivals.length === 0 ? "certain" : "likely",
    evidence,
  };
  if (rivals.length > 0) claim.also = rivals.map((h) => ({ id: h.product.id, name: h.product.name, evidence: h.evidence }));
  return claim;
}

interface Named {
  server: FoundClaim | null;
  client: FoundClaim | null;
  middlebox: FoundClaim | null;
}

/**
 * The claims of sessions that show the matcher the same text, by that text (memoKey): sessions
 * replayed from one dialogue name the same products from the same lines, at their own frames.
 * Cleared when full; a session whose text is longer than MEMO_KEY_MAX is matched alone.
 */
const memo = new Map<string, Named>();
const MEMO_MAX = 4096;
const MEMO_KEY_MAX = 16384;
/** Every signature's test depends on nothing but its text (no g or y flag): required for the memo. */
const MEMO_SAFE = CATALOG.every((p) => [...p.signatures, ...(p.contrary ?? [])].every((sig) => !sig.pattern || (!sig.pattern.global && !sig.pattern.sticky)));

/**
 * Everything viewOf() and the signatures read of a session but its frames: per reply (the first
 * MAX_REPLIES) its flags, code and lines; per command (the first MAX_COMMANDS) its kind, flags,
 * verb, line, first reply and message header field; each text after its length. Null when longer
 * than MEMO_KEY_MAX.
 */
function memoKey(s: Session): string | null {
  const parts: (string | number)[] = [];
  let length = 0;
  const n = Math.min(s.replies.length, MAX_REPLIES);
  for (let i = 0; i < n; i++) {
    const r = s.replies[i];
    parts.push(r.greeting ? "R1" : "R0", r.afterStartTls ? 1 : 0, r.complete ? 1 : 0, r.code ?? "-", ";", r.lines.length);
    for (let ix = 0; ix < r.lines.length; ix++) {
      const l = r.lines[ix];
      parts.push(":", l.length, ":", l);
      length += l.length;
    }
    if (length > MEMO_KEY_MAX) return null;
  }
  const m = Math.min(s.commands.length, MAX_COMMANDS);
  for (let i = 0; i < m; i++) {
    const c = s.commands[i];
    // an EHLO answered past the replies keyed: viewOf() reads a reply the key does not hold
    if (c.replies.length > 0 && c.replies[0] >= n) return null;
    parts.push("C", c.kind, c.afterStartTls ? 1 : 0, c.secret ? 1 : 0, c.replies.length > 0 ? c.replies[0] : -1, ":", c.verb.length, ":", c.verb, ":", c.line.length, ":", c.line);
    length += c.line.length;
    const mm = c.kind === "message" ? c.message?.mailer : undefined;
    if (mm) {
      parts.push("M", mm.received ? 1 : 0, mm.field, ":", mm.value.length, ":", mm.value);
      length += mm.value.length;
    }
    if (length > MEMO_KEY_MAX) return null;
  }
  return parts.join("");
}

function namedOf(s: Session): Named {
  const key = MEMO_SAFE ? memoKey(s) : null;
  if (key !== null) {
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
  }
  const v = viewOf(s);
  const named: Named = { server: pick("server", v), client: pick("client", v), middlebox: pick("middlebox", v) };
  if (key !== null) {
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(key, named);
  }
  return named;
}

const cache = new WeakMap<Session, SessionProducts>();

/**
 * The products of a session. `findings`: the session's findings (the TCP-proxy middlebox and the
 * client's behaviour classes come from them). Computed once per session object and cached.
 */
export function productsOf(s: Session, findings: readonly FindingLike[] = []): SessionProducts {
  const hit = cache.get(s);
  if (hit) return hit;
  const named = namedOf(s);
  const out: SessionProducts = { server: claimIn(s, named.server), client: claimIn(s, named.client), middlebox: claimIn(s, named.middlebox), clientBehaviour: [] };
  if (out.middlebox === null) {
    const f = findings.find((x) => x.rule === "intercepting-proxy-detected");
    const p = CATALOG.find((x) => x.id === "tcp-proxy")!;
    if (f) out.middlebox = { id: p.id, name: p.name, role: "middlebox", confidence: "likely", evidence: [{ kind: "effect", frames: f.frames, text: "finding intercepting-proxy-detected", what: p.signatures[0].what }] };
  }
  const seen = new Set<string>();
  for (const f of findings) {
    const b = BEHAVIOURS[f.rule];
    if (b === undefined || f.side !== "client" || seen.has(f.rule)) continue;
    seen.add(f.rule);
    out.clientBehaviour.push({ behaviour: b, rule: f.rule, frames: f.frames.slice(0, 8) });
  }
  cache.set(s, out);
  return out;
}

/** A setting of a named product that explains or fixes a finding of rule `rule` on side `side`. */
export interface Knob {
  product: ProductClaim;
  setting: Setting;
}

/**
 * The setting behind a finding, when the session names a product whose catalogue entry lists the
 * rule: a middlebox's first (its rewriting explains findings on either side), else the product of
 * the side blamed. Null: no named product has a setting for it.
 */
export function knobFor(p: SessionProducts, rule: string, side: string): Knob | null {
  const order: (ProductClaim | null)[] = [p.middlebox, side === "server" ? p.server : side === "client" ? p.client : null];
  for (const claim of order) {
    if (claim === null) continue;
    const entry = CATALOG.find((x) => x.id === claim.id);
    const setting = entry?.settings.find((s) => s.rules?.includes(rule));
    if (setting) return { product: claim, setting };
  }
  return null;
}

/** An evidence item in a few words: the matched line (clipped) or the kind of signature, and its frame. */
function evidenceShort(e: Evidence): string {
  const what = e.kind === "ehlo-order" ? "EHLO keyword order" : e.kind === "header" ? `message header \`${e.text.length > 48 ? e.text.slice(0, 45) + "..." : e.text}\`` : e.text.startsWith("finding ") ? e.text.slice(8) : `\`${e.text.length > 48 ? e.text.slice(0, 45) + "..." : e.text}\``;
  return `${what} frame ${e.frames[0]}`;
}

/** One line for a report header: `server Postfix (certain), middlebox … (likely)`; "" when nothing is named. */
export function productsLine(p: SessionProducts): string {
  const parts: string[] = [];
  const one = (role: string, c: ProductClaim | null) => {
    if (c) parts.push(`${role} ${c.name} (${c.confidence}: ${c.evidence.slice(0, 3).map(evidenceShort).join(", ")})`);
  };
  one("server", p.server);
  one("client", p.client);
  one("middlebox", p.middlebox);
  if (p.client === null && p.clientBehaviour.length > 0) parts.push(`client behaviour: ${p.clientBehaviour.map((b) => b.behaviour).join("; ")}`);
  return parts.join(" · ");
}

/**
 * The box between two capture points, named when its rewriting shows at one point and not at the
 * other (a comparison found units rewritten between them): one sentence, or null. `a`, `b`: the
 * products of the two sessions of a pair; `names`: how the report calls the captures.
 */
export function boxBetween(a: SessionProducts, b: SessionProducts, names: { a: string; b: string }): string | null {
  const kindOf = (p: SessionProducts) => (p.middlebox && p.middlebox.id !== "tcp-proxy" ? p.middlebox : null);
  const ma = kindOf(a), mb = kindOf(b);
  if ((ma === null) === (mb === null) || (ma && mb)) return null;
  const m = (ma ?? mb)!;
  const shows = ma ? names.a : names.b, other = ma ? names.b : names.a;
  const entry = CATALOG.find((x) => x.id === m.id);
  const setting = entry?.settings[0];
  const ev = m.evidence.slice(0, 3).map((e) => `\`${e.text}\` (frame ${e.frames[0]})`).join(", ");
  return `The box between the capture points acts as ${m.name}: ${shows} shows ${ev}, ${other} does not${setting ? `; to ${setting.what}: \`${setting.how}\`` : ""}.`;
}
