/** One action run (F78, F79): live status, inputs, output and error. */
import { Link, useParams, useSearchParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { ChevronRight, Clock, User } from "lucide-react";
import { api } from "@/lib/api";
import { absoluteTime, duration, entityHref, relativeTime } from "@/lib/format";
import { useDocumentTitle } from "@/lib/hooks";
import { useHighlight } from "@/lib/live";
import { RunStatusBadge, isActive } from "@/components/RunStatus";
import { Card, CardHeader, CopyButton, ErrorState, PageHeader, Skeleton, cn } from "@/components/ui";

export default function RunPage() {
  const { name = "", id = "" } = useParams();
  const [params] = useSearchParams();
  const namespace = params.get("namespace") ?? undefined;
  useDocumentTitle(`${name} run`);
  const flash = useHighlight(`run/${id}`);
  const q = useQuery({
    queryKey: ["runs", "one", name, id, namespace],
    queryFn: () => api.actions.run(name, id, namespace),
    refetchInterval: (query) => (query.state.data && isActive(query.state.data.status) ? 2000 : false),
  });
  const run = q.data;
  const output = run?.output === undefined || run?.output === null ? "" : typeof run.output === "string" ? run.output : JSON.stringify(run.output, null, 2);
  return (
    <div className="mx-auto max-w-5xl">
      <PageHeader
        breadcrumb={
          <nav aria-label="Breadcrumb" className="flex items-center gap-1 text-[13px] text-fg-muted">
            <Link to="/actions" className="hover:text-fg">Actions</Link>
            <ChevronRight className="size-3.5" aria-hidden />
            <Link to={`/actions/runs?action=${encodeURIComponent(name)}`} className="hover:text-fg">{name}</Link>
            <ChevronRight className="size-3.5" aria-hidden />
            <span className="font-mono text-fg" aria-current="page">#{id.slice(0, 8)}</span>
          </nav>
        }
        title={
          <span className="flex items-center gap-3">
            {name}
            {run && (
              <span className={cn("rounded-md px-1.5 py-0.5", flash && "live-flash")}>
                <RunStatusBadge status={run.status} />
              </span>
            )}
          </span>
        }
        description={<Link to={entityHref("action", name)} className="hover:underline">View the action definition</Link>}
      />
      {q.isLoading ? (
        <Skeleton className="h-64" />
      ) : q.error || !run ? (
        <Card><ErrorState error={q.error} feature="Action runs" retry={() => void q.refetch()} /></Card>
      ) : (
        <div className="space-y-5">
          <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
            <Stat label="Triggered by" icon={<User className="size-3.5" />}>{run.triggeredBy}</Stat>
            <Stat label="Started" icon={<Clock className="size-3.5" />}>
              <span title={absoluteTime(run.startedAt)}>{run.startedAt ? relativeTime(run.startedAt) : "not yet"}</span>
            </Stat>
            <Stat label="Finished">{run.finishedAt ? <span title={absoluteTime(run.finishedAt)}>{relativeTime(run.finishedAt)}</span> : "—"}</Stat>
            <Stat label="Duration">{run.status === "pending" ? "—" : duration(run.startedAt, run.finishedAt)}</Stat>
          </div>
          {run.status === "pending" && (
            <p className="rounded-lg border border-line bg-bg-2 px-4 py-3 text-[13px] text-fg-muted" role="status">
              Waiting for an approver. The run starts as soon as it is approved.
            </p>
          )}
          {(run.reason || run.approvedBy || run.rejectedBy) && (
            <p className="text-[13px] text-fg-muted">
              {run.approvedBy && <>Approved by <span className="text-fg">{run.approvedBy}</span>. </>}
              {run.rejectedBy && <>Rejected by <span className="text-fg">{run.rejectedBy}</span>. </>}
              {run.reason && <>Reason: {run.reason}</>}
            </p>
          )}
          <Card>
            <CardHeader title="Inputs" />
            {Object.keys(run.inputs ?? {}).length ? (
              <dl className="grid grid-cols-[12rem_1fr] gap-x-4 gap-y-2 px-4 py-3 text-[13px]">
                {Object.entries(run.inputs).map(([k, v]) => (
                  <div key={k} className="contents">
                    <dt className="font-mono text-xs text-fg-muted">{k}</dt>
                    <dd className="break-words">{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
                  </div>
                ))}
              </dl>
            ) : (
              <p className="px-4 py-3 text-[13px] text-fg-muted">No inputs.</p>
            )}
          </Card>
          {run.error && (
            <Card className="border-danger/40">
              <CardHeader title={<span className="text-danger">Error</span>} />
              <pre className="overflow-x-auto px-4 py-3 font-mono text-xs whitespace-pre-wrap text-danger">{run.error}</pre>
            </Card>
          )}
          {run.logs && run.logs.length > 0 && (
            <Card>
              <CardHeader title="Log" />
              <ol className="max-h-[40vh] overflow-auto bg-bg-2 px-4 py-3 font-mono text-xs leading-5" aria-label="Run log" tabIndex={0}>
                {run.logs.map((l, i) => (
                  <li key={i} className={cn("flex gap-3", /error|fatal/i.test(l.level) && "text-danger")}>
                    <span className="shrink-0 text-fg-muted">{l.timestamp ? new Date(l.timestamp).toLocaleTimeString() : ""}</span>
                    <span className="w-12 shrink-0 uppercase text-fg-muted">{l.level}</span>
                    <span className="min-w-0 whitespace-pre-wrap break-words">{l.message}</span>
                  </li>
                ))}
              </ol>
            </Card>
          )}
          <Card>
            <CardHeader title="Output" actions={output ? <CopyButton value={output} /> : undefined} />
            {output ? (
              <pre className="max-h-[50vh] overflow-auto bg-bg-2 px-4 py-3 font-mono text-xs leading-5" tabIndex={0} aria-label="Run output">
                {output}
              </pre>
            ) : (
              <p className="px-4 py-3 text-[13px] text-fg-muted">{isActive(run.status) ? "Output appears when the run finishes." : "No output."}</p>
            )}
          </Card>
        </div>
      )}
    </div>
  );
}

function Stat({ label, icon, children }: { label: string; icon?: React.ReactNode; children: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-line bg-bg px-4 py-3">
      <div className="flex items-center gap-1.5 text-xs text-fg-muted">
        {icon}
        {label}
      </div>
      <div className="mt-1 truncate text-[13px] font-medium">{children}</div>
    </div>
  );
}
