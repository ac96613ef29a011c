/**
 * The model of `smtpcap compare`: two captures of one path, their sessions paired, and what
 * changed between the capture points (issue #14). The JSON report is this model as it is.
 */
import type { JudgedSession } from "../rules/engine.js";
import type { Finding, Severity, Side } from "../rules/types.js";

export type ChangeKind = "resegmented" | "delayed" | "rewritten" | "injected" | "removed" | "tcp-terminated";
export type Direction = "client-to-server" | "server-to-client";

export interface Change {
  kind: ChangeKind;
  direction: Direction;
  /** Wireshark frame numbers in each capture */
  frames: { a: number[]; b: number[] };
  /** how long the bytes were held back beyond the pair's usual transit (delayed only) */
  delayMs?: number;
  /** one or two sentences, with the capture text escaped */
  detail: string;
}

/** A finding of the comparison: a catalogue rule proven by the two captures together. */
export interface CompareFinding {
  rule: string;
  severity: Severity;
  side: Side;
  message: string;
  reference: string;
  evidence: string;
  frames: { a: number[]; b: number[] };
  /** a Wireshark display filter for each capture */
  filter: { a: string; b: string };
}

/** Where the two capture points sit on the path, as far as the captures show it. */
export type Placement = "a-nearer-client" | "b-nearer-client" | "unknown";

export interface SessionRef {
  tcpStream: number;
  client: string;
  server: string;
  firstFrame: number;
  lastFrame: number;
}

/** The endpoint verdict of a session as the normal analysis gives it. */
export interface EndpointVerdict {
  fault: string;
  summary: string;
  decisive: { rule: string; reference: string } | null;
  findings: { rule: string; severity: Severity; side: Side; frames: number[]; message: string }[];
}

export interface UnitSighting {
  frames: number[];
  time: number;
  times: number[];
  segments: number;
}

/** A command or reply as each capture point saw it (null: not seen there), for ladder drawings. */
export interface AlignedUnit {
  direction: Direction;
  /** the command line (credentials redacted), or "the 250 EHLO reply (7 lines)"; escaped */
  label: string;
  /** `time`: of its first frame; `times`: the capture time of each of `frames`; `segments`: TCP
   * segments that carried it there (`frames` may list only the first few of a long message's) */
  a: UnitSighting | null;
  b: UnitSighting | null;
  /** the unit differs between the points */
  differs: boolean;
}

/** Units listed per pair, at most (a report of a long session stays readable). */
export const MAX_ALIGNED_UNITS = 2000;

export interface Pair {
  a: SessionRef;
  b: SessionRef;
  /** how alike the two dialogues are (0–1: shared commands and replies) */
  similarity: number;
  /** why these two are taken for one session, in one sentence */
  pairedBy: string;
  /** clock of B minus clock of A for this pair, seconds (transit cancelled out) */
  offset: number;
  /** one-way time between the capture points, seconds, as the pair's aligned units show it */
  transit: number;
  placement: Placement;
  changes: Change[];
  findings: CompareFinding[];
  /** where each behaviour was introduced, in sentences */
  verdict: string[];
  /** what the captures lack that a judgement needed ("cannot judge: …") */
  limits: string[];
  endpoints: { a: EndpointVerdict; b: EndpointVerdict };
  /** both directions' commands and replies in time order (A's clock), as the two points saw
   * them: what a ladder with client, box and server lifelines draws; at most MAX_ALIGNED_UNITS */
  units: AlignedUnit[];
  /** units beyond MAX_ALIGNED_UNITS (counted, not listed) */
  unitsDropped: number;
}

export interface CaptureSide {
  file: string;
  sessions: number;
  /** which end of the path this capture is nearer, from the pairs ("client", "server", "unknown") */
  nearer: "client" | "server" | "unknown";
}

export interface CompareReport {
  schemaVersion: 1;
  a: CaptureSide;
  b: CaptureSide;
  /** B's clock minus A's, estimated from the pairs (null: no pair) */
  clockOffset: { seconds: number; pairs: number } | null;
  pairs: Pair[];
  unpaired: { a: number[]; b: number[] };
  /** the result as `diff` gives it (exit status 0 for "unchanged", 1 for the others):
   * "changed" — a pair shows a change; "unchanged" — at least one pair and no change;
   * "nothing-paired" — no session of A was found in B (that is no proof that nothing changed) */
  outcome: "unchanged" | "changed" | "nothing-paired";
}

export interface CompareOptions {
  /** held back this much beyond the usual transit is `delayed` */
  delayMs: number;
}

export const DEFAULT_COMPARE: CompareOptions = { delayMs: 200 };

/** What the comparison reads from one capture. */
export interface CaptureInput {
  file: string;
  sessions: JudgedSession[];
  findings: Finding[];
}
