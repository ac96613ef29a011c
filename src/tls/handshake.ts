import { nodeCrypto } from "./node-crypto.js";
import { extensionName, groupName, isGrease, sigSchemeName, suiteName, versionName } from "./names.js";

/** What a ClientHello offered. */
export interface ClientHelloFacts {
  frame: number;
  /** legacy_version of the hello ("TLS 1.2") */
  legacyVersion: string;
  /** the versions offered: supported_versions when present (GREASE left out), else legacy_version */
  versions: string[];
  cipherSuites: string[];
  cipherSuiteIds: number[];
  extensions: string[];
  sni: string | null;
  alpn: string[];
  groups: string[];
  signatureAlgorithms: string[];
  /** session_ticket extension with a ticket (a resumption attempt), pre_shared_key present */
  sessionTicket: boolean;
  psk: boolean;
  /** the client random (not secret: it names the connection in a key log) */
  random: string;
}

export interface ServerHelloFacts {
  frame: number;
  version: string;
  versionId: number;
  cipherSuite: string;
  cipherSuiteId: number;
  extensions: string[];
  /** a HelloRetryRequest (RFC 8446 §4.1.3) */
  helloRetryRequest: boolean;
  encryptThenMac: boolean;
  extendedMasterSecret: boolean;
  alpn: string | null;
  random: string;
}

export interface CertificateFacts {
  subject: string;
  issuer: string;
  /** subjectAltName DNS and IP names */
  san: string[];
  /** validity as the certificate states it (OpenSSL's form, "Dec  3 18:48:19 2036 GMT") and ISO 8601 */
  notBefore: string;
  notAfter: string;
  notBeforeIso: string;
  notAfterIso: string;
  keyType: string;
  keyBits: number | null;
  selfSigned: boolean;
  sha256: string;
}

export interface CertificateMessageFacts {
  frame: number;
  chainLength: number;
  certificates: CertificateFacts[];
  /** false when it was read only by decrypting (TLS 1.3) */
  visibleWithoutKeys: boolean;
}

/** A bounded reader over one message; every read throws `Malformed` past the end. */
export class Reader {
  constructor(readonly b: Buffer, public p = 0, public end = b.length) {}
  u8(): number { this.need(1); return this.b[this.p++]; }
  u16(): number { this.need(2); const v = this.b.readUInt16BE(this.p); this.p += 2; return v; }
  u24(): number { this.need(3); const v = (this.b[this.p] << 16) | this.b.readUInt16BE(this.p + 1); this.p += 3; return v; }
  bytes(n: number): Buffer { this.need(n); const v = this.b.subarray(this.p, this.p + n); this.p += n; return v; }
  vec8(): Reader { const n = this.u8(); return this.sub(n); }
  vec16(): Reader { const n = this.u16(); return this.sub(n); }
  vec24(): Reader { const n = this.u24(); return this.sub(n); }
  get left(): number { return this.end - this.p; }
  private sub(n: number): Reader { this.need(n); const r = new Reader(this.b, this.p, this.p + n); this.p += n; return r; }
  private need(n: number): void { if (this.p + n > this.end) throw new Malformed(); }
}

export class Malformed extends Error {
  constructor() { super("malformed TLS message"); }
}

const HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";

function u16list(r: Reader): number[] {
  const out: number[] = [];
  while (r.left >= 2) out.push(r.u16());
  return out;
}

/**
 * The names of the 16-bit code points of `r` (without GREASE values when `noGrease`), as a packed
 * array (pushed, not map()'s holey one, which sends JSON.stringify down its slow path).
 */
function u16names(r: Reader, name: (v: number) => string, noGrease: boolean): string[] {
  const out: string[] = [];
  while (r.left >= 2) {
    const v = r.u16();
    if (!noGrease || !isGrease(v)) out.push(name(v));
  }
  return out;
}

function namesOf(ids: readonly number[], name: (v: number) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) out.push(name(ids[i]));
  return out;
}

function alpnNames(body: Reader): string[] {
  const l = body.vec16();
  const out: string[] = [];
  while (l.left > 0) {
    const n = l.u8();
    out.push(l.bytes(n).toString("latin1"));
  }
  return out;
}

/** ClientHello body (after the 4-byte handshake header). */
export function parseClientHello(body: Buffer, frame: number): ClientHelloFacts {
  const r = new Reader(body);
  const legacy = r.u16();
  const random = r.bytes(32).toString("hex");
  r.vec8(); // session id
  const suites = u16list(r.vec16());
  r.vec8(); // compression
  const f: ClientHelloFacts = {
    frame, legacyVersion: versionName(legacy), versions: [versionName(legacy)],
    cipherSuites: namesOf(suites, suiteName), cipherSuiteIds: suites, extensions: [], sni: null, alpn: [], groups: [],
    signatureAlgorithms: [], sessionTicket: false, psk: false, random,
  };
  if (r.left === 0) return f;
  const exts = r.vec16();
  while (exts.left > 0) {
    const type = exts.u16();
    const e = exts.vec16();
    f.extensions.push(extensionName(type));
    switch (type) {
      case 0: {
        const list = e.vec16();
        while (list.left > 0) {
          const kind = list.u8();
          const name = list.vec16();
          if (kind === 0 && f.sni === null) f.sni = name.bytes(name.left).toString("latin1");
        }
        break;
      }
      case 10: f.groups = u16names(e.vec16(), groupName, true); break;
      case 13: f.signatureAlgorithms = u16names(e.vec16(), sigSchemeName, false); break;
      case 16: f.alpn = alpnNames(e); break;
      case 35: f.sessionTicket = e.left > 0; break;
      case 41: f.psk = true; break;
      case 43: {
        f.versions = u16names(e.vec8(), versionName, true);
        break;
      }
    }
  }
  return f;
}

/** ServerHello / HelloRetryRequest body. */
export function parseServerHello(body: Buffer, frame: number): ServerHelloFacts {
  const r = new Reader(body);
  const legacy = r.u16();
  const random = r.bytes(32).toString("hex");
  r.vec8();
  const suite = r.u16();
  r.u8();
  const f: ServerHelloFacts = {
    frame, version: versionName(legacy), versionId: legacy, cipherSuite: suiteName(suite), cipherSuiteId: suite,
    extensions: [], helloRetryRequest: random === HRR_RANDOM, encryptThenMac: false, extendedMasterSecret: false, alpn: null, random,
  };
  if (r.left === 0) return f;
  const exts = r.vec16();
  while (exts.left > 0) {
    const type = exts.u16();
    const e = exts.vec16();
    f.extensions.push(extensionName(type));
    if (type === 43 && e.left >= 2) {
      f.versionId = e.u16();
      f.version = versionName(f.versionId);
    } else if (type === 22) f.encryptThenMac = true;
    else if (type === 23) f.extendedMasterSecret = true;
    else if (type === 16) f.alpn = alpnNames(e)[0] ?? null;
  }
  return f;
}

/** "CN=Lab Test CA,O=Lab" from node's one-RDN-per-line form (RFC 4514 order: last RDN first). */
function dn(text: string): string {
  return text.split("\n").filter((l) => l !== "").reverse().join(",");
}

/**
 * Facts of certificates already seen (a server presents the same certificate to every client):
 * by the exact DER bytes, bounded. Looked up by length and then compared byte for byte (a native
 * memcmp), which costs less than hashing the certificate for a key.
 */
const certCache = new Map<number, { der: Buffer; facts: CertificateFacts }[]>();
let certCached = 0;
const CERT_CACHE_MAX = 256;

/** The facts of the certificate `der` (a copy is kept when it is new: `der` may be a view into a reused buffer). */
export function certificateFacts(der: Buffer): CertificateFacts {
  let same = certCache.get(der.length);
  if (same !== undefined) {
    for (let i = 0; i < same.length; i++) {
      const c = same[i];
      if (c.der.equals(der)) return copyFacts(c.facts);
    }
  }
  const f = parseCertificateFacts(der);
  if (certCached >= CERT_CACHE_MAX) {
    certCache.clear();
    certCached = 0;
    same = undefined;
  }
  if (same === undefined) certCache.set(der.length, (same = []));
  same.push({ der: Buffer.from(der), facts: f });
  certCached++;
  return copyFacts(f);
}

/** A session's own copy of cached facts (its SAN list too). */
function copyFacts(f: CertificateFacts): CertificateFacts {
  return {
    subject: f.subject, issuer: f.issuer, san: f.san.slice(), notBefore: f.notBefore, notAfter: f.notAfter, notBeforeIso: f.notBeforeIso, notAfterIso: f.notAfterIso,
    keyType: f.keyType, keyBits: f.keyBits, selfSigned: f.selfSigned, sha256: f.sha256,
  };
}

function parseCertificateFacts(der: Buffer): CertificateFacts {
  const c = new (nodeCrypto().X509Certificate)(der);
  const key = c.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const type = key.asymmetricKeyType ?? "unknown";
  let bits: number | null = details.modulusLength ?? null;
  if (bits === null && details.namedCurve !== undefined) bits = ({ prime256v1: 256, secp384r1: 384, secp521r1: 521 } as Record<string, number>)[details.namedCurve] ?? null;
  if (bits === null && type === "ed25519") bits = 256;
  if (bits === null && type === "ed448") bits = 456;
  let selfSigned = false;
  try {
    selfSigned = c.checkIssued(c) && c.verify(key);
  } catch {
    selfSigned = false;
  }
  const san = (c.subjectAltName ?? "").split(", ").filter((s) => s !== "").map((s) => s.replace(/^(DNS|IP Address):/, ""));
  return {
    subject: dn(c.subject), issuer: dn(c.issuer), san,
    notBefore: c.validFrom, notAfter: c.validTo,
    notBeforeIso: new Date(c.validFrom).toISOString(), notAfterIso: new Date(c.validTo).toISOString(),
    keyType: type === "ec" ? `EC ${details.namedCurve ?? ""}`.trim() : type.toUpperCase(), keyBits: bits, selfSigned,
    sha256: nodeCrypto().createHash("sha256").update(der).digest("hex").toUpperCase().replace(/(..)(?!$)/g, "$1:"),
  };
}

/** Certificate message body; `tls13` adds the request context and per-entry extensions. */
export function parseCertificate(body: Buffer, frame: number, tls13: boolean, visibleWithoutKeys: boolean): CertificateMessageFacts {
  const r = new Reader(body);
  if (tls13) r.vec8();
  const list = r.vec24();
  const certs: CertificateFacts[] = [];
  let n = 0;
  while (list.left > 0) {
    const der = list.vec24();
    const bytes = der.bytes(der.left);
    n++;
    try {
      certs.push(certificateFacts(bytes));
    } catch {
      // a certificate node cannot parse is counted, not described
    }
    if (tls13) list.vec16();
  }
  return { frame, chainLength: n, certificates: certs, visibleWithoutKeys };
}
