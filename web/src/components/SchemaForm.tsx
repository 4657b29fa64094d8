/**
 * SchemaForm (F132): a form generated from a JSON Schema — entity specs, action inputs and plugin config all
 * use it, with no per-kind UI code. Server validation errors (`details[].path` as JSON pointers such as
 * `/spec/type`) appear under the field they name.
 */
import { useId, useMemo, useState, type KeyboardEvent, type ReactNode } from "react";
import { ArrowDown, ArrowUp, ChevronDown, ChevronRight, KeyRound, Plus, Trash2, X } from "lucide-react";
import { normalizePath } from "@/lib/api";
import { fieldKind, isSecret, labelFor, resolve, unwrapNullable, defaultValue } from "@/lib/schema";
import { SECRET_REDACTED, type ErrorDetail, type JsonSchema } from "@/lib/types";
import { inline } from "./Markdown";
import { Button, Field, Input, Select, Switch, Textarea, cn } from "./ui";

export interface SchemaFormProps {
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  errors?: ErrorDetail[];
  /** JSON pointers not to render (e.g. `/apiVersion`, server-managed metadata). */
  hidden?: string[];
  /** JSON pointers rendered read-only (e.g. `/metadata/name` when editing). */
  readOnly?: string[];
  /** Prefix of the server's error paths relative to this schema (e.g. `/config` for plugin config). */
  errorPrefix?: string;
  disabled?: boolean;
  /** Values offered while typing, by JSON pointer (`/metadata/owner`, `/spec/providesApis`). */
  suggestions?: Record<string, string[]>;
}

interface Ctx {
  root: JsonSchema;
  errors: Map<string, string>;
  hidden: Set<string>;
  readOnly: Set<string>;
  disabled?: boolean;
  suggestions: Record<string, string[]>;
}

export function SchemaForm({ schema, value, onChange, errors = [], hidden = [], readOnly = [], errorPrefix = "", disabled, suggestions = {} }: SchemaFormProps) {
  const ctx = useMemo<Ctx>(() => {
    const map = new Map<string, string>();
    for (const e of errors) {
      let p = normalizePath(e.path);
      if (errorPrefix && p.startsWith(errorPrefix)) p = p.slice(errorPrefix.length);
      if (!map.has(p)) map.set(p, e.message);
    }
    return { root: schema, errors: map, hidden: new Set(hidden), readOnly: new Set(readOnly), disabled, suggestions };
  }, [schema, errors, hidden, readOnly, errorPrefix, disabled, suggestions]);
  const resolved = resolve(schema, schema);
  if (fieldKind(resolved) === "object") {
    return <ObjectFields schema={resolved} value={value} onChange={onChange} path="" ctx={ctx} topLevel />;
  }
  return <SchemaField name="value" schema={schema} value={value} onChange={onChange} path="" ctx={ctx} required />;
}

/** Which error paths the form can show at a field (for a banner of the others). */
export function renderedPaths(schema: JsonSchema, root: JsonSchema = schema, path = "", out: string[] = []): string[] {
  const { schema: s } = unwrapNullable(schema, root);
  out.push(path);
  if (fieldKind(s) === "object") for (const [k, p] of Object.entries(s.properties ?? {})) renderedPaths(p, root, `${path}/${k}`, out);
  return out;
}

function isWide(schema: JsonSchema, root: JsonSchema): boolean {
  const { schema: s } = unwrapNullable(schema, root);
  const kind = fieldKind(s);
  return kind === "object" || kind === "array" || kind === "map" || kind === "json" || kind === "text";
}

function ObjectFields({
  schema,
  value,
  onChange,
  path,
  ctx,
  topLevel,
}: {
  schema: JsonSchema;
  value: unknown;
  onChange: (v: unknown) => void;
  path: string;
  ctx: Ctx;
  topLevel?: boolean;
}) {
  const obj = (value && typeof value === "object" && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {}).filter(([key]) => !ctx.hidden.has(`${path}/${key}`));
  const set = (key: string, v: unknown) => {
    const next = { ...obj };
    if (v === undefined) delete next[key];
    else next[key] = v;
    onChange(next);
  };
  // Object-valued properties at the top level become their own sections.
  const sections = topLevel ? entries.filter(([, p]) => fieldKind(unwrapNullable(p, ctx.root).schema) === "object") : [];
  const plain = topLevel ? entries.filter((e) => !sections.includes(e)) : entries;
  return (
    <div className="space-y-6">
      {plain.length > 0 && (
        <div className="grid grid-cols-1 gap-x-4 gap-y-4 md:grid-cols-2">
          {plain.map(([key, prop]) => (
            <div key={key} className={isWide(prop, ctx.root) ? "md:col-span-2" : undefined}>
              <SchemaField name={key} schema={prop} value={obj[key]} onChange={(v) => set(key, v)} path={`${path}/${key}`} ctx={ctx} required={required.has(key)} />
            </div>
          ))}
        </div>
      )}
      {sections.map(([key, prop]) => {
        const { schema: s } = unwrapNullable(prop, ctx.root);
        return (
          <fieldset key={key} className="rounded-lg border border-line bg-bg" data-field-path={`${path}/${key}`}>
            <legend className="sr-only">{labelFor(key, s)}</legend>
            <div className="border-b border-line bg-bg-2 px-4 py-2.5 rounded-t-lg">
              <h2 className="text-[13px] font-semibold">{labelFor(key, s)}</h2>
              {s.description && <p className="mt-0.5 text-xs text-fg-muted">{s.description}</p>}
            </div>
            <div className="p-4">
              {ctx.errors.get(`${path}/${key}`) && (
                <p role="alert" className="mb-3 text-xs text-danger">
                  {ctx.errors.get(`${path}/${key}`)}
                </p>
              )}
              <ObjectFields schema={s} value={obj[key]} onChange={(v) => set(key, v)} path={`${path}/${key}`} ctx={ctx} />
            </div>
          </fieldset>
        );
      })}
    </div>
  );
}

export function SchemaField({
  name,
  schema: raw,
  value,
  onChange,
  path,
  ctx,
  required,
  label,
}: {
  name: string;
  schema: JsonSchema;
  value: unknown;
  onChange: (v: unknown) => void;
  path: string;
  ctx: Ctx;
  required?: boolean;
  label?: string;
}) {
  const { schema } = unwrapNullable(raw, ctx.root);
  const kind = fieldKind(schema);
  const error = ctx.errors.get(path);
  const title = label ?? labelFor(name, schema);
  const disabled = ctx.disabled || ctx.readOnly.has(path) || schema.readOnly === true;
  const hint = schema.description ? inline(schema.description) : undefined;

  if (kind === "const") return null;

  if (kind === "object") {
    return (
      <fieldset className="rounded-lg border border-line p-3" data-field-path={path}>
        <legend className="px-1 text-[13px] font-medium">{title}</legend>
        {hint && <p className="mb-3 text-xs text-fg-muted">{hint}</p>}
        {error && <p role="alert" className="mb-2 text-xs text-danger">{error}</p>}
        <ObjectFields schema={schema} value={value} onChange={onChange} path={path} ctx={ctx} />
      </fieldset>
    );
  }

  if (kind === "array") {
    return <ArrayField title={title} hint={hint} error={error} schema={schema} value={value} onChange={onChange} path={path} ctx={ctx} required={required} disabled={disabled} />;
  }

  if (kind === "map") {
    return (
      <Field label={title} hint={hint} error={error} required={required} path={path}>
        {({ id, describedBy }) => <MapEditor id={id} describedBy={describedBy} value={value} onChange={onChange} disabled={disabled} />}
      </Field>
    );
  }

  if (kind === "boolean") {
    return (
      <Field label={title} hint={hint} error={error} path={path}>
        {({ id, describedBy }) => (
          <div className="flex h-8 items-center">
            <Switch id={id} describedBy={describedBy} checked={value === true} onChange={(v) => onChange(v)} label={title} disabled={disabled} />
          </div>
        )}
      </Field>
    );
  }

  if (kind === "enum") {
    const options = schema.enum ?? [];
    return (
      <Field label={title} hint={hint} error={error} required={required} path={path}>
        {({ id, describedBy, invalid }) => (
          <Select
            id={id}
            aria-describedby={describedBy}
            invalid={invalid}
            disabled={disabled}
            value={value === undefined || value === null ? "" : String(value)}
            onChange={(e) => {
              const raw = e.target.value;
              const match = options.find((o) => String(o) === raw);
              onChange(raw === "" ? undefined : match);
            }}
          >
            <option value="">{required ? "Select…" : "—"}</option>
            {options.map((o) => (
              <option key={String(o)} value={String(o)}>
                {String(o)}
              </option>
            ))}
          </Select>
        )}
      </Field>
    );
  }

  if (kind === "number" || kind === "integer") {
    return (
      <Field label={title} hint={hint} error={error} required={required} path={path}>
        {({ id, describedBy, invalid }) => (
          <Input
            id={id}
            type="number"
            aria-describedby={describedBy}
            invalid={invalid}
            disabled={disabled}
            min={schema.minimum}
            max={schema.maximum}
            step={kind === "integer" ? 1 : "any"}
            value={typeof value === "number" ? value : ""}
            onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
          />
        )}
      </Field>
    );
  }

  if (kind === "json") {
    return <JsonField title={title} hint={hint} error={error} value={value} onChange={onChange} path={path} disabled={disabled} />;
  }

  if (isSecret(name, schema)) {
    return <SecretField title={title} hint={hint} error={error} value={value} onChange={onChange} path={path} required={required} disabled={disabled} />;
  }

  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  const offered = ctx.suggestions[path];
  return (
    <Field label={title} hint={hint} error={error} required={required} path={path}>
      {({ id, describedBy, invalid }) =>
        kind === "text" ? (
          <Textarea id={id} aria-describedby={describedBy} invalid={invalid} disabled={disabled} value={text} onChange={(e) => onChange(e.target.value || undefined)} rows={4} />
        ) : (
          <>
          <Options id={`${id}-options`} values={offered} />
          <Input
            id={id}
            aria-describedby={describedBy}
            invalid={invalid}
            disabled={disabled}
            value={text}
            maxLength={schema.maxLength}
            type={schema.format === "email" ? "email" : schema.pattern?.startsWith("^https?://") || schema.format === "uri" ? "url" : "text"}
            placeholder={placeholderFor(schema)}
            onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
            spellCheck={false}
            list={offered?.length ? `${id}-options` : undefined}
            autoComplete={offered?.length ? "off" : undefined}
          />
          </>
        )
      }
    </Field>
  );
}

function Options({ id, values }: { id: string; values?: string[] }) {
  if (!values?.length) return null;
  return (
    <datalist id={id}>
      {values.slice(0, 500).map((v) => (
        <option key={v} value={v} />
      ))}
    </datalist>
  );
}

function placeholderFor(schema: JsonSchema): string | undefined {
  if (schema.examples?.length) return String(schema.examples[0]);
  if (schema.pattern?.startsWith("^https?://") || schema.format === "uri") return "https://";
  if (schema.pattern === "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$") return "kebab-case-name";
  return undefined;
}

function SecretField({
  title,
  hint,
  error,
  value,
  onChange,
  path,
  required,
  disabled,
}: {
  title: string;
  hint?: ReactNode;
  error?: string;
  value: unknown;
  onChange: (v: unknown) => void;
  path: string;
  required?: boolean;
  disabled?: boolean;
}) {
  const stored = value === SECRET_REDACTED;
  return (
    <Field label={title} hint={hint ?? "Stored encrypted; never shown again after saving."} error={error} required={required} path={path}>
      {({ id, describedBy, invalid }) =>
        stored ? (
          <div className="flex h-8 items-center gap-2 rounded-md border border-line bg-bg-2 px-2.5 text-[13px] text-fg-muted">
            <KeyRound className="size-3.5" aria-hidden />
            <span className="flex-1" id={id}>
              Stored secret (unchanged)
            </span>
            <Button size="sm" variant="ghost" onClick={() => onChange("")} disabled={disabled} aria-label={`Replace ${title}`}>
              Replace
            </Button>
          </div>
        ) : (
          <Input
            id={id}
            type="password"
            autoComplete="new-password"
            aria-describedby={describedBy}
            invalid={invalid}
            disabled={disabled}
            value={typeof value === "string" ? value : ""}
            onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
          />
        )
      }
    </Field>
  );
}

function JsonField({
  title,
  hint,
  error,
  value,
  onChange,
  path,
  disabled,
}: {
  title: string;
  hint?: ReactNode;
  error?: string;
  value: unknown;
  onChange: (v: unknown) => void;
  path: string;
  disabled?: boolean;
}) {
  const [text, setText] = useState(() => (value === undefined ? "" : JSON.stringify(value, null, 2)));
  const [parseError, setParseError] = useState<string | undefined>();
  return (
    <Field label={title} hint={hint ?? "JSON"} error={parseError ?? error} path={path}>
      {({ id, describedBy, invalid }) => (
        <Textarea
          id={id}
          aria-describedby={describedBy}
          invalid={invalid}
          disabled={disabled}
          className="font-mono text-xs"
          rows={5}
          value={text}
          spellCheck={false}
          onChange={(e) => {
            setText(e.target.value);
            if (!e.target.value.trim()) {
              setParseError(undefined);
              onChange(undefined);
              return;
            }
            try {
              onChange(JSON.parse(e.target.value));
              setParseError(undefined);
            } catch (err) {
              setParseError(`Not valid JSON: ${(err as Error).message}`);
            }
          }}
        />
      )}
    </Field>
  );
}

function MapEditor({
  id,
  describedBy,
  value,
  onChange,
  disabled,
}: {
  id: string;
  describedBy?: string;
  value: unknown;
  onChange: (v: unknown) => void;
  disabled?: boolean;
}) {
  const obj = (value && typeof value === "object" ? value : {}) as Record<string, string>;
  const [rows, setRows] = useState<[string, string][]>(() => Object.entries(obj).map(([k, v]) => [k, String(v)]));
  const commit = (next: [string, string][]) => {
    setRows(next);
    const out: Record<string, string> = {};
    for (const [k, v] of next) if (k) out[k] = v;
    onChange(Object.keys(out).length ? out : undefined);
  };
  return (
    <div id={id} aria-describedby={describedBy} className="space-y-1.5">
      {rows.map(([k, v], i) => (
        <div key={i} className="flex items-center gap-2">
          <Input aria-label="Key" placeholder="key" value={k} disabled={disabled} className="font-mono text-xs" onChange={(e) => commit(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
          <Input aria-label="Value" placeholder="value" value={v} disabled={disabled} onChange={(e) => commit(rows.map((r, j) => (j === i ? [r[0], e.target.value] : r)))} />
          <Button variant="ghost" size="icon-sm" aria-label={`Remove ${k || "row"}`} disabled={disabled} onClick={() => commit(rows.filter((_, j) => j !== i))}>
            <Trash2 className="size-3.5" />
          </Button>
        </div>
      ))}
      <Button size="sm" variant="ghost" disabled={disabled} onClick={() => setRows([...rows, ["", ""]])} icon={<Plus className="size-3.5" />}>
        Add entry
      </Button>
    </div>
  );
}

function ArrayField({
  title,
  hint,
  error,
  schema,
  value,
  onChange,
  path,
  ctx,
  required,
  disabled,
}: {
  title: string;
  hint?: ReactNode;
  error?: string;
  schema: JsonSchema;
  value: unknown;
  onChange: (v: unknown) => void;
  path: string;
  ctx: Ctx;
  required?: boolean;
  disabled?: boolean;
}) {
  const items = Array.isArray(value) ? value : [];
  const itemSchema = unwrapNullable(schema.items ?? {}, ctx.root).schema;
  const itemKind = fieldKind(itemSchema);
  const set = (next: unknown[]) => onChange(next.length ? next : undefined);

  if (itemKind === "string" || itemKind === "enum" || itemKind === "number" || itemKind === "integer") {
    const itemErrors = items.map((_, i) => ctx.errors.get(`${path}/${i}`)).filter(Boolean);
    return (
      <Field label={title} hint={hint} error={error ?? itemErrors[0]} required={required} path={path}>
        {({ id, describedBy, invalid }) => (
          <TagInput
            id={id}
            describedBy={describedBy}
            invalid={invalid}
            disabled={disabled}
            values={items.map(String)}
            options={itemSchema.enum?.map(String)}
            suggestions={ctx.suggestions[path]}
            numeric={itemKind === "number" || itemKind === "integer"}
            onChange={(v) => set(itemKind === "number" || itemKind === "integer" ? v.map(Number) : v)}
            label={title}
          />
        )}
      </Field>
    );
  }

  return (
    <div className="space-y-2" data-field-path={path}>
      <div className="flex items-end justify-between gap-3">
        <div>
          <div className="flex items-center gap-1 text-[13px] font-medium">
            {title}
            {required && <span className="text-danger" aria-hidden>*</span>}
            <span className="ml-1 rounded bg-bg-3 px-1 text-2xs font-normal tabular-nums text-fg-muted">{items.length}</span>
          </div>
          {hint && <p className="mt-0.5 text-xs text-fg-muted">{hint}</p>}
        </div>
        <Button
          size="sm"
          disabled={disabled || (schema.maxItems !== undefined && items.length >= schema.maxItems)}
          onClick={() => set([...items, defaultValue(itemSchema, ctx.root) ?? (itemKind === "object" ? {} : "")])}
          icon={<Plus className="size-3.5" />}
          aria-label={`Add ${singular(title)}`}
        >
          Add
        </Button>
      </div>
      {error && <p role="alert" className="text-xs text-danger">{error}</p>}
      {items.length === 0 ? (
        <p className="rounded-md border border-dashed border-line px-3 py-3 text-center text-xs text-fg-muted">None yet.</p>
      ) : (
        <ol className="space-y-2">
          {items.map((item, i) => (
            <ArrayItem
              key={i}
              index={i}
              count={items.length}
              title={`${singular(title)} ${i + 1}`}
              summary={summarize(item)}
              hasError={[...ctx.errors.keys()].some((p) => p.startsWith(`${path}/${i}`))}
              disabled={disabled}
              onRemove={() => set(items.filter((_, j) => j !== i))}
              onMove={(d) => {
                const next = [...items];
                const [moved] = next.splice(i, 1);
                next.splice(i + d, 0, moved);
                set(next);
              }}
            >
              <SchemaField
                name={`${i}`}
                label={`${singular(title)} ${i + 1}`}
                schema={schema.items ?? {}}
                value={item}
                onChange={(v) => set(items.map((x, j) => (j === i ? v : x)))}
                path={`${path}/${i}`}
                ctx={ctx}
              />
            </ArrayItem>
          ))}
        </ol>
      )}
    </div>
  );
}

function ArrayItem({
  index,
  count,
  title,
  summary,
  hasError,
  disabled,
  onRemove,
  onMove,
  children,
}: {
  index: number;
  count: number;
  title: string;
  summary: string;
  hasError: boolean;
  disabled?: boolean;
  onRemove: () => void;
  onMove: (delta: number) => void;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(true);
  const bodyId = useId();
  return (
    <li className={cn("rounded-lg border bg-bg", hasError ? "border-danger/50" : "border-line")}>
      <div className="flex items-center gap-1 px-2 py-1.5">
        <button
          type="button"
          className="flex min-w-0 flex-1 items-center gap-1.5 rounded px-1 py-0.5 text-left text-[13px] hover:bg-bg-3"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          aria-controls={bodyId}
        >
          {open ? <ChevronDown className="size-3.5 text-fg-muted" /> : <ChevronRight className="size-3.5 text-fg-muted" />}
          <span className="font-medium">{title}</span>
          {summary && <span className="truncate text-fg-muted">· {summary}</span>}
        </button>
        <Button variant="ghost" size="icon-sm" aria-label={`Move ${title} up`} disabled={disabled || index === 0} onClick={() => onMove(-1)}>
          <ArrowUp className="size-3.5" />
        </Button>
        <Button variant="ghost" size="icon-sm" aria-label={`Move ${title} down`} disabled={disabled || index === count - 1} onClick={() => onMove(1)}>
          <ArrowDown className="size-3.5" />
        </Button>
        <Button variant="danger-ghost" size="icon-sm" aria-label={`Remove ${title}`} disabled={disabled} onClick={onRemove}>
          <Trash2 className="size-3.5" />
        </Button>
      </div>
      {open && (
        <div id={bodyId} className="border-t border-line p-3 [&>fieldset]:border-0 [&>fieldset]:p-0 [&>fieldset>legend]:sr-only">
          {children}
        </div>
      )}
    </li>
  );
}

function singular(title: string): string {
  if (/ies$/i.test(title)) return title.replace(/ies$/i, "y");
  if (/s$/i.test(title) && !/ss$/i.test(title)) return title.replace(/s$/i, "");
  return title;
}

function summarize(item: unknown): string {
  if (item && typeof item === "object") {
    const o = item as Record<string, unknown>;
    const parts = ["kind", "name", "title", "team", "url"].map((k) => o[k]).filter((v) => typeof v === "string" && v);
    return parts.slice(0, 2).join(" / ");
  }
  return typeof item === "string" ? item : "";
}

/** Chips for a list of short strings: Enter or comma adds, Backspace on an empty field removes the last. */
export function TagInput({
  id,
  describedBy,
  invalid,
  disabled,
  values,
  onChange,
  options,
  numeric,
  label,
  suggestions,
}: {
  suggestions?: string[];
  id?: string;
  describedBy?: string;
  invalid?: boolean;
  disabled?: boolean;
  values: string[];
  onChange: (v: string[]) => void;
  options?: string[];
  numeric?: boolean;
  label: string;
}) {
  const [draft, setDraft] = useState("");
  const listId = useId();
  const add = (raw: string) => {
    const v = raw.trim().replace(/,$/, "");
    if (!v || values.includes(v)) return setDraft("");
    if (options && !options.includes(v)) return;
    onChange([...values, v]);
    setDraft("");
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter" || e.key === "," || e.key === "Tab") {
      if (draft.trim()) {
        e.preventDefault();
        add(draft);
      }
    } else if (e.key === "Backspace" && !draft && values.length) {
      onChange(values.slice(0, -1));
    }
  };
  return (
    <div
      className={cn(
        "flex min-h-8 flex-wrap items-center gap-1 rounded-md border bg-bg px-1.5 py-1 focus-within:border-accent focus-within:ring-3 focus-within:ring-accent/15",
        invalid ? "border-danger" : "border-line",
        disabled && "opacity-60",
      )}
    >
      {values.map((v) => (
        <span key={v} className="inline-flex h-5 items-center gap-0.5 rounded bg-bg-3 pl-1.5 pr-0.5 text-xs">
          {v}
          <button type="button" aria-label={`Remove ${v}`} disabled={disabled} className="rounded p-0.5 text-fg-muted hover:text-fg" onClick={() => onChange(values.filter((x) => x !== v))}>
            <X className="size-3" />
          </button>
        </span>
      ))}
      <input
        id={id}
        aria-describedby={describedBy}
        aria-label={values.length ? `Add to ${label}` : undefined}
        list={options || suggestions?.length ? listId : undefined}
        disabled={disabled}
        inputMode={numeric ? "decimal" : undefined}
        className="h-6 min-w-24 flex-1 bg-transparent px-1 text-sm outline-none placeholder:text-fg-muted/70"
        placeholder={values.length ? "" : "Type and press Enter"}
        value={draft}
        onChange={(e) => (e.target.value.endsWith(",") ? add(e.target.value) : setDraft(e.target.value))}
        onKeyDown={onKey}
        onBlur={() => draft && add(draft)}
      />
      {(options || suggestions?.length) && (
        <datalist id={listId}>
          {(options ?? suggestions ?? []).filter((o) => !values.includes(o)).slice(0, 500).map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
      )}
    </div>
  );
}

export default SchemaForm;
