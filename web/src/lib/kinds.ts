/** The entity kinds the server knows (F41), loaded once from /api/v1/schemas. */
import { useQuery } from "@tanstack/react-query";
import { ApiError, api } from "./api";
import type { KindSchema } from "./types";

export function useKinds() {
  return useQuery({
    queryKey: ["schemas"],
    queryFn: async () => (await api.schemas.list()).items,
    staleTime: 10 * 60_000,
  });
}

export function findKind(kinds: KindSchema[] | undefined, kind: string | undefined): KindSchema | undefined {
  if (!kind || !kinds) return undefined;
  const k = kind.toLowerCase();
  return kinds.find((x) => x.kind.toLowerCase() === k || x.plural.toLowerCase() === k || x.shortNames.includes(k));
}

/** "Service" → "Services", using the server's plural when known. */
export function kindPlural(kinds: KindSchema[] | undefined, kind: string): string {
  const info = findKind(kinds, kind);
  if (!info) return kind;
  if (info.plural.toLowerCase() === info.kind.toLowerCase()) return info.kind;
  if (info.kind === "API") return "APIs";
  return info.plural.charAt(0).toUpperCase() + info.plural.slice(1);
}

/** Entities per kind (GET /stats, F86); falls back to one `limit=1` list per kind on an older server. */
export function useKindCounts() {
  const { data: kinds } = useKinds();
  return useQuery({
    queryKey: ["dashboard-counts", (kinds ?? []).map((k) => k.kind).join(",")],
    enabled: !!kinds,
    staleTime: 30_000,
    queryFn: async (): Promise<Record<string, number>> => {
      try {
        return (await api.stats()).byKind;
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      }
      const totals = await Promise.all((kinds ?? []).map(async (k) => [k.kind, (await api.entities.list({ kind: k.kind, limit: 1 })).total] as const));
      return Object.fromEntries(totals);
    },
  });
}
