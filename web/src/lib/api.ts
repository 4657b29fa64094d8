/**
 * The one HTTP client of the web UI (F132). Every request goes through `request`: same-origin cookie auth
 * (the SPA never sees a token), JSON in and out, and errors turned into `ApiError` with the server's
 * `{error, code, details}` shape (F57).
 */
import type {
  ActionRun,
  ActionSummary,
  ApiKey,
  ApiKeyCreated,
  ApplyResponse,
  AuditEntry,
  AuditParams,
  DashboardConfig,
  Entity,
  EntityListParams,
  EntityStats,
  ErrorDetail,
  Facets,
  Graph,
  GraphDirection,
  Group,
  HealthCheckResult,
  HistoryItem,
  KindSchema,
  LoginResponse,
  Me,
  Page,
  PluginConfig,
  PluginInfo,
  Role,
  RunStatus,
  SearchHit,
  SecretInfo,
  SsoConfig,
  SyncRun,
  SyncStarted,
  UIExtension,
  User,
} from "./types";

export const API_BASE = "/api/v1";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];

  constructor(status: number, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The endpoint does not exist on this server (yet): pages show a calm "not available" state. */
  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** Message for a field path such as `/spec/type` (exact, or the closest parent that has one). */
  detailFor(path: string): string | undefined {
    return this.details.find((d) => normalizePath(d.path) === normalizePath(path))?.message;
  }
}

/** `spec.type`, `/spec/type`, `spec/type` → `/spec/type`. */
export function normalizePath(path: string): string {
  if (!path) return "";
  let p = path.replace(/\[(\d+)\]/g, ".$1");
  if (!p.startsWith("/")) p = "/" + p.replace(/\./g, "/");
  return p.replace(/\/+$/, "");
}

type Query = Record<string, string | number | boolean | null | undefined | (string | number)[]>;

export function queryString(query?: Query): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, String(v)));
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when any request answers 401 (session expired or signed out elsewhere). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not broadcast a 401 (used by the login and "who am I" calls). */
  quiet401?: boolean;
  /** Return the raw text instead of parsing JSON. */
  text?: boolean;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const url = (path.startsWith("/api/") || path.startsWith("http") ? path : API_BASE + path) + queryString(options.query);
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body, credentials: "same-origin", signal: options.signal });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(0, "network_error", "Cannot reach the Gantry server. Check your connection and try again.");
  }
  if (response.status === 401 && !options.quiet401) unauthorizedListeners.forEach((l) => l());
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  const raw = await response.text();
  if (options.text) return raw as T;
  if (!raw) return undefined as T;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new ApiError(response.status, "invalid_response", "The server sent a response that is not JSON.");
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    /* not JSON */
  }
  if (data && typeof data === "object" && "error" in data) {
    const body = data as { error: unknown; code?: unknown; details?: unknown };
    const details = Array.isArray(body.details)
      ? body.details
          .filter((d): d is ErrorDetail => !!d && typeof d === "object" && "message" in d)
          .map((d) => ({ path: String(d.path ?? ""), message: String(d.message) }))
      : [];
    return new ApiError(response.status, String(body.code ?? "error"), String(body.error), details);
  }
  const fallback: Record<number, string> = {
    404: "Not found",
    403: "You do not have permission to do that.",
    429: "Too many requests. Wait a moment and try again.",
    502: "The Gantry server is not reachable (bad gateway).",
    503: "Gantry is not ready yet.",
  };
  return new ApiError(response.status, `http_${response.status}`, fallback[response.status] ?? `Request failed (${response.status})`);
}

const get = <T>(path: string, query?: Query, extra?: Omit<RequestOptions, "query">) =>
  request<T>("GET", path, { ...extra, query });
const post = <T>(path: string, body?: unknown, extra?: RequestOptions) => request<T>("POST", path, { ...extra, body });
const put = <T>(path: string, body?: unknown, extra?: RequestOptions) => request<T>("PUT", path, { ...extra, body });
const del = <T = void>(path: string, query?: Query, extra?: RequestOptions) => request<T>("DELETE", path, { ...extra, query });

const seg = encodeURIComponent;

export function entityPath(kind: string, name: string): string {
  return `/entities/${seg(kind.toLowerCase())}/${seg(name)}`;
}

export const api = {
  auth: {
    login: (username: string, password: string) =>
      post<LoginResponse>("/auth/login", { username, password }, { quiet401: true }),
    logout: () => post<void>("/auth/logout"),
    me: () => get<Me>("/auth/me", undefined, { quiet401: true }),
    changePassword: (currentPassword: string, newPassword: string) =>
      put<void>("/auth/me/password", { currentPassword, newPassword }),
    ssoConfig: () => get<SsoConfig>("/auth/github/config", undefined, { quiet401: true }),
    githubLoginUrl: `${API_BASE}/auth/github`,
  },
  apiKeys: {
    list: (params: { user?: string; limit?: number; cursor?: string } = {}) => get<Page<ApiKey>>("/auth/apikeys", params),
    create: (name: string, role?: Role, expiresAt?: string) =>
      post<ApiKeyCreated>("/auth/apikeys", { name, ...(role ? { role } : {}), ...(expiresAt ? { expiresAt } : {}) }),
    revoke: (id: number) => del(`/auth/apikeys/${id}`),
  },
  users: {
    list: (params: { limit?: number; cursor?: string } = {}) => get<Page<User>>("/auth/users", params),
    register: (body: { username: string; password: string; displayName?: string; email?: string }) =>
      post<User>("/auth/register", body),
    setRole: (id: number, role: Role) => put<User>(`/auth/users/${id}`, { role }),
    remove: (id: number) => del(`/auth/users/${id}`),
  },
  groups: {
    list: (params: { limit?: number; cursor?: string } = {}) => get<Page<Group>>("/groups", params),
    create: (body: { name: string; role: Role; members: string[] }) => post<Group>("/groups", body),
    update: (name: string, body: { role: Role; members: string[] }) => put<Group>(`/groups/${seg(name)}`, body),
    remove: (name: string) => del(`/groups/${seg(name)}`),
  },
  schemas: {
    list: () => get<Page<KindSchema>>("/schemas"),
    get: (kind: string) => get<KindSchema>(`/schemas/${seg(kind.toLowerCase())}`),
  },
  entities: {
    list: (params: EntityListParams = {}, signal?: AbortSignal) => {
      const { kind, ...rest } = params;
      const path = kind ? `/entities/${seg(kind.toLowerCase())}` : "/entities";
      return get<Page<Entity>>(path, { ...rest }, { signal });
    },
    get: (kind: string, name: string, namespace = "default") =>
      get<Entity>(entityPath(kind, name), { namespace }),
    create: (entity: Entity) => post<Entity>("/entities", entity),
    /** PUT upserts (F56); `resourceVersion` adds If-Match so a concurrent edit answers 412 (F152). */
    update: (entity: Entity, resourceVersion?: string) =>
      put<Entity>(entityPath(entity.kind, entity.metadata.name), entity, {
        headers: resourceVersion ? { "If-Match": resourceVersion } : undefined,
      }),
    remove: (kind: string, name: string, namespace = "default", resourceVersion?: string) =>
      del(entityPath(kind, name), { namespace }, { headers: resourceVersion ? { "If-Match": resourceVersion } : undefined }),
    activity: (kind: string, name: string, namespace = "default", params: { limit?: number; cursor?: string } = {}) =>
      get<Page<AuditEntry>>(`${entityPath(kind, name)}/activity`, { namespace, ...params }),
    apply: (entities: Entity[], options: { dryRun?: boolean; atomic?: boolean } = {}) =>
      post<ApplyResponse>("/apply", { entities, dryRun: options.dryRun ?? false, atomic: options.atomic ?? false }),
    exportUrl: (format: "yaml" | "json" | "ndjson", params: { kind?: string; namespace?: string } = {}) =>
      `${API_BASE}/export${queryString({ format, ...params })}`,
  },
  facets: (fields: string[], filters: Omit<EntityListParams, "limit" | "cursor" | "sort"> = {}) =>
    get<Facets>("/facets", { fields: fields.join(","), ...filters }),
  search: (q: string, limit = 10, signal?: AbortSignal) => get<Page<SearchHit>>("/search", { q, limit }, { signal }),
  graph: (kind: string, name: string, params: { namespace?: string; depth?: number; direction?: GraphDirection } = {}) =>
    get<Graph>(`/graph/${seg(kind.toLowerCase())}/${seg(name)}`, { namespace: "default", ...params }),
  history: {
    record: (kind: string, name: string, namespace = "default") => post<void>("/history", { kind, name, namespace }),
    list: (limit = 10) => get<Page<HistoryItem>>("/history", { limit }),
  },
  activity: (params: { limit?: number; cursor?: string; kind?: string; namespace?: string; since?: string } = {}) =>
    get<Page<AuditEntry>>("/activity", params),
  stats: () => get<EntityStats>("/stats"),
  audit: (params: AuditParams = {}) => get<Page<AuditEntry>>("/audit", { ...params }),
  dashboard: {
    get: () => get<DashboardConfig>("/dashboard/config"),
    put: (config: DashboardConfig) => put<DashboardConfig>("/dashboard/config", config),
  },
  healthCheck: (url: string) => get<HealthCheckResult>("/health-check", { url }),
  actions: {
    list: (params: { limit?: number; cursor?: string; q?: string; category?: string } = {}) =>
      get<Page<ActionSummary>>("/actions", params),
    runs: (params: { limit?: number; cursor?: string; status?: RunStatus; action?: string; namespace?: string } = {}) =>
      get<Page<ActionRun>>("/actions/runs", params),
    runsOf: (name: string, params: { limit?: number; cursor?: string; namespace?: string; status?: RunStatus } = {}) =>
      get<Page<ActionRun>>(`/actions/${seg(name)}/runs`, params),
    run: (name: string, id: string | number, namespace?: string) =>
      get<ActionRun>(`/actions/${seg(name)}/runs/${seg(String(id))}`, { namespace }),
    execute: (name: string, inputs: Record<string, unknown>, namespace?: string) =>
      post<ActionRun>(`/actions/${seg(name)}/execute`, { inputs }, { query: namespace ? { namespace } : undefined }),
    approvals: (params: { limit?: number; cursor?: string } = {}) => get<Page<ActionRun>>("/actions/approvals", params),
    approve: (id: string | number, reason?: string) =>
      post<ActionRun>(`/actions/runs/${seg(String(id))}/approve`, reason ? { reason } : undefined),
    reject: (id: string | number, reason: string) => post<ActionRun>(`/actions/runs/${seg(String(id))}/reject`, { reason }),
  },
  plugins: {
    list: () => get<Page<PluginInfo>>("/plugins"),
    get: (id: string) => get<PluginInfo>(`/plugins/${seg(id)}`),
    /** The stored config with secrets as SECRET_REDACTED (`{}` before the first PUT). */
    getConfig: (id: string) => get<PluginConfig>(`/plugins/${seg(id)}/config`),
    /** Send SECRET_REDACTED back to keep a stored secret; 422 details point into the config (`/clusters/0/url`). */
    putConfig: (id: string, config: PluginConfig) => put<PluginConfig>(`/plugins/${seg(id)}/config`, config),
    enable: (id: string, enabled: boolean) => put<PluginInfo>(`/plugins/${seg(id)}/enable`, { enabled }),
    /** 202; 409 `plugin_disabled` or `sync_in_progress`. Without `job`, every job of the plugin runs. */
    sync: (id: string, job?: string) => post<SyncStarted>(`/plugins/${seg(id)}/sync`, job ? { job } : undefined),
    syncRuns: (id: string, params: { limit?: number; cursor?: string } = {}) =>
      get<Page<SyncRun>>(`/plugins/${seg(id)}/sync-runs`, params),
  },
  ui: {
    manifest: () => get<Page<UIExtension>>("/ui/manifest"),
    /** Data for a declarative extension: its `dataUrl` with `{kind}`, `{name}`, `{namespace}`… filled in. */
    data: <T = unknown>(url: string) => get<T>(url),
    text: (url: string) => request<string>("GET", url, { text: true, headers: { Accept: "text/plain, */*" } }),
    post: <T = unknown>(url: string, body?: unknown) => post<T>(url, body),
  },
  secrets: {
    list: (params: { limit?: number; cursor?: string } = {}) => get<Page<SecretInfo>>("/secrets", params),
    /** 201 created, 200 replaced; the value never comes back. */
    put: (name: string, value: string) => put<SecretInfo>(`/secrets/${seg(name)}`, { value }),
    remove: (name: string) => del(`/secrets/${seg(name)}`),
  },
};

export type Api = typeof api;

/** A readable one-liner for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
