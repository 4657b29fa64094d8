import { afterEach, describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { renderAt } from "@/test/render";
import { ME, fakeServer } from "@/test/server";
import { SECRET_REDACTED } from "@/lib/types";
import PluginDetailPage from "../PluginDetailPage";

afterEach(() => vi.unstubAllGlobals());

const GITHUB = {
  id: "github",
  title: "GitHub",
  description: "Repositories and SSO",
  version: "0.1.0",
  distribution: "gantry-plugin-github",
  category: "integration",
  icon: "github",
  status: "available",
  builtin: false,
  error: null,
  configSchema: {
    type: "object",
    properties: {
      orgName: { type: "string", title: "Orgname", description: "GitHub organisation" },
      personalAccessToken: { type: "string", format: "password", writeOnly: true, description: "Token" },
    },
  },
  kinds: [],
  routes: [],
  jobs: ["repos"],
  actionTypes: ["github-action"],
  uiExtensions: [],
};

describe("Plugin detail", () => {
  it("edits config with the secret kept redacted, then enables the plugin", async () => {
    const { calls } = fakeServer({
      "GET /api/v1/auth/me": () => ({ ...ME, role: "platform-engineer", effectiveRole: "platform-engineer" }),
      "GET /api/v1/plugins/github": () => GITHUB,
      "GET /api/v1/plugins/github/config": () => ({ orgName: "acme", personalAccessToken: SECRET_REDACTED }),
      "PUT /api/v1/plugins/github/config": (req) => req.body,
      "PUT /api/v1/plugins/github/enable": () => ({ ...GITHUB, status: "enabled" }),
    });
    const user = userEvent.setup();
    renderAt(<PluginDetailPage />, { path: "/plugins/github", route: "/plugins/:id" });
    const org = await screen.findByLabelText("Org name");
    expect(org).toHaveValue("acme");
    expect(screen.getByText("Stored secret (unchanged)")).toBeInTheDocument();
    await user.clear(org);
    await user.type(org, "acme-corp");
    await user.click(screen.getByRole("button", { name: "Save configuration" }));
    await screen.findByText("Configuration saved");
    expect(calls.find((c) => c.method === "PUT" && c.path.endsWith("/config"))?.body).toEqual({ orgName: "acme-corp", personalAccessToken: SECRET_REDACTED });
    await user.click(screen.getByRole("switch", { name: "Enable GitHub" }));
    await screen.findByText("GitHub enabled");
    expect(calls.find((c) => c.path.endsWith("/enable"))?.body).toEqual({ enabled: true });
  });

  it("hides configuration from viewers", async () => {
    fakeServer({ "GET /api/v1/auth/me": () => ({ ...ME, role: "viewer", effectiveRole: "viewer" }), "GET /api/v1/plugins/github": () => GITHUB });
    renderAt(<PluginDetailPage />, { path: "/plugins/github?tab=config", route: "/plugins/:id" });
    expect(await screen.findByText("Platform engineers configure plugins")).toBeInTheDocument();
    expect(screen.queryByRole("switch")).toBeNull();
  });
});
