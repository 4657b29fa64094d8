import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAt } from "@/test/render";
import { ME, fakeServer } from "@/test/server";
import { LoginPage } from "../LoginPage";

afterEach(() => vi.unstubAllGlobals());

describe("LoginPage", () => {
  it("signs in with a password and goes where the user was heading", async () => {
    let signedIn = false;
    const { calls } = fakeServer({
      "GET /api/v1/auth/me": () => (signedIn ? ME : { status: 401, body: { error: "sign in", code: "unauthorized" } }),
      "GET /api/v1/auth/github/config": () => ({ ssoEnabled: false }),
      "POST /api/v1/auth/login": () => {
        signedIn = true;
        return { token: "t", user: { id: 1, username: "alice", role: "developer" } };
      },
    });
    const user = userEvent.setup();
    renderAt(<LoginPage />, { path: "/login?next=%2Fcatalog", route: "/login" });
    await user.type(await screen.findByLabelText("Username"), "alice");
    await user.type(screen.getByLabelText("Password"), "pw");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByTestId("elsewhere");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ username: "alice", password: "pw" });
    expect(screen.queryByText("Sign in with GitHub")).toBeNull();
  });

  it("says so when the credentials are wrong", async () => {
    fakeServer({
      "GET /api/v1/auth/me": () => ({ status: 401, body: { error: "sign in", code: "unauthorized" } }),
      "GET /api/v1/auth/github/config": () => ({ ssoEnabled: false }),
      "POST /api/v1/auth/login": () => ({ status: 401, body: { error: "invalid username or password", code: "invalid_credentials" } }),
    });
    const user = userEvent.setup();
    renderAt(<LoginPage />, { path: "/login", route: "/login" });
    await user.type(await screen.findByLabelText("Username"), "alice");
    await user.type(screen.getByLabelText("Password"), "nope");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Wrong username or password.")).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toHaveValue("");
  });

  it("offers GitHub only when SSO is enabled", async () => {
    fakeServer({
      "GET /api/v1/auth/me": () => ({ status: 401, body: { error: "sign in", code: "unauthorized" } }),
      "GET /api/v1/auth/github/config": () => ({ ssoEnabled: true }),
    });
    renderAt(<LoginPage />, { path: "/login", route: "/login" });
    const link = await screen.findByRole("link", { name: /Sign in with GitHub/ });
    await waitFor(() => expect(link.getAttribute("href")).toMatch(/^\/api\/v1\/auth\/github/));
  });
});
