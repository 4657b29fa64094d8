/** F122 (phase 2): GitOps status, history and files. Shows "not available" until the plugin exists. */
import { useMutation, useQuery } from "@tanstack/react-query";
import { GitBranch, Upload, Download } from "lucide-react";
import { api, request } from "@/lib/api";
import { relativeTime } from "@/lib/format";
import { useDocumentTitle } from "@/lib/hooks";
import { Button, Card, CardHeader, DescriptionList, ErrorState, PageHeader, Skeleton, StatusDot, useToast } from "@/components/ui";

interface GitOpsStatus {
  connected: boolean;
  repoUrl?: string;
  branch?: string;
  lastCommit?: string;
  lastCommitAt?: string;
  lastPushAt?: string;
  lastPullAt?: string;
  lastError?: string | null;
  pendingFiles?: number;
}

export default function GitOpsPage() {
  useDocumentTitle("GitOps");
  const toast = useToast();
  const q = useQuery({ queryKey: ["gitops"], queryFn: () => request<GitOpsStatus>("GET", "/plugins/gitops/status"), retry: false });
  const act = useMutation({
    mutationFn: (what: "sync" | "pull") => request<unknown>("POST", `/plugins/gitops/${what}`),
    onSuccess: (_, what) => toast.success(what === "sync" ? "Full push started" : "Pull started"),
    onError: (err) => toast.error("GitOps request failed", (err as Error).message),
  });
  void api;
  return (
    <div>
      <PageHeader
        title="GitOps"
        description="Keep the catalog in a Git repository: every change is committed, and changes in the repository are pulled back."
        actions={
          q.data ? (
            <>
              <Button icon={<Download className="size-3.5" />} onClick={() => act.mutate("pull")}>Pull now</Button>
              <Button icon={<Upload className="size-3.5" />} onClick={() => act.mutate("sync")}>Full push</Button>
            </>
          ) : null
        }
      />
      <Card>
        {q.isLoading ? (
          <Skeleton className="m-4 h-32" />
        ) : q.error ? (
          <ErrorState error={q.error} feature="GitOps" />
        ) : q.data ? (
          <>
            <CardHeader title="Repository" icon={<GitBranch className="size-4" />} actions={<StatusDot tone={q.data.connected ? "accent" : "danger"}>{q.data.connected ? "Connected" : "Not connected"}</StatusDot>} />
            <DescriptionList
              className="p-4"
              items={[
                ["Repository", q.data.repoUrl ?? "—"],
                ["Branch", q.data.branch ?? "—"],
                ["Last commit", q.data.lastCommit ? <code className="font-mono text-xs">{q.data.lastCommit.slice(0, 10)}</code> : "—"],
                ["Last push", relativeTime(q.data.lastPushAt)],
                ["Last pull", relativeTime(q.data.lastPullAt)],
                ["Pending files", String(q.data.pendingFiles ?? 0)],
                ["Last error", q.data.lastError ? <span className="text-danger">{q.data.lastError}</span> : "—"],
              ]}
            />
          </>
        ) : null}
      </Card>
    </div>
  );
}
