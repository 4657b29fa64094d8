/** A tiny fake Gantry API for tests: routes match "METHOD /path" (query ignored) and return JSON. */
import { vi } from "vitest";
import type { Entity, UIExtension } from "@/lib/types";

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

type Handler = (req: FakeRequest) => { status?: number; body?: unknown } | unknown;

export function fakeServer(routes: Record<string, Handler>) {
  const calls: FakeRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://localhost");
    const method = (init.method ?? "GET").toUpperCase();
    const req: FakeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
      headers: (init.headers ?? {}) as Record<string, string>,
    };
    calls.push(req);
    const key = `${method} ${url.pathname}`;
    const handler = routes[key] ?? Object.entries(routes).find(([k]) => matchPattern(k, key))?.[1];
    if (!handler) return json(404, { error: `no route for ${key}`, code: "not_found" });
    const out = handler(req) as { status?: number; body?: unknown } | undefined;
    if (out && typeof out === "object" && ("status" in out || "body" in out) && Object.keys(out).every((k) => k === "status" || k === "body")) {
      return json(out.status ?? 200, out.body);
    }
    return json(200, out);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

function matchPattern(pattern: string, key: string): boolean {
  if (!pattern.includes(":")) return false;
  const re = new RegExp("^" + pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[a-zA-Z]+/g, "[^/]+") + "$");
  return re.test(key);
}

function json(status: number, body: unknown): Response {
  if (status === 204 || body === undefined) return new Response(null, { status: status === 200 ? 204 : status });
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export const ME = {
  userId: 1,
  username: "alice",
  displayName: "Alice",
  email: "alice@example.com",
  role: "developer",
  effectiveRole: "developer",
  groups: [],
  permissions: { read: true, write: true, execute: true, delete: true, configure: false, admin: false },
  authMethod: "session",
};

export const SERVICE_SCHEMA = {
  kind: "Service",
  plural: "services",
  shortNames: ["svc"],
  description: "A deployable piece of software",
  icon: "server",
  listColumns: ["type", "lifecycle", "system"],
  references: [{ field: "providesApis", relation: "providesApis", targetKind: "API" }],
  schema: {
    type: "object",
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
      apiVersion: { const: "gantry.io/v1" },
      kind: { const: "Service" },
      metadata: {
        type: "object",
        required: ["name"],
        properties: {
          name: { type: "string", maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", description: "Unique name" },
          title: { type: "string", maxLength: 255, description: "Display name" },
          tags: { type: "array", items: { type: "string" }, description: "Tags" },
        },
      },
      spec: {
        type: "object",
        required: ["type"],
        properties: {
          type: { type: "string", enum: ["backend", "frontend"], title: "Type", description: "What sort of service" },
          repoUrl: { type: "string", pattern: "^https?://\\S+$", title: "Repourl", description: "Source repository URL" },
          providesApis: { type: "array", items: { type: "string" }, description: "APIs it serves" },
          links: { type: "array", items: { $ref: "#/$defs/Link" }, description: "Links" },
        },
      },
    },
    $defs: {
      Link: {
        type: "object",
        required: ["title", "url"],
        properties: { title: { type: "string" }, url: { type: "string" }, icon: { type: "string", enum: ["docs", "other"], default: "other" } },
      },
    },
  },
};

export function entity(name: string, extra: Record<string, unknown> = {}): Entity {
  return {
    apiVersion: "gantry.io/v1",
    kind: "Service",
    metadata: { name, namespace: "default", title: name.replace(/-/g, " "), description: `The ${name}`, owner: "payments", tags: ["go"], updatedAt: new Date().toISOString(), resourceVersion: "1" },
    spec: { type: "backend", lifecycle: "production", providesApis: ["payments-api"] },
    ...extra,
  };
}

/** A UI manifest item as GET /api/v1/ui/manifest sends it (a table renderer without data unless overridden). */
export function uiExtension(over: Partial<UIExtension> = {}): UIExtension {
  return { id: "x", plugin: "p", slot: "entity.tab", title: "X", renderer: "table", component: null, dataUrl: null, when: {}, order: 100, options: {}, ...over };
}
