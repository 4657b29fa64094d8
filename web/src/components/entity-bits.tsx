import { Link } from "react-router";
import { Users } from "lucide-react";
import { entityHref } from "@/lib/format";
import { Badge, type Tone } from "./ui";

export function lifecycleTone(lifecycle: unknown): Tone {
  if (lifecycle === "production") return "accent";
  if (lifecycle === "deprecated") return "danger";
  return "neutral";
}

export function LifecycleBadge({ lifecycle }: { lifecycle: unknown }) {
  if (typeof lifecycle !== "string" || !lifecycle) return null;
  return <Badge tone={lifecycleTone(lifecycle)}>{lifecycle}</Badge>;
}

export function TagList({ tags, max = 3, nowrap }: { tags?: string[]; max?: number; nowrap?: boolean }) {
  if (!tags?.length) return <span className="text-fg-muted">—</span>;
  return (
    <span className={nowrap ? "flex gap-1" : "flex flex-wrap gap-1"}>
      {tags.slice(0, max).map((t) => (
        <Badge key={t} tone="muted">
          {t}
        </Badge>
      ))}
      {tags.length > max && (
        <Badge tone="outline" title={tags.slice(max).join(", ")}>
          +{tags.length - max}
        </Badge>
      )}
    </span>
  );
}

export function OwnerLink({ owner, namespace }: { owner?: string; namespace?: string }) {
  if (!owner) return <span className="text-fg-muted">—</span>;
  return (
    <Link to={entityHref("team", owner, namespace)} className="inline-flex items-center gap-1 hover:text-accent hover:underline" onClick={(e) => e.stopPropagation()}>
      <Users className="size-3 text-fg-muted" aria-hidden />
      {owner}
    </Link>
  );
}
