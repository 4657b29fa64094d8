/** F97: installed plugins with their state; platform engineers configure, enable and sync them. */
import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, Package, Puzzle } from "lucide-react";
import { api } from "@/lib/api";
import { useDocumentTitle } from "@/lib/hooks";
import type { PluginInfo } from "@/lib/types";
import { NamedIcon } from "@/components/icons";
import { Badge, Card, EmptyState, ErrorState, PageHeader, Skeleton, StatusDot, type Tone } from "@/components/ui";

/** `available` is installed but switched off (its config is kept); `error` failed to load or start. */
export function pluginStatus(p: Pick<PluginInfo, "status">): { tone: Tone; label: string } {
  if (p.status === "enabled") return { tone: "accent", label: "Enabled" };
  if (p.status === "error") return { tone: "danger", label: "Error" };
  return { tone: "muted", label: "Not enabled" };
}

export default function PluginsPage() {
  useDocumentTitle("Plugins");
  const q = useQuery({ queryKey: ["plugins"], queryFn: () => api.plugins.list() });
  const items = q.data?.items ?? [];
  const integrations = items.filter((p) => !p.builtin);
  const builtins = items.filter((p) => p.builtin);
  return (
    <div>
      <PageHeader
        title="Plugins"
        description="Integrations installed on this server. Install one with pip (e.g. gantry-plugin-github) and restart; configure and enable it here — no rebuild."
      />
      {q.isLoading ? (
        <div className="grid grid-cols-2 gap-3 xl:grid-cols-3">
          {Array.from({ length: 3 }).map((_, i) => (
            <Skeleton key={i} className="h-36 rounded-lg" />
          ))}
        </div>
      ) : q.error ? (
        <Card><ErrorState error={q.error} feature="Plugins" retry={() => void q.refetch()} /></Card>
      ) : (
        <div className="space-y-8">
          <section aria-label="Integrations">
            <h2 className="mb-3 text-[13px] font-semibold">Integrations</h2>
            {integrations.length === 0 ? (
              <Card>
                <EmptyState
                  icon={<Package className="size-5" />}
                  title="No integrations installed"
                  description="pip install gantry-plugin-kubernetes, gantry-plugin-github or gantry-plugin-argocd next to Gantry and restart the server."
                />
              </Card>
            ) : (
              <PluginGrid plugins={integrations} />
            )}
          </section>
          {builtins.length > 0 && (
            <section aria-label="Built-in">
              <h2 className="mb-3 text-[13px] font-semibold">Built-in</h2>
              <PluginGrid plugins={builtins} />
            </section>
          )}
        </div>
      )}
    </div>
  );
}

function PluginGrid({ plugins }: { plugins: PluginInfo[] }) {
  return (
    <ul className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3">
      {plugins.map((p) => {
        const st = pluginStatus(p);
        return (
          <li key={p.id}>
            <Link to={`/plugins/${encodeURIComponent(p.id)}`} className="flex h-full flex-col rounded-lg border border-line bg-bg p-4 transition-colors hover:border-fg-muted/30 hover:bg-bg-2">
              <div className="flex items-start gap-3">
                <span className="flex size-9 shrink-0 items-center justify-center rounded-lg border border-line bg-bg-2">
                  <NamedIcon name={p.icon || "puzzle"} className="size-4 text-fg-muted" />
                </span>
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium">{p.title}</p>
                  <p className="truncate text-xs text-fg-muted">
                    {p.id} · v{p.version}
                  </p>
                </div>
                <StatusDot tone={st.tone}>{st.label}</StatusDot>
              </div>
              <p className="mt-3 line-clamp-2 flex-1 text-[13px] text-fg-muted">{p.description || "No description."}</p>
              {p.error && (
                <p className="mt-2 flex items-start gap-1.5 text-xs text-danger">
                  <AlertTriangle className="mt-px size-3.5 shrink-0" aria-hidden /> {p.error}
                </p>
              )}
              <div className="mt-3 flex flex-wrap gap-1.5">
                <Badge tone="outline">{p.category}</Badge>
                {p.kinds.length > 0 && <Badge tone="muted">{p.kinds.length} kinds</Badge>}
                {p.jobs.length > 0 && <Badge tone="muted">{p.jobs.length} sync jobs</Badge>}
                {p.actionTypes.length > 0 && <Badge tone="muted">{p.actionTypes.length} action types</Badge>}
                {p.uiExtensions.length > 0 && <Badge tone="muted">{p.uiExtensions.length} UI extensions</Badge>}
                {p.configSchema && <Badge tone="muted" icon={<Puzzle className="size-3" />}>configurable</Badge>}
              </div>
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
