/**
 * Create / edit an entity: a form generated from the kind's JSON Schema (SchemaForm, F132) or raw YAML.
 * Server validation errors (422, F57) appear at their fields — or at their lines in YAML mode; a stale
 * resourceVersion (412, F152) offers to reload or overwrite.
 */
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronRight, Code2, FormInput } from "lucide-react";
import { ApiError, api, normalizePath } from "@/lib/api";
import { entityHref } from "@/lib/format";
import { useDocumentTitle } from "@/lib/hooks";
import { findKind, kindPlural, useKinds } from "@/lib/kinds";
import { defaultValue, prune, validate } from "@/lib/schema";
import { parseYaml, toYaml, lineOf } from "@/lib/yaml";
import type { Entity, ErrorDetail, KindSchema } from "@/lib/types";
import { SchemaForm, renderedPaths } from "@/components/SchemaForm";
import { YamlEditor, type YamlMarker } from "@/components/YamlView";
import { KindIcon } from "@/components/icons";
import { Button, ErrorBanner, ErrorState, PageHeader, Skeleton, Tabs, useToast } from "@/components/ui";

const SERVER_MANAGED = ["createdAt", "updatedAt", "createdBy", "resourceVersion", "managedBy"].map((k) => `/metadata/${k}`);
const HIDDEN = ["/apiVersion", "/kind", ...SERVER_MANAGED];

export default function EntityEditPage() {
  const { kind: kindParam, name } = useParams();
  const [params] = useSearchParams();
  const editing = !!name;
  const namespace = params.get("namespace") ?? "default";
  const kinds = useKinds();
  const kind = findKind(kinds.data, kindParam ?? params.get("kind") ?? undefined);
  const existing = useQuery({
    queryKey: ["entity", (kindParam ?? "").toLowerCase(), namespace, name ?? ""],
    queryFn: () => api.entities.get(kindParam!, name!, namespace),
    enabled: editing,
  });
  useDocumentTitle(editing ? `Edit ${name}` : "Create entity");

  if (kinds.isLoading || (editing && existing.isLoading)) return <Skeleton className="h-96" />;
  if (kinds.error) return <ErrorState error={kinds.error} retry={() => void kinds.refetch()} />;
  if (editing && existing.error) return <ErrorState error={existing.error} retry={() => void existing.refetch()} />;
  if (!kind) return <KindPicker kinds={kinds.data ?? []} />;
  return <Editor key={`${kind.kind}/${name ?? ""}`} kind={kind} kinds={kinds.data ?? []} existing={editing ? existing.data : undefined} initialName={params.get("name") ?? undefined} initialNamespace={params.get("namespace") ?? undefined} />;
}

function KindPicker({ kinds }: { kinds: KindSchema[] }) {
  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader title="Create entity" description="What do you want to add to the catalog?" />
      <ul className="grid grid-cols-2 gap-3 lg:grid-cols-3">
        {kinds.map((k) => (
          <li key={k.kind}>
            <Link to={`/catalog/new?kind=${k.kind}`} className="flex h-full gap-3 rounded-lg border border-line bg-bg p-4 transition-colors hover:border-accent/50 hover:bg-bg-2">
              <span className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-accent/10 text-accent">
                <KindIcon kind={k.kind} icon={k.icon} className="size-4" />
              </span>
              <span className="min-w-0">
                <span className="block font-medium">{k.kind}</span>
                <span className="mt-0.5 line-clamp-2 block text-xs text-fg-muted">{k.description}</span>
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

function initialEntity(kind: KindSchema, name?: string, namespace?: string): Entity {
  const base = (defaultValue(kind.schema, kind.schema) ?? {}) as Partial<Entity>;
  return {
    ...base,
    apiVersion: "gantry.io/v1",
    kind: kind.kind,
    metadata: { ...(base.metadata ?? {}), name: name ?? "", ...(namespace && namespace !== "default" ? { namespace } : {}) },
    spec: (base.spec ?? {}) as Record<string, unknown>,
  };
}

function Editor({ kind, kinds, existing, initialName, initialNamespace }: { kind: KindSchema; kinds: KindSchema[]; existing?: Entity; initialName?: string; initialNamespace?: string }) {
  const navigate = useNavigate();
  const toast = useToast();
  const client = useQueryClient();
  const [mode, setMode] = useState<"form" | "yaml">("form");
  const [value, setValue] = useState<unknown>(() => existing ?? initialEntity(kind, initialName, initialNamespace));
  const [yamlText, setYamlText] = useState("");
  const [yamlParseError, setYamlParseError] = useState<YamlMarker | null>(null);
  const [clientErrors, setClientErrors] = useState<ErrorDetail[]>([]);
  const [overwrite, setOverwrite] = useState(false);

  const suggestions = useSuggestions(kind);
  const save = useMutation({
    mutationFn: async (doc: Entity) => {
      if (existing) return api.entities.update(doc, overwrite ? undefined : existing.metadata.resourceVersion);
      return api.entities.create(doc);
    },
    onSuccess: (saved, doc) => {
      const result = saved ?? doc;
      const ns = result.metadata.namespace ?? "default";
      client.setQueryData(["entity", result.kind.toLowerCase(), ns, result.metadata.name], result);
      void client.invalidateQueries({ queryKey: ["entities"] });
      toast.success(existing ? `Saved ${result.kind} ${result.metadata.name}` : `Created ${result.kind} ${result.metadata.name}`);
      navigate(entityHref(result.kind, result.metadata.name, ns));
    },
  });

  const serverErrors = save.error instanceof ApiError ? save.error.details : [];
  const errors = clientErrors.length ? clientErrors : serverErrors;
  const conflict = save.error instanceof ApiError && save.error.status === 412;
  const shown = useMemo(() => new Set(renderedPaths(kind.schema)), [kind.schema]);
  // An error shows at a field when the form renders its path, or it is inside a list the form renders.
  const placed = (path: string) => {
    if (shown.has(path)) return true;
    const parts = path.split("/");
    for (let i = parts.length - 1; i > 1; i--) {
      if (/^\d+$/.test(parts[i]) && shown.has(parts.slice(0, i).join("/"))) return true;
    }
    return false;
  };
  const unplaced = mode === "yaml" ? [] : errors.filter((e) => !placed(normalizePath(e.path)));

  const yamlMarkers: YamlMarker[] = useMemo(() => {
    if (mode !== "yaml") return [];
    const markers: YamlMarker[] = yamlParseError ? [yamlParseError] : [];
    for (const e of errors) markers.push({ line: lineOf(yamlText, normalizePath(e.path)) ?? 1, message: `${e.path}: ${e.message}` });
    return markers;
  }, [mode, yamlText, errors, yamlParseError]);

  const switchMode = (next: string) => {
    if (next === mode) return;
    if (next === "yaml") {
      setYamlText(toYaml(prune(value) ?? {}));
      setYamlParseError(null);
      setMode("yaml");
    } else {
      const parsed = parseYaml(yamlText);
      if (parsed.error) {
        setYamlParseError(parsed.error);
        toast.error("Fix the YAML first", `Line ${parsed.error.line}: ${parsed.error.message}`);
        return;
      }
      setValue(parsed.value ?? {});
      setMode("form");
    }
  };

  const submit = () => {
    let doc: unknown = value;
    if (mode === "yaml") {
      const parsed = parseYaml(yamlText);
      if (parsed.error) {
        setYamlParseError(parsed.error);
        return;
      }
      setYamlParseError(null);
      doc = parsed.value;
    }
    const cleaned = (prune(doc) ?? {}) as Entity;
    cleaned.apiVersion = cleaned.apiVersion ?? "gantry.io/v1";
    cleaned.kind = cleaned.kind ?? kind.kind;
    if (existing) {
      cleaned.metadata = { ...cleaned.metadata, name: existing.metadata.name };
      if (existing.metadata.namespace && existing.metadata.namespace !== "default") cleaned.metadata.namespace = existing.metadata.namespace;
    }
    const problems = validate(kind.schema, cleaned, kind.schema);
    setClientErrors(problems);
    if (problems.length) {
      save.reset();
      return;
    }
    save.mutate(cleaned);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key === "Enter") {
        e.preventDefault();
        submit();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  useEffect(() => {
    if (!errors.length || mode !== "form") return;
    const first = document.querySelector('[aria-invalid="true"], [data-field-path] [role="alert"]');
    (first as HTMLElement | null)?.scrollIntoView?.({ block: "center", behavior: "smooth" });
  }, [errors, mode]);

  const title = existing ? `Edit ${existing.metadata.title || existing.metadata.name}` : `New ${kind.kind}`;
  const cancelHref = existing ? entityHref(existing.kind, existing.metadata.name, existing.metadata.namespace) : `/catalog?kind=${kind.kind.toLowerCase()}`;

  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader
        breadcrumb={
          <nav aria-label="Breadcrumb" className="flex items-center gap-1 text-[13px] text-fg-muted">
            <Link to="/catalog" className="hover:text-fg">Catalog</Link>
            <ChevronRight className="size-3.5" aria-hidden />
            <Link to={`/catalog?kind=${kind.kind.toLowerCase()}`} className="hover:text-fg">{kindPlural(kinds, kind.kind)}</Link>
            <ChevronRight className="size-3.5" aria-hidden />
            <span className="text-fg" aria-current="page">{existing ? existing.metadata.name : "New"}</span>
          </nav>
        }
        icon={
          <span className="flex size-10 items-center justify-center rounded-xl bg-accent/10 text-accent">
            <KindIcon kind={kind.kind} icon={kind.icon} className="size-5" />
          </span>
        }
        title={title}
        description={kind.description}
        actions={
          <Tabs
            panels={false}
            label="Editor mode"
            variant="pill"
            value={mode}
            onChange={switchMode}
            items={[
              { id: "form", label: "Form", icon: <FormInput className="size-3.5" /> },
              { id: "yaml", label: "YAML", icon: <Code2 className="size-3.5" /> },
            ]}
          />
        }
      />

      {conflict && (
        <div role="alert" className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-danger/30 bg-danger/6 px-4 py-3 text-[13px]">
          <span>
            <span className="font-medium text-danger">Someone else changed this entity</span>
            <span className="text-fg-muted"> since you opened it. Reload to see their version, or overwrite it with yours.</span>
          </span>
          <span className="flex gap-2">
            <Button size="sm" onClick={() => window.location.reload()}>
              Reload
            </Button>
            <Button
              size="sm"
              variant="danger"
              onClick={() => {
                setOverwrite(true);
                setTimeout(submit, 0);
              }}
            >
              Overwrite
            </Button>
          </span>
        </div>
      )}
      {save.error && !conflict && !(save.error instanceof ApiError && save.error.details.length && mode === "yaml") ? (
        <ErrorBanner className="mb-4" error={save.error} />
      ) : null}
      {clientErrors.length > 0 && unplaced.length > 0 && <ErrorBanner className="mb-4" error={new ApiError(422, "validation_failed", "Fix these problems first", unplaced)} />}

      <form
        aria-label={title}
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        {mode === "form" ? (
          <div>
            <SchemaForm
              schema={kind.schema}
              value={value}
              onChange={(v) => {
                setValue(v);
                if (clientErrors.length) setClientErrors([]);
              }}
              errors={errors}
              hidden={HIDDEN}
              readOnly={existing ? ["/metadata/name", "/metadata/namespace"] : []}
              suggestions={suggestions}
            />
          </div>
        ) : (
          <YamlEditor value={yamlText} onChange={setYamlText} markers={yamlMarkers} label={`${kind.kind} YAML`} />
        )}

        <div className="sticky bottom-4 z-20 mt-6 rounded-xl border border-line bg-bg/95 shadow-lg backdrop-blur">
          <div className="flex items-center justify-between gap-3 px-4 py-2.5">
            <span className="text-xs text-fg-muted">{errors.length ? <span className="text-danger">{errors.length} {errors.length === 1 ? "problem" : "problems"} to fix</span> : "Ctrl/⌘ + Enter to save"}</span>
            <div className="flex gap-2">
              <Button onClick={() => navigate(cancelHref)}>Cancel</Button>
              <Button type="submit" variant="primary" loading={save.isPending}>
                {existing ? "Save changes" : `Create ${kind.kind}`}
              </Button>
            </div>
          </div>
        </div>
      </form>
    </div>
  );
}

/** Values the form offers while typing: team names for owner, known tags, names of referenced kinds. */
function useSuggestions(kind: KindSchema): Record<string, string[]> {
  const facets = useQuery({ queryKey: ["facets", "editor"], queryFn: () => api.facets(["owner", "tag", "namespace"]), staleTime: 60_000, retry: false });
  const targets = [...new Set(["Team", ...kind.references.map((r) => r.targetKind).filter((k): k is string => !!k)])];
  const lists = useQueries({
    queries: targets.map((k) => ({
      queryKey: ["entities", { kind: k, limit: 500, purpose: "suggest" }],
      queryFn: () => api.entities.list({ kind: k, limit: 500 }),
      staleTime: 60_000,
      retry: false,
    })),
  });
  return useMemo(() => {
    const names = (k: string) => lists[targets.indexOf(k)]?.data?.items.map((e) => e.metadata.name) ?? [];
    const out: Record<string, string[]> = {
      "/metadata/owner": [...new Set([...names("Team"), ...(facets.data?.owner ?? []).map((f) => f.value)])],
      "/metadata/tags": (facets.data?.tag ?? []).map((f) => f.value),
      "/metadata/namespace": (facets.data?.namespace ?? []).map((f) => f.value),
    };
    for (const r of kind.references) if (r.targetKind) out[`/spec/${r.field}`] = names(r.targetKind);
    return out;
  }, [facets.data, kind, ...lists.map((l) => l.data)]);
}
