import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";
import { renderAt } from "@/test/render";
import { KeyValueRenderer, LinksRenderer, MarkdownRenderer, StatusRenderer, TableRenderer } from "../renderers";
import type { UIExtension } from "@/lib/types";

const ext = (over: Partial<UIExtension> = {}): UIExtension => ({ id: "e", plugin: "p", slot: "entity.tab", title: "Pods", renderer: "table", ...over });

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
});
