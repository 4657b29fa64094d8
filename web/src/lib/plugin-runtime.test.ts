import { describe, expect, it } from "vitest";
import { dataUrlFor, extensionsFor, loadExtensionComponent, matches, moduleUrl, registeredComponent, setModuleImporter } from "./plugin-runtime";
import type { Entity, UIExtension } from "./types";
import { uiExtension } from "@/test/server";

const svc: Entity = {
  apiVersion: "gantry.io/v1",
  kind: "Service",
  metadata: { name: "pay", namespace: "default", annotations: { "github.com/repo": "acme/pay" } },
  spec: { repoUrl: "https://github.com/acme/pay" },
};

const ext = (over: Partial<UIExtension>): UIExtension => uiExtension({ plugin: "github", ...over });

describe("conditions", () => {
  it("needs any listed kind, every annotation and every spec field", () => {
    expect(matches(ext({ when: { kinds: ["service"] } }), svc)).toBe(true);
    expect(matches(ext({ when: { kinds: ["API"] } }), svc)).toBe(false);
    expect(matches(ext({ when: { annotations: ["github.com/repo"] } }), svc)).toBe(true);
    expect(matches(ext({ when: { annotations: ["argocd.io/appName"] } }), svc)).toBe(false);
    expect(matches(ext({ when: { specFields: ["repoUrl"] } }), svc)).toBe(true);
    expect(matches(ext({ when: { specFields: ["healthCheckUrl"] } }), svc)).toBe(false);
  });

  it("filters by slot and orders by `order` then title", () => {
    const all = [ext({ id: "b", title: "B", order: 5 }), ext({ id: "a", title: "A", order: 5 }), ext({ id: "c", slot: "entity.card" }), ext({ id: "z", order: 1, title: "Z" })];
    expect(extensionsFor(all, "entity.tab", svc).map((e) => e.id)).toEqual(["z", "a", "b"]);
  });
});

describe("data URLs", () => {
  it("fills placeholders from the entity, URL-encoded, under the plugin's prefix", () => {
    expect(dataUrlFor(ext({ dataUrl: "repo?url={spec.repoUrl}&r={annotations.github.com/repo}" }), svc)).toBe(
      "/api/v1/plugins/github/repo?url=https%3A%2F%2Fgithub.com%2Facme%2Fpay&r=acme%2Fpay",
    );
    expect(dataUrlFor(ext({ dataUrl: "/api/v1/things/{kind}/{name}" }), svc)).toBe("/api/v1/things/service/pay");
  });

  it("keeps the manifest's absolute URLs and fills {kind} {namespace} {name}", () => {
    expect(dataUrlFor(ext({ dataUrl: "/api/v1/plugins/github/repo/{kind}/{namespace}/{name}" }), svc)).toBe(
      "/api/v1/plugins/github/repo/service/default/pay",
    );
  });

  it("gives null when the entity lacks a placeholder's value", () => {
    expect(dataUrlFor(ext({ dataUrl: "apps/{annotations.argocd.io/appName}" }), svc)).toBeNull();
  });

  it("leaves optional {?…} placeholders empty instead", () => {
    expect(dataUrlFor(ext({ dataUrl: "/api/v1/plugins/k8s/w/{name}?ns={?annotations.kubernetes.io/namespace}&r={annotations.github.com/repo}" }), svc)).toBe(
      "/api/v1/plugins/k8s/w/pay?ns=&r=acme%2Fpay",
    );
  });
});

describe("ES-module extensions", () => {
  it("loads the manifest's /plugins/{id}/static/<file> and uses the named export", async () => {
    const Comp = () => null;
    const seen: string[] = [];
    setModuleImporter(async (url) => {
      seen.push(url);
      return { Panel: Comp };
    });
    const got = await loadExtensionComponent(ext({ renderer: null, component: "/plugins/github/static/panel.js#Panel" }));
    expect(got).toBe(Comp);
    expect(seen).toEqual(["/plugins/github/static/panel.js"]);
  });

  it("lets a module register components through the shared host", async () => {
    const Comp = () => null;
    setModuleImporter(async () => ({
      register(host: { gantry: { registerComponent: (n: string, c: unknown) => void } }) {
        host.gantry.registerComponent("github/deploys", Comp);
      },
    }));
    const got = await loadExtensionComponent(ext({ id: "deploys", renderer: null, component: "deploys.js" }));
    expect(got).toBe(Comp);
    expect(registeredComponent("github/deploys")).toBe(Comp);
  });

  it("refuses path tricks in the module name", () => {
    expect(moduleUrl(ext({ component: "../../etc/x.js" })).url).toBe("/plugins/github/static/etc/x.js");
    expect(moduleUrl(ext({ component: "/plugins/github/static/../../api/v1/x.js" })).url).toBe("/plugins/github/static/api/v1/x.js");
    expect(moduleUrl(ext({ component: "/plugins/other/static/x.js" })).url).toBe("/plugins/github/static/plugins/other/static/x.js");
  });
});
