/**
 * Plugin UI runtime (F98, F158, DESIGN §2). Plugins declare UI extensions; the server lists those of enabled
 * plugins at GET /api/v1/ui/manifest. Each extension names a slot, a condition, and either a built-in
 * renderer (table, key-value, status, links, markdown, log-stream, form) fed by a plugin route, or an ES
 * module served from /plugins/{id}/static/ that is loaded with import() and shares the shell's React
 * (window.__GANTRY_SHARED__ plus the import map in index.html).
 */
import * as React from "react";
import * as ReactDOM from "react-dom";
import * as jsxRuntime from "react/jsx-runtime";
import { useQuery } from "@tanstack/react-query";
import type { ComponentType } from "react";
import { api } from "./api";
import type { Entity, UIExtension, UISlot } from "./types";

/** Props every extension component (built-in renderer or plugin module) receives. */
export interface ExtensionProps {
  extension: UIExtension;
  entity?: Entity;
  /** The data URL's JSON (or text for log-stream), already fetched; undefined without a data URL. */
  data?: unknown;
  /** Fetch the data again. */
  refresh?: () => void;
}

export type ExtensionComponent = ComponentType<ExtensionProps>;

// -- the manifest -----------------------------------------------------------------------------------------

export function useManifest() {
  return useQuery({
    queryKey: ["ui-manifest"],
    queryFn: async () => (await api.ui.manifest()).items,
    staleTime: 5 * 60_000,
  });
}

/** F96: any listed kind, every listed annotation, every listed spec field. */
export function matches(extension: UIExtension, entity?: Entity): boolean {
  const when = extension.when ?? {};
  if (!entity) return !(when.kinds?.length || when.annotations?.length || when.specFields?.length);
  if (when.kinds?.length && !when.kinds.some((k) => k.toLowerCase() === entity.kind.toLowerCase())) return false;
  const annotations = entity.metadata.annotations ?? {};
  if (when.annotations?.some((a) => !(a in annotations))) return false;
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  if (when.specFields?.some((f) => !hasPath(spec, f))) return false;
  return true;
}

function hasPath(obj: Record<string, unknown>, path: string): boolean {
  let node: unknown = obj;
  for (const part of path.replace(/^spec\./, "").split(".")) {
    if (!node || typeof node !== "object" || !(part in (node as object))) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return node !== undefined && node !== null && node !== "";
}

export function extensionsFor(all: UIExtension[] | undefined, slot: UISlot, entity?: Entity): UIExtension[] {
  return (all ?? [])
    .filter((e) => e.slot === slot && matches(e, entity))
    .sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.title.localeCompare(b.title));
}

/**
 * Fill the placeholders of a data URL from the entity, URL-encoded: `{kind}`, `{name}`, `{namespace}`,
 * `{annotations.<key>}`, `{labels.<key>}`, `{spec.<path>}`, `{metadata.<field>}`. A placeholder the entity
 * lacks makes the whole URL null (the panel says "not linked"), unless it is optional: `{?annotations.x}` is
 * left empty instead. The manifest's URLs are absolute (`/api/v1/plugins/{id}/…`); a relative one (a
 * section's, a form action's) is under the plugin's API prefix.
 */
export function dataUrlFor(extension: Pick<UIExtension, "plugin" | "dataUrl">, entity?: Entity): string | null {
  const template = extension.dataUrl;
  if (!template) return null;
  let missing = false;
  const filled = template.replace(/\{(\??)([^}]+)\}/g, (_, optional: string, key: string) => {
    const value = lookupPlaceholder(key, entity);
    if (value === undefined && !optional) missing = true;
    return encodeURIComponent(value ?? "");
  });
  if (missing) return null;
  if (filled.startsWith("/") || /^https?:/.test(filled)) return filled;
  return `/api/v1/plugins/${encodeURIComponent(extension.plugin)}/${filled}`;
}

/** An entity value by name: `name`, `annotations.<key>`, `labels.<key>`, `spec.<path>`, `metadata.<field>`. */
export function entityValue(entity: Entity, key: string): string | undefined {
  return lookupPlaceholder(key, entity);
}

function lookupPlaceholder(key: string, entity?: Entity): string | undefined {
  if (!entity) return undefined;
  const md = entity.metadata;
  if (key === "kind") return entity.kind.toLowerCase();
  if (key === "name") return md.name;
  if (key === "namespace") return md.namespace ?? "default";
  if (key.startsWith("annotations.")) return md.annotations?.[key.slice(12)];
  if (key.startsWith("labels.")) return md.labels?.[key.slice(7)];
  if (key.startsWith("metadata.")) {
    const v = (md as unknown as Record<string, unknown>)[key.slice(9)];
    return v === undefined || v === null ? undefined : String(v);
  }
  if (key.startsWith("spec.")) {
    let node: unknown = entity.spec;
    for (const part of key.slice(5).split(".")) node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
    return node === undefined || node === null ? undefined : String(node);
  }
  return undefined;
}

// -- ES-module extensions ---------------------------------------------------------------------------------

const registry = new Map<string, ExtensionComponent>();
const modules = new Map<string, Promise<Record<string, unknown>>>();

/** Plugin modules call this (via `@gantry/ui` or window.__GANTRY_SHARED__) to provide a component by name. */
export function registerComponent(name: string, component: ExtensionComponent): void {
  registry.set(name, component);
}

export function registeredComponent(name: string): ExtensionComponent | undefined {
  return registry.get(name);
}

/**
 * The manifest's `component` is `/plugins/{plugin}/static/<file>.js`, optionally with `#ExportName`. Only
 * modules under the extension's own plugin's static folder load; a bare `file.js` is taken as relative to it.
 */
export function moduleUrl(extension: UIExtension): { url: string; exportName: string } {
  const [raw, exportName = "default"] = (extension.component ?? "").split("#");
  const prefix = `/plugins/${encodeURIComponent(extension.plugin)}/static/`;
  const file = raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
  const clean = file
    .split("/")
    .filter((part) => part && part !== "." && part !== "..")
    .map((part) => encodeURIComponent(decodeURIComponent(part)))
    .join("/");
  return { url: prefix + clean, exportName };
}

type Importer = (url: string) => Promise<Record<string, unknown>>;
let importer: Importer = (url) => import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>;

/** Tests swap the dynamic import. */
export function setModuleImporter(fn: Importer): void {
  importer = fn;
  modules.clear();
}

export async function loadExtensionComponent(extension: UIExtension): Promise<ExtensionComponent> {
  const { url, exportName } = moduleUrl(extension);
  let loading = modules.get(url);
  if (!loading) {
    loading = importer(url);
    modules.set(url, loading);
  }
  let mod: Record<string, unknown>;
  try {
    mod = await loading;
  } catch (err) {
    modules.delete(url);
    throw new Error(`Could not load ${url}: ${(err as Error).message}`);
  }
  if (typeof mod.register === "function" && !mod.__gantryRegistered) {
    (mod.register as (host: unknown) => void)(sharedHost());
    try {
      (mod as { __gantryRegistered?: boolean }).__gantryRegistered = true;
    } catch {
      /* module namespace objects are frozen; registering twice is harmless */
    }
  }
  const found =
    registry.get(`${extension.plugin}/${extension.id}`) ??
    registry.get(extension.id) ??
    (exportName !== "default" ? registry.get(exportName) : undefined) ??
    (mod[exportName] as ExtensionComponent | undefined);
  if (typeof found !== "function" && typeof found !== "object") {
    throw new Error(`${url} does not export "${exportName}" or register a component for ${extension.id}`);
  }
  return found as ExtensionComponent;
}

// -- sharing the host's React -----------------------------------------------------------------------------

interface SharedHost {
  React: typeof React;
  ReactDOM: typeof ReactDOM;
  jsxRuntime: typeof jsxRuntime;
  gantry: {
    api: typeof api;
    registerComponent: typeof registerComponent;
    ui: Record<string, unknown>;
    renderers: Record<string, unknown>;
  };
}

declare global {
  interface Window {
    __GANTRY_SHARED__?: SharedHost;
    React?: typeof React;
  }
}

let extras: { ui: Record<string, unknown>; renderers: Record<string, unknown> } = { ui: {}, renderers: {} };

/** Called by the renderer module so plugin code can reuse the shell's components and renderers. */
export function provideSharedComponents(ui: Record<string, unknown>, renderers: Record<string, unknown>): void {
  extras = { ui, renderers };
  const host = window.__GANTRY_SHARED__;
  if (host) host.gantry = { ...host.gantry, ui, renderers };
}

function sharedHost(): SharedHost {
  return (
    window.__GANTRY_SHARED__ ?? {
      React,
      ReactDOM,
      jsxRuntime,
      gantry: { api, registerComponent, ...extras },
    }
  );
}

/** Put the shell's React, ReactDOM, JSX runtime and Gantry API on window for plugin ES modules. */
export function exposeSharedModules(): void {
  const host: SharedHost = { React, ReactDOM, jsxRuntime, gantry: { api, registerComponent, ...extras } };
  window.__GANTRY_SHARED__ = host;
  window.React = React;
}
