/** What may be said of a SASL payload without revealing the secret in it. */
export interface AuthView {
  /** the user name, where the mechanism carries it in clear (PLAIN authcid, LOGIN first response) */
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

/** Decode the user name from a PLAIN initial response or a LOGIN user-name response. Never returns the password. */
export function describeAuth(mech: string, payload: string): AuthView {
  const raw = b64(payload);
  if (raw === null) return {};
  if (mech === "PLAIN") {
    const parts = raw.toString("utf8").split("\0");
    if (parts.length === 3) return { user: parts[1] || parts[0] };
    return {};
  }
  if (mech === "LOGIN") {
    const user = raw.toString("utf8");
    return /^[\x20-\x7e\u00a0-\uffff]+$/.test(user) && !user.includes("\ufffd") ? { user } : {};
  }
  return {};
}
