/**
 * Absolute and relative times for reports. Capture times arrive as epoch seconds in a float
 * (what the capture reader delivers): that keeps microseconds exactly for present-day dates, not
 * nanoseconds. Absolute times are written to the microsecond, except where the capture's
 * resolution is finer: then the capture's clock (src/capture/clock.ts) holds each frame's exact
 * time and it is written with 9 digits, as `tshark -T fields -e frame.time_epoch` prints it.
 */
import type { Clock, FrameHint } from "../capture/clock.js";

/** A time zone for the text report: UTC, the machine's local zone, or a fixed offset in minutes. */
export type Zone = { kind: "utc" } | { kind: "local" } | { kind: "fixed"; minutes: number };

export const UTC: Zone = { kind: "utc" };

/** Parses `--tz`: `UTC`, `local`, or `±HH:MM`; null when it is none of them. */
export function parseZone(s: string): Zone | null {
  if (/^(utc|z)$/i.test(s)) return UTC;
  if (/^local$/i.test(s)) return { kind: "local" };
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(s);
  if (!m) return null;
  const h = Number(m[2]);
  const min = Number(m[3]);
  if (h > 14 || min > 59) return null;
  return { kind: "fixed", minutes: (m[1] === "-" ? -1 : 1) * (h * 60 + min) };
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** The date and time to the second, with the ".", of the last UTC time formatted (times come in order, mostly within one second). */
let cachedSecond = NaN;
let cachedPrefix = "";
/** The last microsecond UTC time formatted and its text: a command's time is its first segment's, a reply's too. */
let lastTime = NaN;
let lastText = "";

/**
 * ISO 8601 with microseconds: `2023-11-14T22:13:20.123456Z` (UTC) or `…+02:00` in another zone.
 * With the clock of a capture whose resolution is finer than 1 µs, the frame's exact time with
 * nanoseconds: `2023-11-14T22:13:20.123456789Z` (`frames`: the frame or frames the time belongs
 * to, which decide when frames closer than a float can tell apart share the float).
 * Non-finite times give "".
 */
export function isoTime(t: number, zone: Zone = UTC, clock?: Clock, frames?: FrameHint): string {
  if (clock !== undefined) {
    if (!Number.isFinite(t)) return "";
    const exact = clock.exact(t, frames);
    // 10^9 + ns: the nanoseconds with their leading zeros, after the "1"
    if (exact !== null) return formatIso(exact.sec, String(exact.ns + 1e9).slice(1), zone);
  } else if (zone.kind === "utc") {
    // the report's hot path: one call per segment, command, reply and finding
    if (t === lastTime) return lastText;
    if (!Number.isFinite(t)) return "";
    const micros = Math.round(t * 1e6);
    const second = Math.floor(micros / 1e6);
    if (second !== cachedSecond) {
      cachedSecond = second;
      cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19) + ".";
    }
    lastTime = t;
    lastText = cachedPrefix + String(micros - second * 1e6 + 1e6).slice(1) + "Z";
    return lastText;
  }
  if (!Number.isFinite(t)) return "";
  const micros = Math.round(t * 1e6);
  const second = Math.floor(micros / 1e6);
  return formatIso(second, String(micros - second * 1e6 + 1e6).slice(1), zone);
}

function formatIso(second: number, frac: string, zone: Zone): string {
  if (zone.kind === "utc") {
    if (second !== cachedSecond) {
      cachedSecond = second;
      cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19) + ".";
    }
    return `${cachedPrefix}${frac}Z`;
  }
  const offset = zone.kind === "fixed" ? zone.minutes : -new Date(second * 1000).getTimezoneOffset();
  const date = new Date((second + offset * 60) * 1000).toISOString().slice(0, 19);
  const a = Math.abs(offset);
  return `${date}.${frac}${offset < 0 ? "-" : "+"}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** A duration as fits: `0.8 ms`, `612.3 ms`, `6.349 s`, `125.0 s`. */
export function duration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a < 1) return `${(seconds * 1000).toFixed(1)} ms`;
  if (a < 100) return `${seconds.toFixed(3)} s`;
  return `${seconds.toFixed(1)} s`;
}
