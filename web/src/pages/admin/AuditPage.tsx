/** F83/F84: the audit log — every mutation with who, what, from where, and a before/after diff. */
import { useState } from "react";
import { useSearchParams } from "react-router";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { FileClock, X } from "lucide-react";
import { api } from "@/lib/api";
import { useCursorPager, useDebounced, useDocumentTitle } from "@/lib/hooks";
import { useKinds } from "@/lib/kinds";
import type { AuditParams } from "@/lib/types";
import { ActivityList } from "@/components/Activity";
import { Button, Card, EmptyState, ErrorState, Input, PageHeader, Pager, Select, SkeletonRows } from "@/components/ui";

const SINCE: [string, number | null][] = [["Any time", null], ["Last hour", 1], ["Last 24 hours", 24], ["Last 7 days", 168], ["Last 30 days", 720]];

export default function AuditPage() {
  useDocumentTitle("Audit Log");
  const [params, setParams] = useSearchParams();
  const { data: kinds } = useKinds();
  const [text, setText] = useState({ name: params.get("name") ?? "", user: params.get("user") ?? "", action: params.get("action") ?? "" });
  const debounced = useDebounced(text, 300);
  const hours = Number(params.get("since")) || null;
  const filters: AuditParams = {
    kind: params.get("kind") ?? undefined,
    namespace: params.get("namespace") ?? undefined,
    name: debounced.name || undefined,
    user: debounced.user || undefined,
    action: debounced.action || undefined,
    since: hours ? new Date(Math.floor(Date.now() / 60000) * 60000 - hours * 3600_000).toISOString() : undefined,
  };
  const pager = useCursorPager(JSON.stringify({ ...filters, since: hours }));
  const q = useQuery({
    queryKey: ["audit", { ...filters, since: hours }, pager.cursor],
    queryFn: () => api.audit({ ...filters, limit: 50, cursor: pager.cursor }),
    placeholderData: keepPreviousData,
  });
  const set = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const any = Object.values(text).some(Boolean) || params.get("kind") || hours;
  return (
    <div>
      <PageHeader title="Audit Log" description="Every change to the catalog, users, keys, plugins and actions — who did it, from where, and what changed. Entries cannot be edited." />
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <Select aria-label="Resource kind" value={params.get("kind") ?? ""} onChange={(e) => set("kind", e.target.value || undefined)} className="w-44">
          <option value="">All resources</option>
          {(kinds ?? []).map((k) => <option key={k.kind} value={k.kind}>{k.kind}</option>)}
          {["User", "Group", "ApiKey", "Plugin"].map((k) => <option key={k} value={k}>{k}</option>)}
        </Select>
        <Input aria-label="Resource name" placeholder="Name" value={text.name} onChange={(e) => setText({ ...text, name: e.target.value })} className="w-44" />
        <Input aria-label="User" placeholder="User" value={text.user} onChange={(e) => setText({ ...text, user: e.target.value })} className="w-36" />
        <Input aria-label="Action" placeholder="Action (create, update…)" value={text.action} onChange={(e) => setText({ ...text, action: e.target.value })} className="w-48" />
        <Select aria-label="Since" value={hours ? String(hours) : ""} onChange={(e) => set("since", e.target.value || undefined)} className="w-40">
          {SINCE.map(([label, h]) => <option key={label} value={h ?? ""}>{label}</option>)}
        </Select>
        {any && (
          <Button variant="ghost" size="sm" icon={<X className="size-3.5" />} onClick={() => { setText({ name: "", user: "", action: "" }); setParams(new URLSearchParams(), { replace: true }); }}>
            Clear
          </Button>
        )}
      </div>
      <Card>
        {q.isLoading ? (
          <SkeletonRows rows={10} columns={4} />
        ) : q.error ? (
          <ErrorState error={q.error} feature="The audit log" retry={() => void q.refetch()} />
        ) : !q.data?.items.length ? (
          <EmptyState icon={<FileClock className="size-5" />} title={any ? "No entries match" : "No audit entries yet"} description={any ? "Widen the time range or clear a filter." : "Changes appear here as soon as anyone makes one."} />
        ) : (
          <>
            <ActivityList entries={q.data.items} showIp />
            <div className="border-t border-line">
              <Pager offset={pager.page * 50} count={q.data.items.length} total={q.data.total} hasPrev={pager.hasPrev} hasNext={!!q.data.next} onPrev={pager.prev} onNext={() => pager.next(q.data?.next)} noun="entries" />
            </div>
          </>
        )}
      </Card>
    </div>
  );
}
