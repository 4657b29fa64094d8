import { useRef, type KeyboardEvent, type ReactNode } from "react";
import { cn } from "./cn";

export interface TabItem {
  id: string;
  label: ReactNode;
  icon?: ReactNode;
  count?: number | null;
}

/**
 * An ARIA tablist with roving focus (arrow keys, Home, End). Panels use `tabPanelProps`; a tablist that only
 * filters or switches a view in place (no `tabPanelProps` panel) passes `panels={false}`.
 */
export function Tabs({
  items,
  value,
  onChange,
  label,
  className,
  variant = "underline",
  panels = true,
}: {
  items: TabItem[];
  value: string;
  onChange: (id: string) => void;
  label: string;
  className?: string;
  variant?: "underline" | "pill";
  panels?: boolean;
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, index: number) => {
    let next = -1;
    if (e.key === "ArrowRight") next = (index + 1) % items.length;
    else if (e.key === "ArrowLeft") next = (index - 1 + items.length) % items.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = items.length - 1;
    if (next >= 0) {
      e.preventDefault();
      refs.current[next]?.focus();
      onChange(items[next].id);
    }
  };
  return (
    <div
      role="tablist"
      aria-label={label}
      className={cn(
        "flex items-center overflow-x-auto",
        variant === "underline" ? "gap-1 border-b border-line" : "gap-0.5 rounded-lg bg-bg-3 p-0.5",
        className,
      )}
    >
      {items.map((item, i) => {
        const selected = item.id === value;
        return (
          <button
            key={item.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            role="tab"
            type="button"
            id={`tab-${item.id}`}
            aria-selected={selected}
            aria-controls={panels ? `panel-${item.id}` : undefined}
            tabIndex={selected ? 0 : -1}
            onClick={() => onChange(item.id)}
            onKeyDown={(e) => onKey(e, i)}
            className={cn(
              "inline-flex shrink-0 items-center gap-1.5 whitespace-nowrap text-[13px] font-medium transition-colors",
              variant === "underline"
                ? cn(
                    "-mb-px h-9 border-b-2 px-2.5",
                    selected ? "border-accent text-fg" : "border-transparent text-fg-muted hover:text-fg",
                  )
                : cn("h-7 rounded-md px-2.5", selected ? "bg-bg text-fg shadow-sm" : "text-fg-muted hover:text-fg"),
            )}
          >
            {item.icon}
            {item.label}
            {item.count !== undefined && item.count !== null && (
              <span
                className={cn(
                  "rounded px-1 text-2xs tabular-nums",
                  selected ? "bg-accent/12 text-accent" : "bg-bg-3 text-fg-muted",
                )}
              >
                {item.count.toLocaleString()}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}

export function tabPanelProps(id: string) {
  return { role: "tabpanel" as const, id: `panel-${id}`, "aria-labelledby": `tab-${id}`, tabIndex: 0 };
}
