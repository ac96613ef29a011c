import type { Command, Reply, Session } from "../smtp/model.js";
import { conversationOf, type Conversation } from "../smtp/conversation.js";
import { filterFor, replyEndSeq, sentBeforeEnd } from "./util.js";
import { traitIndex, type TraitIndex } from "./traits.js";
import type { Finding, Rule } from "./types.js";

/**
 * Post-processing of one session's findings, after every rule has run:
 *
 * 1. **Consequences.** A finding caused by another finding of the same session gets
 *    `consequenceOf` (that finding's rule, first frame, and why). It stays in the report but is
 *    not an independent fault: it never decides the verdict. The chains are modelled by the
 *    commands and replies involved, never by capture:
 *    - *Talking before the greeting* (root: a rule with trait "pregreet-root"): the lines the client sent
 *      before the greeting was complete, and the replies that answer them, explain the other
 *      "sent too early" findings about those lines and the pairing of those replies (unsolicited,
 *      unexpected code); when the lines were not SMTP text (binary octets), also everything said
 *      about their content (syntax, bare LF, 8-bit octets, length) and about the server echoing
 *      them back. A well-formed early EHLO with a bare LF still has its own finding for that.
 *    - *A client that lost step* (root: the client acted on an incomplete reply, trait
 *      "lost-step-root"):
 *      (a) what it then sent in the belief the dialogue had moved on — plaintext after its
 *      premature STARTTLS, lines the server took as AUTH data (`takenAsAuthResponse`); (b) while it
 *      keeps waiting for one reply per command by its own count (it counted the head of the reply
 *      as a reply), every later "sent before the reply" finding and every reply code found
 *      unexpected for those commands: the pairing is shifted by one, not the client pipelining.
 *    Which rules play which part is in their metadata (RuleMeta.traits), never in lists of ids.
 * 2. **Repeats collapse.** Findings of one rule, side and severity in one session (and of the same
 *    chain) become one finding with `count` and all frames: the first one's message, and where the
 *    others are (they may be other variants of the rule, so their text is not repeated).
 */
export function settle(s: Session, findings: Finding[], rules: readonly Rule[], collapseRepeats = true): Finding[] {
  if (findings.length < 2) return findings; // a consequence or a repeat needs another finding
  const t = traitIndex(rules);
  for (const root of findings) if (t.has(root.rule, "pregreet-root") && !root.consequenceOf) beforeGreeting(s, root, findings, t);
  for (const root of findings) if (t.has(root.rule, "lost-step-root") && !root.consequenceOf) lostStep(s, root, findings, t);
  return collapseRepeats ? collapse(s, findings) : findings;
}

function mark(root: Finding, f: Finding, why: string): void {
  if (f === root || f.consequenceOf) return;
  f.consequenceOf = { rule: root.rule, frame: root.frames[0] ?? 0, why };
}

function framesOf(items: { frames: number[] }[]): Set<number> {
  const out = new Set<number>();
  for (const i of items) for (const f of i.frames) out.add(f);
  return out;
}

/** every frame of `f` is in one of `allowed`, and at least one is in `must` */
function within(f: Finding, must: Set<number>, ...allowed: Set<number>[]): boolean {
  return f.frames.length > 0 && f.frames.some((x) => must.has(x)) && f.frames.every((x) => must.has(x) || allowed.some((a) => a.has(x)));
}

/** The commands a finding is about: sent at the finding's time, first octet in one of its frames. */
function commandsOf(conv: Conversation, f: Finding): Command[] {
  const out: Command[] = [];
  for (const { command: c } of conv.exchanges) if (c.time === f.time && c.frames.length > 0 && f.frames.includes(c.frames[0])) out.push(c);
  return out;
}

/** A command line that is not SMTP text: control characters or 8-bit octets. */
function binary(c: Command): boolean {
  return c.kind === "command" && /[^\x20-\x7e\t]/.test(c.line);
}

function beforeGreeting(s: Session, root: Finding, all: Finding[], t: TraitIndex): void {
  const conv = conversationOf(s);
  const greeting = conv.greeting;
  if (!greeting) return;
  const early: Command[] = [];
  for (const { command: c } of conv.exchanges) {
    if (c.segments.length === 0) continue;
    const w = sentBeforeEnd(s, c, greeting);
    if (w ? w.before : c.time < greeting.lastTime) early.push(c);
  }
  if (early.length === 0) return;
  const idx = new Set(early.map((c) => c.index));
  const answers = conv.replies.filter((r) => !r.greeting && (r.command !== null ? idx.has(r.command) : idx.has(lastCommandBefore(conv, r)?.index ?? -1)));
  const lines = framesOf(early);
  const replies = framesOf(answers);
  const rootFrames = new Set(root.frames);
  const garbage = early.some(binary);
  const n = early.length;
  const what = `${n === 1 ? "the line" : `the ${n} lines`} the client sent before the greeting (frame ${early[0].frames[0]})`;
  for (const f of all) {
    // the same act seen by another rule; or anything said about lines that were not SMTP at all
    if (f.side === "client" && (t.has(f.rule, "sent-early") || (garbage && !t.has(f.rule, "not-caused"))) && within(f, lines, rootFrames)) mark(root, f, `it is about ${what}`);
    else if (f.side === "server" && t.has(f.rule, "pairing-judge") && within(f, replies, lines)) mark(root, f, `the reply answers ${what}`);
    else if (f.side === "server" && garbage && t.has(f.rule, "reply-text") && within(f, replies)) mark(root, f, `the reply echoes the non-SMTP octets of ${what}`);
  }
}

/** The last command whose first octet came in an earlier frame than the reply's. */
function lastCommandBefore(conv: Conversation, r: Reply): Command | undefined {
  let out: Command | undefined;
  for (const { command: c } of conv.exchanges) if ((c.frames[0] ?? Infinity) < (r.frames[0] ?? 0)) out = c;
  return out;
}

function lostStep(s: Session, root: Finding, all: Finding[], t: TraitIndex): void {
  const conv = conversationOf(s);
  const cmd = commandsOf(conv, root)[0];
  if (!cmd) return;
  const rootFrames = new Set([...root.frames, ...cmd.frames]);
  const label = cmd.kind === "command" ? `\`${cmd.verb}\`` : "its command";

  // (a) what it sent believing the dialogue had moved on
  const starttls = cmd.kind === "command" && cmd.verb === "STARTTLS";
  const after: Command[] = [];
  for (const { command: c } of conv.exchanges) if (c.index > cmd.index && (c.takenAsAuthResponse || (starttls && c.afterStartTls))) after.push(c);
  if (after.length) {
    const frames = framesOf(after);
    const why = starttls
      ? `STARTTLS went out before the previous reply was complete, so the rest of that reply arrived where the client expected the STARTTLS answer`
      : `the client sent ${label} before the previous reply was complete and lost step: the server took its next line as AUTH data`;
    for (const f of all) if (f.side === "client" && !t.has(f.rule, "not-caused") && within(f, frames, rootFrames)) mark(root, f, why);
  }

  // (b) one reply per command by its own count, which is one more than smtpcap pairs
  const shifted: Command[] = [];
  for (const { command: c } of conv.exchanges) {
    if (c.index <= cmd.index || c.afterStartTls) continue;
    const had = completeRepliesBefore(s, conv, c);
    if (had >= c.index) break; // it waited for one reply more than it owed: in step again
    if (had + 1 < c.index) break; // it did not wait even by its own count
    shifted.push(c);
  }
  if (shifted.length === 0) return;
  const ids = new Set(shifted.map((c) => c.index));
  const why = `the client counted the head of the reply it acted on (frame ${root.frames[0]}) as a reply of its own and then waited for one reply per command: each reply it waited for is the one before in smtpcap's pairing`;
  let any = false;
  for (const f of all) {
    if (f.side === "client" && t.has(f.rule, "sent-early") && commandsOf(conv, f).some((c) => ids.has(c.index))) {
      mark(root, f, why);
      any = true;
    }
  }
  if (!any) return;
  const frames = framesOf(shifted);
  for (const f of all) {
    if (f.side === "server" && t.has(f.rule, "shifted-code") && f.frames.some((x) => frames.has(x))) mark(root, f, "the pairing of replies with commands is shifted by one from there on");
  }
}

/** Replies other than the greeting whose final line the client had received when it sent `c` (ACK proof, else timestamps). */
function completeRepliesBefore(s: Session, conv: Conversation, c: Command): number {
  const seg = c.segments[0];
  if (!seg) return 0;
  let n = 0;
  for (const r of conv.replies) {
    if (r.greeting || !r.complete) continue;
    if (seg.ack !== null ? replyEndSeq(s, r) <= seg.ack : r.lastTime <= c.time) n++;
  }
  return n;
}

/** How many occurrences a collapsed message names. */
const NAMED = 4;

function collapse(s: Session, findings: Finding[]): Finding[] {
  const groups = new Map<string, Finding[]>();
  const out: Finding[] = [];
  const outGroups: Finding[][] = [];
  for (const f of findings) {
    const key = `${f.rule}\0${f.side}\0${f.severity}\0${f.consequenceOf ? `${f.consequenceOf.rule}@${f.consequenceOf.frame}` : ""}`;
    const g = groups.get(key);
    if (g) g.push(f);
    else {
      const fresh = [f];
      groups.set(key, fresh);
      out.push(f);
      outGroups.push(fresh);
    }
  }
  if (out.length === findings.length) return out; // nothing repeated
  for (let i = 0; i < out.length; i++) {
    const f = out[i];
    const g = outGroups[i];
    if (g.length < 2) continue;
    const frames = [...framesOf(g)].sort((a, b) => a - b);
    // the others may be other variants of the rule: name where they are, not what they said
    const firsts = [...new Set(g.slice(1).map((x) => x.frames[0]).filter((x) => x !== undefined))];
    const where = firsts.length === 1
      ? `frame ${firsts[0]}`
      : `frames ${firsts.slice(0, NAMED).join(", ")}${firsts.length > NAMED ? ` and ${firsts.length - NAMED} more` : ""}`;
    const more = g.length - 1;
    f.message = `${f.message} (and ${more} more ${more === 1 ? "finding" : "findings"} of this rule in this session, in ${where})`;
    f.frames = frames;
    f.filter = filterFor(s.tcpStream, frames);
    f.count = g.length;
  }
  return out;
}
