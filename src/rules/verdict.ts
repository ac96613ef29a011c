import type { Session } from "../smtp/model.js";
import { conversationOf } from "../smtp/conversation.js";
import { knobFor, productsOf } from "../products/match.js";
import { firstFailure } from "../tls/describe.js";
import { clip } from "../text/escape.js";
import { plural } from "../text/plural.js";
import { traitIndex, type TraitIndex } from "./traits.js";
import { SEVERITY_RANK, citedReference, type Citation, type Finding, type Rule, type RuleMeta, type SessionVerdict, type Side } from "./types.js";

/**
 * The session's verdict, a short paragraph a customer can read:
 *
 * What the verdict needs to know of a rule is in its metadata (RuleMeta.traits: "own-octets",
 * "acted-early", "split-reply"), never in lists of ids.
 *
 * - Only *independent* findings decide (not `consequenceOf` another finding), and never a grammar
 *   nit (`meta.minor`) or an `info`. A finding weighs as much as the most severe finding of its own
 *   side that follows from it; the heaviest decides, the earliest on a tie.
 * - When one decides: who is at fault, what (the rule's title and frames), the RFC sentence
 *   addressed to the side blamed (`meta.quoteFor[side]`, else `meta.quote`), what to do (the part
 *   of `meta.fix` for that side), and how many other findings follow from it. Limits of the
 *   capture are still listed in `limits`: they qualify the verdict.
 * - When none decides and the capture lacks what a judgement needs (one side missing, lost bytes,
 *   the start or the end missing, a damaged file), the fault is `"undetermined"` and the summary
 *   begins "Cannot judge: …". Encryption alone after a clean plaintext phase is not such a lack:
 *   the summary says what was judged.
 * - `counts` counts every finding listed (consequences and collapsed repeats included, a collapsed
 *   finding once); `independent` only those that are not consequences.
 */
/** Rule metadata by id, once per rule list (the verdict runs once per session). */
const metaCache = new WeakMap<Rule[], Map<string, RuleMeta>>();

function metasOf(rules: Rule[]): Map<string, RuleMeta> {
  let m = metaCache.get(rules);
  if (!m) {
    m = new Map(rules.map((r) => [r.meta.id, r.meta]));
    metaCache.set(rules, m);
  }
  return m;
}

export function verdictFor(session: Session, findings: Finding[], rules: Rule[]): SessionVerdict {
  if (findings.length === 0 && session.limits.length === 0) return clean(session);
  const metas = metasOf(rules);
  const traits = traitIndex(rules);
  const counts = { error: 0, warning: 0, info: 0 };
  const independent = { error: 0, warning: 0, info: 0 };
  for (const f of findings) {
    counts[f.severity]++;
    if (!f.consequenceOf) independent[f.severity]++;
  }
  const enc = encryptedFrom(session);
  // the engine fills in the rules that had nothing readable to look at (engine.notEvaluable)
  const notEvaluable: string[] = [];
  const lacks = session.limits; // what the capture lacks: stated by the dissector (src/smtp/completeness.ts)
  const limits = lacks.map((l) => l.text);

  // with one direction missing, only findings about the present side's own octets can decide
  const oneSided = lacks.some((l) => l.kind === "no-client-bytes" || l.kind === "no-server-bytes");
  const needOther = oneSided ? findings.filter((f) => !f.consequenceOf && !traits.has(f.rule, "own-octets")) : [];
  const decisive = decide(needOther.length > 0 ? findings.filter((f) => !needOther.includes(f)) : findings, metas);
  if (decisive) {
    const meta = metas.get(decisive.rule);
    const said = meta ? quoteFor(meta, decisive) : { reference: decisive.reference, quote: "" };
    return {
      counts, independent, notEvaluable, limits,
      fault: decisive.side,
      summary: paragraph(decisive, meta, said, findings, traits) + knobSentence(session, decisive, findings),
      decisive: { rule: decisive.rule, reference: citedReference(said), quote: said.quote },
    };
  }

  // what is missing inside the encrypted part does not stop the plaintext part being judged
  // an open connection at the end of the capture stops no judgement when nothing was left unanswered
  const blocking = lacks.filter((l) => l.kind !== "encrypted" && !l.endOnly && !(enc !== null && l.frame !== undefined && l.frame > enc));
  const nothingInClear = silent(session);
  if (blocking.length > 0 || (enc !== null && nothingInClear)) {
    const why = blocking.length > 0 ? blocking.map((l) => l.text) : [firstPayload(session, enc as number)];
    const listed = needOther.filter((f) => f.severity !== "info").length;
    const note = listed ? ` ${plural(listed, "finding")} that ${listed === 1 ? "needs" : "need"} the missing side ${listed === 1 ? "is" : "are"} listed but ${listed === 1 ? "does" : "do"} not decide.` : "";
    return { counts, independent, notEvaluable, limits, fault: "undetermined", summary: `Cannot judge: ${why.join("; ")}.${note}`, decisive: null };
  }
  // a TLS handshake that ended for a reason the capture does not show (an encrypted alert): not "no violation"
  const unread = findings.find((f) => traits.has(f.rule, "tls-outcome-unread"));
  if (unread !== undefined) return { counts, independent, notEvaluable, limits, fault: "undetermined", summary: `Cannot judge why the TLS handshake ended: ${unread.message}.`, decisive: null };
  const nits = findings.filter((f) => metas.get(f.rule)?.minor && f.severity !== "info");
  const beyond = nits.length ? ` beyond ${plural(nits.reduce((n, f) => n + (f.count ?? 1), 0), "grammar nit")} (${[...new Set(nits.map((f) => f.rule))].join(", ")})` : "";
  const hazards = findings.filter((f) => metas.get(f.rule)?.hazard && f.severity !== "info");
  const risk = hazards.length ? ` ${hazards.length === 1 ? "An interoperability hazard is" : `${hazards.length} interoperability hazards are`} listed (${[...new Set(hazards.map((f) => f.rule))].join(", ")}): legal, but a risk for clients that do not follow the RFC.` : "";
  let summary = (enc !== null ? plaintextPart(session, enc, beyond) : `No violation found${beyond}.`) + risk;
  // "waited" holds only where the client's commands after the split are known (trusted pairing)
  const split = findings.filter((f) => traits.has(f.rule, "split-reply"));
  if (hazards.length === 0 && split.length > 0) {
    const conv = conversationOf(session);
    summary += split.every((f) => conv.trustedFrames(f.frames)) ? " Replies split across TCP segments are legal, and the client waited for them." : " Replies split across TCP segments are legal.";
  }
  return { counts, independent, notEvaluable, limits, fault: "none", summary, decisive: null };
}

/** The capture holds no plaintext SMTP of the session: no command, no reply. */
function silent(session: Session): boolean {
  const conv = conversationOf(session);
  return conv.exchanges.length === 0 && conv.replies.length === 0;
}

/** verdictFor() of a session without findings whose capture lacks nothing (most sessions). */
function clean(session: Session): SessionVerdict {
  const counts = { error: 0, warning: 0, info: 0 };
  const independent = { error: 0, warning: 0, info: 0 };
  const enc = encryptedFrom(session);
  if (enc !== null && silent(session)) {
    return { counts, independent, notEvaluable: [], limits: [], fault: "undetermined", summary: `Cannot judge: ${firstPayload(session, enc)}.`, decisive: null };
  }
  const summary = enc !== null ? plaintextPart(session, enc, "") : "No violation found.";
  return { counts, independent, notEvaluable: [], limits: [], fault: "none", summary, decisive: null };
}

/** "No violation in the plaintext part; the rest is encrypted (TLS from frame N)." */
function plaintextPart(session: Session, enc: number, beyond: string): string {
  const e = encryptedWhere(session, enc);
  return `No violation in the plaintext part${beyond}; the rest ${e.rest} (${e.where}).`;
}

/** Why nothing can be judged when no command or reply is in clear. */
function firstPayload(session: Session, enc: number): string {
  const e = encryptedWhere(session, enc);
  return `the session is encrypted from its first payload${e.rest === "is encrypted" ? "" : ` and ${e.rest === "is not read" ? "is not read" : e.rest}`} (${e.where})`;
}

/** The independent finding that decides, or null. */
function decide(findings: Finding[], metas: Map<string, RuleMeta>): Finding | null {
  let best: Finding | null = null;
  let bestRank = 0;
  for (const f of findings) {
    if (f.consequenceOf || metas.get(f.rule)?.minor || metas.get(f.rule)?.hazard) continue;
    let rank = SEVERITY_RANK[f.severity];
    for (const c of consequencesOf(f, findings)) if (c.side === f.side) rank = Math.max(rank, SEVERITY_RANK[c.severity]);
    if (rank < SEVERITY_RANK.warning) continue;
    if (rank > bestRank) {
      best = f;
      bestRank = rank;
    }
  }
  return best;
}

function consequencesOf(root: Finding, findings: Finding[]): Finding[] {
  return findings.filter((f) => f.consequenceOf && f.consequenceOf.rule === root.rule && f.consequenceOf.frame === (root.frames[0] ?? 0) && f.session === root.session);
}

/** The sentence the finding cites (a sub-case's citation), else the one addressed to the side blamed. */
function quoteFor(meta: RuleMeta, f: Finding): Citation {
  if (meta.citations !== undefined && f.reference !== meta.reference) {
    for (const k in meta.citations) if (citedReference(meta.citations[k]) === f.reference) return meta.citations[k];
  }
  return meta.quoteFor?.[f.side] ?? { reference: meta.reference, quote: meta.quote };
}

/** The setting behind the deciding finding, when the session names a product whose catalogue
 * entry lists the rule (src/products): " The capture shows … : `setting`." or "". */
function knobSentence(session: Session, f: Finding, findings: Finding[]): string {
  const k = knobFor(productsOf(session, findings), f.rule, f.side);
  if (k === null) return "";
  const at = k.product.evidence[0]?.frames[0];
  return ` The capture shows ${k.product.name} (${k.product.confidence}${at !== undefined ? `, frame ${at}` : ""}); to ${k.setting.what}: \`${k.setting.how}\`.`;
}

const WHO: Record<Side, string> = { client: "The client", server: "The server", middlebox: "A middlebox between client and server" };

function paragraph(f: Finding, meta: RuleMeta | undefined, said: Citation, findings: Finding[], traits: TraitIndex): string {
  const out: string[] = [];
  out.push(`${WHO[f.side]} is at fault: ${what(f)} (${where(f)}).`);
  if (said.quote) out.push(`${said.reference}: “${clip(said.quote, 300)}”`);
  if (said.also) out.push(`${said.also.reference}: “${clip(said.also.quote, 300)}”`);
  const fix = meta ? cachedFix(meta, f.side) : "";
  if (fix) out.push(fix);
  if (f.side === "client" && traits.has(f.rule, "acted-early") && actedOnSplitReply(f, findings, traits)) {
    out.push("Splitting the reply across TCP segments is legal (RFC 5321 §1.1, RFC 793 §2.8).");
  }
  const follow = consequencesOf(f, findings);
  if (follow.length) {
    const n = follow.reduce((k, c) => k + (c.count ?? 1), 0);
    const rules = [...new Set(follow.map((c) => c.rule))];
    const named = rules.length > 4 ? `${rules.slice(0, 3).join(", ")} and ${rules.length - 3} other rules` : rules.join(", ");
    out.push(`${plural(n, "other finding")} ${n === 1 ? "follows" : "follow"} from it (${named}).`);
  }
  return out.join(" ");
}

/**
 * What happened, in the finding's own words: its first sentence (a rule's title is generic and
 * may not fit the sub-case that fired, so the verdict never states a title as a fact).
 */
function what(f: Finding): string {
  // the collapse note ("(and 2 more findings of this rule …)") is said by where() instead
  const m = f.message.endsWith(")") ? f.message.replace(/ \(and \d+ more findings? of this rule in this session[^)]*\)$/, "") : f.message;
  let quoted = false;
  let end = m.length;
  for (let i = 0; i < m.length; i++) {
    const c = m[i];
    if (c === "`") quoted = !quoted;
    else if (!quoted && (c === ";" || c === ".") && (i + 1 === m.length || m[i + 1] === " ")) {
      end = i;
      break;
    }
  }
  const first = clip(m.slice(0, end).trim(), 240);
  return /^(The|A|An|It|This) /.test(first) ? first[0].toLowerCase() + first.slice(1) : first;
}

function where(f: Finding): string {
  const frames = f.frames;
  const list = frames.length === 0 ? "no single frame" : frames.length === 1 ? `frame ${frames[0]}` : `frames ${frames.slice(0, 6).join(", ")}${frames.length > 6 ? ", …" : ""}`;
  return (f.count ?? 1) > 1 ? `${f.count} times, ${list}` : list;
}

/** A reply-split finding whose frames all lie among the decisive finding's: the reply it acted on was split. */
function actedOnSplitReply(f: Finding, findings: Finding[], traits: TraitIndex): boolean {
  return findings.some((s) => traits.has(s.rule, "split-reply") && s.frames.length > 1 && s.frames.every((x) => f.frames.includes(x)));
}

/** fixFor() by rule and side, worked out once (the verdict of every session with a finding asks). */
const fixCache = new WeakMap<RuleMeta, Partial<Record<Side, string>>>();

function cachedFix(meta: RuleMeta, side: Side): string {
  let bySide = fixCache.get(meta);
  if (bySide === undefined) {
    bySide = {};
    fixCache.set(meta, bySide);
  }
  return (bySide[side] ??= fixFor(meta.fix, side));
}

/**
 * The first sentence of the fix addressed to `side`: a fix written for both sides labels its parts
 * ("Client: … Server: …"); otherwise the fix's first sentence.
 */
export function fixFor(fix: string, side: Side): string {
  const parts = fix.split(/(?:^|\s)(?=(?:Clients?|Servers?|Server\/proxy|Client\/relay|Middlebox(?:es)?|Firewalls?):\s)/);
  const labelled = parts.filter((p) => /^\S+:\s/.test(p));
  let text = fix;
  if (labelled.length > 0) {
    const mine = labelled.find((p) => p.toLowerCase().startsWith(side === "middlebox" ? "middlebox" : side)) ?? labelled.find((p) => side !== "middlebox" && p.toLowerCase().includes(side));
    if (!mine) return "";
    text = mine.replace(/^\S+:\s*/, "");
    text = text[0].toUpperCase() + text.slice(1);
  }
  const m = /^.*?[.!](?=\s|$)/.exec(text.trim());
  return (m ? m[0] : text.trim()).replace(/[^.!]$/, "$&.");
}


/**
 * The first frame of encrypted traffic, or null. `tls.encrypted` when the dissector says so;
 * without it, only when a TLS record was seen (a ClientHello or a server record), never from a
 * STARTTLS 220 alone.
 */
function encryptedFrom(s: Session): number | null {
  for (const lim of s.limits) if (lim.kind === "encrypted") return lim.frame ?? s.tls?.frame ?? 0;
  // the TLS layer read this session: its "encrypted" limit, absent, says nothing stays encrypted
  if (s.tls?.facts !== undefined) return null;
  return s.tls?.encrypted ? tlsStart(s) : null;
}

/** The first TLS record (the ClientHello), not the plaintext 220 to STARTTLS. */
function tlsStart(s: Session): number {
  const t = s.tls as NonNullable<Session["tls"]>;
  return t.clientHelloFrame ?? t.serverHelloFrame ?? t.frame;
}

/**
 * Where the unreadable part begins, in words: "TLS from frame 11", or with a key log that failed,
 * "TLS from frame 11; cannot decrypt from frame 12" (`enc` is then the failure's frame).
 */
function encryptedWhere(s: Session, enc: number): { rest: string; where: string } {
  const notTls = s.tls?.facts?.notTls ?? null;
  if (notTls !== null && notTls.frame === enc && s.tls !== null) return { rest: "is not read", where: `TLS from frame ${tlsStart(s)}; the ${notTls.from}'s bytes from frame ${enc} are not TLS records` };
  const failed = s.tls?.facts !== undefined ? firstFailure(s.tls.facts) : null;
  if (failed === null || s.tls === null || failed.frame !== enc) return { rest: "is encrypted", where: `TLS from frame ${enc}` };
  return { rest: "cannot be decrypted", where: `TLS from frame ${tlsStart(s)}; cannot decrypt from frame ${enc}` };
}

