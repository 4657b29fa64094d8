/** Service health (F59): services with `spec.healthCheckUrl`, probed through the server's health-check proxy. */
import { Link } from "react-router";
import { useQueries, useQuery } from "@tanstack/react-query";
import { Activity, ArrowRight } from "lucide-react";
import { api } from "@/lib/api";
import type { Entity, HealthCheckResult } from "@/lib/types";
import { Card, CardHeader, ErrorState, Skeleton, StatusDot } from "./ui";

export interface Monitored {
  entity: Entity;
  url: string;
  result?: HealthCheckResult;
  error?: unknown;
  loading: boolean;
  refetch: () => void;
}

/** The services that declare a health check URL (first 500) and the latest probe of each. */
export function useMonitoredServices(refreshMs = 60_000) {
  const services = useQuery({
    queryKey: ["entities", { kind: "service", limit: 500, purpose: "status" }],
    queryFn: () => api.entities.list({ kind: "service", limit: 500 }),
    staleTime: 60_000,
  });
  const withUrl = (services.data?.items ?? []).filter((e) => typeof (e.spec as { healthCheckUrl?: unknown }).healthCheckUrl === "string");
  const probes = useQueries({
    queries: withUrl.map((e) => {
      const url = (e.spec as { healthCheckUrl: string }).healthCheckUrl;
      return { queryKey: ["health-check", url], queryFn: () => api.healthCheck(url), refetchInterval: refreshMs, staleTime: refreshMs / 2, retry: false };
    }),
  });
  const monitored: Monitored[] = withUrl.map((entity, i) => ({
    entity,
    url: (entity.spec as { healthCheckUrl: string }).healthCheckUrl,
    result: probes[i]?.data,
    error: probes[i]?.error,
    loading: !!probes[i]?.isLoading,
    refetch: () => void probes[i]?.refetch(),
  }));
  return { services, monitored, total: services.data?.total ?? 0 };
}

export function ServiceStatusSummary() {
  const { services, monitored } = useMonitoredServices();
  const down = monitored.filter((m) => m.result && !m.result.up);
  const up = monitored.filter((m) => m.result?.up);
  return (
    <Card>
      <CardHeader
        title="Service status"
        icon={<Activity className="size-4" />}
        actions={
          <Link to="/status" className="inline-flex items-center gap-1 text-xs font-medium text-fg-muted hover:text-fg">
            View all <ArrowRight className="size-3" />
          </Link>
        }
      />
      {services.isLoading ? (
        <div className="space-y-2.5 p-4">
          <Skeleton />
          <Skeleton className="w-1/2" />
        </div>
      ) : services.error ? (
        <ErrorState error={services.error} feature="Service status" />
      ) : monitored.length === 0 ? (
        <p className="px-4 py-6 text-center text-[13px] text-fg-muted">
          No service has a <code className="font-mono text-xs">healthCheckUrl</code> yet. Add one to a Service to monitor it here.
        </p>
      ) : (
        <div className="p-4">
          <div className="flex items-center gap-4 text-[13px]">
            <StatusDot tone="accent">{up.length} operational</StatusDot>
            <StatusDot tone={down.length ? "danger" : "muted"}>{down.length} degraded</StatusDot>
          </div>
          {down.length > 0 && (
            <ul className="mt-3 space-y-1">
              {down.slice(0, 5).map((m) => (
                <li key={m.entity.metadata.name} className="flex items-center justify-between text-[13px]">
                  <Link to={`/catalog/service/${m.entity.metadata.name}`} className="hover:underline">
                    {m.entity.metadata.title || m.entity.metadata.name}
                  </Link>
                  <span className="text-xs text-danger">{m.result?.statusCode ?? "no response"}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Card>
  );
}
