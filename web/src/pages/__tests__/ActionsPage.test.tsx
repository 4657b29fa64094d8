import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAt } from "@/test/render";
import { ME, fakeServer } from "@/test/server";
import ActionsPage from "../ActionsPage";

afterEach(() => vi.unstubAllGlobals());

const DEPLOY = {
  name: "deploy-service",
  namespace: "default",
  title: "Deploy a service",
  description: "Runs the deploy workflow",
  owner: "platform",
  tags: [],
  type: "github-action",
  category: "Delivery",
  inputCount: 2,
  inputs: [
    { name: "service", title: "Service", type: "string", required: true },
    { name: "environment", title: "Environment", type: "select", options: ["staging", "production"], default: "staging" },
  ],
  permissions: { allowedRoles: [], allowedTeams: [], requireApproval: false, approvers: [] },
};

describe("ActionsPage", () => {
  it("groups actions by category, runs one with a form built from its inputs and opens the run", async () => {
    const { calls } = fakeServer({
      "GET /api/v1/auth/me": () => ME,
      "GET /api/v1/actions": () => ({ items: [DEPLOY, { ...DEPLOY, name: "restart", title: "Restart", category: "Operations" }], total: 2, next: null }),
      "GET /api/v1/actions/approvals": () => ({ items: [], total: 0, next: null }),
      "POST /api/v1/actions/deploy-service/execute": (req) => ({
        status: 201,
        body: { id: "r1", actionName: "deploy-service", namespace: "default", status: "running", inputs: (req.body as { inputs: unknown }).inputs, triggeredBy: "alice" },
      }),
    });
    const user = userEvent.setup();
    renderAt(<ActionsPage />, { path: "/actions", route: "/actions" });
    const delivery = await screen.findByRole("region", { name: "Delivery" });
    expect(within(delivery).getByText("Deploy a service")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Operations" })).toBeInTheDocument();
    await user.type(screen.getByLabelText("Search actions"), "restart");
    expect(screen.queryByRole("region", { name: "Delivery" })).toBeNull();
    await user.clear(screen.getByLabelText("Search actions"));
    await user.click(screen.getByRole("button", { name: "Execute Deploy a service" }));
    const dialog = await screen.findByRole("dialog", { name: "Run Deploy a service" });
    await user.click(within(dialog).getByRole("button", { name: "Run action" }));
    expect(await within(dialog).findByText("is required")).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText(/^Service/), "cart-service");
    await user.selectOptions(within(dialog).getByLabelText("Environment"), "production");
    await user.click(within(dialog).getByRole("button", { name: "Run action" }));
    await screen.findByTestId("elsewhere");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ inputs: { service: "cart-service", environment: "production" } });
  });
});
