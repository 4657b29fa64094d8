/** Audit entries (F83, F154): one-line summaries and expandable before/after diffs. */
import { useState } from "react";
import { Link } from "react-router";
import { ChevronRight, Minus, Plus } from "lucide-react";
import { diff, show } from "@/lib/diff";
import { absoluteTime, entityHref, relativeTime } from "@/lib/format";
import type { AuditEntry } from "@/lib/types";
import { Avatar, Badge, cn, type Tone } from "./ui";

const ENTITY_TYPES = /^(service|api|team|environment|infrastructure|action|documentation)$/i;

function verb(action: string): string {
  const a = action.replace(/^entity\./, "");
  return (
    {
      create: "created",
      created: "created",
      update: "updated",
      updated: "updated",
      delete: "deleted",
      deleted: "deleted",
      synced: "synced",
      execute: "ran",
      "action.executed": "ran",
      login: "signed in",
      login_failed: "failed to sign in as",
      "status.changed": "changed the status of",
    }[a] ?? a.replace(/[._]/g, " ")
  );
}

export function actionTone(action: string): Tone {
  if (/delete|reject|fail|revoke/i.test(action)) return "danger";
  if (/create|execut|approve/i.test(action)) return "accent";
  return "neutral";
}

function Resource({ entry }: { entry: AuditEntry }) {
  if (entry.resourceType && entry.resourceName && ENTITY_TYPES.test(entry.resourceType) && !/delete/i.test(entry.action)) {
    return (
      <Link to={entityHref(entry.resourceType, entry.resourceName, entry.resourceNamespace)} className="font-medium hover:underline">
        {entry.resourceName}
      </Link>
    );
  }
  return <span className="font-medium">{entry.resourceName}</span>;
}

export function ActivityLine({ entry }: { entry: AuditEntry }) {
  const who = entry.userName ?? "system";
  return (
    <div className="flex items-center gap-3 text-[13px]">
      <Avatar name={who} />
      <p className="min-w-0 flex-1 truncate">
        <span className="font-medium">{who}</span> <span className="text-fg-muted">{verb(entry.type ?? entry.action)}</span>{" "}
        <span className="text-fg-muted">{entry.resourceType}</span> <Resource entry={entry} />
        {entry.source && entry.source !== "api" && <Badge tone="outline" className="ml-2">{entry.source}</Badge>}
      </p>
      <time dateTime={entry.timestamp} title={absoluteTime(entry.timestamp)} className="shrink-0 text-xs text-fg-muted">
        {relativeTime(entry.timestamp)}
      </time>
    </div>
  );
}

/** A list of entries; each expands to show what changed. */
export function ActivityList({ entries, showIp }: { entries: AuditEntry[]; showIp?: boolean }) {
  return (
    <ol className="divide-y divide-line">
      {entries.map((e) => (
        <ActivityItem key={e.id} entry={e} showIp={showIp} />
      ))}
    </ol>
  );
}

function ActivityItem({ entry, showIp }: { entry: AuditEntry; showIp?: boolean }) {
  const [open, setOpen] = useState(false);
  const rows = diff(entry.before, entry.after);
  const expandable = rows.length > 0 || !!entry.details;
  const who = entry.userName ?? "system";
  return (
    <li>
      <button
        type="button"
        onClick={() => expandable && setOpen(!open)}
        aria-expanded={expandable ? open : undefined}
        className={cn("flex w-full items-center gap-3 px-4 py-2.5 text-left text-[13px]", expandable && "hover:bg-bg-2")}
      >
        <ChevronRight className={cn("size-3.5 shrink-0 text-fg-muted transition-transform", open && "rotate-90", !expandable && "invisible")} aria-hidden />
        <Avatar name={who} />
        <span className="min-w-0 flex-1 truncate">
          <span className="font-medium">{who}</span>{" "}
          <Badge tone={actionTone(entry.action)} className="mx-1">
            {entry.action}
          </Badge>
          <span className="text-fg-muted">{entry.resourceType}</span> <span className="font-medium">{entry.resourceName}</span>
          {entry.resourceNamespace && entry.resourceNamespace !== "default" && <span className="text-fg-muted"> in {entry.resourceNamespace}</span>}
        </span>
        {rows.length > 0 && <span className="shrink-0 text-xs text-fg-muted tabular-nums">{rows.length} {rows.length === 1 ? "change" : "changes"}</span>}
        {entry.source && <Badge tone="outline">{entry.source}</Badge>}
        {showIp && entry.ipAddress && <code className="shrink-0 font-mono text-2xs text-fg-muted">{entry.ipAddress}</code>}
        <time dateTime={entry.timestamp} title={absoluteTime(entry.timestamp)} className="w-28 shrink-0 text-right text-xs text-fg-muted">
          {relativeTime(entry.timestamp)}
        </time>
      </button>
      {open && (
        <div className="px-4 pb-3 pl-[3.25rem]">
          {rows.length > 0 ? <DiffTable rows={rows} /> : <pre className="overflow-x-auto rounded-md bg-bg-2 p-3 font-mono text-xs">{JSON.stringify(entry.details, null, 2)}</pre>}
        </div>
      )}
    </li>
  );
}

export function DiffTable({ rows }: { rows: ReturnType<typeof diff> }) {
  return (
    <div className="overflow-hidden rounded-md border border-line">
      <table className="w-full table-fixed text-xs">
        <caption className="sr-only">Changes</caption>
        <thead className="bg-bg-2 text-left text-fg-muted">
          <tr>
            <th scope="col" className="w-1/4 px-3 py-1.5 font-medium">Field</th>
            <th scope="col" className="px-3 py-1.5 font-medium">Before</th>
            <th scope="col" className="px-3 py-1.5 font-medium">After</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line font-mono">
          {rows.map((r) => (
            <tr key={r.path}>
              <td className="truncate px-3 py-1.5 text-fg-muted" title={r.path}>
                {r.path}
              </td>
              <td className={cn("break-all px-3 py-1.5", r.kind !== "added" && "bg-danger/6")}>
                {r.kind !== "added" && (
                  <span className="flex gap-1.5">
                    <Minus className="mt-0.5 size-3 shrink-0 text-danger" aria-label="removed" />
                    <span className="text-danger">{show(r.before)}</span>
                  </span>
                )}
              </td>
              <td className={cn("break-all px-3 py-1.5", r.kind !== "removed" && "bg-accent/6")}>
                {r.kind !== "removed" && (
                  <span className="flex gap-1.5">
                    <Plus className="mt-0.5 size-3 shrink-0 text-accent" aria-label="added" />
                    <span>{show(r.after)}</span>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
