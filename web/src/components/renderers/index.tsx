/**
 * The built-in declarative renderers (DESIGN §2): table, key-value, status, links, markdown, log-stream, form.
 * Each takes the extension, the entity it is shown for and the JSON its data URL returned.
 *
 * Data conventions (a plugin route returns one of these):
 * - table:      `[...rows]` or `{items: [...]}`; `options.columns: [{key, label, type?: status|time|link|badge}]`,
 *               `options.path` picks a nested list (e.g. `pods`).
 * - key-value:  an object; `options.fields: [{key, label, type?}]` picks and orders fields.
 * - status:     `{status, message?, items?: [{label, status, message?}]}`.
 * - links:      `[{title, url, icon?}]` or `{links: [...]}`.
 * - markdown:   a string or `{markdown | content | text}`.
 * - log-stream: plain text or `{lines: [...]}`, polled every `options.intervalSeconds` (3).
 * - form:       `options.schema` (JSON Schema) posted to `options.submitUrl`; `options.actions:
 *               [{label, url, method?, body?, confirm?, danger?}]` become buttons (e.g. Sync / Hard sync).
 *
 * Any extension may add `options.sections: [{id, title, renderer | component, dataUrl?, options?, minRole?}]`:
 * shown below it in a tab or page (not in compact cards), each with its own data URL (relative = under the
 * plugin's API prefix) and hidden from users below `minRole`.
 */
import { lazy, Suspense, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowDownToLine, ExternalLink, Pause, Play, Search } from "lucide-react";
import { ApiError, api, request } from "@/lib/api";
import { absoluteTime, humanize, relativeTime } from "@/lib/format";
import { dataUrlFor, loadExtensionComponent, type ExtensionComponent, type ExtensionProps } from "@/lib/plugin-runtime";
import { hasRole, useMe } from "@/lib/auth";
import { ROLES, type Entity, type JsonSchema, type Link, type Role, type UIExtension, type UIRenderer } from "@/lib/types";
import { ErrorBoundary } from "../ErrorBoundary";
import { Markdown } from "../Markdown";
import { NamedIcon } from "../icons";
import {
  Badge,
  Button,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  ErrorState,
  Input,
  Skeleton,
  SkeletonRows,
  StatusDot,
  cn,
  useToast,
  type Tone,
} from "../ui";

const SchemaForm = lazy(() => import("../SchemaForm"));

// -- helpers ----------------------------------------------------------------------------------------------

const GOOD = /^(ok|up|healthy|synced|success|succeeded|running|ready|active|available|true|enabled|passing|green)$/i;
const BAD = /^(down|degraded|failed|failure|error|outofsync|out-of-sync|crashloopbackoff|missing|unhealthy|false|red|critical)$/i;
const BUSY = /^(progressing|pending|syncing|starting|containercreating|unknown|warning|suspended)$/i;

export function statusTone(status: unknown): Tone {
  const s = String(status ?? "").replace(/\s+/g, "");
  if (GOOD.test(s)) return "accent";
  if (BAD.test(s)) return "danger";
  if (BUSY.test(s)) return "neutral";
  return "muted";
}

function pick(data: unknown, path?: unknown): unknown {
  if (typeof path !== "string" || !path) return data;
  let node = data;
  for (const part of path.split(".")) node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

function asList(data: unknown, path?: unknown): Record<string, unknown>[] {
  const picked = pick(data, path);
  const list = Array.isArray(picked) ? picked : picked && typeof picked === "object" && Array.isArray((picked as { items?: unknown }).items) ? (picked as { items: unknown[] }).items : [];
  return list.map((x) => (x && typeof x === "object" ? (x as Record<string, unknown>) : { value: x }));
}

interface ColumnDef {
  key: string;
  label?: string;
  type?: "status" | "time" | "link" | "badge" | "code" | "number";
}

export function Cell({ value, type }: { value: unknown; type?: ColumnDef["type"] }) {
  if (value === undefined || value === null || value === "") return <span className="text-fg-muted">—</span>;
  if (type === "status") return <StatusDot tone={statusTone(value)}>{String(value)}</StatusDot>;
  if (type === "time") return <span title={absoluteTime(String(value))}>{relativeTime(String(value))}</span>;
  if (type === "link" && typeof value === "string")
    return (
      <a href={value} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 text-accent hover:underline">
        {value.replace(/^https?:\/\//, "").slice(0, 48)}
        <ExternalLink className="size-3" aria-hidden />
      </a>
    );
  if (type === "code") return <code className="font-mono text-xs">{String(value)}</code>;
  if (Array.isArray(value))
    return (
      <span className="flex flex-wrap gap-1">
        {value.slice(0, 8).map((v, i) => (
          <Badge key={i}>{typeof v === "object" ? JSON.stringify(v) : String(v)}</Badge>
        ))}
      </span>
    );
  if (typeof value === "object") return <code className="font-mono text-xs">{JSON.stringify(value)}</code>;
  if (type === "badge") return <Badge>{String(value)}</Badge>;
  if (typeof value === "boolean") return <StatusDot tone={value ? "accent" : "muted"}>{value ? "yes" : "no"}</StatusDot>;
  return <>{String(value)}</>;
}

// -- renderers --------------------------------------------------------------------------------------------

export function TableRenderer({ extension, data }: ExtensionProps) {
  const rows = asList(data, extension.options?.path);
  const columns: ColumnDef[] = useMemo(() => {
    const declared = extension.options?.columns as ColumnDef[] | undefined;
    if (declared?.length) return declared;
    const keys = rows.length ? Object.keys(rows[0]).filter((k) => typeof rows[0][k] !== "object" || rows[0][k] === null).slice(0, 6) : [];
    return keys.map((key) => ({ key, type: /status|state|health|phase/i.test(key) ? "status" : /(At|time|date)$/i.test(key) ? "time" : undefined }));
  }, [extension.options, rows]);
  if (!rows.length) return <EmptyState title={`No ${extension.title.toLowerCase()}`} description={String(extension.options?.emptyText ?? "Nothing to show yet.")} />;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-[13px]">
        <thead>
          <tr className="border-b border-line text-left text-xs text-fg-muted">
            {columns.map((c) => (
              <th key={c.key} scope="col" className="px-4 py-2 font-medium">
                {c.label ?? humanize(c.key)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {rows.map((row, i) => (
            <tr key={i} className="hover:bg-bg-2">
              {columns.map((c) => (
                <td key={c.key} className="px-4 py-2 align-top">
                  <Cell value={pick(row, c.key)} type={c.type} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function KeyValueRenderer({ extension, data }: ExtensionProps) {
  const obj = (pick(data, extension.options?.path) ?? {}) as Record<string, unknown>;
  const declared = extension.options?.fields as ColumnDef[] | undefined;
  const fields: ColumnDef[] = declared?.length ? declared : Object.keys(obj).map((key) => ({ key }));
  if (!fields.length) return <EmptyState title="No details" />;
  return (
    <dl className="grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-2 p-4 text-[13px]">
      {fields.map((f) => (
        <div key={f.key} className="contents">
          <dt className="text-fg-muted">{f.label ?? humanize(f.key)}</dt>
          <dd className="min-w-0 break-words">
            <Cell value={pick(obj, f.key)} type={f.type ?? (/status|health/i.test(f.key) ? "status" : /url$/i.test(f.key) ? "link" : undefined)} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function StatusRenderer({ extension, data }: ExtensionProps) {
  const obj = (pick(data, extension.options?.path) ?? {}) as { status?: unknown; message?: unknown; items?: { label: string; status: unknown; message?: string }[] };
  const items = obj.items ?? [];
  return (
    <div className="space-y-3 p-4">
      {obj.status !== undefined && (
        <div className="flex items-center gap-3">
          <Badge tone={statusTone(obj.status)} className="h-6 px-2 text-xs">
            {String(obj.status)}
          </Badge>
          {obj.message ? <span className="text-[13px] text-fg-muted">{String(obj.message)}</span> : null}
        </div>
      )}
      {items.length > 0 && (
        <ul className="divide-y divide-line rounded-md border border-line">
          {items.map((item, i) => (
            <li key={i} className="flex items-center justify-between gap-3 px-3 py-2 text-[13px]">
              <span>{item.label}</span>
              <span className="flex items-center gap-2">
                {item.message && <span className="text-xs text-fg-muted">{item.message}</span>}
                <StatusDot tone={statusTone(item.status)}>{String(item.status)}</StatusDot>
              </span>
            </li>
          ))}
        </ul>
      )}
      {obj.status === undefined && !items.length && <p className="text-[13px] text-fg-muted">No status reported.</p>}
    </div>
  );
}

export function LinksRenderer({ extension, data }: ExtensionProps) {
  const raw = pick(data, extension.options?.path);
  const links = (Array.isArray(raw) ? raw : ((raw as { links?: Link[] })?.links ?? [])) as Link[];
  return <LinkList links={links} />;
}

export function LinkList({ links, empty = "No links yet." }: { links: Link[]; empty?: string }) {
  if (!links.length) return <p className="px-4 py-3 text-[13px] text-fg-muted">{empty}</p>;
  return (
    <ul className="p-1.5">
      {links.map((l, i) => (
        <li key={i}>
          <a href={l.url} target="_blank" rel="noreferrer" className="group flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-[13px] hover:bg-bg-3">
            <NamedIcon name={l.icon ?? "other"} className="size-4 shrink-0 text-fg-muted group-hover:text-fg" />
            <span className="min-w-0 flex-1 truncate">{l.title}</span>
            <ExternalLink className="size-3 shrink-0 text-fg-muted opacity-0 group-hover:opacity-100" aria-hidden />
          </a>
        </li>
      ))}
    </ul>
  );
}

export function MarkdownRenderer({ extension, data }: ExtensionProps) {
  const raw = pick(data, extension.options?.path);
  const text = typeof raw === "string" ? raw : String((raw as Record<string, unknown>)?.markdown ?? (raw as Record<string, unknown>)?.content ?? (raw as Record<string, unknown>)?.text ?? "");
  if (!text.trim()) return <EmptyState title="Nothing written yet" />;
  return <Markdown source={text} className="space-y-3 p-4 text-[13px] leading-relaxed" />;
}

/** Terminal-style log view (F102): polls the data URL, follows the tail, filters lines. */
export function LogStreamRenderer({ extension, entity }: ExtensionProps) {
  const url = dataUrlFor(extension, entity);
  const [follow, setFollow] = useState(true);
  const [filter, setFilter] = useState("");
  const interval = Number(extension.options?.intervalSeconds ?? 3) * 1000;
  const { data, error, isLoading } = useQuery({
    queryKey: ["ext-log", extension.id, url],
    queryFn: () => api.ui.text(url!),
    enabled: !!url,
    refetchInterval: follow ? interval : false,
  });
  const lines = useMemo(() => {
    let text = data ?? "";
    try {
      const parsed = JSON.parse(text) as { lines?: string[]; logs?: string };
      if (Array.isArray(parsed.lines)) text = parsed.lines.join("\n");
      else if (typeof parsed.logs === "string") text = parsed.logs;
    } catch {
      /* plain text */
    }
    const all = text.split("\n");
    return filter ? all.filter((l) => l.toLowerCase().includes(filter.toLowerCase())) : all;
  }, [data, filter]);
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);
  if (!url) return <EmptyState title="No log source" description="This entity lacks the annotations the log view needs." />;
  return (
    <div className="p-3">
      <div className="mb-2 flex items-center gap-2">
        <div className="relative flex-1">
          <Search className="absolute left-2 top-1/2 size-3.5 -translate-y-1/2 text-fg-muted" aria-hidden />
          <Input aria-label="Filter log lines" placeholder="Filter lines" value={filter} onChange={(e) => setFilter(e.target.value)} className="pl-7" />
        </div>
        <Button size="sm" onClick={() => setFollow(!follow)} icon={follow ? <Pause className="size-3.5" /> : <Play className="size-3.5" />} aria-pressed={follow}>
          {follow ? "Pause" : "Follow"}
        </Button>
        <Button size="sm" variant="ghost" aria-label="Scroll to end" onClick={() => box.current && (box.current.scrollTop = box.current.scrollHeight)}>
          <ArrowDownToLine className="size-3.5" />
        </Button>
      </div>
      {error ? (
        <ErrorBanner error={error} />
      ) : isLoading ? (
        <Skeleton className="h-72" />
      ) : (
        <pre ref={box} aria-label="Log output" tabIndex={0} className="h-80 overflow-auto rounded-md border border-line bg-bg-2 p-3 font-mono text-[12px] leading-5">
          {lines.map((l, i) => (
            <div key={i} className={cn("whitespace-pre-wrap", /\b(error|fatal|panic|exception)\b/i.test(l) && "text-danger")}>
              <span aria-hidden className="mr-3 inline-block w-8 select-none text-right text-fg-muted">{i + 1}</span>
              {l}
            </div>
          ))}
        </pre>
      )}
    </div>
  );
}

interface FormAction {
  label: string;
  url: string;
  method?: string;
  body?: unknown;
  confirm?: string;
  danger?: boolean;
}

export function FormRenderer({ extension, entity, data, refresh }: ExtensionProps) {
  const toast = useToast();
  const client = useQueryClient();
  const schema = extension.options?.schema as JsonSchema | undefined;
  const actions = (extension.options?.actions as FormAction[] | undefined) ?? [];
  const [value, setValue] = useState<unknown>(() => (data && typeof data === "object" ? data : {}));
  const [confirming, setConfirming] = useState<FormAction | null>(null);
  const fill = (url: string) => dataUrlFor({ ...extension, dataUrl: url }, entity) ?? url;
  const run = useMutation({
    mutationFn: (a: { url: string; method?: string; body?: unknown }) => request<unknown>(a.method ?? "POST", fill(a.url), { body: a.body }),
    onSuccess: (_, a) => {
      toast.success(`${(a as FormAction).label ?? "Saved"} done`);
      refresh?.();
      void client.invalidateQueries({ queryKey: ["ext", extension.id] });
    },
    onError: (err) => toast.error("Request failed", (err as Error).message),
  });
  const submitUrl = extension.options?.submitUrl as string | undefined;
  return (
    <div className="space-y-4 p-4">
      {actions.length > 0 && (
        <div className="flex flex-wrap gap-2">
          {actions.map((a) => (
            <Button key={a.label} variant={a.danger ? "danger" : "secondary"} size="sm" loading={run.isPending && run.variables === a} onClick={() => (a.confirm ? setConfirming(a) : run.mutate(a))}>
              {a.label}
            </Button>
          ))}
        </div>
      )}
      {schema && submitUrl && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run.mutate({ label: "Save", url: submitUrl, method: (extension.options?.method as string) ?? "POST", body: value } as FormAction);
          }}
          className="space-y-4"
        >
          <Suspense fallback={<Skeleton className="h-32" />}>
            <SchemaForm schema={schema} value={value} onChange={setValue} errors={run.error instanceof ApiError ? run.error.details : []} />
          </Suspense>
          <ErrorBanner error={run.error} />
          <Button type="submit" variant="primary" loading={run.isPending}>
            {String(extension.options?.submitLabel ?? "Submit")}
          </Button>
        </form>
      )}
      <ConfirmDialog
        open={!!confirming}
        onClose={() => setConfirming(null)}
        title={confirming?.label ?? ""}
        description={confirming?.confirm}
        danger={confirming?.danger}
        confirmLabel={confirming?.label}
        onConfirm={() => {
          if (confirming) run.mutate(confirming);
          setConfirming(null);
        }}
      />
    </div>
  );
}

export const RENDERERS: Record<UIRenderer, ExtensionComponent> = {
  table: TableRenderer,
  "key-value": KeyValueRenderer,
  status: StatusRenderer,
  links: LinksRenderer,
  markdown: MarkdownRenderer,
  "log-stream": LogStreamRenderer,
  form: FormRenderer,
};

// -- one extension in a slot --------------------------------------------------------------------------------

/** `options.sections` as extensions of their own, ids `<extension>.<section>`. */
export function sectionsOf(extension: UIExtension): (UIExtension & { minRole?: Role })[] {
  const raw = extension.options?.sections;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((s): s is Record<string, unknown> => !!s && typeof s === "object" && typeof (s as { id?: unknown }).id === "string")
    .map((s) => ({
      id: `${extension.id}.${String(s.id)}`,
      plugin: extension.plugin,
      slot: extension.slot,
      title: typeof s.title === "string" ? s.title : String(s.id),
      renderer: (typeof s.renderer === "string" ? s.renderer : null) as UIRenderer | null,
      component: typeof s.component === "string" ? s.component : null,
      dataUrl: typeof s.dataUrl === "string" ? s.dataUrl : null,
      when: {},
      order: 100,
      options: s.options && typeof s.options === "object" ? (s.options as Record<string, unknown>) : {},
      minRole: ROLES.includes(s.minRole as Role) ? (s.minRole as Role) : undefined,
    }));
}

/** Renders one extension (and its sections): fetches its data URL, loads its ES module if it has one, isolates its errors. */
export function ExtensionView({ extension, entity, compact }: { extension: UIExtension; entity?: Entity; compact?: boolean }) {
  const me = useMe().data;
  const sections = compact ? [] : sectionsOf(extension).filter((s) => !s.minRole || hasRole(me, s.minRole));
  if (!sections.length) return <SingleExtension extension={extension} entity={entity} compact={compact} />;
  return (
    <div className="divide-y divide-line">
      <SingleExtension extension={extension} entity={entity} />
      {sections.map((s) => (
        <section key={s.id} aria-label={s.title}>
          <h2 className="px-4 pt-4 text-[13px] font-semibold">{s.title}</h2>
          <SingleExtension extension={s} entity={entity} />
        </section>
      ))}
    </div>
  );
}

function SingleExtension({ extension, entity, compact }: { extension: UIExtension; entity?: Entity; compact?: boolean }) {
  return (
    <ErrorBoundary
      resetKey={extension.id}
      fallback={(err, reset) => (
        <div className="p-4">
          <ErrorBanner error={new Error(`The ${extension.title} extension failed: ${err.message}`)} />
          <Button size="sm" className="mt-2" onClick={reset}>
            Retry
          </Button>
        </div>
      )}
    >
      <ExtensionBody extension={extension} entity={entity} compact={compact} />
    </ErrorBoundary>
  );
}

function ExtensionBody({ extension, entity, compact }: { extension: UIExtension; entity?: Entity; compact?: boolean }) {
  const url = extension.renderer === "log-stream" ? null : dataUrlFor(extension, entity);
  const needsData = !!extension.dataUrl && extension.renderer !== "log-stream";
  const query = useQuery({
    queryKey: ["ext", extension.id, url],
    queryFn: () => api.ui.data(url!),
    enabled: !!url,
    refetchInterval: typeof extension.options?.refreshSeconds === "number" ? extension.options.refreshSeconds * 1000 : false,
  });
  const [Component, setComponent] = useState<ExtensionComponent | null>(() => (extension.renderer ? RENDERERS[extension.renderer] ?? null : null));
  const [loadError, setLoadError] = useState<Error | null>(null);
  useEffect(() => {
    if (extension.renderer || !extension.component) return;
    let cancelled = false;
    loadExtensionComponent(extension).then(
      (c) => !cancelled && setComponent(() => c),
      (e: Error) => !cancelled && setLoadError(e),
    );
    return () => {
      cancelled = true;
    };
  }, [extension]);

  let body: ReactNode;
  if (loadError) body = <ErrorBanner className="m-4" error={loadError} />;
  else if (extension.renderer && !RENDERERS[extension.renderer]) body = <ErrorBanner className="m-4" error={new Error(`Unknown renderer "${extension.renderer}"`)} />;
  else if (needsData && !url) body = <EmptyState title="Not linked" description="This entity lacks the annotations or fields this panel needs." />;
  else if (needsData && query.isLoading) body = compact ? <div className="space-y-2 p-4"><Skeleton /><Skeleton className="w-2/3" /></div> : <SkeletonRows rows={4} columns={3} />;
  else if (needsData && query.error) body = <ErrorState error={query.error} retry={() => void query.refetch()} feature={extension.title} />;
  else if (!Component) body = <SkeletonRows rows={3} columns={2} />;
  else body = <Component extension={extension} entity={entity} data={query.data} refresh={() => void query.refetch()} />;
  return <>{body}</>;
}
