import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { Check, ChevronDown, Search, X } from "lucide-react";
import type { FacetValue } from "@/lib/types";
import { cn } from "./ui";

/** A filter dropdown with facet counts (F46, F58 facets): one value or "any". */
export function FilterMenu({
  label,
  value,
  options,
  onChange,
  loading,
}: {
  label: string;
  value: string | undefined;
  options: FacetValue[] | undefined;
  onChange: (value: string | undefined) => void;
  loading?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState("");
  const [active, setActive] = useState(0);
  const ref = useRef<HTMLDivElement>(null);
  const listId = useId();
  const shown = useMemo(
    () => (options ?? []).filter((o) => !filter || o.value.toLowerCase().includes(filter.toLowerCase())).slice(0, 200),
    [options, filter],
  );

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);
  useEffect(() => setActive(0), [filter, open]);

  const choose = (v: string | undefined) => {
    onChange(v);
    setOpen(false);
    setFilter("");
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      setOpen(false);
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((a) => Math.min(a + 1, shown.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === "Enter" && shown[active]) {
      e.preventDefault();
      choose(shown[active].value);
    }
  };

  return (
    <div className="relative" ref={ref}>
      <div
        className={cn(
          "flex h-8 items-center rounded-md border text-[13px] transition-colors",
          value ? "border-accent/40 bg-accent/8 text-fg" : "border-line border-dashed bg-bg text-fg-muted hover:border-fg-muted/40 hover:text-fg",
        )}
      >
        <button type="button" className="flex h-full items-center gap-1.5 pl-2.5 pr-2" onClick={() => setOpen(!open)} aria-haspopup="listbox" aria-expanded={open}>
          <span className={value ? "text-fg-muted" : undefined}>{label}</span>
          {value && <span className="max-w-32 truncate font-medium">{value}</span>}
          {!value && <ChevronDown className="size-3.5" aria-hidden />}
        </button>
        {value && (
          <button type="button" className="mr-1 rounded p-0.5 text-fg-muted hover:bg-bg-3 hover:text-fg" onClick={() => onChange(undefined)} aria-label={`Clear ${label} filter`}>
            <X className="size-3.5" />
          </button>
        )}
      </div>
      {open && (
        <div className="absolute left-0 top-full z-30 mt-1 w-64 animate-fade-in rounded-lg border border-line bg-bg shadow-lg" onKeyDown={onKey}>
          <div className="flex items-center gap-2 border-b border-line px-2.5">
            <Search className="size-3.5 text-fg-muted" aria-hidden />
            <input
              autoFocus
              aria-label={`Filter ${label} values`}
              aria-controls={listId}
              aria-activedescendant={shown[active] ? `${listId}-${active}` : undefined}
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder={`Filter ${label.toLowerCase()}…`}
              className="h-9 flex-1 bg-transparent text-[13px] outline-none placeholder:text-fg-muted/70"
            />
          </div>
          <ul id={listId} role="listbox" aria-label={label} className="max-h-72 overflow-y-auto p-1">
            {loading && <li className="px-2 py-2 text-xs text-fg-muted">Loading…</li>}
            {!loading && shown.length === 0 && <li className="px-2 py-2 text-xs text-fg-muted">No values</li>}
            {shown.map((o, i) => (
              <li
                key={o.value}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={o.value === value}
                onMouseEnter={() => setActive(i)}
                onClick={() => choose(o.value === value ? undefined : o.value)}
                className={cn("flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-[13px]", i === active && "bg-bg-3")}
              >
                <Check className={cn("size-3.5 text-accent", o.value !== value && "invisible")} aria-hidden />
                <span className="min-w-0 flex-1 truncate">{o.value}</span>
                <span className="text-xs tabular-nums text-fg-muted">{o.count.toLocaleString()}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
