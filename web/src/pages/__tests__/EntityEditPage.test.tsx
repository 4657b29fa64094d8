import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAt } from "@/test/render";
import { ME, SERVICE_SCHEMA, fakeServer } from "@/test/server";
import EntityEditPage from "../EntityEditPage";

afterEach(() => vi.unstubAllGlobals());

describe("EntityEditPage", () => {
  it("creates an entity from the generated form and shows server errors at their fields", async () => {
    let attempt = 0;
    const { calls } = fakeServer({
      "GET /api/v1/auth/me": () => ME,
      "GET /api/v1/schemas": () => ({ items: [SERVICE_SCHEMA], total: 1, next: null }),
      "GET /api/v1/facets": () => ({ owner: [], tag: [], namespace: [] }),
      "GET /api/v1/entities/team": () => ({ items: [], total: 0, next: null }),
      "GET /api/v1/entities/api": () => ({ items: [], total: 0, next: null }),
      "POST /api/v1/entities": (req) => {
        attempt += 1;
        if (attempt === 1)
          return { status: 409, body: { error: "Service pay-api already exists", code: "already_exists", details: [{ path: "/metadata/name", message: "already exists" }] } };
        return { status: 201, body: req.body };
      },
    });
    const user = userEvent.setup();
    renderAt(<EntityEditPage />, { path: "/catalog/new?kind=Service", route: "/catalog/new" });
    await user.type(await screen.findByLabelText(/^Name/), "pay-api");
    await user.click(screen.getByRole("button", { name: "Create Service" }));
    // Client-side check first: spec.type is required.
    await waitFor(() => expect(screen.getByLabelText(/^Type/)).toHaveAccessibleDescription("is required"));
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
    await user.selectOptions(screen.getByLabelText(/^Type/), "backend");
    await user.click(screen.getByRole("button", { name: "Create Service" }));
    expect(await screen.findByText("Service pay-api already exists")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText(/^Name/)).toHaveAccessibleDescription("already exists"));
    await user.clear(screen.getByLabelText(/^Name/));
    await user.type(screen.getByLabelText(/^Name/), "pay-api-2");
    await user.click(screen.getByRole("button", { name: "Create Service" }));
    await screen.findByTestId("elsewhere");
    expect(calls.filter((c) => c.method === "POST").at(-1)?.body).toEqual({
      apiVersion: "gantry.io/v1",
      kind: "Service",
      metadata: { name: "pay-api-2" },
      spec: { type: "backend" },
    });
  });

  it("offers a kind picker when no kind is given", async () => {
    fakeServer({ "GET /api/v1/auth/me": () => ME, "GET /api/v1/schemas": () => ({ items: [SERVICE_SCHEMA], total: 1, next: null }) });
    renderAt(<EntityEditPage />, { path: "/catalog/new", route: "/catalog/new" });
    expect(await screen.findByRole("link", { name: /Service/ })).toHaveAttribute("href", "/catalog/new?kind=Service");
  });
});
