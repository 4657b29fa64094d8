import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAt } from "@/test/render";
import { ME, SERVICE_SCHEMA, entity, fakeServer } from "@/test/server";
import { CatalogPage } from "../CatalogPage";

afterEach(() => vi.unstubAllGlobals());

function server() {
  return fakeServer({
    "GET /api/v1/auth/me": () => ME,
    "GET /api/v1/schemas": () => ({ items: [SERVICE_SCHEMA], total: 1, next: null }),
    "GET /api/v1/stats": () => ({ total: 3, byKind: { Service: 3 } }),
    "GET /api/v1/facets": () => ({ owner: [{ value: "payments", count: 3 }], tag: [{ value: "go", count: 2 }], lifecycle: [], namespace: [{ value: "default", count: 3 }] }),
    "GET /api/v1/entities": (req) => ({
      items: req.query.get("cursor") ? [entity("ledger")] : [entity("pay-api"), entity("pay-worker")],
      total: 3,
      next: req.query.get("cursor") ? null : "c1",
    }),
    "GET /api/v1/entities/service": (req) => ({ items: [entity("pay-api")], total: 1, next: null, _q: req.query.toString() }),
  });
}

describe("CatalogPage", () => {
  it("lists entities from the server with kind tabs and counts, and pages with the cursor", async () => {
    const { calls } = server();
    const user = userEvent.setup();
    renderAt(<CatalogPage />, { path: "/catalog", route: "/catalog" });
    const table = await screen.findByRole("table");
    expect(within(table).getByRole("link", { name: /pay api/i })).toHaveAttribute("href", "/catalog/service/pay-api");
    expect(await screen.findByRole("tab", { name: /Services\s*3/ })).toBeInTheDocument();
    expect(screen.getByText("1–2 of 3 entities")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("link", { name: /ledger/i })).toBeInTheDocument();
    expect(calls.some((c) => c.path === "/api/v1/entities" && c.query.get("cursor") === "c1")).toBe(true);
    await user.click(screen.getByRole("button", { name: "Previous" }));
    expect(await screen.findByRole("link", { name: /pay worker/i })).toBeInTheDocument();
  });

  it("filters by owner with facet counts and by kind tab, sending them to the server", async () => {
    const { calls } = server();
    const user = userEvent.setup();
    renderAt(<CatalogPage />, { path: "/catalog?kind=service", route: "/catalog" });
    await screen.findByRole("table");
    await user.click(screen.getByRole("button", { name: "Owner" }));
    const option = await screen.findByRole("option", { name: /payments\s*3/ });
    await user.click(option);
    await screen.findByRole("button", { name: "Clear Owner filter" });
    const last = calls.filter((c) => c.path === "/api/v1/entities/service").at(-1)!;
    expect(last.query.get("owner")).toBe("payments");
  });

  it("switches to the grid view", async () => {
    server();
    const user = userEvent.setup();
    renderAt(<CatalogPage />, { path: "/catalog", route: "/catalog" });
    await screen.findByRole("table");
    await user.click(screen.getByRole("tab", { name: /Grid/ }));
    expect(await screen.findByRole("list", { name: "Entities" })).toBeInTheDocument();
  });
});
