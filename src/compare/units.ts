/**
 * The logical units of one direction of a session (commands, message contents, replies), in
 * stream order, as the comparison aligns them.
 */
import type { Command, Reply, Segment, Session } from "../smtp/model.js";
import { escapeText } from "../text/escape.js";
import type { Direction } from "./model.js";

export interface Piece {
  frame: number;
  time: number;
  /** offsets relative to the unit's first byte */
  start: number;
  end: number;
  /** 0-based indexes of the lines whose terminator this piece carried */
  lines: number[];
  midLine: boolean;
}

export interface Unit {
  dir: Direction;
  kind: "command" | "message" | "auth-response" | "reply";
  /** equality of two units: same key */
  key: string;
  /** same verb / same reply code: a changed unit of this family is `rewritten`, not removed and injected */
  family: string;
  lines: string[];
  /** a short name for sentences ("the EHLO reply (7 lines)", "`EHLO naive.lab.test`") */
  label: string;
  start: number;
  end: number;
  pieces: Piece[];
  /** TCP segments that carried it (messages count all, pieces lists the first few) */
  segments: number;
  frames: number[];
  firstTime: number;
  greeting: boolean;
  /** the reply answers this command verb ("" for the greeting or unknown) */
  answers: string;
}

function pieces(segs: Segment[], start: number): Piece[] {
  return segs.map((s) => ({ frame: s.frame, time: s.time, start: s.start - start, end: s.end - start, lines: s.lines, midLine: s.midLine }));
}

function commandUnit(c: Command): Unit {
  const kind = c.kind;
  const key = kind === "message" ? `message ${c.message?.bytes ?? c.end - c.start} ${c.message?.endOfData ?? ""}` : c.line;
  const family = kind === "command" ? (/^X{4,}$/i.test(c.verb) ? "command" : `command ${c.verb}`) : kind;
  return {
    dir: "client-to-server", kind, key, family,
    lines: kind === "message" ? [] : [c.line],
    label: kind === "message" ? `the message content (${c.message?.bytes ?? c.end - c.start} bytes)` : kind === "auth-response" ? "an AUTH response line" : c.line,
    start: c.start, end: c.end,
    pieces: pieces(c.segments, c.start),
    segments: c.message ? c.message.segments : new Set(c.segments.map((s) => s.frame)).size,
    frames: c.frames,
    firstTime: c.time,
    greeting: false,
    answers: "",
  };
}

function replyUnit(s: Session, r: Reply): Unit {
  const cmd = r.command !== null ? s.commands[r.command] : undefined;
  const answers = r.greeting ? "greeting" : cmd ? (cmd.kind === "command" ? escapeText(cmd.verb) : cmd.kind) : "";
  const n = r.lines.length + r.linesDropped;
  const what = r.greeting ? "greeting" : answers ? `${answers} reply` : "reply";
  return {
    dir: "server-to-client", kind: "reply", key: r.lines.join("\n") + (r.complete ? "" : "\n<incomplete>"),
    family: r.greeting ? "greeting" : `reply ${answers}`,
    lines: r.lines,
    label: `the ${r.code ?? "?"} ${what}${n > 1 ? ` (${n} lines)` : ""}`,
    start: r.start, end: r.end,
    pieces: pieces(r.segments, r.start),
    segments: new Set(r.segments.map((x) => x.frame)).size,
    frames: r.frames,
    firstTime: r.firstTime,
    greeting: r.greeting,
    answers,
  };
}

/** The units of both directions of a session, each in stream order. */
export function unitsOf(s: Session): { c2s: Unit[]; s2c: Unit[] } {
  const c2s = s.commands.filter((c) => c.end > c.start || c.kind === "message").map(commandUnit);
  const s2c = s.replies.filter((r) => r.end > r.start).map((r) => replyUnit(s, r));
  return { c2s, s2c };
}
