/** A structural before/after diff of two JSON documents, one row per changed leaf path. */

export type DiffKind = "added" | "removed" | "changed";

export interface DiffRow {
  path: string;
  kind: DiffKind;
  before?: unknown;
  after?: unknown;
}

const IGNORED = new Set(["/metadata/updatedAt", "/metadata/resourceVersion"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function leaves(value: unknown, path: string, out: Map<string, unknown>): void {
  if (isObject(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) leaves(v, `${path}/${k}`, out);
  } else if (Array.isArray(value) && value.length && value.some((v) => v && typeof v === "object")) {
    value.forEach((v, i) => leaves(v, `${path}/${i}`, out));
  } else {
    out.set(path || "/", value);
  }
}

export function diff(before: unknown, after: unknown, ignore: Set<string> = IGNORED): DiffRow[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  if (before !== undefined && before !== null) leaves(before, "", a);
  if (after !== undefined && after !== null) leaves(after, "", b);
  const rows: DiffRow[] = [];
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  for (const path of paths) {
    if (ignore.has(path)) continue;
    const inA = a.has(path);
    const inB = b.has(path);
    const va = a.get(path);
    const vb = b.get(path);
    if (inA && !inB) rows.push({ path, kind: "removed", before: va });
    else if (!inA && inB) rows.push({ path, kind: "added", after: vb });
    else if (JSON.stringify(va) !== JSON.stringify(vb)) rows.push({ path, kind: "changed", before: va, after: vb });
  }
  return rows;
}

export function show(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
