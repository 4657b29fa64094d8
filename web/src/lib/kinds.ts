/** The entity kinds the server knows (F41), loaded once from /api/v1/schemas. */
import { useQuery } from "@tanstack/react-query";
import { api } from "./api";
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

/** Entities per kind (GET /stats, F86: every registered kind is present). */
export function useKindCounts() {
  return useQuery({
    queryKey: ["dashboard-counts"],
    staleTime: 30_000,
    queryFn: async (): Promise<Record<string, number>> => (await api.stats()).byKind,
  });
}
