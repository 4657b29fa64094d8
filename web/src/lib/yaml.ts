/** YAML ⇄ entity helpers (YAML tab, YAML mode of the editor). Only lazily loaded chunks import this. */
import { LineCounter, parseAllDocuments, parseDocument, stringify, isNode } from "yaml";

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

export interface YamlParse {
  value: unknown;
  error?: { line: number; message: string };
}

/** Parse one YAML document; a syntax error reports its 1-based line. */
export function parseYaml(text: string): YamlParse {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > 1) return { value: undefined, error: { line: lineCounter.linePos(list[1].range[0]).line, message: "Only one document (one entity) can be edited here" } };
  const doc = list[0];
  if (!doc) return { value: {} };
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? 1;
    return { value: undefined, error: { line, message: err.message.split("\n")[0] } };
  }
  return { value: doc.toJS() };
}

/** The 1-based line of the node at a JSON pointer (`/spec/type`), or of its closest existing parent. */
export function lineOf(text: string, pointer: string): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) return undefined;
  const parts = pointer
    .split("/")
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, "/").replace(/~0/g, "~")));
  for (let n = parts.length; n >= 0; n--) {
    const path = parts.slice(0, n);
    const node = n === 0 ? doc.contents : doc.getIn(path, true);
    if (isNode(node) && node.range) {
      // For a map key, point at the key's line: find the pair in the parent.
      if (n > 0) {
        const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
        const items = (parent as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null)?.items;
        const pair = items?.find((it) => it.key && (it.key as { value?: unknown }).value === path[path.length - 1]);
        if (pair?.key?.range) return lineCounter.linePos(pair.key.range[0]).line;
      }
      return lineCounter.linePos(node.range[0]).line;
    }
    if (n > 0) {
      const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
      const items = (parent as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null)?.items;
      const pair = items?.find((it) => it.key && (it.key as { value?: unknown }).value === path[path.length - 1]);
      if (pair?.key?.range) return lineCounter.linePos(pair.key.range[0]).line;
    }
  }
  return undefined;
}
