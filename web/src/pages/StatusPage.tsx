/** F134 Status: every monitored service with its live health (F59). */
import { Link } from "react-router";
import { Activity, RefreshCw } from "lucide-react";
import { entityHref } from "@/lib/format";
import { useDocumentTitle } from "@/lib/hooks";
import { useMonitoredServices } from "@/components/ServiceStatus";
import { Badge, Button, Card, EmptyState, ErrorState, PageHeader, SkeletonRows, Spinner, StatusDot } from "@/components/ui";

export default function StatusPage() {
  useDocumentTitle("Status");
  const { services, monitored } = useMonitoredServices(30_000);
  const down = monitored.filter((m) => m.result && !m.result.up).length;
  return (
    <div>
      <PageHeader
        title="Status"
        description="Health of every service that declares a healthCheckUrl, checked every 30 seconds through the Gantry server."
        actions={
          <Button icon={<RefreshCw className="size-3.5" />} onClick={() => monitored.forEach((m) => m.refetch())}>
            Check now
          </Button>
        }
      />
      {monitored.length > 0 && (
        <div className={`mb-4 flex items-center gap-3 rounded-lg border px-4 py-3 ${down ? "border-danger/30 bg-danger/6" : "border-accent/25 bg-accent/6"}`}>
          <StatusDot tone={down ? "danger" : "accent"} pulse={!!down} />
          <span className="text-[13px] font-medium">{down ? `${down} of ${monitored.length} services degraded` : `All ${monitored.length} monitored services operational`}</span>
        </div>
      )}
      <Card>
        {services.isLoading ? (
          <SkeletonRows rows={6} columns={4} />
        ) : services.error ? (
          <ErrorState error={services.error} feature="The catalog" retry={() => void services.refetch()} />
        ) : monitored.length === 0 ? (
          <EmptyState
            icon={<Activity className="size-5" />}
            title="Nothing is monitored yet"
            description="Set spec.healthCheckUrl on a Service (Edit → Health check URL) and it appears here."
          />
        ) : (
          <table className="w-full text-[13px]">
            <thead>
              <tr className="border-b border-line text-left text-xs text-fg-muted">
                <th scope="col" className="px-4 py-2 font-medium">Service</th>
                <th scope="col" className="px-4 py-2 font-medium">Status</th>
                <th scope="col" className="px-4 py-2 font-medium">HTTP</th>
                <th scope="col" className="px-4 py-2 font-medium">Latency</th>
                <th scope="col" className="px-4 py-2 font-medium">Endpoint</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {monitored.map((m) => (
                <tr key={m.entity.metadata.name} className="hover:bg-bg-2">
                  <td className="px-4 py-2.5">
                    <Link to={entityHref("service", m.entity.metadata.name, m.entity.metadata.namespace)} className="font-medium hover:underline">
                      {m.entity.metadata.title || m.entity.metadata.name}
                    </Link>
                  </td>
                  <td className="px-4 py-2.5">
                    {m.loading ? <Spinner /> : m.error ? <Badge tone="muted">check failed</Badge> : m.result?.up ? <StatusDot tone="accent">Operational</StatusDot> : <StatusDot tone="danger">Degraded</StatusDot>}
                  </td>
                  <td className="px-4 py-2.5 tabular-nums">{m.result?.statusCode ?? "—"}</td>
                  <td className="px-4 py-2.5 tabular-nums">{m.result?.latencyMs != null ? `${Math.round(m.result.latencyMs)} ms` : "—"}</td>
                  <td className="max-w-xs truncate px-4 py-2.5 font-mono text-xs text-fg-muted">{m.url}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
