/**
 * Unsigned integer reads for the per-packet hot path. Plain typed-array loads that the compiler
 * inlines; unlike Buffer#readUInt32BE they do no argument validation, so callers check bounds
 * first (as the decoders do before every header they read).
 */
export function u16be(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

export function u32be(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

export function u32le(b: Uint8Array, i: number): number {
  return ((b[i + 3] << 24) | (b[i + 2] << 16) | (b[i + 1] << 8) | b[i]) >>> 0;
}

/** A 32-bit field as a signed integer: the same bits as u32be, kept in small-integer range for keys. */
export function i32be(b: Uint8Array, i: number): number {
  return (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3];
}
