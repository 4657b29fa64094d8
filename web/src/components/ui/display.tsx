import type { HTMLAttributes, ReactNode } from "react";
import { Loader2 } from "lucide-react";
import { cn } from "./cn";

export type Tone = "neutral" | "accent" | "danger" | "outline" | "muted";

const tones: Record<Tone, string> = {
  neutral: "bg-bg-3 text-fg",
  accent: "bg-accent/12 text-accent",
  danger: "bg-danger/12 text-danger",
  outline: "border border-line text-fg-muted",
  muted: "bg-bg-2 text-fg-muted border border-line",
};

export function Badge({
  tone = "neutral",
  className,
  children,
  icon,
  title,
}: {
  tone?: Tone;
  className?: string;
  children: ReactNode;
  icon?: ReactNode;
  title?: string;
}) {
  return (
    <span
      title={title}
      className={cn(
        "inline-flex h-5 max-w-full items-center gap-1 truncate rounded px-1.5 text-2xs font-medium whitespace-nowrap",
        tones[tone],
        className,
      )}
    >
      {icon}
      {children}
    </span>
  );
}

export function Card({ className, children, ...rest }: HTMLAttributes<HTMLDivElement>) {
  return (
    <div className={cn("rounded-lg border border-line bg-bg", className)} {...rest}>
      {children}
    </div>
  );
}

export function CardHeader({
  title,
  description,
  actions,
  icon,
  className,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  icon?: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn("flex items-start justify-between gap-3 border-b border-line px-4 py-3", className)}>
      <div className="flex min-w-0 items-center gap-2">
        {icon && <span className="text-fg-muted">{icon}</span>}
        <div className="min-w-0">
          <h2 className="truncate text-[13px] font-semibold">{title}</h2>
          {description && <p className="mt-0.5 text-xs text-fg-muted">{description}</p>}
        </div>
      </div>
      {actions && <div className="flex shrink-0 items-center gap-1.5">{actions}</div>}
    </div>
  );
}

export function Kbd({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <kbd
      className={cn(
        "inline-flex h-5 min-w-5 items-center justify-center rounded border border-line bg-bg-2 px-1 font-sans text-2xs font-medium text-fg-muted",
        className,
      )}
    >
      {children}
    </kbd>
  );
}

export function Spinner({ className, label = "Loading" }: { className?: string; label?: string }) {
  return <Loader2 className={cn("size-4 animate-spin text-fg-muted", className)} aria-label={label} role="status" />;
}

export function Skeleton({ className }: { className?: string }) {
  return <div className={cn("skeleton h-4", className)} aria-hidden />;
}

/** Rows of shimmering bars shaped like a table while a list loads. */
export function SkeletonRows({ rows = 8, columns = 4 }: { rows?: number; columns?: number }) {
  return (
    <div role="status" aria-label="Loading" className="divide-y divide-line">
      {Array.from({ length: rows }).map((_, i) => (
        <div key={i} className="flex items-center gap-6 px-4 py-3">
          {Array.from({ length: columns }).map((__, j) => (
            <Skeleton key={j} className={cn("h-3.5", j === 0 ? "w-1/3" : "w-1/6", i % 2 && j === 0 ? "w-1/4" : "")} />
          ))}
        </div>
      ))}
    </div>
  );
}

export function Avatar({ name, className }: { name: string; className?: string }) {
  const initials =
    name
      .replace(/^github:/, "")
      .split(/[\s._-]+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]?.toUpperCase())
      .join("") || "?";
  return (
    <span
      aria-hidden
      className={cn(
        "inline-flex size-6 shrink-0 items-center justify-center rounded-full bg-accent/12 text-2xs font-semibold text-accent-hover",
        className,
      )}
    >
      {initials}
    </span>
  );
}

/** A small status dot with its text, e.g. run status or plugin state. */
export function StatusDot({ tone, pulse, children }: { tone: Tone; pulse?: boolean; children?: ReactNode }) {
  const dot = {
    neutral: "bg-fg-muted",
    muted: "bg-fg-muted/50",
    outline: "bg-fg-muted",
    accent: "bg-accent",
    danger: "bg-danger",
  }[tone];
  return (
    <span className="inline-flex items-center gap-1.5 text-xs">
      <span className="relative flex size-2">
        {pulse && <span className={cn("absolute inline-flex size-full animate-ping rounded-full opacity-60", dot)} />}
        <span className={cn("relative inline-flex size-2 rounded-full", dot)} />
      </span>
      {children}
    </span>
  );
}

export function PageHeader({
  title,
  description,
  actions,
  breadcrumb,
  icon,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  breadcrumb?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <header className="mb-6">
      {breadcrumb && <div className="mb-3">{breadcrumb}</div>}
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="flex min-w-0 items-start gap-3">
          {icon}
          <div className="min-w-0">
            <h1 className="truncate text-xl font-semibold tracking-tight">{title}</h1>
            {description && <p className="mt-1 max-w-3xl text-[13px] text-fg-muted">{description}</p>}
          </div>
        </div>
        {actions && <div className="flex shrink-0 flex-wrap items-center gap-2">{actions}</div>}
      </div>
    </header>
  );
}

export function Section({ title, children, actions }: { title: ReactNode; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="space-y-3">
      <div className="flex items-center justify-between">
        <h2 className="text-[13px] font-semibold">{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Code({ children, className }: { children: ReactNode; className?: string }) {
  return <code className={cn("rounded bg-bg-3 px-1 py-0.5 font-mono text-[12px]", className)}>{children}</code>;
}
