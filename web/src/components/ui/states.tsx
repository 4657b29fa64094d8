import type { ReactNode } from "react";
import { AlertTriangle, Construction, Inbox, RefreshCw } from "lucide-react";
import { ApiError } from "@/lib/api";
import { Button } from "./button";
import { cn } from "./cn";

export function EmptyState({
  icon,
  title,
  description,
  action,
  className,
}: {
  icon?: ReactNode;
  title: ReactNode;
  description?: ReactNode;
  action?: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn("flex flex-col items-center justify-center px-6 py-14 text-center", className)}>
      <div className="mb-3 flex size-10 items-center justify-center rounded-lg border border-line bg-bg-2 text-fg-muted">
        {icon ?? <Inbox className="size-5" aria-hidden />}
      </div>
      <h2 className="text-sm font-semibold">{title}</h2>
      {description && <p className="mt-1 max-w-sm text-[13px] text-fg-muted">{description}</p>}
      {action && <div className="mt-4 flex gap-2">{action}</div>}
    </div>
  );
}

/** An endpoint answered 404: this server does not provide the feature (yet). */
export function NotAvailable({ feature, className }: { feature: string; className?: string }) {
  return (
    <EmptyState
      className={className}
      icon={<Construction className="size-5" aria-hidden />}
      title={`${feature} is not available on this server`}
      description="This Gantry server does not provide this API yet. Upgrade Gantry or enable the plugin that provides it."
    />
  );
}

/** Shows the server's message and code; 404 from a missing endpoint shows NotAvailable instead. */
export function ErrorState({
  error,
  retry,
  feature,
  className,
}: {
  error: unknown;
  retry?: () => void;
  feature?: string;
  className?: string;
}) {
  if (feature && error instanceof ApiError && error.isNotFound && error.code !== "unknown_kind") {
    return <NotAvailable feature={feature} className={className} />;
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div role="alert" className={cn("flex flex-col items-center px-6 py-12 text-center", className)}>
      <div className="mb-3 flex size-10 items-center justify-center rounded-lg bg-danger/10 text-danger">
        <AlertTriangle className="size-5" aria-hidden />
      </div>
      <h2 className="text-sm font-semibold">Something went wrong</h2>
      <p className="mt-1 max-w-md text-[13px] text-fg-muted">{message}</p>
      {error instanceof ApiError && error.details.length > 0 && (
        <ul className="mt-2 space-y-0.5 text-xs text-fg-muted">
          {error.details.map((d, i) => (
            <li key={i}>
              <code className="font-mono">{d.path}</code> {d.message}
            </li>
          ))}
        </ul>
      )}
      {code && <p className="mt-2 font-mono text-2xs text-fg-muted">{code}</p>}
      {retry && (
        <Button className="mt-4" size="sm" onClick={retry} icon={<RefreshCw className="size-3.5" />}>
          Try again
        </Button>
      )}
    </div>
  );
}

/** Inline error banner for forms: message plus each field path the server named. */
export function ErrorBanner({ error, className }: { error: unknown; className?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof ApiError ? error.details : [];
  return (
    <div role="alert" className={cn("rounded-md border border-danger/30 bg-danger/8 px-3 py-2.5 text-[13px]", className)}>
      <div className="flex items-start gap-2 text-danger">
        <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
        <div className="min-w-0">
          <p className="font-medium">{message}</p>
          {details.length > 0 && (
            <ul className="mt-1 space-y-0.5 text-xs">
              {details.map((d, i) => (
                <li key={i}>
                  {d.path && <code className="mr-1 rounded bg-danger/10 px-1 font-mono">{d.path}</code>}
                  {d.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </div>
  );
}
