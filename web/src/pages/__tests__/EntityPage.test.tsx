import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAt } from "@/test/render";
import { ME, SERVICE_SCHEMA, entity, fakeServer } from "@/test/server";
import { EntityPage } from "../EntityPage";

afterEach(() => vi.unstubAllGlobals());

const PAY = entity("pay-api", {
  spec: { type: "backend", lifecycle: "production", providesApis: ["payments-api"], links: [{ title: "Runbook", url: "https://wiki/pay", icon: "runbook" }] },
});
PAY.metadata = { ...PAY.metadata, annotations: { "github.com/repo": "acme/pay", "team.example/cost-center": "42" } };

function server(extra: Record<string, (req: never) => unknown> = {}) {
  return fakeServer({
    "GET /api/v1/auth/me": () => ME,
    "GET /api/v1/schemas": () => ({ items: [SERVICE_SCHEMA], total: 1, next: null }),
    "GET /api/v1/entities/service/pay-api": () => PAY,
    "GET /api/v1/entities/team/payments": () => ({ status: 404, body: { error: "not found", code: "not_found" } }),
    "POST /api/v1/history": () => ({ status: 204 }),
    "GET /api/v1/ui/manifest": () => ({
      items: [
        {
          id: "github-prs",
          plugin: "github",
          slot: "entity.tab",
          title: "Pull requests",
          renderer: "table",
          component: null,
          dataUrl: "/api/v1/plugins/github/prs?repo={annotations.github.com/repo}",
          when: { kinds: [], annotations: ["github.com/repo"], specFields: [] },
          order: 100,
          options: { columns: [{ key: "title" }, { key: "state", type: "status" }] },
        },
        {
          id: "argo",
          plugin: "argocd",
          slot: "entity.tab",
          title: "Argo CD",
          renderer: "status",
          component: null,
          dataUrl: null,
          when: { kinds: [], annotations: ["argocd.io/appName"], specFields: [] },
          order: 100,
          options: {},
        },
      ],
      total: 2,
      next: null,
    }),
    "GET /api/v1/plugins/github/prs": (req: { query: URLSearchParams }) => ({ items: [{ title: `Fix ${req.query.get("repo")}`, state: "open" }] }),
    ...extra,
  });
}

describe("EntityPage", () => {
  it("shows the overview: breadcrumb, spec fields with reference links, links sidebar, non-plugin annotations", async () => {
    server();
    renderAt(<EntityPage />, { path: "/catalog/service/pay-api", route: "/catalog/:kind/:name" });
    expect(await screen.findByRole("heading", { name: "pay api" })).toBeInTheDocument();
    const crumbs = screen.getByRole("navigation", { name: "Breadcrumb" });
    expect(within(crumbs).getByRole("link", { name: "Catalog" })).toHaveAttribute("href", "/catalog");
    expect(screen.getByRole("link", { name: /payments-api/ })).toHaveAttribute("href", "/catalog/api/payments-api");
    expect(screen.getByRole("link", { name: /Runbook/ })).toHaveAttribute("href", "https://wiki/pay");
    expect(screen.getByText("team.example/cost-center")).toBeInTheDocument();
    expect(screen.queryByText("github.com/repo")).toBeNull();
    expect(screen.getByRole("link", { name: "Edit" })).toHaveAttribute("href", "/catalog/service/pay-api/edit");
  });

  it("adds plugin tabs whose condition matches and renders them from the plugin route", async () => {
    server();
    const user = userEvent.setup();
    renderAt(<EntityPage />, { path: "/catalog/service/pay-api", route: "/catalog/:kind/:name" });
    const tab = await screen.findByRole("tab", { name: "Pull requests" });
    expect(screen.queryByRole("tab", { name: "Argo CD" })).toBeNull();
    await user.click(tab);
    expect(await screen.findByText("Fix acme/pay")).toBeInTheDocument();
    expect(screen.getByText("open")).toBeInTheDocument();
  });

  it("deletes only after the name is typed", async () => {
    const { calls } = server({ "DELETE /api/v1/entities/service/pay-api": () => ({ status: 204 }) });
    const user = userEvent.setup();
    renderAt(<EntityPage />, { path: "/catalog/service/pay-api", route: "/catalog/:kind/:name" });
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = screen.getByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await user.type(within(dialog).getByLabelText("Entity name to confirm"), "pay-api");
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await screen.findByTestId("elsewhere");
    const del = calls.find((c) => c.method === "DELETE")!;
    expect(del.headers["If-Match"]).toBe("1");
  });

  it("offers to create an entity that is referenced but missing", async () => {
    server({ "GET /api/v1/entities/service/ghost": () => ({ status: 404, body: { error: "not found", code: "not_found" } }) });
    renderAt(<EntityPage />, { path: "/catalog/service/ghost", route: "/catalog/:kind/:name" });
    expect(await screen.findByText("Service “ghost” does not exist")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /Create ghost/ })).toHaveAttribute("href", "/catalog/new?kind=Service&name=ghost");
  });

  it("shows the activity with a before/after diff", async () => {
    server({
      "GET /api/v1/entities/service/pay-api/activity": () => ({
        items: [
          {
            id: 9,
            timestamp: new Date().toISOString(),
            userName: "bob",
            action: "update",
            type: "entity.updated",
            resourceType: "Service",
            resourceName: "pay-api",
            resourceNamespace: "default",
            source: "api",
            before: { metadata: { title: "Pay" } },
            after: { metadata: { title: "Payments" } },
            details: null,
          },
        ],
        total: 1,
        next: null,
      }),
    });
    const user = userEvent.setup();
    renderAt(<EntityPage />, { path: "/catalog/service/pay-api?tab=activity", route: "/catalog/:kind/:name" });
    await user.click(await screen.findByRole("button", { name: /bob/ }));
    const table = screen.getByRole("table", { name: "Changes" });
    expect(within(table).getByText("/metadata/title")).toBeInTheDocument();
    expect(within(table).getByText("Pay")).toBeInTheDocument();
    expect(within(table).getByText("Payments")).toBeInTheDocument();
  });
});
