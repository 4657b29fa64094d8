/** F86: welcome, announcements, counts per kind, service status, recently browsed, recent activity. */
import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, ArrowRight, History, Info, Megaphone, Pencil, Plus, Search, Trash2 } from "lucide-react";
import { ApiError, api } from "@/lib/api";
import { useCan, useMe } from "@/lib/auth";
import { entityHref, relativeTime } from "@/lib/format";
import { useDocumentTitle } from "@/lib/hooks";
import { kindPlural, useKindCounts, useKinds } from "@/lib/kinds";
import type { Announcement, AuditEntry, DashboardConfig, HistoryItem } from "@/lib/types";
import { KindIcon } from "@/components/icons";
import { ActivityLine } from "@/components/Activity";
import { ServiceStatusSummary } from "@/components/ServiceStatus";
import {
  Button,
  Card,
  CardHeader,
  Dialog,
  EmptyState,
  ErrorBanner,
  ErrorState,
  Field,
  Input,
  Kbd,
  Select,
  Skeleton,
  Switch,
  Textarea,
  cn,
  useToast,
} from "@/components/ui";

const DEFAULT_CONFIG: DashboardConfig = {
  widgets: [
    { id: "entity_stats", enabled: true },
    { id: "recent_activity", enabled: true },
    { id: "recently_browsed", enabled: true },
    { id: "service_status", enabled: true },
  ],
  announcements: [],
};

const WIDGET_LABELS: Record<string, string> = {
  entity_stats: "Entity counts",
  recent_activity: "Recent activity",
  recently_browsed: "Recently browsed",
  service_status: "Service status",
};

const STAT_KINDS = ["Service", "API", "Infrastructure", "Team", "Environment", "Documentation"];

export function DashboardPage() {
  useDocumentTitle("Dashboard");
  const { data: me } = useMe();
  const isAdmin = useCan("admin");
  const [editing, setEditing] = useState(false);
  const config = useQuery({
    queryKey: ["dashboard-config"],
    queryFn: async () => {
      try {
        return await api.dashboard.get();
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return DEFAULT_CONFIG;
        throw err;
      }
    },
  });
  const cfg = config.data ?? DEFAULT_CONFIG;
  const enabled = (id: string) => cfg.widgets.find((w) => w.id === id)?.enabled ?? true;
  const mac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);
  const hour = new Date().getHours();
  const greeting = hour < 12 ? "Good morning" : hour < 18 ? "Good afternoon" : "Good evening";

  return (
    <div className="space-y-6">
      <header className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <p className="text-[13px] text-fg-muted">
            {greeting}, {me?.displayName || me?.username}
          </p>
          <h1 className="mt-0.5 text-2xl font-semibold tracking-tight">Welcome to Gantry</h1>
        </div>
        <div className="flex items-center gap-2">
          <button
            type="button"
            onClick={() => window.dispatchEvent(new KeyboardEvent("keydown", { key: "k", metaKey: mac, ctrlKey: !mac }))}
            className="flex h-8 w-72 items-center gap-2 rounded-md border border-line bg-bg px-2.5 text-[13px] text-fg-muted shadow-xs hover:border-fg-muted/40"
          >
            <Search className="size-3.5" aria-hidden />
            <span className="flex-1 truncate text-left">Search services, APIs, teams…</span>
            <Kbd>{mac ? "⌘K" : "Ctrl K"}</Kbd>
          </button>
          {isAdmin && (
            <Button onClick={() => setEditing(true)} icon={<Pencil className="size-3.5" />}>
              Edit dashboard
            </Button>
          )}
        </div>
      </header>

      {cfg.announcements.length > 0 && (
        <section aria-label="Announcements" className="space-y-2">
          {cfg.announcements.map((a, i) => (
            <AnnouncementBanner key={i} announcement={a} />
          ))}
        </section>
      )}

      {enabled("entity_stats") && <EntityStats />}

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        {enabled("recent_activity") && <div className="space-y-6 lg:col-span-2">{<RecentActivity />}</div>}
        <div className="space-y-6">
          {enabled("recently_browsed") && <RecentlyBrowsed />}
          {enabled("service_status") && <ServiceStatusSummary />}
        </div>
      </div>

      {isAdmin && <EditDashboardDialog open={editing} onClose={() => setEditing(false)} config={cfg} />}
    </div>
  );
}

function AnnouncementBanner({ announcement }: { announcement: Announcement }) {
  const critical = /crit|error|danger/i.test(announcement.severity);
  const warning = /warn/i.test(announcement.severity);
  return (
    <div
      role="note"
      className={cn(
        "flex items-start gap-3 rounded-lg border px-4 py-3",
        critical ? "border-danger/30 bg-danger/6" : warning ? "border-accent/30 bg-accent/8" : "border-line bg-bg-2",
      )}
    >
      {critical || warning ? (
        <AlertTriangle className={cn("mt-0.5 size-4 shrink-0", critical ? "text-danger" : "text-accent")} aria-hidden />
      ) : (
        <Megaphone className="mt-0.5 size-4 shrink-0 text-fg-muted" aria-hidden />
      )}
      <div className="min-w-0">
        <p className="text-[13px] font-semibold">{announcement.title}</p>
        {announcement.message && <p className="mt-0.5 text-[13px] text-fg-muted">{announcement.message}</p>}
      </div>
    </div>
  );
}

function EntityStats() {
  const { data: kinds } = useKinds();
  const counts = useKindCounts();
  return (
    <section aria-label="Catalog at a glance" className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
      {STAT_KINDS.map((kind) => (
        <Link
          key={kind}
          to={`/catalog?kind=${kind.toLowerCase()}`}
          className="group rounded-lg border border-line bg-bg p-4 transition-colors hover:border-fg-muted/30 hover:bg-bg-2"
        >
          <div className="flex items-center justify-between text-fg-muted">
            <span className="text-[13px] font-medium">{kindPlural(kinds, kind)}</span>
            <KindIcon kind={kind} className="size-4 transition-colors group-hover:text-accent" />
          </div>
          <div className="mt-3 text-2xl font-semibold tabular-nums tracking-tight">
            {counts.isLoading || !kinds ? <Skeleton className="h-7 w-12" /> : counts.error ? <span className="text-fg-muted">—</span> : (counts.data?.[kind] ?? 0).toLocaleString()}
          </div>
        </Link>
      ))}
    </section>
  );
}

function RecentActivity() {
  const isAdmin = useCan("admin");
  const q = useQuery({ queryKey: ["activity", "dashboard"], queryFn: () => api.activity({ limit: 12 }) });
  return (
    <Card>
      <CardHeader
        title="Recent activity"
        description="Changes across the catalog, newest first"
        actions={
          isAdmin ? (
            <Link to="/admin/audit" className="inline-flex items-center gap-1 text-xs font-medium text-fg-muted hover:text-fg">
              View all <ArrowRight className="size-3" />
            </Link>
          ) : null
        }
      />
      {q.isLoading ? (
        <div className="space-y-3 p-4">
          {Array.from({ length: 6 }).map((_, i) => (
            <div key={i} className="flex items-center gap-3">
              <Skeleton className="size-6 rounded-full" />
              <Skeleton className="h-3.5 flex-1" />
              <Skeleton className="h-3.5 w-16" />
            </div>
          ))}
        </div>
      ) : q.error ? (
        <ErrorState error={q.error} feature="Recent activity" retry={() => void q.refetch()} />
      ) : !q.data?.items.length ? (
        <EmptyState title="No activity yet" description="Create or import entities and their changes show up here." />
      ) : (
        <ul className="divide-y divide-line">
          {q.data.items.map((entry: AuditEntry) => (
            <li key={entry.id} className="px-4 py-2.5">
              <ActivityLine entry={entry} />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function RecentlyBrowsed() {
  const q = useQuery({
    queryKey: ["history"],
    queryFn: async () => (await api.history.list(8)).items.filter((h) => h.exists !== false),
  });
  return (
    <Card>
      <CardHeader title="Recently browsed" icon={<History className="size-4" />} />
      {q.isLoading ? (
        <div className="space-y-2.5 p-4">
          <Skeleton />
          <Skeleton className="w-3/4" />
          <Skeleton className="w-2/3" />
        </div>
      ) : q.error ? (
        <ErrorState error={q.error} feature="Browsing history" />
      ) : !q.data?.length ? (
        <p className="px-4 py-6 text-center text-[13px] text-fg-muted">Entities you open appear here.</p>
      ) : (
        <ul className="p-1.5">
          {q.data.map((h: HistoryItem) => (
            <li key={`${h.kind}/${h.namespace}/${h.name}`}>
              <Link to={entityHref(h.kind, h.name, h.namespace)} className="flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-[13px] hover:bg-bg-3">
                <KindIcon kind={h.kind} className="size-4 shrink-0 text-fg-muted" />
                <span className="min-w-0 flex-1 truncate">{h.title || h.name}</span>
                <span className="shrink-0 text-2xs text-fg-muted">{relativeTime(h.viewedAt)}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function EditDashboardDialog({ open, onClose, config }: { open: boolean; onClose: () => void; config: DashboardConfig }) {
  const [draft, setDraft] = useState<DashboardConfig>(config);
  const client = useQueryClient();
  const toast = useToast();
  const save = useMutation({
    mutationFn: () => api.dashboard.put(draft),
    onSuccess: (data) => {
      client.setQueryData(["dashboard-config"], data ?? draft);
      toast.success("Dashboard saved");
      onClose();
    },
  });
  const widgets = DEFAULT_CONFIG.widgets.map((w) => draft.widgets.find((x) => x.id === w.id) ?? w);
  const setWidget = (id: string, enabled: boolean) => setDraft({ ...draft, widgets: widgets.map((w) => (w.id === id ? { ...w, enabled } : w)) });
  const setAnn = (i: number, patch: Partial<Announcement>) =>
    setDraft({ ...draft, announcements: draft.announcements.map((a, j) => (j === i ? { ...a, ...patch } : a)) });
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Edit dashboard"
      description="Everyone sees these announcements and widgets."
      size="lg"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" loading={save.isPending} onClick={() => save.mutate()}>
            Save dashboard
          </Button>
        </>
      }
    >
      <div className="space-y-6">
        <div className="space-y-2">
          <h3 className="text-[13px] font-semibold">Widgets</h3>
          {widgets.map((w) => (
            <label key={w.id} className="flex items-center justify-between rounded-md border border-line px-3 py-2 text-[13px]">
              {WIDGET_LABELS[w.id] ?? w.id}
              <Switch checked={w.enabled} onChange={(v) => setWidget(w.id, v)} label={`Show ${w.id}`} />
            </label>
          ))}
        </div>
        <div className="space-y-2">
          <div className="flex items-center justify-between">
            <h3 className="text-[13px] font-semibold">Announcements</h3>
            <Button size="sm" icon={<Plus className="size-3.5" />} onClick={() => setDraft({ ...draft, announcements: [...draft.announcements, { title: "", message: "", severity: "info" }] })}>
              Add announcement
            </Button>
          </div>
          {draft.announcements.length === 0 && (
            <p className="flex items-center gap-2 rounded-md border border-dashed border-line px-3 py-3 text-[13px] text-fg-muted">
              <Info className="size-4" /> No announcements. Add one to tell everyone about maintenance or news.
            </p>
          )}
          {draft.announcements.map((a, i) => (
            <div key={i} className="space-y-3 rounded-md border border-line p-3">
              <div className="grid grid-cols-[1fr_9rem_auto] items-end gap-2">
                <Field label="Title">{({ id }) => <Input id={id} value={a.title} onChange={(e) => setAnn(i, { title: e.target.value })} />}</Field>
                <Field label="Severity">
                  {({ id }) => (
                    <Select id={id} value={a.severity} onChange={(e) => setAnn(i, { severity: e.target.value as Announcement["severity"] })}>
                      <option value="info">info</option>
                      <option value="warning">warning</option>
                      <option value="critical">critical</option>
                    </Select>
                  )}
                </Field>
                <Button variant="danger-ghost" size="icon" aria-label={`Remove announcement ${i + 1}`} onClick={() => setDraft({ ...draft, announcements: draft.announcements.filter((_, j) => j !== i) })}>
                  <Trash2 className="size-4" />
                </Button>
              </div>
              <Field label="Message">{({ id }) => <Textarea id={id} rows={2} value={a.message} onChange={(e) => setAnn(i, { message: e.target.value })} />}</Field>
            </div>
          ))}
        </div>
        <ErrorBanner error={save.error} />
      </div>
    </Dialog>
  );
}
