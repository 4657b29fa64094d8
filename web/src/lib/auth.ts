/** The signed-in user and role checks (F63, F65). The session itself is the HttpOnly cookie. */
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { ApiError, api } from "./api";
import type { Me, Role } from "./types";

export const ME_KEY = ["auth", "me"] as const;

const LEVEL: Record<Role, number> = { viewer: 1, developer: 2, "platform-engineer": 3, admin: 4 };

export function roleLevel(role: string | null | undefined): number {
  return role && role in LEVEL ? LEVEL[role as Role] : 0;
}

/** F65: pass if the effective role's level is at least the required one. */
export function hasRole(me: Pick<Me, "effectiveRole" | "role"> | null | undefined, required: Role): boolean {
  if (!me) return false;
  return roleLevel(me.effectiveRole ?? me.role) >= LEVEL[required];
}

async function fetchMe(): Promise<Me | null> {
  try {
    return await api.auth.me();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** Who is signed in; main.tsx starts this request before the first render so pages do not wait for it. */
export const meQuery = { queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: 1 } as const;

export function useMe() {
  return useQuery(meQuery);
}

/** The signed-in user; only call below <RequireAuth>, where it is known to be present. */
export function useUser(): Me {
  const { data } = useMe();
  if (!data) throw new Error("useUser() outside a signed-in area");
  return data;
}

export function useCan(required: Role): boolean {
  const { data } = useMe();
  return hasRole(data, required);
}

export function signedOut(client: QueryClient): void {
  client.setQueryData(ME_KEY, null);
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
}

export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    try {
      await api.auth.logout();
    } finally {
      signedOut(client);
    }
  };
}
