/**
 * node:crypto, loaded on first use: a capture without TLS (or analysed without a TLS record)
 * never loads it, so startup stays as lean as before (test/cli/cli.test.ts checks the modules).
 */
type Crypto = typeof import("node:crypto");
let loaded: Crypto | null = null;

export function nodeCrypto(): Crypto {
  return (loaded ??= (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule("node:crypto") as Crypto);
}
