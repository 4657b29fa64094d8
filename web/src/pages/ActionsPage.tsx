/** F81 / F155: actions by category with search, the execute form from spec.inputs, runs with live status, approvals. */
import { lazy, Suspense, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Check, History, Inbox, Pencil, Play, Plus, Search, ShieldCheck, X, Zap } from "lucide-react";
import { ApiError, api } from "@/lib/api";
import { useCan, useMe } from "@/lib/auth";
import { absoluteTime, duration, entityHref, relativeTime } from "@/lib/format";
import { useCursorPager, useDocumentTitle } from "@/lib/hooks";
import { useHighlight } from "@/lib/live";
import type { ActionInput, ActionRun, ActionSummary, JsonSchema } from "@/lib/types";
import { RunStatusBadge, isActive } from "@/components/RunStatus";
import {
  Badge,
  Button,
  ButtonLink,
  Card,
  Dialog,
  EmptyState,
  ErrorBanner,
  ErrorState,
  Field,
  Input,
  PageHeader,
  Pager,
  Skeleton,
  SkeletonRows,
  Tabs,
  Textarea,
  cn,
  tabPanelProps,
  useToast,
} from "@/components/ui";

const SchemaForm = lazy(() => import("@/components/SchemaForm"));

export default function ActionsPage() {
  const { tab = "catalog" } = useParams();
  const navigate = useNavigate();
  useDocumentTitle("Actions");
  const canWrite = useCan("developer");
  const approvals = useQuery({ queryKey: ["approvals"], queryFn: () => api.actions.approvals({ limit: 50 }), retry: false, enabled: canWrite });
  const current = ["catalog", "runs", ...(canWrite ? ["approvals"] : [])].includes(tab) ? tab : "catalog";
  return (
    <div>
      <PageHeader
        title="Actions"
        description="Self-service operations: deploy, scaffold, rotate, restart — run them here with the inputs they need, and follow each run live."
        actions={
          canWrite ? (
            <ButtonLink to="/catalog/new?kind=Action" variant="primary" icon={<Plus className="size-3.5" />}>
              New action
            </ButtonLink>
          ) : null
        }
      />
      <Tabs
        label="Actions sections"
        className="mb-5"
        value={current}
        onChange={(id) => navigate(id === "catalog" ? "/actions" : `/actions/${id}`)}
        items={[
          { id: "catalog", label: "Actions", icon: <Zap className="size-3.5" /> },
          { id: "runs", label: "Runs", icon: <History className="size-3.5" /> },
          ...(canWrite ? [{ id: "approvals", label: "Approvals", icon: <ShieldCheck className="size-3.5" />, count: approvals.data?.total || null }] : []),
        ]}
      />
      <div {...tabPanelProps(current)} className="outline-none">
        {current === "catalog" && <ActionCatalog />}
        {current === "runs" && <RunsList />}
        {current === "approvals" && <Approvals />}
      </div>
    </div>
  );
}

/** Every action (500 is the page maximum; more than that many actions is not a catalog people browse). */
async function listActions(): Promise<{ items: ActionSummary[]; total: number }> {
  return api.actions.list({ limit: 500 });
}

function ActionCatalog() {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState("");
  const [category, setCategory] = useState<string | null>(null);
  const q = useQuery({ queryKey: ["actions", "all"], queryFn: listActions });
  const runName = params.get("run");
  const running = q.data?.items.find((a) => a.name === runName);

  const groups = useMemo(() => {
    const needle = search.toLowerCase();
    const map = new Map<string, ActionSummary[]>();
    for (const a of q.data?.items ?? []) {
      const text = `${a.name} ${a.title ?? ""} ${a.description ?? ""} ${a.category ?? ""} ${a.type ?? ""}`.toLowerCase();
      if (needle && !text.includes(needle)) continue;
      const cat = a.category || "Uncategorised";
      map.set(cat, [...(map.get(cat) ?? []), a]);
    }
    return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [q.data, search]);
  const allCategories = useMemo(() => {
    const counts = new Map<string, number>();
    for (const a of q.data?.items ?? []) {
      const c = a.category || "Uncategorised";
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [q.data]);

  const closeRun = () => {
    const next = new URLSearchParams(params);
    next.delete("run");
    setParams(next, { replace: true });
  };

  if (q.isLoading)
    return (
      <div className="grid grid-cols-2 gap-3 xl:grid-cols-3">
        {Array.from({ length: 6 }).map((_, i) => (
          <Skeleton key={i} className="h-40 rounded-lg" />
        ))}
      </div>
    );
  if (q.error) return <Card><ErrorState error={q.error} feature="Actions" retry={() => void q.refetch()} /></Card>;
  if (!q.data?.items.length)
    return (
      <Card>
        <EmptyState
          icon={<Zap className="size-5" />}
          title="No actions yet"
          description="An action is an entity of kind Action: a webhook, a GitHub workflow or an Argo CD sync, with the inputs people fill in. Create one to let your teams self-serve."
          action={<ButtonLink to="/catalog/new?kind=Action" variant="primary" icon={<Plus className="size-3.5" />}>New action</ButtonLink>}
        />
      </Card>
    );
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-2">
        <div className="relative w-72">
          <Search className="pointer-events-none absolute left-2.5 top-1/2 size-3.5 -translate-y-1/2 text-fg-muted" aria-hidden />
          <Input type="search" aria-label="Search actions" placeholder="Search actions…" value={search} onChange={(e) => setSearch(e.target.value)} className="pl-8" />
        </div>
        <div className="flex flex-wrap gap-1.5" role="group" aria-label="Categories">
          {allCategories.map(([c, n]) => (
            <button
              key={c}
              type="button"
              aria-pressed={category === c}
              onClick={() => setCategory(category === c ? null : c)}
              className={cn("inline-flex h-7 items-center gap-1.5 rounded-full border px-3 text-xs font-medium", category === c ? "border-accent/40 bg-accent/10 text-accent" : "border-line text-fg-muted hover:text-fg")}
            >
              {c}
              <span className="tabular-nums opacity-70">{n}</span>
            </button>
          ))}
        </div>
      </div>
      {groups.filter(([c]) => !category || c === category).length === 0 && <EmptyState title="No actions match" description="Try another search term." />}
      {groups
        .filter(([c]) => !category || c === category)
        .map(([cat, actions]) => (
          <section key={cat} aria-label={cat}>
            <h2 className="mb-3 flex items-center gap-2 text-[13px] font-semibold">
              {cat}
              <span className="rounded bg-bg-3 px-1.5 text-2xs font-medium tabular-nums text-fg-muted">{actions.length}</span>
            </h2>
            <ul className="grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3">
              {actions.map((a) => (
                <ActionCard key={`${a.namespace}/${a.name}`} action={a} />
              ))}
            </ul>
          </section>
        ))}
      {running && <ExecuteDialog action={running} onClose={closeRun} />}
      {runName && q.data && !running && <ErrorBanner error={new Error(`No action named “${runName}”.`)} />}
    </div>
  );
}

function ActionCard({ action }: { action: ActionSummary }) {
  const [params, setParams] = useSearchParams();
  const canRun = useCan("developer");
  const open = () => {
    const next = new URLSearchParams(params);
    next.set("run", action.name);
    setParams(next, { replace: true });
  };
  const nsQuery = action.namespace !== "default" ? `?namespace=${encodeURIComponent(action.namespace)}` : "";
  return (
    <li className="flex flex-col rounded-lg border border-line bg-bg p-4 transition-colors hover:border-fg-muted/30">
      <div className="flex items-start justify-between gap-3">
        <div className="flex min-w-0 items-center gap-2.5">
          <span className="flex size-8 shrink-0 items-center justify-center rounded-lg bg-accent/10 text-accent">
            <Zap className="size-4" aria-hidden />
          </span>
          <div className="min-w-0">
            <Link to={entityHref("action", action.name, action.namespace)} className="block truncate font-medium hover:underline">
              {action.title || action.name}
            </Link>
            <p className="truncate text-xs text-fg-muted">{action.owner ? `by ${action.owner}` : action.name}</p>
          </div>
        </div>
        {action.type && <Badge tone="outline">{action.type}</Badge>}
      </div>
      <p className="mt-3 line-clamp-2 min-h-[2lh] flex-1 text-[13px] text-fg-muted">{action.description || "No description."}</p>
      <div className="mt-3 flex items-center justify-between gap-2">
        <span className="flex items-center gap-2 text-xs text-fg-muted">
          {action.inputCount} {action.inputCount === 1 ? "input" : "inputs"}
          {action.permissions?.requireApproval && (
            <Badge tone="neutral" icon={<ShieldCheck className="size-3" />}>
              approval
            </Badge>
          )}
        </span>
        <div className="flex gap-1">
          <ButtonLink to={`/actions/runs?action=${encodeURIComponent(action.name)}`} size="sm" variant="ghost" aria-label={`History of ${action.name}`}>
            <History className="size-3.5" />
          </ButtonLink>
          {canRun && (
            <ButtonLink to={`/catalog/action/${encodeURIComponent(action.name)}/edit${nsQuery}`} size="sm" variant="ghost" aria-label={`Edit ${action.name}`}>
              <Pencil className="size-3.5" />
            </ButtonLink>
          )}
          {canRun && (
            <Button size="sm" icon={<Play className="size-3" />} onClick={open} aria-label={`Execute ${action.title || action.name}`}>
              Execute
            </Button>
          )}
        </div>
      </div>
    </li>
  );
}

/** F72: action inputs as a JSON Schema, so the execute form is a SchemaForm too. */
export function inputsSchema(inputs: ActionInput[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const i of inputs) {
    const base: JsonSchema = { title: i.title || i.name, description: i.description };
    if (i.default !== undefined) base.default = i.default;
    if (i.type === "number") properties[i.name] = { ...base, type: "number" };
    else if (i.type === "boolean") properties[i.name] = { ...base, type: "boolean" };
    else if (i.type === "select") properties[i.name] = { ...base, type: "string", enum: i.options ?? [] };
    else if (i.type === "textarea") properties[i.name] = { ...base, type: "string", format: "textarea" };
    else properties[i.name] = { ...base, type: "string" };
  }
  return { type: "object", properties, required: inputs.filter((i) => i.required).map((i) => i.name) };
}

function ExecuteDialog({ action, onClose }: { action: ActionSummary; onClose: () => void }) {
  const schema = useMemo(() => inputsSchema(action.inputs), [action.inputs]);
  const [inputs, setInputs] = useState<Record<string, unknown>>(() =>
    Object.fromEntries(action.inputs.filter((i) => i.default !== undefined).map((i) => [i.name, i.default])),
  );
  const [missing, setMissing] = useState<{ path: string; message: string }[]>([]);
  const toast = useToast();
  const navigate = useNavigate();
  const client = useQueryClient();
  const run = useMutation({
    mutationFn: () => api.actions.execute(action.name, inputs, action.namespace),
    onSuccess: (r) => {
      void client.invalidateQueries({ queryKey: ["runs"] });
      toast.success(r.status === "pending" ? "Run waiting for approval" : `Started ${action.title || action.name}`);
      onClose();
      navigate(`/actions/${encodeURIComponent(action.name)}/runs/${encodeURIComponent(String(r.id))}${action.namespace !== "default" ? `?namespace=${encodeURIComponent(action.namespace)}` : ""}`);
    },
  });
  const submit = () => {
    const m = action.inputs.filter((i) => i.required && (inputs[i.name] === undefined || inputs[i.name] === "")).map((i) => ({ path: `/${i.name}`, message: "is required" }));
    setMissing(m);
    if (!m.length) run.mutate();
  };
  const errors = missing.length ? missing : run.error instanceof ApiError ? run.error.details : [];
  return (
    <Dialog
      open
      onClose={onClose}
      size="lg"
      title={`Run ${action.title || action.name}`}
      description={action.description ?? undefined}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" icon={<Play className="size-3" />} loading={run.isPending} onClick={submit}>
            {action.permissions?.requireApproval ? "Request run" : "Run action"}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        className="space-y-4"
        aria-label="Action inputs"
      >
        {action.permissions?.requireApproval && (
          <p className="flex items-start gap-2 rounded-md bg-bg-3 px-3 py-2 text-[13px] text-fg-muted">
            <ShieldCheck className="mt-0.5 size-4 shrink-0" aria-hidden />
            This action needs approval{action.permissions.approvers?.length ? ` by ${action.permissions.approvers.join(", ")}` : ""} before it runs.
          </p>
        )}
        {action.inputs.length ? (
          <Suspense fallback={<Skeleton className="h-32" />}>
            <SchemaForm schema={schema} value={inputs} onChange={(v) => setInputs((v ?? {}) as Record<string, unknown>)} errors={errors} errorPrefix="/inputs" />
          </Suspense>
        ) : (
          <p className="text-[13px] text-fg-muted">This action takes no inputs.</p>
        )}
        <ErrorBanner error={run.error} />
        <button type="submit" hidden />
      </form>
    </Dialog>
  );
}

export function RunsList({ action }: { action?: string }) {
  const [params] = useSearchParams();
  const actionFilter = action ?? params.get("action") ?? undefined;
  const pager = useCursorPager(actionFilter ?? "");
  const q = useQuery({
    queryKey: ["runs", actionFilter ?? "all", pager.cursor],
    queryFn: () => api.actions.runs({ limit: 25, cursor: pager.cursor, action: actionFilter }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some((r) => isActive(r.status)) ? 5000 : false),
  });
  return (
    <Card>
      {actionFilter && (
        <div className="flex items-center gap-2 border-b border-line px-4 py-2 text-[13px]">
          Runs of <Badge>{actionFilter}</Badge>
          <Link to="/actions/runs" className="ml-auto text-xs text-fg-muted hover:text-fg">
            Show all runs
          </Link>
        </div>
      )}
      {q.isLoading ? (
        <SkeletonRows rows={8} columns={5} />
      ) : q.error ? (
        <ErrorState error={q.error} feature="Action runs" retry={() => void q.refetch()} />
      ) : !q.data?.items.length ? (
        <EmptyState icon={<History className="size-5" />} title="No runs yet" description="Runs appear here the moment someone executes an action, with live status." />
      ) : (
        <>
          <table className="w-full text-[13px]">
            <thead>
              <tr className="border-b border-line bg-bg-2 text-left text-xs text-fg-muted">
                <th scope="col" className="px-4 py-2 font-medium">Status</th>
                <th scope="col" className="px-4 py-2 font-medium">Action</th>
                <th scope="col" className="px-4 py-2 font-medium">Run</th>
                <th scope="col" className="px-4 py-2 font-medium">Triggered by</th>
                <th scope="col" className="px-4 py-2 font-medium">Started</th>
                <th scope="col" className="px-4 py-2 text-right font-medium">Duration</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {q.data.items.map((r) => (
                <RunRow key={r.id} run={r} />
              ))}
            </tbody>
          </table>
          <div className="border-t border-line">
            <Pager offset={pager.page * 25} count={q.data.items.length} total={q.data.total} hasPrev={pager.hasPrev} hasNext={!!q.data.next} onPrev={pager.prev} onNext={() => pager.next(q.data?.next)} noun="runs" />
          </div>
        </>
      )}
    </Card>
  );
}

function RunRow({ run }: { run: ActionRun }) {
  const navigate = useNavigate();
  const flash = useHighlight(`run/${String(run.id)}`);
  const ns = run.namespace && run.namespace !== "default" ? `?namespace=${encodeURIComponent(run.namespace)}` : "";
  const href = `/actions/${encodeURIComponent(run.actionName)}/runs/${encodeURIComponent(String(run.id))}${ns}`;
  return (
    <tr className={cn("cursor-pointer hover:bg-bg-2", flash && "live-flash")} onClick={() => navigate(href)}>
      <td className="px-4 py-2.5">
        <RunStatusBadge status={run.status} />
      </td>
      <td className="px-4 py-2.5 font-medium">
        <Link to={href} className="hover:underline" onClick={(e) => e.stopPropagation()}>
          {run.actionName}
        </Link>
      </td>
      <td className="px-4 py-2.5 font-mono text-xs text-fg-muted">#{String(run.id).slice(0, 8)}</td>
      <td className="px-4 py-2.5">{run.triggeredBy}</td>
      <td className="px-4 py-2.5 text-fg-muted" title={absoluteTime(run.startedAt ?? run.createdAt)}>
        {relativeTime(run.startedAt ?? run.createdAt)}
      </td>
      <td className="px-4 py-2.5 text-right tabular-nums text-fg-muted">{run.status === "pending" ? "—" : duration(run.startedAt, run.finishedAt)}</td>
    </tr>
  );
}

function Approvals() {
  const q = useQuery({ queryKey: ["approvals"], queryFn: () => api.actions.approvals({ limit: 50 }) });
  const { data: me } = useMe();
  const [rejecting, setRejecting] = useState<ActionRun | null>(null);
  const [reason, setReason] = useState("");
  const toast = useToast();
  const client = useQueryClient();
  const decide = useMutation({
    mutationFn: ({ run, approve }: { run: ActionRun; approve: boolean }) => (approve ? api.actions.approve(run.id) : api.actions.reject(run.id, reason)),
    onSuccess: (_, { run, approve }) => {
      toast.success(approve ? `Approved ${run.actionName}` : `Rejected ${run.actionName}`);
      setRejecting(null);
      setReason("");
      void client.invalidateQueries({ queryKey: ["approvals"] });
      void client.invalidateQueries({ queryKey: ["runs"] });
    },
    onError: (err) => toast.error("Could not record the decision", (err as Error).message),
  });
  if (q.isLoading) return <Card><SkeletonRows rows={4} columns={4} /></Card>;
  if (q.error) return <Card><ErrorState error={q.error} feature="Approvals" retry={() => void q.refetch()} /></Card>;
  if (!q.data?.items.length)
    return (
      <Card>
        <EmptyState icon={<Inbox className="size-5" />} title="Nothing waiting for you" description="Runs of actions that require your approval show up here." />
      </Card>
    );
  return (
    <>
      <ul className="space-y-3" aria-label="Runs waiting for your approval">
        {q.data.items.map((run) => (
          <li key={run.id} aria-label={`${run.actionName} requested by ${run.triggeredBy}`}>
            <Card className="p-4">
              <div className="flex flex-wrap items-start justify-between gap-3">
                <div>
                  <p className="text-[13px]">
                    <span className="font-medium">{run.triggeredBy}</span> <span className="text-fg-muted">wants to run</span>{" "}
                    <Link to={`/actions/${encodeURIComponent(run.actionName)}/runs/${encodeURIComponent(String(run.id))}`} className="font-medium hover:underline">
                      {run.actionName}
                    </Link>
                  </p>
                  <p className="mt-0.5 text-xs text-fg-muted">requested {relativeTime(run.createdAt ?? run.startedAt)}</p>
                </div>
                <div className="flex gap-2">
                  <Button size="sm" variant="danger-ghost" icon={<X className="size-3.5" />} onClick={() => setRejecting(run)} disabled={run.triggeredBy === me?.username}>
                    Reject
                  </Button>
                  <Button
                    size="sm"
                    variant="primary"
                    icon={<Check className="size-3.5" />}
                    loading={decide.isPending && decide.variables?.run.id === run.id}
                    onClick={() => decide.mutate({ run, approve: true })}
                    disabled={run.triggeredBy === me?.username}
                    title={run.triggeredBy === me?.username ? "You cannot approve your own run" : undefined}
                  >
                    Approve
                  </Button>
                </div>
              </div>
              {Object.keys(run.inputs ?? {}).length > 0 && (
                <dl className="mt-3 grid grid-cols-[10rem_1fr] gap-x-3 gap-y-1 rounded-md bg-bg-2 px-3 py-2 text-xs">
                  {Object.entries(run.inputs).map(([k, v]) => (
                    <div key={k} className="contents">
                      <dt className="font-mono text-fg-muted">{k}</dt>
                      <dd className="break-words">{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
                    </div>
                  ))}
                </dl>
              )}
            </Card>
          </li>
        ))}
      </ul>
      <Dialog
        open={!!rejecting}
        onClose={() => setRejecting(null)}
        title={`Reject ${rejecting?.actionName ?? ""}?`}
        description="The requester sees your reason."
        size="sm"
        footer={
          <>
            <Button onClick={() => setRejecting(null)}>Cancel</Button>
            <Button variant="danger" loading={decide.isPending} onClick={() => rejecting && decide.mutate({ run: rejecting, approve: false })}>
              Reject run
            </Button>
          </>
        }
      >
        <Field label="Reason">{({ id }) => <Textarea id={id} value={reason} onChange={(e) => setReason(e.target.value)} rows={3} data-autofocus />}</Field>
      </Dialog>
    </>
  );
}
