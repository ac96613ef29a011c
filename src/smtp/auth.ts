/** What may be said of a SASL payload without revealing the secret in it. */
export interface AuthView {
  /** the user name, where the mechanism carries it in clear (PLAIN authcid, LOGIN first response);
   * redacted to a numbered tag unless showSecrets */
  user?: string;
}

/** RFC 4954 §4: only the BASE64 alphabet, padding only at the end. */
export function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
}

function b64(text: string): Buffer | null {
  if (!isBase64(text)) return null;
  return Buffer.from(text, "base64");
}

/**
 * How user names enter the model: decoded only with --show-secrets; otherwise `[redacted #N]`, N
 * counting the distinct user names of one capture file in the order they first appear, so that
 * sessions stay distinguishable (the same user, another user) without naming anyone. Customer
 * captures carry personal data: the reports, rules and formats then never see the name at all.
 */
export class UserNames {
  private readonly seen = new Map<string, string>();
  constructor(private readonly show: boolean) {}

  name(user: string): string {
    if (this.show) return user;
    let tag = this.seen.get(user);
    if (tag === undefined) {
      tag = `[redacted #${this.seen.size + 1}]`;
      this.seen.set(user, tag);
    }
    return tag;
  }

  /** The user name behind a tag this namer gave (never shown; for comparisons only). */
  nameOf(tag: string): string | undefined {
    for (const [user, t] of this.seen) if (t === tag) return user;
    return undefined;
  }
}

/** One numbering per dissection options object: analyze makes one per file, shared by its sessions. */
const namers = new WeakMap<object, UserNames>();

function namerFor(o: { showSecrets: boolean }): UserNames {
  let n = namers.get(o);
  if (n === undefined) {
    n = new UserNames(o.showSecrets);
    namers.set(o, n);
  }
  return n;
}

/**
 * Decode the user name from a PLAIN initial response or a LOGIN user-name response. Never returns
 * the password; the user name only with `showSecrets`, else its tag (`UserNames`), numbered per `o`.
 */
export function describeAuth(mech: string, payload: string, o: { showSecrets: boolean }): AuthView {
  const user = decodeUser(mech, payload);
  return user === undefined ? {} : { user: namerFor(o).name(user) };
}

/**
 * A redacted user name that is also the address of a later MAIL FROM in the session: the tag
 * does not hide it (envelope addresses are shown). Sets `authUserMailFrom` to that command's
 * frame on each such AUTH command (or LOGIN response). Nothing to do with `showSecrets`.
 */
export function markUserAsMailFrom(cmds: readonly { verb: string; line: string; frames: number[]; authUser?: string; authUserMailFrom?: number }[], o: { showSecrets: boolean }): void {
  if (o.showSecrets) return;
  const n = namers.get(o);
  if (n === undefined) return;
  for (let i = 0; i < cmds.length; i++) {
    const tag = cmds[i].authUser;
    if (tag === undefined) continue;
    const user = n.nameOf(tag)?.toLowerCase();
    if (user === undefined) continue;
    for (let j = i + 1; j < cmds.length; j++) {
      const c = cmds[j];
      if (c.verb !== "MAIL") continue;
      const m = /<([^<>]*)>/.exec(c.line);
      if (m && m[1].toLowerCase() === user && c.frames.length > 0) {
        cmds[i].authUserMailFrom = c.frames[0];
        break;
      }
    }
  }
}

function decodeUser(mech: string, payload: string): string | undefined {
  const raw = b64(payload);
  if (raw === null) return undefined;
  if (mech === "PLAIN") {
    const parts = raw.toString("utf8").split("\0");
    if (parts.length === 3) return parts[1] || parts[0];
    return undefined;
  }
  if (mech === "LOGIN") {
    const user = raw.toString("utf8");
    return /^[\x20-\x7e\u00a0-\uffff]+$/.test(user) && !user.includes("\ufffd") ? user : undefined;
  }
  return undefined;
}
