/**
 * Absolute and relative times for reports. Capture times arrive as epoch seconds in a float
 * (what the capture reader delivers): that keeps microseconds exactly for present-day dates, not
 * nanoseconds, so absolute times are written to the microsecond.
 */

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

/**
 * ISO 8601 with microseconds: `2023-11-14T22:13:20.123456Z` (UTC) or `…+02:00` in another zone.
 * Non-finite times give "".
 */
export function isoTime(t: number, zone: Zone = UTC): string {
  if (!Number.isFinite(t)) return "";
  const micros = Math.round(t * 1e6);
  const ms = Math.floor(micros / 1000);
  const frac = pad(((micros % 1e6) + 1e6) % 1e6, 6);
  let offset: number;
  if (zone.kind === "utc") offset = 0;
  else if (zone.kind === "fixed") offset = zone.minutes;
  else offset = -new Date(ms).getTimezoneOffset();
  const d = new Date(ms + offset * 60000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${frac}`;
  if (zone.kind === "utc") return date + "Z";
  const a = Math.abs(offset);
  return `${date}${offset < 0 ? "-" : "+"}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** A duration as fits: `0.8 ms`, `612.3 ms`, `6.349 s`, `125.0 s`. */
export function duration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a < 1) return `${(seconds * 1000).toFixed(1)} ms`;
  if (a < 100) return `${seconds.toFixed(3)} s`;
  return `${seconds.toFixed(1)} s`;
}
