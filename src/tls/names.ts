/**
 * TLS registry names as tshark 4.0 prints them: cipher suites (IANA names), versions, alerts,
 * handshake message types, extensions, groups and signature schemes.
 */

/** How a cipher suite protects records once keys are in use (only what decryption needs). */
export interface SuiteInfo {
  name: string;
  /** record protection: AEAD, CBC with an HMAC, a stream cipher, or none */
  cipher: "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305" | "aes-128-cbc" | "aes-256-cbc" | "des-ede3-cbc" | "rc4" | "null" | "other";
  /** HMAC of CBC / stream / NULL suites (TLS ≤ 1.2) */
  mac: "sha1" | "sha256" | "sha384" | "md5" | null;
  /** hash of the TLS 1.2 PRF / the TLS 1.3 key schedule */
  hash: "sha256" | "sha384";
  /** TLS 1.3 suite */
  tls13: boolean;
}

const S = (name: string, cipher: SuiteInfo["cipher"], mac: SuiteInfo["mac"], hash: SuiteInfo["hash"] = "sha256", tls13 = false): SuiteInfo => ({ name, cipher, mac, hash, tls13 });

export const CIPHER_SUITES: ReadonlyMap<number, SuiteInfo> = new Map<number, SuiteInfo>([
  [0x0000, S("TLS_NULL_WITH_NULL_NULL", "null", null)],
  [0x0001, S("TLS_RSA_WITH_NULL_MD5", "null", "md5")],
  [0x0002, S("TLS_RSA_WITH_NULL_SHA", "null", "sha1")],
  [0x0003, S("TLS_RSA_EXPORT_WITH_RC4_40_MD5", "other", "md5")],
  [0x0004, S("TLS_RSA_WITH_RC4_128_MD5", "rc4", "md5")],
  [0x0005, S("TLS_RSA_WITH_RC4_128_SHA", "rc4", "sha1")],
  [0x0006, S("TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "other", "md5")],
  [0x0008, S("TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "other", "sha1")],
  [0x0009, S("TLS_RSA_WITH_DES_CBC_SHA", "other", "sha1")],
  [0x000a, S("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "des-ede3-cbc", "sha1")],
  [0x0011, S("TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "other", "sha1")],
  [0x0013, S("TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "des-ede3-cbc", "sha1")],
  [0x0014, S("TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "other", "sha1")],
  [0x0016, S("TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "des-ede3-cbc", "sha1")],
  [0x0018, S("TLS_DH_anon_WITH_RC4_128_MD5", "rc4", "md5")],
  [0x002f, S("TLS_RSA_WITH_AES_128_CBC_SHA", "aes-128-cbc", "sha1")],
  [0x0032, S("TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "aes-128-cbc", "sha1")],
  [0x0033, S("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "aes-128-cbc", "sha1")],
  [0x0035, S("TLS_RSA_WITH_AES_256_CBC_SHA", "aes-256-cbc", "sha1")],
  [0x0038, S("TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "aes-256-cbc", "sha1")],
  [0x0039, S("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "aes-256-cbc", "sha1")],
  [0x003b, S("TLS_RSA_WITH_NULL_SHA256", "null", "sha256")],
  [0x003c, S("TLS_RSA_WITH_AES_128_CBC_SHA256", "aes-128-cbc", "sha256")],
  [0x003d, S("TLS_RSA_WITH_AES_256_CBC_SHA256", "aes-256-cbc", "sha256")],
  [0x0040, S("TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "aes-128-cbc", "sha256")],
  [0x0067, S("TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "aes-128-cbc", "sha256")],
  [0x006a, S("TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "aes-256-cbc", "sha256")],
  [0x006b, S("TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "aes-256-cbc", "sha256")],
  [0x009c, S("TLS_RSA_WITH_AES_128_GCM_SHA256", "aes-128-gcm", null)],
  [0x009d, S("TLS_RSA_WITH_AES_256_GCM_SHA384", "aes-256-gcm", null, "sha384")],
  [0x009e, S("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "aes-128-gcm", null)],
  [0x009f, S("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "aes-256-gcm", null, "sha384")],
  [0x00a2, S("TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "aes-128-gcm", null)],
  [0x00a3, S("TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "aes-256-gcm", null, "sha384")],
  [0x00ff, S("TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "other", null)],
  [0x1301, S("TLS_AES_128_GCM_SHA256", "aes-128-gcm", null, "sha256", true)],
  [0x1302, S("TLS_AES_256_GCM_SHA384", "aes-256-gcm", null, "sha384", true)],
  [0x1303, S("TLS_CHACHA20_POLY1305_SHA256", "chacha20-poly1305", null, "sha256", true)],
  [0x1304, S("TLS_AES_128_CCM_SHA256", "other", null, "sha256", true)],
  [0x1305, S("TLS_AES_128_CCM_8_SHA256", "other", null, "sha256", true)],
  [0x5600, S("TLS_FALLBACK_SCSV", "other", null)],
  [0xc006, S("TLS_ECDHE_ECDSA_WITH_NULL_SHA", "null", "sha1")],
  [0xc007, S("TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "rc4", "sha1")],
  [0xc008, S("TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "des-ede3-cbc", "sha1")],
  [0xc009, S("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "aes-128-cbc", "sha1")],
  [0xc00a, S("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "aes-256-cbc", "sha1")],
  [0xc010, S("TLS_ECDHE_RSA_WITH_NULL_SHA", "null", "sha1")],
  [0xc011, S("TLS_ECDHE_RSA_WITH_RC4_128_SHA", "rc4", "sha1")],
  [0xc012, S("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "des-ede3-cbc", "sha1")],
  [0xc013, S("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "aes-128-cbc", "sha1")],
  [0xc014, S("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "aes-256-cbc", "sha1")],
  [0xc023, S("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "aes-128-cbc", "sha256")],
  [0xc024, S("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "aes-256-cbc", "sha384", "sha384")],
  [0xc027, S("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "aes-128-cbc", "sha256")],
  [0xc028, S("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "aes-256-cbc", "sha384", "sha384")],
  [0xc02b, S("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "aes-128-gcm", null)],
  [0xc02c, S("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "aes-256-gcm", null, "sha384")],
  [0xc02f, S("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "aes-128-gcm", null)],
  [0xc030, S("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "aes-256-gcm", null, "sha384")],
  [0xcca8, S("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "chacha20-poly1305", null)],
  [0xcca9, S("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "chacha20-poly1305", null)],
  [0xccaa, S("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "chacha20-poly1305", null)],
]);

export function hex4(n: number): string {
  return "0x" + n.toString(16).padStart(4, "0");
}

/** The IANA name of a cipher suite; GREASE and unknown values as tshark shows them. */
export function suiteName(id: number): string {
  const s = CIPHER_SUITES.get(id);
  if (s !== undefined) return s.name;
  if (isGrease(id)) return `Reserved (GREASE) (${hex4(id)})`;
  return `Unknown (${hex4(id)})`;
}

/** RFC 8701 GREASE values (0x0a0a, 0x1a1a, …). */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

/** "TLS 1.2" for 0x0303; SSL 3.0 and unknown values named too. */
export function versionName(v: number): string {
  switch (v) {
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: return isGrease(v) ? `Reserved (GREASE) (${hex4(v)})` : `Unknown (${hex4(v)})`;
  }
}

export const ALERTS: ReadonlyMap<number, string> = new Map([
  [0, "close_notify"], [10, "unexpected_message"], [20, "bad_record_mac"], [21, "decryption_failed"],
  [22, "record_overflow"], [30, "decompression_failure"], [40, "handshake_failure"], [41, "no_certificate"],
  [42, "bad_certificate"], [43, "unsupported_certificate"], [44, "certificate_revoked"],
  [45, "certificate_expired"], [46, "certificate_unknown"], [47, "illegal_parameter"], [48, "unknown_ca"],
  [49, "access_denied"], [50, "decode_error"], [51, "decrypt_error"], [60, "export_restriction"],
  [70, "protocol_version"], [71, "insufficient_security"], [80, "internal_error"],
  [86, "inappropriate_fallback"], [90, "user_canceled"], [100, "no_renegotiation"],
  [109, "missing_extension"], [110, "unsupported_extension"], [111, "certificate_unobtainable"],
  [112, "unrecognized_name"], [113, "bad_certificate_status_response"], [114, "bad_certificate_hash_value"],
  [115, "unknown_psk_identity"], [116, "certificate_required"], [120, "no_application_protocol"],
]);

export function alertName(code: number): string {
  return ALERTS.get(code) ?? `unknown alert ${code}`;
}

export const HANDSHAKE_TYPES: ReadonlyMap<number, string> = new Map([
  [0, "hello_request"], [1, "client_hello"], [2, "server_hello"], [4, "new_session_ticket"],
  [5, "end_of_early_data"], [8, "encrypted_extensions"], [11, "certificate"], [12, "server_key_exchange"],
  [13, "certificate_request"], [14, "server_hello_done"], [15, "certificate_verify"],
  [16, "client_key_exchange"], [20, "finished"], [22, "certificate_status"], [24, "key_update"],
  [25, "compressed_certificate"], [254, "message_hash"],
]);

export function handshakeName(t: number): string {
  return HANDSHAKE_TYPES.get(t) ?? `unknown_handshake_${t}`;
}

export const EXTENSIONS: ReadonlyMap<number, string> = new Map([
  [0, "server_name"], [1, "max_fragment_length"], [5, "status_request"], [10, "supported_groups"],
  [11, "ec_point_formats"], [13, "signature_algorithms"], [14, "use_srtp"], [15, "heartbeat"],
  [16, "application_layer_protocol_negotiation"], [17, "status_request_v2"],
  [18, "signed_certificate_timestamp"], [21, "padding"], [22, "encrypt_then_mac"],
  [23, "extended_master_secret"], [27, "compress_certificate"], [28, "record_size_limit"],
  [34, "delegated_credentials"], [35, "session_ticket"], [41, "pre_shared_key"], [42, "early_data"],
  [43, "supported_versions"], [44, "cookie"], [45, "psk_key_exchange_modes"],
  [47, "certificate_authorities"], [48, "oid_filters"], [49, "post_handshake_auth"],
  [50, "signature_algorithms_cert"], [51, "key_share"], [57, "quic_transport_parameters"],
  [13172, "next_protocol_negotiation"], [17513, "application_settings"], [65281, "renegotiation_info"],
]);

export function extensionName(t: number): string {
  const n = EXTENSIONS.get(t);
  if (n !== undefined) return n;
  return isGrease(t) ? `Reserved (GREASE) (${t})` : `Unknown type ${t}`;
}

export const GROUPS: ReadonlyMap<number, string> = new Map([
  [23, "secp256r1"], [24, "secp384r1"], [25, "secp521r1"], [29, "x25519"], [30, "x448"],
  [256, "ffdhe2048"], [257, "ffdhe3072"], [258, "ffdhe4096"], [259, "ffdhe6144"], [260, "ffdhe8192"],
]);

export function groupName(g: number): string {
  return GROUPS.get(g) ?? (isGrease(g) ? `Reserved (GREASE) (${hex4(g)})` : `Unknown (${hex4(g)})`);
}

export const SIGNATURE_SCHEMES: ReadonlyMap<number, string> = new Map([
  [0x0201, "rsa_pkcs1_sha1"], [0x0203, "ecdsa_sha1"], [0x0401, "rsa_pkcs1_sha256"], [0x0403, "ecdsa_secp256r1_sha256"],
  [0x0501, "rsa_pkcs1_sha384"], [0x0503, "ecdsa_secp384r1_sha384"], [0x0601, "rsa_pkcs1_sha512"],
  [0x0603, "ecdsa_secp521r1_sha512"], [0x0804, "rsa_pss_rsae_sha256"], [0x0805, "rsa_pss_rsae_sha384"],
  [0x0806, "rsa_pss_rsae_sha512"], [0x0807, "ed25519"], [0x0808, "ed448"], [0x0809, "rsa_pss_pss_sha256"],
  [0x080a, "rsa_pss_pss_sha384"], [0x080b, "rsa_pss_pss_sha512"], [0x0301, "rsa_pkcs1_sha224"], [0x0303, "ecdsa_sha224"],
  [0x0302, "dsa_sha224"], [0x0402, "dsa_sha256"], [0x0502, "dsa_sha384"], [0x0602, "dsa_sha512"], [0x0202, "dsa_sha1"],
]);

export function sigSchemeName(s: number): string {
  return SIGNATURE_SCHEMES.get(s) ?? hex4(s);
}

/** A suite that RFC 7525 / RFC 9325 rule out: RC4, NULL, EXPORT, 3DES (and single DES, anon). */
export function weakSuiteReason(id: number): string | null {
  const name = CIPHER_SUITES.get(id)?.name;
  if (name === undefined) return null;
  if (/_EXPORT/.test(name)) return "EXPORT-grade";
  if (/_NULL_|_NULL$/.test(name) && id !== 0x00ff) return "NULL encryption";
  if (/_RC4_/.test(name)) return "RC4";
  if (/_3DES_/.test(name)) return "3DES";
  if (/_DES_CBC_/.test(name)) return "single DES";
  if (/_anon_/.test(name)) return "anonymous (unauthenticated) key exchange";
  return null;
}
