/** Read-only YAML of an entity (the YAML tab) and the YAML editor of the create/edit page. */
import { useMemo, useRef, type UIEvent } from "react";
import { Download } from "lucide-react";
import { lineOf, toYaml } from "@/lib/yaml";
import { CopyButton, buttonClass, cn } from "./ui";

export function YamlView({ value, filename }: { value: unknown; filename: string }) {
  const text = useMemo(() => toYaml(value), [value]);
  const href = useMemo(() => URL.createObjectURL(new Blob([text], { type: "application/yaml" })), [text]);
  const lines = text.replace(/\n$/, "").split("\n");
  return (
    <div className="overflow-hidden rounded-lg border border-line">
      <div className="flex items-center justify-between border-b border-line bg-bg-2 px-3 py-2">
        <span className="font-mono text-xs text-fg-muted">{filename}</span>
        <div className="flex gap-2">
          <CopyButton value={text} label="Copy YAML" />
          <a href={href} download={filename} className={buttonClass("secondary", "sm")}>
            <Download className="size-3.5" aria-hidden /> Download
          </a>
        </div>
      </div>
      <pre className="max-h-[70vh] overflow-auto bg-bg py-3 font-mono text-[12.5px] leading-5" aria-label="Entity YAML" tabIndex={0}>
        {lines.map((line, i) => (
          <div key={i} className="flex hover:bg-bg-2">
            <span aria-hidden className="w-12 shrink-0 select-none pr-4 text-right text-fg-muted">{i + 1}</span>
            <YamlLine line={line} />
          </div>
        ))}
      </pre>
    </div>
  );
}

/** Light syntax colouring: keys, comments, strings. */
function YamlLine({ line }: { line: string }) {
  const m = line.match(/^(\s*(?:-\s+)?)([^:#'"\s][^:#]*?|"[^"]*"|'[^']*')(:)(\s.*|$)/);
  if (line.trimStart().startsWith("#")) return <span className="text-fg-muted">{line}</span>;
  if (!m) return <span className="whitespace-pre">{line || " "}</span>;
  return (
    <span className="whitespace-pre">
      {m[1]}
      <span className="text-accent">{m[2]}</span>
      <span className="text-fg-muted">{m[3]}</span>
      {m[4]}
    </span>
  );
}

export interface YamlMarker {
  line: number;
  message: string;
}

/** A monospace editor with line numbers and error markers beside the lines they concern. */
export function YamlEditor({
  value,
  onChange,
  markers,
  label = "YAML",
}: {
  value: string;
  onChange: (v: string) => void;
  markers: YamlMarker[];
  label?: string;
}) {
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split("\n").length;
  const byLine = new Map<number, string>();
  for (const m of markers) if (!byLine.has(m.line)) byLine.set(m.line, m.message);
  const onScroll = (e: UIEvent<HTMLTextAreaElement>) => {
    if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
  };
  return (
    <div className="space-y-2">
      <div className="flex h-[60vh] min-h-96 overflow-hidden rounded-lg border border-line bg-bg focus-within:border-accent focus-within:ring-3 focus-within:ring-accent/15">
        <div ref={gutter} aria-hidden className="w-12 shrink-0 overflow-hidden border-r border-line bg-bg-2 py-3 font-mono text-[12.5px] leading-5">
          {Array.from({ length: lines }).map((_, i) => (
            <div key={i} className={cn("pr-3 text-right", byLine.has(i + 1) ? "bg-danger/12 font-semibold text-danger" : "text-fg-muted/60")} title={byLine.get(i + 1)}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          aria-label={label}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onScroll={onScroll}
          spellCheck={false}
          wrap="off"
          className="flex-1 resize-none overflow-auto bg-transparent px-3 py-3 font-mono text-[12.5px] leading-5 outline-none"
          onKeyDown={(e) => {
            if (e.key === "Tab" && !e.shiftKey) {
              e.preventDefault();
              const t = e.currentTarget;
              const { selectionStart: s, selectionEnd: end } = t;
              const next = value.slice(0, s) + "  " + value.slice(end);
              onChange(next);
              requestAnimationFrame(() => t.setSelectionRange(s + 2, s + 2));
            }
          }}
        />
      </div>
      {markers.length > 0 && (
        <ul className="space-y-1 text-xs" role="alert" aria-label="YAML problems">
          {markers.map((m, i) => (
            <li key={i} className="flex gap-2 text-danger">
              <span className="font-mono">line {m.line}</span>
              <span>{m.message}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export { lineOf };
export default YamlView;
