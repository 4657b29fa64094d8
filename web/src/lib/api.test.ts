import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, api, normalizePath, onUnauthorized, queryString, request } from "./api";
import { fakeServer } from "@/test/server";

afterEach(() => vi.unstubAllGlobals());

describe("request", () => {
  it("turns the server's error shape into an ApiError with field details", async () => {
    fakeServer({
      "POST /api/v1/entities": () => ({
        status: 422,
        body: { error: "validation failed", code: "validation_failed", details: [{ path: "/spec/type", message: "is required" }] },
      }),
    });
    const err = await api.entities.create({ apiVersion: "gantry.io/v1", kind: "Service", metadata: { name: "x" }, spec: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe("validation_failed");
    expect(err.message).toBe("validation failed");
    expect(err.detailFor("spec.type")).toBe("is required");
  });

  it("gives a readable error when the body is not the error shape", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("<html>bad gateway</html>", { status: 502 })));
    const err = (await request("GET", "/x").catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("http_502");
    expect(err.message).toMatch(/not reachable/);
  });

  it("reports network failures as network_error", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    const err = (await request("GET", "/x").catch((e) => e)) as ApiError;
    expect(err.code).toBe("network_error");
  });

  it("returns undefined for 204 and sends JSON with the session cookie", async () => {
    const { calls, fetchMock } = fakeServer({ "PUT /api/v1/auth/me/password": () => ({ status: 204 }) });
    await expect(api.auth.changePassword("old", "new-password")).resolves.toBeUndefined();
    expect(calls[0].body).toEqual({ currentPassword: "old", newPassword: "new-password" });
    expect(fetchMock.mock.calls[0][1]).toMatchObject({ credentials: "same-origin", method: "PUT" });
  });

  it("broadcasts 401 except for quiet calls", async () => {
    fakeServer({
      "GET /api/v1/entities": () => ({ status: 401, body: { error: "no", code: "unauthorized" } }),
      "GET /api/v1/auth/me": () => ({ status: 401, body: { error: "no", code: "unauthorized" } }),
    });
    const listener = vi.fn();
    const off = onUnauthorized(listener);
    await api.auth.me().catch(() => undefined);
    expect(listener).not.toHaveBeenCalled();
    await api.entities.list().catch(() => undefined);
    expect(listener).toHaveBeenCalledTimes(1);
    off();
  });
});

describe("endpoints", () => {
  it("lists one kind under /entities/{kind} with filters and cursor", async () => {
    const { calls } = fakeServer({ "GET /api/v1/entities/service": () => ({ items: [], total: 0, next: null }) });
    await api.entities.list({ kind: "Service", owner: "payments", q: "", cursor: "abc", limit: 25 });
    expect(calls[0].path).toBe("/api/v1/entities/service");
    expect(Object.fromEntries(calls[0].query)).toEqual({ owner: "payments", cursor: "abc", limit: "25" });
  });

  it("sends If-Match with the resourceVersion on update (F152)", async () => {
    const { calls } = fakeServer({ "PUT /api/v1/entities/service/pay": (req) => req.body });
    await api.entities.update({ apiVersion: "gantry.io/v1", kind: "Service", metadata: { name: "pay" }, spec: {} }, "7");
    expect(calls[0].headers["If-Match"]).toBe("7");
  });

  it("reads the UI manifest's items", async () => {
    fakeServer({
      "GET /api/v1/ui/manifest": () => ({
        items: [{ id: "gh", plugin: "github", slot: "entity.tab", title: "GitHub", renderer: "table", component: null, dataUrl: "/api/v1/plugins/github/repo?url={spec.repoUrl}", when: { kinds: [], annotations: [], specFields: ["repoUrl"] }, order: 100, options: {} }],
        total: 1,
        next: null,
      }),
    });
    const { items } = await api.ui.manifest();
    expect(items[0]).toMatchObject({ id: "gh", plugin: "github", dataUrl: "/api/v1/plugins/github/repo?url={spec.repoUrl}", when: { specFields: ["repoUrl"] } });
  });
});

describe("helpers", () => {
  it("normalizePath accepts pointers, dotted paths and indexes", () => {
    expect(normalizePath("/spec/type")).toBe("/spec/type");
    expect(normalizePath("spec.links[0].url")).toBe("/spec/links/0/url");
    expect(normalizePath("metadata/name")).toBe("/metadata/name");
  });

  it("queryString skips empty values and repeats arrays", () => {
    expect(queryString({ a: "1", b: "", c: undefined, d: ["x", "y"] })).toBe("?a=1&d=x&d=y");
    expect(queryString({})).toBe("");
  });
});
