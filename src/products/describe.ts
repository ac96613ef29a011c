/**
 * What `smtpcap products` prints: the catalogue, one product or all, with what identifies each
 * product, the settings behind its behaviour and the sources.
 */
import { CATALOG, productById, type Product } from "./catalog.js";

const ROLE_TITLE = { server: "Servers", client: "Clients", middlebox: "Middleboxes" } as const;

/** The catalogue as one line per product, grouped by role. */
export function listProducts(json: boolean): string {
  if (json) return JSON.stringify(CATALOG.map(productJson), null, 1) + "\n";
  const out: string[] = [];
  for (const role of ["server", "client", "middlebox"] as const) {
    out.push(`${ROLE_TITLE[role]}:`);
    for (const p of CATALOG) {
      if (p.role !== role) continue;
      const sig = p.signatures.length === 0 ? "never named from a capture (no fingerprint)" : `${p.signatures.length} signature${p.signatures.length === 1 ? "" : "s"}`;
      out.push(`  ${p.id.padEnd(22)} ${p.name} · ${sig}${p.settings.length ? ` · ${p.settings.length} setting${p.settings.length === 1 ? "" : "s"}` : ""}`);
    }
  }
  out.push("", "smtpcap products ID (or smtpcap explain ID) shows what identifies a product, its settings and sources.");
  return out.join("\n") + "\n";
}

/** One product in full; null when the id is unknown. */
export function describeProduct(id: string, json = false): string | null {
  const p = productById(id);
  if (!p) return null;
  if (json) return JSON.stringify(productJson(p), null, 1) + "\n";
  const out: string[] = [`${p.id} — ${p.name} (${p.role})`, "", p.summary, ""];
  if (p.signatures.length === 0) out.push("Identified by: nothing in a capture; smtpcap never names it.");
  else {
    out.push("Identified by:");
    for (const s of p.signatures) out.push(`  - [${s.strength}, ${s.kind}] ${s.what}`);
    out.push("  (certain only when two strong signatures of different kinds agree and no other product matched; a banner alone is likely)");
    if (p.contrary?.length) {
      out.push("Never named when the session shows:");
      for (const s of p.contrary) out.push(`  - [${s.kind}] ${s.what}`);
    }
  }
  if (p.settings.length) {
    out.push("", "Settings:");
    for (const s of p.settings) out.push(`  - ${s.what}: ${s.how}${s.rules?.length ? ` (explains: ${s.rules.join(", ")})` : ""}`);
  }
  out.push("", "Sources:");
  for (const s of p.sources) out.push(`  - ${s.title}${s.url ? `: ${s.url}` : ""}`);
  return out.join("\n") + "\n";
}

function productJson(p: Product) {
  return {
    id: p.id, name: p.name, role: p.role, summary: p.summary,
    signatures: p.signatures.map((s) => ({ kind: s.kind, strength: s.strength, what: s.what, ...(s.pattern ? { pattern: s.pattern.source } : {}), ...(s.order ? { order: s.order } : {}), ...(s.effect ? { effect: s.effect } : {}) })),
    ...(p.contrary?.length ? { contrary: p.contrary.map((s) => ({ kind: s.kind, what: s.what, ...(s.pattern ? { pattern: s.pattern.source } : {}) })) } : {}),
    settings: p.settings, sources: p.sources,
  };
}
