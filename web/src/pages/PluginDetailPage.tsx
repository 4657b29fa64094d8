/** One plugin (F92-F95, F157): configuration form (secrets redacted), enable/disable, sync now, sync runs. */
import { lazy, Suspense, useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, ChevronRight, History, Info, RefreshCw, Settings2 } from "lucide-react";
import { ApiError, api } from "@/lib/api";
import { useCan } from "@/lib/auth";
import { absoluteTime, duration, relativeTime } from "@/lib/format";
import { useDocumentTitle } from "@/lib/hooks";
import { defaultValue } from "@/lib/schema";
import type { PluginConfig, PluginInfo, SyncRun, SyncRunStatus } from "@/lib/types";
import { NamedIcon } from "@/components/icons";
import { pluginStatus } from "./PluginsPage";
import {
  Badge,
  Button,
  Card,
  CardHeader,
  DescriptionList,
  EmptyState,
  ErrorBanner,
  ErrorState,
  PageHeader,
  Skeleton,
  SkeletonRows,
  StatusDot,
  Switch,
  Tabs,
  cn,
  tabPanelProps,
  useToast,
  type Tone,
} from "@/components/ui";

const SchemaForm = lazy(() => import("@/components/SchemaForm"));

export default function PluginDetailPage() {
  const { id = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const canConfigure = useCan("platform-engineer");
  const q = useQuery({ queryKey: ["plugins", id], queryFn: () => api.plugins.get(id) });
  useDocumentTitle(q.data?.title ?? id);
  const plugin = q.data;
  const tab = params.get("tab") ?? (plugin?.configSchema && canConfigure ? "config" : "about");

  const breadcrumb = (
    <nav aria-label="Breadcrumb" className="flex items-center gap-1 text-[13px] text-fg-muted">
      <Link to="/plugins" className="hover:text-fg">Plugins</Link>
      <ChevronRight className="size-3.5" aria-hidden />
      <span className="text-fg" aria-current="page">{plugin?.title ?? id}</span>
    </nav>
  );
  if (q.isLoading) return <div><div className="mb-4">{breadcrumb}</div><Skeleton className="h-64" /></div>;
  if (q.error || !plugin) return <div><div className="mb-4">{breadcrumb}</div><Card><ErrorState error={q.error} retry={() => void q.refetch()} /></Card></div>;

  const st = pluginStatus(plugin);
  const tabs = [
    ...(plugin.configSchema ? [{ id: "config", label: "Configuration", icon: <Settings2 className="size-3.5" /> }] : []),
    ...(plugin.jobs.length ? [{ id: "sync", label: "Sync runs", icon: <History className="size-3.5" /> }] : []),
    { id: "about", label: "About", icon: <Info className="size-3.5" /> },
  ];
  const current = tabs.some((t) => t.id === tab) ? tab : "about";
  return (
    <div>
      <PageHeader
        breadcrumb={breadcrumb}
        icon={
          <span className="flex size-10 items-center justify-center rounded-xl border border-line bg-bg-2">
            <NamedIcon name={plugin.icon || "puzzle"} className="size-5 text-fg-muted" />
          </span>
        }
        title={
          <span className="flex items-center gap-3">
            {plugin.title}
            <StatusDot tone={st.tone}>{st.label}</StatusDot>
          </span>
        }
        description={plugin.description}
        actions={canConfigure && !plugin.builtin ? <PluginControls plugin={plugin} /> : null}
      />
      {plugin.error && (
        <div role="alert" className="mb-5 flex items-start gap-2.5 rounded-lg border border-danger/30 bg-danger/6 px-4 py-3 text-[13px]">
          <AlertTriangle className="mt-0.5 size-4 shrink-0 text-danger" aria-hidden />
          <span>
            <span className="font-medium text-danger">This plugin failed to load.</span> <span className="text-fg-muted">{plugin.error}</span>
          </span>
        </div>
      )}
      <Tabs
        label="Plugin sections"
        className="mb-5"
        items={tabs}
        value={current}
        onChange={(t) => {
          const next = new URLSearchParams(params);
          next.set("tab", t);
          setParams(next, { replace: true });
        }}
      />
      <div {...tabPanelProps(current)} className="outline-none">
        {current === "config" && (canConfigure ? <ConfigForm plugin={plugin} /> : <Card><EmptyState title="Platform engineers configure plugins" description="Ask a platform engineer or an administrator to change this plugin's settings." /></Card>)}
        {current === "sync" && <SyncRuns plugin={plugin} />}
        {current === "about" && <About plugin={plugin} />}
      </div>
    </div>
  );
}

function PluginControls({ plugin }: { plugin: PluginInfo }) {
  const toast = useToast();
  const client = useQueryClient();
  const enabled = plugin.status === "enabled";
  const toggle = useMutation({
    mutationFn: (on: boolean) => api.plugins.enable(plugin.id, on),
    onSuccess: (_, on) => {
      toast.success(on ? `${plugin.title} enabled` : `${plugin.title} disabled`, on && plugin.jobs.length ? "The first sync has started." : undefined);
      void client.invalidateQueries({ queryKey: ["plugins"] });
      void client.invalidateQueries({ queryKey: ["ui-manifest"] });
      void client.invalidateQueries({ queryKey: ["sync-runs", plugin.id] });
    },
    onError: (err) => toast.error("Could not change the plugin", (err as Error).message),
  });
  const sync = useMutation({
    mutationFn: () => api.plugins.sync(plugin.id),
    onSuccess: () => {
      toast.success("Sync started", "Entities update as the sync runs.");
      void client.invalidateQueries({ queryKey: ["sync-runs", plugin.id] });
    },
    onError: (err) => toast.error(err instanceof ApiError && err.code === "sync_in_progress" ? "A sync is already running" : "Sync failed to start", (err as Error).message),
  });
  return (
    <>
      {plugin.jobs.length > 0 && (
        <Button icon={<RefreshCw className={cn("size-3.5", sync.isPending && "animate-spin")} />} onClick={() => sync.mutate()} disabled={!enabled || sync.isPending}>
          Sync now
        </Button>
      )}
      <label className="flex h-8 items-center gap-2 rounded-md border border-line px-3 text-[13px] font-medium">
        {enabled ? "Enabled" : "Disabled"}
        <Switch checked={enabled} onChange={(v) => toggle.mutate(v)} disabled={toggle.isPending} label={enabled ? `Disable ${plugin.title}` : `Enable ${plugin.title}`} />
      </label>
    </>
  );
}

function ConfigForm({ plugin }: { plugin: PluginInfo }) {
  const toast = useToast();
  const client = useQueryClient();
  const configKey = ["plugins", plugin.id, "config"];
  const q = useQuery({
    queryKey: configKey,
    // Never configured (`{}`): start from the schema's defaults.
    queryFn: async () => {
      const stored = await api.plugins.getConfig(plugin.id);
      return Object.keys(stored).length ? stored : ((defaultValue(plugin.configSchema!, plugin.configSchema!) ?? {}) as PluginConfig);
    },
  });
  const [value, setValue] = useState<PluginConfig | null>(null);
  useEffect(() => {
    if (q.data && value === null) setValue(q.data);
  }, [q.data, value]);
  const save = useMutation({
    mutationFn: (config: PluginConfig) => api.plugins.putConfig(plugin.id, config),
    onSuccess: (stored) => {
      toast.success("Configuration saved", "Secrets are stored encrypted.");
      // The answer is the stored config, secrets redacted: it becomes the form's value.
      client.setQueryData(configKey, stored);
      setValue(stored);
      void client.invalidateQueries({ queryKey: ["plugins", plugin.id], exact: true });
    },
  });
  if (q.isLoading || (q.data && value === null)) return <Skeleton className="h-72" />;
  if (q.error) return <Card><ErrorState error={q.error} retry={() => void q.refetch()} /></Card>;
  return (
    <form
      aria-label={`${plugin.title} configuration`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(value ?? {});
      }}
      className="max-w-3xl space-y-4"
    >
      <Card className="p-5">
        <Suspense fallback={<Skeleton className="h-48" />}>
          <SchemaForm schema={plugin.configSchema!} value={value ?? {}} onChange={(v) => setValue((v ?? {}) as Record<string, unknown>)} errors={save.error instanceof ApiError ? save.error.details : []} />
        </Suspense>
      </Card>
      <ErrorBanner error={save.error} />
      <div className="flex justify-end gap-2">
        <Button onClick={() => setValue(q.data ?? {})} disabled={save.isPending}>
          Discard changes
        </Button>
        <Button type="submit" variant="primary" loading={save.isPending}>
          Save configuration
        </Button>
      </div>
    </form>
  );
}

function SyncRuns({ plugin }: { plugin: PluginInfo }) {
  const q = useQuery({
    queryKey: ["sync-runs", plugin.id],
    queryFn: () => api.plugins.syncRuns(plugin.id, { limit: 50 }),
    refetchInterval: (query) => (query.state.data?.items.some((r) => r.status === "running") ? 3000 : false),
  });
  const [open, setOpen] = useState<string | number | null>(null);
  if (q.isLoading) return <Card><SkeletonRows rows={5} columns={6} /></Card>;
  if (q.error) return <Card><ErrorState error={q.error} feature="Sync runs" retry={() => void q.refetch()} /></Card>;
  if (!q.data?.items.length) return <Card><EmptyState icon={<History className="size-5" />} title="No syncs yet" description="Enable the plugin or press Sync now; each run is listed here with what it changed." /></Card>;
  return (
    <Card>
      <table className="w-full text-[13px]">
        <thead>
          <tr className="border-b border-line bg-bg-2 text-left text-xs text-fg-muted">
            <th scope="col" className="px-4 py-2 font-medium">Status</th>
            <th scope="col" className="px-4 py-2 font-medium">Job</th>
            <th scope="col" className="px-4 py-2 font-medium">Triggered by</th>
            <th scope="col" className="px-4 py-2 font-medium">Started</th>
            <th scope="col" className="px-4 py-2 font-medium">Duration</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Created</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Updated</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Unchanged</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Failed</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {q.data.items.map((r: SyncRun) => (
            <SyncRow key={r.id} run={r} open={open === r.id} onToggle={() => setOpen(open === r.id ? null : r.id)} />
          ))}
        </tbody>
      </table>
    </Card>
  );
}

const SYNC_TONES: Record<SyncRunStatus, Tone> = { running: "accent", success: "accent", partial: "neutral", failed: "danger", cancelled: "muted" };

function SyncRow({ run, open, onToggle }: { run: SyncRun; open: boolean; onToggle: () => void }) {
  const tone = SYNC_TONES[run.status] ?? "muted";
  return (
    <>
      <tr className={cn(run.errors?.length ? "cursor-pointer hover:bg-bg-2" : undefined)} onClick={run.errors?.length ? onToggle : undefined} aria-expanded={run.errors?.length ? open : undefined}>
        <td className="px-4 py-2.5"><StatusDot tone={tone} pulse={run.status === "running"}>{run.status}</StatusDot></td>
        <td className="px-4 py-2.5 font-mono text-xs">{run.job}</td>
        <td className="px-4 py-2.5 text-fg-muted">{run.triggeredBy ?? "schedule"}</td>
        <td className="px-4 py-2.5 text-fg-muted" title={absoluteTime(run.startedAt)}>{relativeTime(run.startedAt)}</td>
        <td className="px-4 py-2.5 tabular-nums text-fg-muted">{duration(run.startedAt, run.finishedAt)}</td>
        <td className="px-4 py-2.5 text-right tabular-nums">{run.created}</td>
        <td className="px-4 py-2.5 text-right tabular-nums">{run.updated}</td>
        <td className="px-4 py-2.5 text-right tabular-nums text-fg-muted">{run.unchanged}</td>
        <td className={cn("px-4 py-2.5 text-right tabular-nums", run.failed ? "text-danger" : "text-fg-muted")}>{run.failed}</td>
      </tr>
      {open && (
        <tr>
          <td colSpan={9} className="bg-bg-2 px-4 py-3">
            <ul className="space-y-1 font-mono text-xs text-danger">
              {run.errors.map((e, i) => (
                <li key={i}>{e}</li>
              ))}
            </ul>
          </td>
        </tr>
      )}
    </>
  );
}

function About({ plugin }: { plugin: PluginInfo }) {
  const list = (items: string[]) => (items.length ? <span className="flex flex-wrap gap-1">{items.map((i) => <Badge key={i} tone="muted">{i}</Badge>)}</span> : <span className="text-fg-muted">—</span>);
  return (
    <Card>
      <CardHeader title="About this plugin" />
      <DescriptionList
        className="px-4 py-4"
        items={[
          ["Id", <code className="font-mono text-xs">{plugin.id}</code>],
          ["Distribution", plugin.distribution],
          ["Version", plugin.version],
          ["Category", plugin.category],
          ["Built in", plugin.builtin ? "Yes" : "No"],
          ["Entity kinds", list(plugin.kinds)],
          ["Sync jobs", list(plugin.jobs)],
          ["Action types", list(plugin.actionTypes)],
          ["UI extensions", list(plugin.uiExtensions)],
          ["API routes", plugin.routes.length ? `${plugin.routes.length} under /api/v1/plugins/${plugin.id}` : "—"],
        ]}
      />
    </Card>
  );
}
