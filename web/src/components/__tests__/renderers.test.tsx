import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";
import { renderAt } from "@/test/render";
import { ExtensionView, KeyValueRenderer, LinksRenderer, MarkdownRenderer, StatusRenderer, TableRenderer } from "../renderers";
import { fakeServer, uiExtension } from "@/test/server";
import type { Entity, UIExtension } from "@/lib/types";

const ext = (over: Partial<UIExtension> = {}): UIExtension => uiExtension({ id: "e", title: "Pods", ...over });

describe("declarative renderers", () => {
  it("table: declared columns, status dots, nested list path", () => {
    renderAt(
      <TableRenderer
        extension={ext({ options: { path: "pods", columns: [{ key: "name", label: "Pod" }, { key: "status", type: "status" }, { key: "restarts" }] } })}
        data={{ pods: [{ name: "pay-1", status: "Running", restarts: 0 }, { name: "pay-2", status: "CrashLoopBackOff", restarts: 7 }] }}
      />,
    );
    expect(screen.getByRole("columnheader", { name: "Pod" })).toBeInTheDocument();
    expect(screen.getAllByRole("row")).toHaveLength(3);
    expect(screen.getByText("CrashLoopBackOff")).toBeInTheDocument();
  });

  it("table: empty data says so", () => {
    renderAt(<TableRenderer extension={ext()} data={[]} />);
    expect(screen.getByText("No pods")).toBeInTheDocument();
  });

  it("key-value and status", () => {
    renderAt(
      <>
        <KeyValueRenderer extension={ext({ renderer: "key-value" })} data={{ defaultBranch: "main", stars: 42 }} />
        <StatusRenderer extension={ext({ renderer: "status" })} data={{ status: "Synced", items: [{ label: "Health", status: "Degraded" }] }} />
      </>,
    );
    expect(screen.getByText("Default branch")).toBeInTheDocument();
    expect(screen.getByText("42")).toBeInTheDocument();
    expect(screen.getByText("Synced")).toBeInTheDocument();
    expect(screen.getByText("Degraded")).toBeInTheDocument();
  });

  it("links open in a new tab", () => {
    renderAt(<LinksRenderer extension={ext({ renderer: "links" })} data={[{ title: "Grafana", url: "https://grafana/x", icon: "dashboard" }]} />);
    expect(screen.getByRole("link", { name: /Grafana/ })).toHaveAttribute("target", "_blank");
  });

  it("markdown is rendered as elements and drops unsafe links", () => {
    const { container } = renderAt(
      <MarkdownRenderer extension={ext({ renderer: "markdown" })} data={{ markdown: "# Runbook\n\n- **Restart** with `kubectl`\n\n[ok](https://x.dev) [bad](javascript:alert(1)) <script>alert(1)</script>" }} />,
    );
    expect(screen.getByRole("heading", { name: "Runbook" })).toBeInTheDocument();
    expect(screen.getByText("kubectl").tagName).toBe("CODE");
    expect(screen.getByRole("link", { name: "ok" })).toHaveAttribute("href", "https://x.dev");
    expect(screen.queryByRole("link", { name: "bad" })).toBeNull();
    expect(container.querySelector("script")).toBeNull();
  });

  it("sections: each fetches its own (relative) data URL, optional placeholders stay empty, minRole hides", async () => {
    const { calls } = fakeServer({
      "GET /api/v1/auth/me": () => ({ userId: 2, username: "vic", role: "viewer", effectiveRole: "viewer", groups: [], permissions: {} }),
      "GET /api/v1/plugins/k8s/workload/pay": (req) =>
        req.query.get("events") ? [{ reason: "Pulled" }] : { status: "Healthy", message: "2/2 ready", pods: [{ name: "pay-1" }] },
    });
    const svc: Entity = { apiVersion: "gantry.io/v1", kind: "Service", metadata: { name: "pay", annotations: { cluster: "prod" } }, spec: {} };
    renderAt(
      <ExtensionView
        entity={svc}
        extension={ext({
          plugin: "k8s",
          renderer: "status",
          dataUrl: "/api/v1/plugins/k8s/workload/{name}?cluster={annotations.cluster}&ns={?annotations.ns}",
          options: {
            sections: [
              { id: "pods", title: "Pods", renderer: "table", dataUrl: "workload/{name}?cluster={annotations.cluster}", options: { path: "pods" } },
              { id: "events", title: "Events", renderer: "table", dataUrl: "workload/{name}?events=1" },
              { id: "scale", title: "Scale", renderer: "form", minRole: "developer", options: { submitUrl: "workload/{name}/scale" } },
            ],
          },
        })}
      />,
    );
    expect(await screen.findByText("2/2 ready")).toBeInTheDocument();
    expect(await screen.findByText("pay-1")).toBeInTheDocument();
    expect(await screen.findByText("Pulled")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Pods" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Scale" })).toBeNull();
    const urls = calls.filter((c) => c.path.startsWith("/api/v1/plugins/")).map((c) => c.path + "?" + c.query.toString());
    expect(urls).toContain("/api/v1/plugins/k8s/workload/pay?cluster=prod&ns=");
    expect(urls).toContain("/api/v1/plugins/k8s/workload/pay?events=1");
  });
});
