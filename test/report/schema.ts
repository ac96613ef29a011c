/**
 * A validator for the subset of JSON Schema (2020-12) that schema/report.schema.json uses: type,
 * const, enum, properties, required, additionalProperties, items, minimum, pattern, $ref (local),
 * allOf, oneOf. Any other keyword is an error, so the schema cannot drift outside what is checked.
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(["$schema", "$id", "title", "description", "$defs"]);
const KEYWORDS = new Set(["type", "const", "enum", "properties", "required", "additionalProperties", "items", "minimum", "pattern", "$ref", "allOf", "oneOf"]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === "number" && actual === "integer");
}

export class Validator {
  constructor(private readonly root: Schema) {}

  /** Every violation, as `path: message`; empty when `value` is valid. */
  validate(value: unknown, schema: Schema = this.root, path = "$"): string[] {
    const errs: string[] = [];
    for (const k of Object.keys(schema)) if (!KEYWORDS.has(k) && !ANNOTATIONS.has(k)) throw new Error(`schema keyword not supported: ${k} at ${path}`);
    if (typeof schema.$ref === "string") {
      const m = /^#\/\$defs\/(.+)$/.exec(schema.$ref);
      const target = m ? (this.root.$defs as Record<string, Schema>)[m[1]] : undefined;
      if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
      errs.push(...this.validate(value, target, path));
    }
    if (schema.allOf) for (const s of schema.allOf as Schema[]) errs.push(...this.validate(value, s, path));
    if (schema.oneOf) {
      const ok = (schema.oneOf as Schema[]).filter((s) => this.validate(value, s, path).length === 0).length;
      if (ok !== 1) errs.push(`${path}: matches ${ok} of the oneOf alternatives (${JSON.stringify(value)?.slice(0, 80)})`);
    }
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => typeMatches(value, t))) return [...errs, `${path}: ${typeOf(value)} is not ${types.join("|")}`];
    }
    if ("const" in schema && value !== schema.const) errs.push(`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
    if (schema.enum && !(schema.enum as unknown[]).includes(value)) errs.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    if (typeof value === "number" && typeof schema.minimum === "number" && value < schema.minimum) errs.push(`${path}: ${value} < ${schema.minimum}`);
    if (typeof value === "string" && typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) errs.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    if (Array.isArray(value) && schema.items) value.forEach((x, i) => errs.push(...this.validate(x, schema.items as Schema, `${path}[${i}]`)));
    if (typeOf(value) === "object") {
      const o = value as Record<string, unknown>;
      for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in o)) errs.push(`${path}: missing ${r}`);
      const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, v] of Object.entries(o)) {
        if (k in props) errs.push(...this.validate(v, props[k], `${path}.${k}`));
        else if (schema.additionalProperties === false) errs.push(`${path}: unexpected property ${k}`);
        else if (typeof schema.additionalProperties === "object") errs.push(...this.validate(v, schema.additionalProperties as Schema, `${path}.${k}`));
      }
    }
    return errs;
  }

  /** Validates against one of the schema's $defs. */
  validateDef(value: unknown, def: string): string[] {
    return this.validate(value, { $ref: `#/$defs/${def}` });
  }
}
