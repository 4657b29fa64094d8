import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAt } from "@/test/render";
import { ME, SERVICE_SCHEMA, fakeServer } from "@/test/server";
import { CommandPalette } from "../CommandPalette";

afterEach(() => vi.unstubAllGlobals());

function Host() {
  const [open, setOpen] = useState(false);
  return <CommandPalette open={open} onOpenChange={setOpen} />;
}

describe("CommandPalette", () => {
  it("opens on / and Ctrl+K, searches entities and navigates to one", async () => {
    const { calls } = fakeServer({
      "GET /api/v1/auth/me": () => ME,
      "GET /api/v1/schemas": () => ({ items: [SERVICE_SCHEMA], total: 1, next: null }),
      "GET /api/v1/entities/action": () => ({ items: [], total: 0, next: null }),
      "GET /api/v1/search": (req) => ({
        items: req.query.get("q") === "pay" ? [{ kind: "Service", namespace: "default", name: "payment-api", title: "Payment API", description: "Takes money" }] : [],
        total: 1,
        next: null,
      }),
    });
    const user = userEvent.setup();
    renderAt(<Host />, { route: "/" });
    fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    expect(await screen.findByRole("combobox")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("combobox")).toBeNull();
    fireEvent.keyDown(window, { key: "/" });
    const input = await screen.findByRole("combobox");
    await user.type(input, "pay");
    const hit = await screen.findByRole("option", { name: /Payment API/ });
    expect(calls.some((c) => c.path === "/api/v1/search" && c.query.get("q") === "pay")).toBe(true);
    await user.click(hit);
    expect(await screen.findByTestId("elsewhere")).toBeInTheDocument();
  });

  it("lists pages the user may open", async () => {
    fakeServer({
      "GET /api/v1/auth/me": () => ME,
      "GET /api/v1/schemas": () => ({ items: [], total: 0, next: null }),
      "GET /api/v1/entities/action": () => ({ items: [], total: 0, next: null }),
    });
    renderAt(<Host />, { route: "/" });
    fireEvent.keyDown(window, { key: "k", metaKey: true });
    expect(await screen.findByRole("option", { name: "Catalog" })).toBeInTheDocument();
    expect(screen.queryByRole("option", { name: "Audit Log" })).toBeNull();
  });
});
