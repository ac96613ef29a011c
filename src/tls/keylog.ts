/**
 * NSS key log format (what SSLKEYLOGFILE writes): `LABEL <client_random hex> <secret hex>`.
 * Used: CLIENT_RANDOM (TLS ≤ 1.2: the master secret) and the TLS 1.3 handshake and first
 * application traffic secrets; other labels are ignored. Secrets are kept in memory only: nothing
 * here is ever printed.
 */

export type KeyLabel = "CLIENT_RANDOM" | "CLIENT_HANDSHAKE_TRAFFIC_SECRET" | "SERVER_HANDSHAKE_TRAFFIC_SECRET" | "CLIENT_TRAFFIC_SECRET_0" | "SERVER_TRAFFIC_SECRET_0";

const USED: ReadonlySet<string> = new Set<KeyLabel>(["CLIENT_RANDOM", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"]);

/** Labels of the format that are valid but not needed (early data, exporter, OpenSSL's *_N). */
const KNOWN_UNUSED: ReadonlySet<string> = new Set(["RSA", "CLIENT_EARLY_TRAFFIC_SECRET", "EARLY_EXPORTER_SECRET", "EXPORTER_SECRET", "CLIENT_TRAFFIC_SECRET_N", "SERVER_TRAFFIC_SECRET_N", "PMS_CLIENT_RANDOM"]);

export interface KeyEntry {
  secrets: Partial<Record<KeyLabel, Buffer>>;
  /** where these secrets came from (a file name, "pcapng Decryption Secrets Block"; "a.keys and b.keys" when several supplied them) */
  source: string;
  /** where each secret came from */
  from: Partial<Record<KeyLabel, string>>;
  /** sentences: two key log lines that give one label different secrets (the later is used) */
  conflicts: string[];
}

export interface KeyLogWarning {
  source: string;
  line: number;
  message: string;
}

const LINE_RE = /^([A-Z0-9_]+) ([0-9a-fA-F]+) ([0-9a-fA-F]+)\s*$/;

/** Key log entries by client random (lower-case hex). */
export class KeyLog {
  private readonly byRandom = new Map<string, KeyEntry>();
  readonly warnings: KeyLogWarning[] = [];
  /** the sources added, in order */
  readonly sources: string[] = [];

  get size(): number {
    return this.byRandom.size;
  }

  /**
   * Add the lines of one key log. Returns how many valid lines it held (a line of a known label
   * counts, used or not); malformed lines become warnings with their line number.
   */
  add(text: string, source: string): number {
    let valid = 0;
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === "" || line.startsWith("#")) continue;
      const m = LINE_RE.exec(line);
      const label = m?.[1];
      if (m === null || label === undefined || !(USED.has(label) || KNOWN_UNUSED.has(label))) {
        this.warnings.push({ source, line: i + 1, message: m === null ? "not `LABEL <client random> <secret>` in hex" : `unknown label ${label}` });
        continue;
      }
      const random = m[2].toLowerCase();
      if (label !== "RSA" && random.length !== 64) {
        this.warnings.push({ source, line: i + 1, message: `client random is ${random.length / 2} bytes, not 32` });
        continue;
      }
      if (m[3].length % 2 !== 0) {
        this.warnings.push({ source, line: i + 1, message: "secret has an odd number of hex digits" });
        continue;
      }
      valid++;
      if (!USED.has(label)) continue;
      let e = this.byRandom.get(random);
      if (e === undefined) {
        e = { secrets: {}, source, from: {}, conflicts: [] };
        this.byRandom.set(random, e);
      }
      const l = label as KeyLabel, secret = Buffer.from(m[3], "hex");
      const had = e.secrets[l], hadFrom = e.from[l];
      if (had !== undefined && had.equals(secret)) continue;
      if (had !== undefined) e.conflicts.push(hadFrom === source ? `${source} holds two different ${l} secrets for this connection: the later one is used` : `the key logs disagree on ${l} for this connection: ${hadFrom} and ${source} hold different secrets; the one in ${source} is used`);
      e.secrets[l] = secret;
      e.from[l] = source;
      e.source = [...new Set(Object.values(e.from))].join(" and ");
    }
    if (valid > 0) this.sources.push(source);
    return valid;
  }

  get(clientRandom: Buffer | string): KeyEntry | null {
    const k = typeof clientRandom === "string" ? clientRandom.toLowerCase() : clientRandom.toString("hex");
    return this.byRandom.get(k) ?? null;
  }
}

/** The reason a key log file is unusable (a usage error naming the file), or null when it has a valid line. */
export function keyLogFileProblem(log: KeyLog, text: string, file: string): string | null {
  const n = log.add(text, file);
  return n === 0 ? `${file}: not a TLS key log (no line of the form \`LABEL <client random> <secret>\`)` : null;
}

/** pcapng Decryption Secrets Block type of a TLS key log (draft-ietf-opsawg-pcapng §4.7). */
export const DSB_TLS_KEY_LOG = 0x544c534b;

/**
 * The key log of `files` (null when none is given). A file that cannot be read or holds no valid
 * line adds a problem sentence (the CLI refuses such files before this).
 */
export function loadKeyLogFiles(files: string[], read: (f: string) => string, problems: string[]): KeyLog | null {
  if (files.length === 0) return null;
  const log = new KeyLog();
  for (const f of files) {
    let text: string;
    try {
      text = read(f);
    } catch {
      problems.push(`${f}: the TLS key log cannot be read`);
      continue;
    }
    const p = keyLogFileProblem(log, text, f);
    if (p !== null) problems.push(p);
  }
  return log;
}
