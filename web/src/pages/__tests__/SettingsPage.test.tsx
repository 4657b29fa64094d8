import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAt } from "@/test/render";
import { ME, fakeServer } from "@/test/server";
import SettingsPage from "../SettingsPage";

afterEach(() => vi.unstubAllGlobals());

describe("Settings → API keys", () => {
  it("creates a key, shows it once with a copy button, then lists only its prefix", async () => {
    const keys: unknown[] = [];
    const { calls } = fakeServer({
      "GET /api/v1/auth/me": () => ME,
      "GET /api/v1/ui/manifest": () => ({ items: [], total: 0, next: null }),
      "GET /api/v1/auth/apikeys": () => ({ items: keys, total: keys.length, next: null }),
      "POST /api/v1/auth/apikeys": (req) => {
        const body = req.body as { name: string; role: string };
        const key = { id: 1, name: body.name, prefix: "gantry_a1b2c3", role: body.role, createdAt: new Date().toISOString(), expiresAt: null, lastUsedAt: null };
        keys.push(key);
        return { status: 201, body: { ...key, key: "gantry_a1b2c3" + "f".repeat(58) } };
      },
    });
    const user = userEvent.setup();
    renderAt(<SettingsPage />, { path: "/settings/api-keys", route: "/settings/:section" });
    expect(await screen.findByText("No API keys")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Create new key" }));
    const form = screen.getByRole("dialog");
    await user.type(within(form).getByLabelText(/^Name/), "ci deploy");
    expect(within(form).getByLabelText("Role")).toHaveValue("developer");
    expect(within(within(form).getByLabelText("Role")).queryByRole("option", { name: "admin" })).toBeNull();
    await user.click(within(form).getByRole("button", { name: "Create key" }));
    const reveal = await screen.findByRole("dialog", { name: "Copy your new API key" });
    expect(within(reveal).getByTestId("new-api-key")).toHaveTextContent(/^gantry_a1b2c3f{58}$/);
    expect(within(reveal).getByRole("button", { name: "Copy" })).toBeInTheDocument();
    expect((calls.find((c) => c.method === "POST")?.body as { name: string }).name).toBe("ci deploy");
    await user.click(within(reveal).getByRole("button", { name: "I have stored it" }));
    expect(await screen.findByText("gantry_a1b2c3…")).toBeInTheDocument();
    expect(screen.queryByTestId("new-api-key")).toBeNull();
  });
});
