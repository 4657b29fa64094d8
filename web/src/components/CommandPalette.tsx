/** F51: the command palette on `/` and ⌘K / Ctrl-K — entities (GET /search), pages and actions. */
import { useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { useNavigate } from "react-router";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { ArrowRight, CornerDownLeft, Loader2, Moon, Plus, Search, Sun, Zap } from "lucide-react";
import { api } from "@/lib/api";
import { hasRole, useMe } from "@/lib/auth";
import { entityHref } from "@/lib/format";
import { isTyping } from "@/lib/hooks";
import { useKinds, findKind } from "@/lib/kinds";
import { useTheme } from "@/lib/theme";
import { NAV_GROUPS } from "./Layout";
import { KindIcon } from "./icons";
import { Kbd } from "./ui";

export function CommandPalette({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.key === "k" || e.key === "K") && (e.metaKey || e.ctrlKey)) {
        e.preventDefault();
        onOpenChange(!open);
      } else if (e.key === "/" && !open && !isTyping(e.target) && !e.metaKey && !e.ctrlKey && !e.altKey) {
        e.preventDefault();
        onOpenChange(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open, onOpenChange]);

  if (!open) return null;
  return createPortal(<Palette onClose={() => onOpenChange(false)} />, document.body);
}

function Palette({ onClose }: { onClose: () => void }) {
  const [query, setQuery] = useState("");
  // No timer between the last key and the search (the budget is 150 ms from that key): each keystroke's query
  // starts as soon as React has shown the typed text, and the previous one is aborted (the signal below).
  const q = useDeferredValue(query.trim());
  const navigate = useNavigate();
  const { data: me } = useMe();
  const { data: kinds } = useKinds();
  const { dark, setChoice } = useTheme();
  const previous = useRef<HTMLElement | null>(document.activeElement as HTMLElement | null);

  const search = useQuery({
    queryKey: ["search", q],
    queryFn: ({ signal }) => api.search(q, 12, signal),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const actions = useQuery({
    queryKey: ["actions", "palette"],
    queryFn: () => api.entities.list({ kind: "action", limit: 50 }),
    staleTime: 60_000,
    retry: false,
  });

  useEffect(() => () => previous.current?.focus?.(), []);

  const go = (to: string) => {
    onClose();
    navigate(to);
  };

  const pages = useMemo(
    () =>
      [
        ...NAV_GROUPS.flatMap((g) => g.items).filter((i) => !i.role || hasRole(me, i.role)),
        { to: "/settings/api-keys", label: "Settings › API Keys", icon: null },
        { to: "/settings/account", label: "Settings › Change password", icon: null },
        { to: "/actions/runs", label: "Actions › Runs", icon: null },
      ].filter((p) => !q || p.label.toLowerCase().includes(q.toLowerCase())),
    [me, q],
  );
  const actionItems = (actions.data?.items ?? []).filter(
    (a) => !q || `${a.metadata.name} ${a.metadata.title ?? ""} ${a.metadata.description ?? ""}`.toLowerCase().includes(q.toLowerCase()),
  );
  const hits = q ? (search.data?.items ?? []) : [];
  const commands = q ? [] : [...(hasRole(me, "developer") ? ["cmd:create"] : []), "cmd:theme"];
  // The highlighted item is ours: when results replace the items, the first one is highlighted again (and the
  // input's aria-activedescendant never points at an item that is gone).
  const values = [
    ...hits.map((h) => `entity:${h.kind}/${h.namespace}/${h.name}`),
    ...actionItems.slice(0, 6).map((a) => `action:${a.metadata.name}`),
    ...pages.map((p) => `page:${p.to}`),
    ...commands,
  ];
  const [selected, setSelected] = useState("");
  const highlighted = values.includes(selected) ? selected : (values[0] ?? "");

  return (
    <div role="dialog" aria-modal="true" aria-label="Command palette" className="fixed inset-0 z-50 flex items-start justify-center p-4 pt-[14vh]">
      <div className="fixed inset-0 animate-fade-in bg-overlay backdrop-blur-[2px]" onClick={onClose} aria-hidden />
      <Command
        label="Command palette"
        shouldFilter={false}
        value={highlighted}
        onValueChange={setSelected}
        loop
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            onClose();
          }
        }}
        className="relative w-full max-w-xl animate-slide-up overflow-hidden rounded-xl border border-line bg-bg shadow-2xl"
      >
        <div className="flex items-center gap-2 border-b border-line px-4">
          <Search className="size-4 text-fg-muted" aria-hidden />
          <Command.Input
            autoFocus
            value={query}
            onValueChange={setQuery}
            placeholder="Search entities, pages and actions…"
            className="h-12 flex-1 bg-transparent text-[15px] outline-none placeholder:text-fg-muted/70"
          />
          {search.isFetching && <Loader2 className="size-4 animate-spin text-fg-muted" aria-label="Searching" />}
          <Kbd>Esc</Kbd>
        </div>
        <Command.List className="max-h-[min(60vh,440px)] overflow-y-auto p-2 [&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:pt-2 [&_[cmdk-group-heading]]:text-2xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:uppercase [&_[cmdk-group-heading]]:tracking-wider [&_[cmdk-group-heading]]:text-fg-muted">
          <Command.Empty className="px-3 py-8 text-center text-[13px] text-fg-muted">
            {search.isFetching ? "Searching…" : q ? `No results for “${q}”` : "Type to search the catalog"}
          </Command.Empty>
          {hits.length > 0 && (
            <Command.Group heading="Entities">
              {hits.map((hit) => (
                <Item key={`${hit.kind}/${hit.namespace}/${hit.name}`} value={`entity:${hit.kind}/${hit.namespace}/${hit.name}`} onSelect={() => go(entityHref(hit.kind, hit.name, hit.namespace))}>
                  <KindIcon kind={hit.kind} icon={findKind(kinds, hit.kind)?.icon} className="size-4 text-fg-muted" />
                  <div className="min-w-0 flex-1">
                    <div className="truncate">
                      <span className="font-medium">{hit.title || hit.name}</span>
                      {hit.title && <span className="ml-1.5 text-fg-muted">{hit.name}</span>}
                    </div>
                    {hit.description && <div className="truncate text-xs text-fg-muted">{hit.description}</div>}
                  </div>
                  <span className="text-2xs text-fg-muted">{hit.kind}</span>
                </Item>
              ))}
            </Command.Group>
          )}
          {actionItems.length > 0 && (
            <Command.Group heading="Actions">
              {actionItems.slice(0, 6).map((a) => (
                <Item key={a.metadata.name} value={`action:${a.metadata.name}`} onSelect={() => go(`/actions?run=${encodeURIComponent(a.metadata.name)}`)}>
                  <Zap className="size-4 text-fg-muted" aria-hidden />
                  <span className="flex-1 truncate">Run {a.metadata.title || a.metadata.name}</span>
                </Item>
              ))}
            </Command.Group>
          )}
          {pages.length > 0 && (
            <Command.Group heading="Go to">
              {pages.map((p) => (
                <Item key={p.to} value={`page:${p.to}`} onSelect={() => go(p.to)}>
                  <ArrowRight className="size-4 text-fg-muted" aria-hidden />
                  <span className="flex-1">{p.label}</span>
                </Item>
              ))}
            </Command.Group>
          )}
          {!q && (
            <Command.Group heading="Commands">
              {commands.includes("cmd:create") && (
                <Item value="cmd:create" onSelect={() => go("/catalog/new")}>
                  <Plus className="size-4 text-fg-muted" aria-hidden />
                  <span className="flex-1">Create entity</span>
                </Item>
              )}
              <Item
                value="cmd:theme"
                onSelect={() => {
                  setChoice(dark ? "light" : "dark");
                  onClose();
                }}
              >
                {dark ? <Sun className="size-4 text-fg-muted" aria-hidden /> : <Moon className="size-4 text-fg-muted" aria-hidden />}
                <span className="flex-1">Switch to {dark ? "light" : "dark"} mode</span>
              </Item>
            </Command.Group>
          )}
        </Command.List>
        <div className="flex items-center gap-3 border-t border-line bg-bg-2 px-4 py-2 text-2xs text-fg-muted">
          <span className="flex items-center gap-1">
            <Kbd>↑</Kbd>
            <Kbd>↓</Kbd> to navigate
          </span>
          <span className="flex items-center gap-1">
            <Kbd>
              <CornerDownLeft className="size-3" />
            </Kbd>{" "}
            to open
          </span>
        </div>
      </Command>
    </div>
  );
}

function Item({ value, onSelect, children }: { value: string; onSelect: () => void; children: React.ReactNode }) {
  return (
    <Command.Item
      value={value}
      onSelect={onSelect}
      className="flex cursor-pointer items-center gap-2.5 rounded-md px-2 py-2 text-[13px] data-[selected=true]:bg-bg-3"
    >
      {children}
    </Command.Item>
  );
}
