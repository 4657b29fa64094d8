/** F46: the catalog — kind tabs, facet filters, search, table/grid, server-side paging; the URL holds the filters. */
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ArrowDown, ArrowUp, Boxes, Download, LayoutGrid, List, Plus, Search, X } from "lucide-react";
import { ApiError, api } from "@/lib/api";
import { useCan } from "@/lib/auth";
import { entityHref, humanize, relativeTime, absoluteTime } from "@/lib/format";
import { useCursorPager, useDebounced, useDocumentTitle } from "@/lib/hooks";
import { findKind, kindPlural, useKindCounts, useKinds } from "@/lib/kinds";
import { entityKey, useHighlight } from "@/lib/live";
import { entityValue, useManifest } from "@/lib/plugin-runtime";
import type { Entity, EntityListParams, KindSchema, UIExtension } from "@/lib/types";
import { Cell } from "@/components/renderers";
import { FilterMenu } from "@/components/FilterMenu";
import { KindIcon } from "@/components/icons";
import { LifecycleBadge, OwnerLink, TagList } from "@/components/entity-bits";
import {
  Badge,
  Button,
  ButtonLink,
  Card,
  EmptyState,
  ErrorState,
  Input,
  PageHeader,
  Pager,
  Select,
  Skeleton,
  SkeletonRows,
  Tabs,
  cn,
} from "@/components/ui";

const FILTERS = ["owner", "tag", "lifecycle", "namespace"] as const;

export function CatalogPage() {
  useDocumentTitle("Catalog");
  const [params, setParams] = useSearchParams();
  const { data: kinds } = useKinds();
  const canWrite = useCan("developer");
  const kindParam = params.get("kind") ?? "";
  const kindInfo = findKind(kinds, kindParam);
  const view = params.get("view") === "grid" ? "grid" : "table";
  const sort = params.get("sort") ?? "name";
  const limit = Number(params.get("limit")) || 50;
  const [search, setSearch] = useState(params.get("q") ?? "");
  const q = useDebounced(search.trim(), 250);

  const update = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === "") next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };

  const urlQ = params.get("q") ?? "";
  useEffect(() => {
    if (urlQ !== q) update({ q: q || undefined });
  }, [q]); // only when the debounced text changes
  useEffect(() => {
    if (urlQ !== q) setSearch(urlQ);
  }, [urlQ]); // the URL changed from outside (back button, Clear)

  const filters: EntityListParams = {
    // Lower case whether or not the kinds have loaded (the API takes any case): one query key, one request.
    kind: (kindInfo?.kind ?? kindParam).toLowerCase() || undefined,
    owner: params.get("owner") ?? undefined,
    tag: params.get("tag") ?? undefined,
    lifecycle: params.get("lifecycle") ?? undefined,
    namespace: params.get("namespace") ?? undefined,
    q: params.get("q") ?? undefined,
  };
  const filterKey = JSON.stringify([filters, sort, limit]);
  const pager = useCursorPager(filterKey);

  const list = useQuery({
    queryKey: ["entities", { ...filters, sort, limit, cursor: pager.cursor }],
    queryFn: ({ signal }) => api.entities.list({ ...filters, sort, limit, cursor: pager.cursor }, signal),
    placeholderData: keepPreviousData,
  });
  const facets = useQuery({
    queryKey: ["facets", filters],
    queryFn: () => api.facets([...FILTERS], filters),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    retry: false,
  });
  const kindCounts = useKindCounts();
  const allTotal = kindCounts.data ? Object.values(kindCounts.data).reduce((n, c) => n + c, 0) : null;

  const activeFilters = FILTERS.filter((f) => params.get(f));
  const items = list.data?.items ?? [];
  const total = list.data?.total ?? 0;
  const catalogEmpty = allTotal === 0 && !activeFilters.length && !filters.q;

  return (
    <div>
      <PageHeader
        title="Catalog"
        description="Every service, API, team, environment and resource your organisation runs — who owns it and how it fits together."
        actions={
          <>
            <a className="inline-flex h-8 items-center gap-1.5 rounded-md px-3 text-sm font-medium text-fg-muted hover:bg-bg-3 hover:text-fg" href={api.entities.exportUrl("yaml", { kind: filters.kind, namespace: filters.namespace })} download>
              <Download className="size-3.5" aria-hidden /> Export
            </a>
            {canWrite && (
              <ButtonLink to={`/catalog/new${kindInfo ? `?kind=${kindInfo.kind}` : ""}`} variant="primary" icon={<Plus className="size-3.5" />}>
                Create entity
              </ButtonLink>
            )}
          </>
        }
      />

      <Tabs
        panels={false}
        label="Kinds"
        className="mb-4"
        value={kindInfo?.kind.toLowerCase() ?? "all"}
        onChange={(id) => update({ kind: id === "all" ? undefined : id, lifecycle: undefined })}
        items={[
          { id: "all", label: "All", count: allTotal },
          ...(kinds ?? []).map((k) => ({
            id: k.kind.toLowerCase(),
            label: kindPlural(kinds, k.kind),
            icon: <KindIcon kind={k.kind} icon={k.icon} className="size-3.5" />,
            count: kindCounts.data?.[k.kind] ?? null,
          })),
        ]}
      />

      <div className="mb-3 flex flex-wrap items-center gap-2">
        <div className="relative w-72">
          <Search className="pointer-events-none absolute left-2.5 top-1/2 size-3.5 -translate-y-1/2 text-fg-muted" aria-hidden />
          <Input
            type="search"
            aria-label="Search the catalog"
            placeholder={`Search ${kindInfo ? kindPlural(kinds, kindInfo.kind).toLowerCase() : "the catalog"}…`}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="pl-8"
          />
        </div>
        {FILTERS.map((f) => (
          <FilterMenu
            key={f}
            label={humanize(f)}
            value={params.get(f) ?? undefined}
            options={facets.data?.[f]}
            loading={facets.isLoading}
            onChange={(v) => update({ [f]: v })}
          />
        ))}
        {(activeFilters.length > 0 || filters.q) && (
          <Button
            variant="ghost"
            size="sm"
            icon={<X className="size-3.5" />}
            onClick={() => {
              setSearch("");
              update(Object.fromEntries([...FILTERS, "q"].map((f) => [f, undefined])));
            }}
          >
            Clear
          </Button>
        )}
        <div className="ml-auto flex items-center gap-2">
          <span className="text-xs tabular-nums text-fg-muted" aria-live="polite">
            {list.data ? `${total.toLocaleString()} ${total === 1 ? "entity" : "entities"}` : ""}
          </span>
          <Tabs
            panels={false}
            label="View"
            variant="pill"
            value={view}
            onChange={(v) => update({ view: v === "grid" ? "grid" : undefined })}
            items={[
              { id: "table", label: <span className="sr-only">Table</span>, icon: <List className="size-3.5" aria-label="Table view" /> },
              { id: "grid", label: <span className="sr-only">Grid</span>, icon: <LayoutGrid className="size-3.5" aria-label="Grid view" /> },
            ]}
          />
        </div>
      </div>

      {list.error ? (
        <Card>
          <ErrorState
            error={list.error}
            feature="The catalog"
            retry={() => (list.error instanceof ApiError && list.error.status === 400 ? update({ sort: undefined, limit: undefined }) : void list.refetch())}
          />
        </Card>
      ) : catalogEmpty && !list.isLoading && items.length === 0 ? (
        <Card>
          <EmptyState
            icon={<Boxes className="size-5" />}
            title="Your catalog is empty"
            description={
              <>
                Describe your first service here, or push YAML from CI with <code className="font-mono text-xs">gantry apply -f catalog/</code>.
              </>
            }
            action={canWrite ? <ButtonLink to="/catalog/new" variant="primary" icon={<Plus className="size-3.5" />}>Create entity</ButtonLink> : undefined}
          />
        </Card>
      ) : view === "grid" ? (
        <>
          <EntityGrid items={items} loading={list.isLoading} kinds={kinds} />
          {items.length > 0 && (
            <Pager offset={pager.page * limit} count={items.length} total={total} hasPrev={pager.hasPrev} hasNext={!!list.data?.next} onPrev={pager.prev} onNext={() => pager.next(list.data?.next)} noun="entities" />
          )}
        </>
      ) : (
        <Card className={cn("overflow-hidden", list.isFetching && !list.isLoading && "opacity-[.85] transition-opacity")}>
          <EntityTable
            items={items}
            loading={list.isLoading}
            kind={kindInfo}
            kinds={kinds}
            sort={sort}
            onSort={(s) => update({ sort: s === "name" ? undefined : s })}
            empty={
              <EmptyState
                title="No entities match"
                description="Try another search term or clear a filter."
                action={
                  <Button
                    size="sm"
                    onClick={() => {
                      setSearch("");
                      update(Object.fromEntries([...FILTERS, "q"].map((f) => [f, undefined])));
                    }}
                  >
                    Clear filters
                  </Button>
                }
              />
            }
          />
          {items.length > 0 && (
            <div className="flex items-center justify-between border-t border-line">
              <Pager offset={pager.page * limit} count={items.length} total={total} hasPrev={pager.hasPrev} hasNext={!!list.data?.next} onPrev={pager.prev} onNext={() => pager.next(list.data?.next)} noun="entities" />
              <label className="mr-4 flex items-center gap-2 text-xs text-fg-muted">
                Rows
                <Select aria-label="Rows per page" value={String(limit)} onChange={(e) => update({ limit: e.target.value === "50" ? undefined : e.target.value })} className="w-20">
                  {[25, 50, 100, 200].map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </Select>
              </label>
            </div>
          )}
        </Card>
      )}
    </div>
  );
}

function SortHeader({ label, field, sort, onSort, className }: { label: string; field: string; sort: string; onSort: (s: string) => void; className?: string }) {
  const active = sort === field || sort === `-${field}`;
  const desc = sort === `-${field}`;
  return (
    <th scope="col" className={cn("px-4 py-2 font-medium", className)} aria-sort={active ? (desc ? "descending" : "ascending") : "none"}>
      <button type="button" className={cn("inline-flex items-center gap-1 hover:text-fg", active && "text-fg")} onClick={() => onSort(active && !desc ? `-${field}` : field)}>
        {label}
        {active && (desc ? <ArrowDown className="size-3" /> : <ArrowUp className="size-3" />)}
      </button>
    </th>
  );
}

function EntityTable({
  items,
  loading,
  kind,
  kinds,
  sort,
  onSort,
  empty,
}: {
  items: Entity[];
  loading: boolean;
  kind?: KindSchema;
  kinds?: KindSchema[];
  sort: string;
  onSort: (s: string) => void;
  empty: ReactNode;
}) {
  const extra = useMemo(() => (kind?.listColumns ?? []).filter((c) => c !== "lifecycle").slice(0, 3), [kind]);
  const manifest = useManifest();
  // Plugin columns (slot catalog.column): shown on the tabs of the kinds they name; `options.field` picks the value.
  const pluginColumns = (manifest.data ?? [])
    .filter((e) => e.slot === "catalog.column" && typeof e.options?.field === "string")
    .filter((e) => !e.when?.kinds?.length || (kind && e.when.kinds.some((k) => k.toLowerCase() === kind.kind.toLowerCase())))
    .sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
  const showLifecycle = !kind || kind.listColumns.includes("lifecycle");
  if (loading) return <SkeletonRows rows={10} columns={5} />;
  if (!items.length) return <>{empty}</>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-[13px]">
        <thead>
          <tr className="border-b border-line bg-bg-2 text-left text-xs text-fg-muted">
            <SortHeader label="Name" field="name" sort={sort} onSort={onSort} />
            {!kind && <th scope="col" className="px-4 py-2 font-medium">Kind</th>}
            <th scope="col" className="px-4 py-2 font-medium">Owner</th>
            {extra.map((c) => (
              <th key={c} scope="col" className="px-4 py-2 font-medium">
                {humanize(c)}
              </th>
            ))}
            {showLifecycle && <th scope="col" className="px-4 py-2 font-medium">Lifecycle</th>}
            {pluginColumns.map((c) => (
              <th key={c.id} scope="col" className="px-4 py-2 font-medium">
                {c.title}
              </th>
            ))}
            <th scope="col" className="hidden px-4 py-2 font-medium xl:table-cell">Tags</th>
            <SortHeader label="Updated" field="updatedAt" sort={sort} onSort={onSort} className="text-right" />
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {items.map((e) => (
            <EntityRow key={`${e.kind}/${e.metadata.namespace}/${e.metadata.name}`} entity={e} extra={extra} pluginColumns={pluginColumns} showKind={!kind} showLifecycle={showLifecycle} kinds={kinds} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EntityRow({
  entity: e,
  extra,
  pluginColumns,
  showKind,
  showLifecycle,
  kinds,
}: {
  entity: Entity;
  extra: string[];
  pluginColumns: UIExtension[];
  showKind: boolean;
  showLifecycle: boolean;
  kinds?: KindSchema[];
}) {
  const navigate = useNavigate();
  const flash = useHighlight(entityKey(e.kind, e.metadata.namespace, e.metadata.name));
  const href = entityHref(e.kind, e.metadata.name, e.metadata.namespace);
  const spec = e.spec as Record<string, unknown>;
  return (
    <tr
      className={cn("group cursor-pointer hover:bg-bg-2", flash && "live-flash")}
      onClick={(ev) => {
        if (!(ev.target as HTMLElement).closest("a")) navigate(href);
      }}
    >
      <td className="min-w-[13rem] max-w-[26rem] px-4 py-2.5">
        <div className="flex items-center gap-2.5">
          <KindIcon kind={e.kind} icon={findKind(kinds, e.kind)?.icon} className="size-4 shrink-0 text-fg-muted" />
          <div className="min-w-0">
            <Link to={href} className="block truncate font-medium group-hover:text-accent">
              {e.metadata.title || e.metadata.name}
              {e.metadata.namespace && e.metadata.namespace !== "default" && <span className="ml-1.5 font-normal text-fg-muted">{e.metadata.namespace}/</span>}
            </Link>
            {(e.metadata.description || e.metadata.title) && (
              <p className="truncate text-xs text-fg-muted">{e.metadata.description || e.metadata.name}</p>
            )}
          </div>
        </div>
      </td>
      {showKind && (
        <td className="px-4 py-2.5">
          <Badge tone="outline">{e.kind}</Badge>
        </td>
      )}
      <td className="px-4 py-2.5 whitespace-nowrap">
        <OwnerLink owner={e.metadata.owner} namespace={e.metadata.namespace} />
      </td>
      {extra.map((c) => (
        <td key={c} className="max-w-40 truncate px-4 py-2.5 text-fg-muted">
          {spec[c] === undefined || spec[c] === null ? "—" : typeof spec[c] === "object" ? JSON.stringify(spec[c]) : String(spec[c])}
        </td>
      ))}
      {showLifecycle && (
        <td className="px-4 py-2.5">
          {spec.lifecycle ? <LifecycleBadge lifecycle={spec.lifecycle} /> : <span className="text-fg-muted">—</span>}
        </td>
      )}
      {pluginColumns.map((c) => (
        <td key={c.id} className="px-4 py-2.5 whitespace-nowrap">
          <Cell value={entityValue(e, c.options!.field as string)} type={c.options?.type as "status" | undefined} />
        </td>
      ))}
      <td className="hidden px-4 py-2.5 xl:table-cell">
        <TagList tags={e.metadata.tags} max={2} nowrap />
      </td>
      <td className="whitespace-nowrap px-4 py-2.5 text-right text-xs text-fg-muted" title={absoluteTime(e.metadata.updatedAt)}>
        {relativeTime(e.metadata.updatedAt)}
      </td>
    </tr>
  );
}

function EntityGrid({ items, loading, kinds }: { items: Entity[]; loading: boolean; kinds?: KindSchema[] }) {
  if (loading)
    return (
      <div className="grid grid-cols-2 gap-3 xl:grid-cols-3">
        {Array.from({ length: 9 }).map((_, i) => (
          <Skeleton key={i} className="h-32 rounded-lg" />
        ))}
      </div>
    );
  if (!items.length) return <Card><EmptyState title="No entities match" description="Try another search term or clear a filter." /></Card>;
  return (
    <ul className="grid grid-cols-2 gap-3 xl:grid-cols-3" aria-label="Entities">
      {items.map((e) => (
        <EntityCard key={`${e.kind}/${e.metadata.namespace}/${e.metadata.name}`} entity={e} kinds={kinds} />
      ))}
    </ul>
  );
}

function EntityCard({ entity: e, kinds }: { entity: Entity; kinds?: KindSchema[] }) {
  const flash = useHighlight(entityKey(e.kind, e.metadata.namespace, e.metadata.name));
  const spec = e.spec as Record<string, unknown>;
  return (
    <li>
      <Link
        to={entityHref(e.kind, e.metadata.name, e.metadata.namespace)}
        className={cn("flex h-full flex-col rounded-lg border border-line bg-bg p-4 transition-colors hover:border-fg-muted/30 hover:bg-bg-2", flash && "live-flash")}
      >
        <div className="flex items-start gap-3">
          <span className="flex size-8 shrink-0 items-center justify-center rounded-md border border-line bg-bg-2">
            <KindIcon kind={e.kind} icon={findKind(kinds, e.kind)?.icon} className="size-4 text-fg-muted" />
          </span>
          <div className="min-w-0 flex-1">
            <p className="truncate font-medium">{e.metadata.title || e.metadata.name}</p>
            <p className="truncate text-xs text-fg-muted">
              {e.kind} · {e.metadata.name}
            </p>
          </div>
          <LifecycleBadge lifecycle={spec.lifecycle} />
        </div>
        <p className="mt-3 line-clamp-2 min-h-[2lh] text-[13px] text-fg-muted">{e.metadata.description || "No description."}</p>
        <div className="mt-3 flex items-center justify-between gap-2 text-xs">
          <span className="truncate text-fg-muted">{e.metadata.owner ?? "No owner"}</span>
          <TagList tags={e.metadata.tags} max={2} />
        </div>
      </Link>
    </li>
  );
}
