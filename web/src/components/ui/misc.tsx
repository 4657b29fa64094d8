import { useState, type ReactNode } from "react";
import { Check, ChevronLeft, ChevronRight, Copy } from "lucide-react";
import { Button } from "./button";
import { cn } from "./cn";

export function CopyButton({ value, label = "Copy", className }: { value: string; label?: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="sm"
      className={className}
      aria-label={copied ? "Copied" : label}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
        } catch {
          /* clipboard blocked (http): the value stays selectable */
        }
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
      icon={copied ? <Check className="size-3.5 text-accent" /> : <Copy className="size-3.5" />}
    >
      {copied ? "Copied" : label}
    </Button>
  );
}

/** Prev/next for cursor pagination (F58): `1–50 of 1,234`. */
export function Pager({
  offset,
  count,
  total,
  hasPrev,
  hasNext,
  onPrev,
  onNext,
  noun = "items",
}: {
  offset: number;
  count: number;
  total: number;
  hasPrev: boolean;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
  noun?: string;
}) {
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-3 px-4 py-2.5 text-xs text-fg-muted">
      <span className="tabular-nums">
        {total === 0 ? `No ${noun}` : `${(offset + 1).toLocaleString()}–${(offset + count).toLocaleString()} of ${total.toLocaleString()} ${noun}`}
      </span>
      <div className="flex items-center gap-1">
        <Button size="sm" variant="ghost" disabled={!hasPrev} onClick={onPrev} icon={<ChevronLeft className="size-3.5" />}>
          Previous
        </Button>
        <Button size="sm" variant="ghost" disabled={!hasNext} onClick={onNext}>
          Next
          <ChevronRight className="size-3.5" />
        </Button>
      </div>
    </nav>
  );
}

export function DescriptionList({ items, className }: { items: [ReactNode, ReactNode][]; className?: string }) {
  return (
    <dl className={cn("grid grid-cols-[minmax(7rem,auto)_1fr] gap-x-4 gap-y-2 text-[13px]", className)}>
      {items.map(([k, v], i) => (
        <div key={i} className="contents">
          <dt className="text-fg-muted">{k}</dt>
          <dd className="min-w-0 break-words">{v}</dd>
        </div>
      ))}
    </dl>
  );
}
