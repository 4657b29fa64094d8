/** F47: one entity — breadcrumb, Overview, Relations, Activity, YAML, plugin tabs and cards, Edit and Delete. */
import { lazy, Suspense, useEffect, useState, type ReactNode } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Activity as ActivityIcon,
  AlertTriangle,
  ChevronRight,
  Code2,
  ExternalLink,
  FileText,
  HeartPulse,
  Link2,
  Mail,
  MessageSquare,
  Network,
  Pencil,
  Phone,
  Plus,
  Trash2,
  Users,
} from "lucide-react";
import { ApiError, api } from "@/lib/api";
import { useCan } from "@/lib/auth";
import { absoluteTime, entityHref, humanize, relativeTime } from "@/lib/format";
import { useCursorPager, useDocumentTitle } from "@/lib/hooks";
import { findKind, kindPlural, useKinds } from "@/lib/kinds";
import { entityKey, useHighlight } from "@/lib/live";
import { extensionsFor, useManifest } from "@/lib/plugin-runtime";
import { labelFor, resolve, unwrapNullable } from "@/lib/schema";
import type { Entity, GraphDirection, JsonSchema, KindSchema, Link as EntityLink } from "@/lib/types";
import { ActivityList } from "@/components/Activity";
import { KindIcon } from "@/components/icons";
import { LifecycleBadge, TagList } from "@/components/entity-bits";
import { ExtensionView, LinkList } from "@/components/renderers";
import {
  Badge,
  ButtonLink,
  Card,
  CardHeader,
  ConfirmDialog,
  Button,
  EmptyState,
  ErrorBanner,
  ErrorState,
  Input,
  Pager,
  Skeleton,
  SkeletonRows,
  StatusDot,
  Tabs,
  cn,
  tabPanelProps,
  useToast,
} from "@/components/ui";

const RelationsGraph = lazy(() => import("@/components/RelationsGraph"));
const YamlView = lazy(() => import("@/components/YamlView"));

/** Annotation prefixes that belong to plugins, which show them in their own cards (F48). */
const PLUGIN_ANNOTATIONS = /^(github\.com|kubernetes\.io|argocd\.io|git)\//;

export function EntityPage() {
  const { kind = "", name = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const namespace = params.get("namespace") ?? "default";
  const tab = params.get("tab") ?? "overview";
  const { data: kinds } = useKinds();
  const kindInfo = findKind(kinds, kind);
  const canWrite = useCan("developer");
  const manifest = useManifest();

  const q = useQuery({
    queryKey: ["entity", kind.toLowerCase(), namespace, name],
    queryFn: () => api.entities.get(kind, name, namespace),
  });
  const entity = q.data;
  useDocumentTitle(entity ? entity.metadata.title || entity.metadata.name : name);
  const flash = useHighlight(entityKey(kind, namespace, name));

  useEffect(() => {
    if (entity) api.history.record(entity.kind, entity.metadata.name, entity.metadata.namespace ?? "default").catch(() => undefined);
  }, [entity?.kind, entity?.metadata.name, entity?.metadata.namespace]); // eslint-disable-line react-hooks/exhaustive-deps

  const setTab = (id: string) => {
    const next = new URLSearchParams(params);
    if (id === "overview") next.delete("tab");
    else next.set("tab", id);
    setParams(next, { replace: true });
  };

  const breadcrumb = (
    <nav aria-label="Breadcrumb" className="flex items-center gap-1 text-[13px] text-fg-muted">
      <Link to="/catalog" className="hover:text-fg">
        Catalog
      </Link>
      <ChevronRight className="size-3.5" aria-hidden />
      <Link to={`/catalog?kind=${(kindInfo?.kind ?? kind).toLowerCase()}`} className="hover:text-fg">
        {kindInfo ? kindPlural(kinds, kindInfo.kind) : kind}
      </Link>
      <ChevronRight className="size-3.5" aria-hidden />
      <span className="text-fg" aria-current="page">
        {namespace !== "default" && `${namespace}/`}
        {name}
      </span>
    </nav>
  );

  if (q.isLoading) return <EntitySkeleton breadcrumb={breadcrumb} />;
  if (q.error || !entity) {
    const notFound = q.error instanceof ApiError && q.error.status === 404;
    return (
      <div>
        <div className="mb-6">{breadcrumb}</div>
        <Card>
          {notFound ? (
            <EmptyState
              icon={<AlertTriangle className="size-5" />}
              title={q.error instanceof ApiError && q.error.code === "unknown_kind" ? `Unknown kind “${kind}”` : `${kindInfo?.kind ?? kind} “${name}” does not exist`}
              description={
                q.error instanceof ApiError && q.error.code === "unknown_kind"
                  ? "This server has no such entity kind."
                  : "Something refers to it, but it has not been added to the catalog yet (or it was deleted)."
              }
              action={
                canWrite && kindInfo && !(q.error instanceof ApiError && q.error.code === "unknown_kind") ? (
                  <ButtonLink variant="primary" to={`/catalog/new?kind=${kindInfo.kind}&name=${encodeURIComponent(name)}${namespace !== "default" ? `&namespace=${namespace}` : ""}`} icon={<Plus className="size-3.5" />}>
                    Create {name}
                  </ButtonLink>
                ) : (
                  <ButtonLink to="/catalog">Back to the catalog</ButtonLink>
                )
              }
            />
          ) : (
            <ErrorState error={q.error} retry={() => void q.refetch()} />
          )}
        </Card>
      </div>
    );
  }

  const pluginTabs = extensionsFor(manifest.data, "entity.tab", entity);
  const pluginCards = extensionsFor(manifest.data, "entity.card", entity);
  const pluginActions = extensionsFor(manifest.data, "entity.action", entity);
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const orphaned = entity.metadata.annotations?.["gantry.io/orphaned"] === "true";
  const tabs = [
    { id: "overview", label: "Overview", icon: <FileText className="size-3.5" /> },
    { id: "relations", label: "Relations", icon: <Network className="size-3.5" /> },
    { id: "activity", label: "Activity", icon: <ActivityIcon className="size-3.5" /> },
    { id: "yaml", label: "YAML", icon: <Code2 className="size-3.5" /> },
    ...pluginTabs.map((e) => ({ id: `x-${e.id}`, label: e.title })),
  ];
  const current = tabs.some((t) => t.id === tab) ? tab : "overview";
  const currentExt = pluginTabs.find((e) => `x-${e.id}` === current);

  return (
    <div>
      <div className="mb-4">{breadcrumb}</div>
      <header className={cn("mb-5 flex flex-wrap items-start justify-between gap-4 rounded-lg", flash && "live-flash")}>
        <div className="flex min-w-0 items-start gap-3.5">
          <span className="flex size-11 shrink-0 items-center justify-center rounded-xl border border-line bg-bg-2">
            <KindIcon kind={entity.kind} icon={kindInfo?.icon} className="size-5 text-accent" />
          </span>
          <div className="min-w-0">
            <h1 className="truncate text-xl font-semibold tracking-tight">{entity.metadata.title || entity.metadata.name}</h1>
            <div className="mt-1 flex flex-wrap items-center gap-2 text-[13px] text-fg-muted">
              <Badge tone="outline">{entity.kind}</Badge>
              {typeof spec.type === "string" && <Badge>{spec.type}</Badge>}
              <LifecycleBadge lifecycle={spec.lifecycle} />
              {entity.metadata.title && <span className="font-mono text-xs">{entity.metadata.name}</span>}
              {entity.metadata.owner && (
                <span className="inline-flex items-center gap-1">
                  <Users className="size-3.5" aria-hidden />
                  <Link to={entityHref("team", entity.metadata.owner, entity.metadata.namespace)} className="hover:text-fg hover:underline">
                    {entity.metadata.owner}
                  </Link>
                </span>
              )}
              {entity.metadata.managedBy && <Badge tone="muted">managed by {entity.metadata.managedBy}</Badge>}
            </div>
            {entity.metadata.description && <p className="mt-2 max-w-3xl text-[13px] text-fg-muted">{entity.metadata.description}</p>}
          </div>
        </div>
        <div className="flex shrink-0 items-center gap-2">
          {pluginActions.map((e) => (
            <ExtensionView key={e.id} extension={e} entity={entity} compact />
          ))}
          {canWrite && <EntityWriteActions entity={entity} />}
        </div>
      </header>

      {orphaned && (
        <div role="note" className="mb-4 flex items-start gap-2.5 rounded-lg border border-danger/30 bg-danger/6 px-4 py-3 text-[13px]">
          <AlertTriangle className="mt-0.5 size-4 shrink-0 text-danger" aria-hidden />
          <p>
            <span className="font-medium">Orphaned.</span> <span className="text-fg-muted">The {entity.metadata.managedBy ?? "plugin"} sync no longer reports this entity. Delete it if it is gone for good.</span>
          </p>
        </div>
      )}

      <Tabs label="Entity sections" items={tabs} value={current} onChange={setTab} className="mb-5" />

      <div {...tabPanelProps(current)} className="outline-none">
        {current === "overview" && <Overview entity={entity} kind={kindInfo} cards={pluginCards.map((e) => <PluginCard key={e.id} title={e.title}><ExtensionView extension={e} entity={entity} compact /></PluginCard>)} />}
        {current === "relations" && <Relations entity={entity} />}
        {current === "activity" && <ActivityTab entity={entity} />}
        {current === "yaml" && (
          <Suspense fallback={<Skeleton className="h-96" />}>
            <YamlView value={entity} filename={`${entity.kind}-${entity.metadata.name}.yaml`} />
          </Suspense>
        )}
        {currentExt && (
          <Card>
            <ExtensionView extension={currentExt} entity={entity} />
          </Card>
        )}
      </div>
    </div>
  );
}

function EntitySkeleton({ breadcrumb }: { breadcrumb: ReactNode }) {
  return (
    <div role="status" aria-label="Loading entity">
      <div className="mb-4">{breadcrumb}</div>
      <div className="mb-6 flex items-start gap-3.5">
        <Skeleton className="size-11 rounded-xl" />
        <div className="space-y-2">
          <Skeleton className="h-6 w-64" />
          <Skeleton className="h-3.5 w-96" />
        </div>
      </div>
      <Skeleton className="mb-5 h-9 w-96" />
      <div className="grid grid-cols-3 gap-5">
        <Skeleton className="col-span-2 h-72" />
        <Skeleton className="h-72" />
      </div>
    </div>
  );
}

function EntityWriteActions({ entity }: { entity: Entity }) {
  const [confirm, setConfirm] = useState(false);
  const [typed, setTyped] = useState("");
  const navigate = useNavigate();
  const toast = useToast();
  const client = useQueryClient();
  const ns = entity.metadata.namespace ?? "default";
  const remove = useMutation({
    mutationFn: () => api.entities.remove(entity.kind, entity.metadata.name, ns, entity.metadata.resourceVersion),
    onSuccess: () => {
      toast.success(`Deleted ${entity.kind} ${entity.metadata.name}`);
      client.removeQueries({ queryKey: ["entity", entity.kind.toLowerCase(), ns, entity.metadata.name] });
      void client.invalidateQueries({ queryKey: ["entities"] });
      navigate(`/catalog?kind=${entity.kind.toLowerCase()}`);
    },
  });
  const editHref = `${entityHref(entity.kind, entity.metadata.name).replace(/\?.*/, "")}/edit${ns !== "default" ? `?namespace=${ns}` : ""}`;
  return (
    <>
      <ButtonLink to={editHref} icon={<Pencil className="size-3.5" />}>
        Edit
      </ButtonLink>
      <Button variant="danger-ghost" icon={<Trash2 className="size-3.5" />} onClick={() => setConfirm(true)}>
        Delete
      </Button>
      <ConfirmDialog
        open={confirm}
        onClose={() => {
          setConfirm(false);
          setTyped("");
          remove.reset();
        }}
        onConfirm={() => typed === entity.metadata.name && remove.mutate()}
        title={`Delete ${entity.kind} “${entity.metadata.name}”?`}
        description="It disappears from the catalog and from every graph. The audit log keeps its history."
        confirmLabel="Delete"
        danger
        loading={remove.isPending}
      >
        <label className="block space-y-1.5 text-[13px]">
          <span>
            Type <code className="rounded bg-bg-3 px-1 font-mono text-xs">{entity.metadata.name}</code> to confirm
          </span>
          <Input value={typed} onChange={(e) => setTyped(e.target.value)} aria-label="Entity name to confirm" data-autofocus autoComplete="off" />
        </label>
        <ErrorBanner className="mt-3" error={remove.error} />
      </ConfirmDialog>
    </>
  );
}

function PluginCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card>
      <CardHeader title={title} />
      {children}
    </Card>
  );
}

// -- Overview ---------------------------------------------------------------------------------------------

function Overview({ entity, kind, cards }: { entity: Entity; kind?: KindSchema; cards: ReactNode[] }) {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const links = (Array.isArray(spec.links) ? spec.links : []) as EntityLink[];
  return (
    <div className="grid grid-cols-1 gap-5 lg:grid-cols-3">
      <div className="space-y-5 lg:col-span-2">
        <Card>
          <CardHeader title="About" description={kind?.description} />
          <SpecFields entity={entity} kind={kind} />
        </Card>
        {typeof spec.healthCheckUrl === "string" && <HealthCard url={spec.healthCheckUrl} />}
        {cards}
      </div>
      <aside className="space-y-5" aria-label="Entity details">
        <Card>
          <CardHeader title="Links" icon={<Link2 className="size-4" />} />
          <LinkList links={links} empty="No links. Edit the entity to add dashboards, runbooks or docs." />
        </Card>
        {entity.metadata.owner && entity.kind !== "Team" && <OwnerCard owner={entity.metadata.owner} namespace={entity.metadata.namespace} />}
        <MetadataCard entity={entity} />
      </aside>
    </div>
  );
}

function SpecFields({ entity, kind }: { entity: Entity; kind?: KindSchema }) {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const root = kind?.schema ?? {};
  const specSchema: JsonSchema = kind ? resolve(root.properties?.spec ?? {}, root) : {};
  const keys = [...new Set([...Object.keys(specSchema.properties ?? {}), ...Object.keys(spec)])].filter(
    (k) => k !== "links" && k !== "healthCheckUrl" && spec[k] !== undefined && spec[k] !== null && !(Array.isArray(spec[k]) && (spec[k] as unknown[]).length === 0),
  );
  if (!keys.length) return <p className="px-4 py-6 text-center text-[13px] text-fg-muted">No details recorded yet.</p>;
  return (
    <dl className="divide-y divide-line">
      {keys.map((key) => {
        const prop = specSchema.properties?.[key] ? unwrapNullable(specSchema.properties[key], root).schema : {};
        const reference = kind?.references.find((r) => r.field === key);
        return (
          <div key={key} className="grid grid-cols-[9rem_1fr] gap-4 px-4 py-2.5 text-[13px] xl:grid-cols-[11rem_1fr]">
            <dt className="text-fg-muted" title={prop.description}>
              {labelFor(key, prop)}
            </dt>
            <dd className="min-w-0">
              <SpecValue value={spec[key]} targetKind={reference?.targetKind ?? undefined} namespace={entity.metadata.namespace} />
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function isRef(v: unknown): v is { kind: string; name: string } {
  return !!v && typeof v === "object" && typeof (v as { kind?: unknown }).kind === "string" && typeof (v as { name?: unknown }).name === "string";
}

function SpecValue({ value, targetKind, namespace }: { value: unknown; targetKind?: string; namespace?: string }) {
  if (typeof value === "string") {
    if (/^https?:\/\//.test(value))
      return (
        <a href={value} target="_blank" rel="noreferrer" className="inline-flex max-w-full items-center gap-1 text-accent hover:underline">
          <span className="truncate">{value.replace(/^https?:\/\//, "")}</span>
          <ExternalLink className="size-3 shrink-0" aria-hidden />
        </a>
      );
    if (targetKind)
      return (
        <Link to={entityHref(targetKind, value, namespace)} className="hover:text-accent hover:underline">
          {value}
        </Link>
      );
    return <span className="break-words">{value}</span>;
  }
  if (typeof value === "number") return <span className="tabular-nums">{value}</span>;
  if (typeof value === "boolean") return <StatusDot tone={value ? "accent" : "muted"}>{value ? "Yes" : "No"}</StatusDot>;
  if (Array.isArray(value)) {
    if (value.every(isRef))
      return (
        <span className="flex flex-wrap gap-1.5">
          {value.map((r) => (
            <Link key={`${r.kind}/${r.name}`} to={entityHref(r.kind, r.name, namespace)} className="inline-flex h-6 items-center gap-1.5 rounded-md border border-line px-2 text-xs hover:border-accent/50 hover:text-accent">
              <KindIcon kind={r.kind} className="size-3" />
              {r.name}
            </Link>
          ))}
        </span>
      );
    if (value.every((v) => typeof v !== "object"))
      return (
        <span className="flex flex-wrap gap-1.5">
          {value.map((v) =>
            targetKind ? (
              <Link key={String(v)} to={entityHref(targetKind, String(v), namespace)} className="inline-flex h-6 items-center gap-1.5 rounded-md border border-line px-2 text-xs hover:border-accent/50 hover:text-accent">
                <KindIcon kind={targetKind} className="size-3" />
                {String(v)}
              </Link>
            ) : (
              <Badge key={String(v)} tone="muted">
                {String(v)}
              </Badge>
            ),
          )}
        </span>
      );
    const cols = [...new Set(value.flatMap((v) => (v && typeof v === "object" ? Object.keys(v) : [])))].slice(0, 5);
    return (
      <div className="overflow-x-auto rounded-md border border-line">
        <table className="w-full text-xs">
          <thead className="bg-bg-2 text-left text-fg-muted">
            <tr>
              {cols.map((c) => (
                <th key={c} scope="col" className="px-2.5 py-1.5 font-medium">
                  {humanize(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-line">
            {value.map((row, i) => (
              <tr key={i}>
                {cols.map((c) => (
                  <td key={c} className="px-2.5 py-1.5">
                    <SpecValue value={(row as Record<string, unknown>)[c]} namespace={namespace} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    if (!entries.length) return <span className="text-fg-muted">—</span>;
    return (
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
        {entries.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-mono text-fg-muted">{k}</dt>
            <dd className="min-w-0 break-words">{typeof v === "object" ? <code className="font-mono">{JSON.stringify(v)}</code> : String(v)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span className="text-fg-muted">—</span>;
}

function HealthCard({ url }: { url: string }) {
  const q = useQuery({ queryKey: ["health-check", url], queryFn: () => api.healthCheck(url), refetchInterval: 30_000, retry: false });
  return (
    <Card>
      <CardHeader
        title="Health"
        icon={<HeartPulse className="size-4" />}
        actions={<span className="max-w-60 truncate font-mono text-2xs text-fg-muted">{url}</span>}
      />
      <div className="flex items-center gap-6 px-4 py-3 text-[13px]">
        {q.isLoading ? (
          <Skeleton className="w-40" />
        ) : q.error ? (
          <span className="text-fg-muted">{q.error instanceof ApiError && q.error.status === 404 ? "Health checks are not available on this server." : (q.error as Error).message}</span>
        ) : q.data ? (
          <>
            <StatusDot tone={q.data.up ? "accent" : "danger"} pulse={!q.data.up}>
              <span className="font-medium">{q.data.up ? "Operational" : "Degraded"}</span>
            </StatusDot>
            <span className="text-fg-muted">HTTP {q.data.statusCode ?? "—"}</span>
            <span className="text-fg-muted tabular-nums">{q.data.latencyMs != null ? `${Math.round(q.data.latencyMs)} ms` : ""}</span>
          </>
        ) : null}
      </div>
    </Card>
  );
}

/** F49: who to contact — the owning Team's channels. */
function OwnerCard({ owner, namespace }: { owner: string; namespace?: string }) {
  const q = useQuery({ queryKey: ["entity", "team", namespace ?? "default", owner], queryFn: () => api.entities.get("team", owner, namespace ?? "default"), retry: false });
  const spec = (q.data?.spec ?? {}) as { email?: string; slackChannel?: string; oncallSchedule?: string; members?: { name: string; role?: string }[] };
  const lead = spec.members?.find((m) => m.role === "lead");
  return (
    <Card>
      <CardHeader title="Owner" icon={<Users className="size-4" />} />
      <div className="space-y-2 px-4 py-3 text-[13px]">
        <Link to={entityHref("team", owner, namespace)} className="font-medium hover:text-accent hover:underline">
          {q.data?.metadata.title || owner}
        </Link>
        {q.error instanceof ApiError && q.error.status === 404 && <p className="text-xs text-fg-muted">This team is not in the catalog yet.</p>}
        {spec.email && (
          <a href={`mailto:${spec.email}`} className="flex items-center gap-2 text-fg-muted hover:text-fg">
            <Mail className="size-3.5" aria-hidden /> {spec.email}
          </a>
        )}
        {spec.slackChannel && (
          <p className="flex items-center gap-2 text-fg-muted">
            <MessageSquare className="size-3.5" aria-hidden /> {spec.slackChannel}
          </p>
        )}
        {spec.oncallSchedule && (
          <a href={spec.oncallSchedule} target="_blank" rel="noreferrer" className="flex items-center gap-2 text-fg-muted hover:text-fg">
            <Phone className="size-3.5" aria-hidden /> On-call schedule
          </a>
        )}
        {lead && <p className="text-xs text-fg-muted">Lead: {lead.name}</p>}
      </div>
    </Card>
  );
}

function MetadataCard({ entity }: { entity: Entity }) {
  const md = entity.metadata;
  const labels = Object.entries(md.labels ?? {});
  const annotations = Object.entries(md.annotations ?? {}).filter(([k]) => !PLUGIN_ANNOTATIONS.test(k));
  const rows: [string, ReactNode][] = [
    ["Namespace", md.namespace ?? "default"],
    ["Created", md.createdAt ? <span title={absoluteTime(md.createdAt)}>{relativeTime(md.createdAt)}{md.createdBy ? ` by ${md.createdBy}` : ""}</span> : "—"],
    ["Updated", md.updatedAt ? <span title={absoluteTime(md.updatedAt)}>{relativeTime(md.updatedAt)}</span> : "—"],
  ];
  if (md.managedBy) rows.push(["Managed by", md.managedBy]);
  return (
    <Card>
      <CardHeader title="Metadata" />
      <dl className="grid grid-cols-[5.5rem_1fr] gap-x-3 gap-y-2 px-4 py-3 text-[13px]">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-fg-muted">{k}</dt>
            <dd className="min-w-0 break-words">{v}</dd>
          </div>
        ))}
        <dt className="text-fg-muted">Tags</dt>
        <dd>
          <TagList tags={md.tags} max={10} />
        </dd>
      </dl>
      {labels.length > 0 && (
        <div className="border-t border-line px-4 py-3">
          <h3 className="mb-2 text-xs font-medium text-fg-muted">Labels</h3>
          <div className="flex flex-wrap gap-1">
            {labels.map(([k, v]) => (
              <Badge key={k} tone="muted" className="font-mono">
                {k}={v}
              </Badge>
            ))}
          </div>
        </div>
      )}
      {annotations.length > 0 && (
        <div className="border-t border-line px-4 py-3">
          <h3 className="mb-2 text-xs font-medium text-fg-muted">Annotations</h3>
          <dl className="space-y-1.5 text-xs">
            {annotations.map(([k, v]) => (
              <div key={k} className="min-w-0">
                <dt className="truncate font-mono text-fg-muted">{k}</dt>
                <dd className="truncate" title={v}>
                  {v}
                </dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </Card>
  );
}

// -- Relations & Activity ---------------------------------------------------------------------------------

function Relations({ entity }: { entity: Entity }) {
  const [params, setParams] = useSearchParams();
  const depth = Math.min(5, Math.max(1, Number(params.get("depth")) || 1));
  const direction = (["in", "out", "both"].includes(params.get("direction") ?? "") ? params.get("direction") : "both") as GraphDirection;
  const set = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) next.set(k, v);
    setParams(next, { replace: true });
  };
  return (
    <Suspense fallback={<Skeleton className="h-[600px]" />}>
      <RelationsGraph
        kind={entity.kind}
        name={entity.metadata.name}
        namespace={entity.metadata.namespace ?? "default"}
        depth={depth}
        direction={direction}
        onDepth={(d) => set({ depth: String(d) })}
        onDirection={(d) => set({ direction: d })}
      />
    </Suspense>
  );
}

function ActivityTab({ entity }: { entity: Entity }) {
  const ns = entity.metadata.namespace ?? "default";
  const pager = useCursorPager(`${entity.kind}/${ns}/${entity.metadata.name}`);
  const q = useQuery({
    queryKey: ["entity", entity.kind.toLowerCase(), ns, entity.metadata.name, "activity", pager.cursor],
    queryFn: () => api.entities.activity(entity.kind, entity.metadata.name, ns, { limit: 25, cursor: pager.cursor }),
  });
  return (
    <Card>
      {q.isLoading ? (
        <SkeletonRows rows={6} columns={3} />
      ) : q.error ? (
        <ErrorState error={q.error} feature="Entity activity" retry={() => void q.refetch()} />
      ) : !q.data?.items.length ? (
        <EmptyState icon={<ActivityIcon className="size-5" />} title="No activity recorded" description="Every change to this entity will be listed here with what changed." />
      ) : (
        <>
          <ActivityList entries={q.data.items} />
          <div className="border-t border-line">
            <Pager offset={pager.page * 25} count={q.data.items.length} total={q.data.total} hasPrev={pager.hasPrev} hasNext={!!q.data.next} onPrev={pager.prev} onNext={() => pager.next(q.data?.next)} noun="events" />
          </div>
        </>
      )}
    </Card>
  );
}

