/** JSON Schema helpers for SchemaForm (F132): $ref resolution, nullable unions, labels, defaults. */
import { humanize } from "./format";
import type { JsonSchema } from "./types";

/** Resolve `$ref` (local `#/$defs/…` / `#/definitions/…`) and merge `allOf`, keeping sibling keywords. */
export function resolve(schema: JsonSchema | undefined, root: JsonSchema): JsonSchema {
  if (!schema) return {};
  let s = schema;
  let guard = 0;
  while (s.$ref && guard++ < 32) {
    const target = lookup(s.$ref, root);
    const { $ref: _ref, ...rest } = s;
    void _ref;
    s = { ...target, ...rest };
  }
  if (s.allOf && s.allOf.length) {
    const { allOf, ...rest } = s;
    s = allOf.reduce<JsonSchema>((acc, part) => {
      const r = resolve(part, root);
      return {
        ...acc,
        ...r,
        properties: { ...(acc.properties ?? {}), ...(r.properties ?? {}) },
        required: [...(acc.required ?? []), ...(r.required ?? [])],
      };
    }, rest);
  }
  return s;
}

function lookup(ref: string, root: JsonSchema): JsonSchema {
  if (!ref.startsWith("#/")) return {};
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
  }
  return (node as JsonSchema) ?? {};
}

/** `anyOf: [X, {type: null}]` (pydantic's Optional) → X, marked nullable. */
export function unwrapNullable(schema: JsonSchema, root: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const s = resolve(schema, root);
  const variants = s.anyOf ?? s.oneOf;
  if (variants) {
    const nonNull = variants.filter((v) => resolve(v, root).type !== "null");
    if (nonNull.length === 1 && nonNull.length < variants.length) {
      const { anyOf: _a, oneOf: _o, ...rest } = s;
      void _a;
      void _o;
      return { schema: { ...resolve(nonNull[0], root), ...rest }, nullable: true };
    }
  }
  if (Array.isArray(s.type) && s.type.includes("null")) {
    const types = s.type.filter((t) => t !== "null");
    return { schema: { ...s, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { schema: s, nullable: false };
}

export type FieldKind = "string" | "text" | "number" | "integer" | "boolean" | "enum" | "const" | "object" | "map" | "array" | "json";

/** Which widget a (resolved) schema gets. */
export function fieldKind(schema: JsonSchema): FieldKind {
  if (schema.const !== undefined) return "const";
  if (schema.enum) return "enum";
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      // Long free text gets a textarea; URLs, names and other single-line values (a pattern, a format) do not.
      if (schema.format === "textarea" || schema.format === "markdown") return "text";
      return (schema.maxLength ?? 0) > 4096 && !schema.pattern && !schema.format ? "text" : "string";
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    case "array":
      return "array";
    case "object":
      if (schema.properties && Object.keys(schema.properties).length) return "object";
      if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        const ap = schema.additionalProperties;
        if (ap.type === "string" || ap.type === "number") return "map";
      }
      return "json";
    default:
      if (schema.properties) return "object";
      return "json";
  }
}

/** A field label: the schema's own title unless it is pydantic's mechanical one ("Repourl"). */
export function labelFor(key: string, schema: JsonSchema): string {
  const t = schema.title;
  if (t && t.replace(/[\s_]/g, "").toLowerCase() !== key.replace(/[\s_-]/g, "").toLowerCase()) return t;
  return humanize(key);
}

/** Secret-looking fields: `format: password`, `writeOnly`, or pydantic SecretStr. */
export function isSecret(key: string, schema: JsonSchema): boolean {
  return (
    schema.format === "password" ||
    schema.writeOnly === true ||
    /(password|token|secret|privatekey|private_key)$/i.test(key.replace(/[^a-z_]/gi, ""))
  );
}

/** A starting value: the schema's default, else an empty value of the right shape (required or defaulted fields). */
export function defaultValue(schema: JsonSchema, root: JsonSchema): unknown {
  const { schema: s } = unwrapNullable(schema, root);
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.const !== undefined) return s.const;
  const kind = fieldKind(s);
  if (kind === "object") {
    const out: Record<string, unknown> = {};
    const required = new Set(s.required ?? []);
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      const explicit = resolve(prop, root).default !== undefined;
      if (!required.has(key) && !explicit) continue;
      const v = defaultValue(prop, root);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  if (kind === "array") return [];
  if (kind === "boolean") return false;
  return undefined;
}

/** Drop empty strings, empty objects and empty arrays so optional fields stay absent. */
export function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune).filter((v) => v !== undefined);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = prune(v);
      if (p === undefined) continue;
      if (Array.isArray(p) && p.length === 0) continue;
      if (p && typeof p === "object" && !Array.isArray(p) && Object.keys(p).length === 0) continue;
      out[k] = p;
    }
    return out;
  }
  if (value === "" || value === null) return undefined;
  return value;
}

/** Client-side checks mirroring the schema, so obvious mistakes show before the round trip. */
export function validate(schema: JsonSchema, value: unknown, root: JsonSchema, path = ""): { path: string; message: string }[] {
  const { schema: s } = unwrapNullable(schema, root);
  const errors: { path: string; message: string }[] = [];
  if (value === undefined || value === null || value === "") return errors;
  const kind = fieldKind(s);
  if (kind === "object" && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? []) {
      const v = obj[key];
      if (v !== undefined && v !== null && v !== "") continue;
      // A missing required object reports what it lacks inside (`/spec/type`), not just `/spec`.
      const prop = s.properties?.[key];
      const inner = prop && fieldKind(unwrapNullable(prop, root).schema) === "object" ? validate(prop, {}, root, `${path}/${key}`) : [];
      errors.push(...(inner.length ? inner : [{ path: `${path}/${key}`, message: "is required" }]));
    }
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      errors.push(...validate(prop, obj[key], root, `${path}/${key}`));
    }
  } else if (kind === "array" && Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) errors.push({ path, message: `needs at least ${s.minItems} items` });
    if (s.maxItems !== undefined && value.length > s.maxItems) errors.push({ path, message: `allows at most ${s.maxItems} items` });
    value.forEach((item, i) => errors.push(...validate(s.items ?? {}, item, root, `${path}/${i}`)));
  } else if ((kind === "string" || kind === "text") && typeof value === "string") {
    if (s.minLength !== undefined && value.length < s.minLength) errors.push({ path, message: `must be at least ${s.minLength} characters` });
    if (s.maxLength !== undefined && value.length > s.maxLength) errors.push({ path, message: `must be at most ${s.maxLength} characters` });
    if (s.pattern) {
      try {
        if (!new RegExp(s.pattern, "u").test(value)) errors.push({ path, message: patternHint(s.pattern) });
      } catch {
        /* a pattern JS cannot compile: leave it to the server */
      }
    }
  } else if ((kind === "number" || kind === "integer") && typeof value === "number") {
    if (kind === "integer" && !Number.isInteger(value)) errors.push({ path, message: "must be a whole number" });
    if (s.minimum !== undefined && value < s.minimum) errors.push({ path, message: `must be ≥ ${s.minimum}` });
    if (s.maximum !== undefined && value > s.maximum) errors.push({ path, message: `must be ≤ ${s.maximum}` });
  } else if (kind === "enum" && s.enum && !s.enum.includes(value)) {
    errors.push({ path, message: `must be one of ${s.enum.join(", ")}` });
  }
  return errors;
}

function patternHint(pattern: string): string {
  if (pattern === "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$") return "use lowercase letters, digits and dashes (kebab-case)";
  if (pattern.startsWith("^https?://")) return "must be an http(s) URL";
  return `must match ${pattern}`;
}
