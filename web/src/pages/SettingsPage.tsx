/** Settings: API keys (F68, one-time reveal), account and password (F64), secrets (F156), plugin settings pages. */
import { useState, type FormEvent } from "react";
import { NavLink, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, KeyRound, Lock, Plus, Trash2, UserRound } from "lucide-react";
import { ApiError, api } from "@/lib/api";
import { hasRole, roleLevel, useMe } from "@/lib/auth";
import { absoluteTime, relativeTime } from "@/lib/format";
import { useDocumentTitle } from "@/lib/hooks";
import { extensionsFor, useManifest } from "@/lib/plugin-runtime";
import { ROLES, type ApiKey, type ApiKeyCreated, type Role } from "@/lib/types";
import { ExtensionView } from "@/components/renderers";
import {
  Badge,
  Button,
  Card,
  CardHeader,
  ConfirmDialog,
  CopyButton,
  DescriptionList,
  Dialog,
  EmptyState,
  ErrorBanner,
  ErrorState,
  Field,
  Input,
  PageHeader,
  Select,
  SkeletonRows,
  cn,
  useToast,
} from "@/components/ui";

export default function SettingsPage() {
  const { section = "api-keys" } = useParams();
  const { data: me } = useMe();
  const manifest = useManifest();
  const pages = extensionsFor(manifest.data, "settings.page");
  useDocumentTitle("Settings");
  const sections = [
    { id: "api-keys", label: "API keys", icon: <KeyRound className="size-4" /> },
    { id: "account", label: "Account", icon: <UserRound className="size-4" /> },
    ...(hasRole(me, "admin") ? [{ id: "secrets", label: "Secrets", icon: <Lock className="size-4" /> }] : []),
    ...pages.map((p) => ({ id: `x-${p.id}`, label: p.title, icon: null })),
  ];
  const ext = pages.find((p) => `x-${p.id}` === section);
  return (
    <div>
      <PageHeader title="Settings" description="Your account, API keys for the CLI and CI, and server settings." />
      <div className="grid grid-cols-[12rem_1fr] gap-8">
        <nav aria-label="Settings sections">
          <ul className="space-y-0.5">
            {sections.map((s) => (
              <li key={s.id}>
                <NavLink
                  to={`/settings/${s.id}`}
                  className={({ isActive }) => cn("flex h-8 items-center gap-2 rounded-md px-2 text-[13px] font-medium", isActive ? "bg-bg-3 text-fg" : "text-fg-muted hover:bg-bg-3/70 hover:text-fg")}
                >
                  {s.icon}
                  {s.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="min-w-0 max-w-4xl">
          {section === "api-keys" && <ApiKeys />}
          {section === "account" && <Account />}
          {section === "secrets" && hasRole(me, "admin") && <Secrets />}
          {ext && (
            <Card>
              <CardHeader title={ext.title} />
              <ExtensionView extension={ext} />
            </Card>
          )}
        </div>
      </div>
    </div>
  );
}

const EXPIRY: { label: string; days: number | null }[] = [
  { label: "Never", days: null },
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
  { label: "1 year", days: 365 },
];

function ApiKeys() {
  const { data: me } = useMe();
  const q = useQuery({ queryKey: ["apikeys"], queryFn: () => api.apiKeys.list({ limit: 200 }) });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const toast = useToast();
  const client = useQueryClient();
  const revoke = useMutation({
    mutationFn: (k: ApiKey) => api.apiKeys.revoke(k.id),
    onSuccess: (_, k) => {
      toast.success(`Revoked ${k.name}`);
      setRevoking(null);
      void client.invalidateQueries({ queryKey: ["apikeys"] });
    },
  });
  return (
    <section aria-label="API keys" className="space-y-4">
      <Card>
        <CardHeader
          title="API keys"
          description={
            <>
              Use a key as <code className="font-mono">Authorization: Bearer gantry_…</code> from the CLI (<code className="font-mono">GANTRY_TOKEN</code>) or CI. A key acts with at most your role.
            </>
          }
          actions={
            <Button variant="primary" size="sm" icon={<Plus className="size-3.5" />} onClick={() => setCreating(true)}>
              Create new key
            </Button>
          }
        />
        {q.isLoading ? (
          <SkeletonRows rows={3} columns={5} />
        ) : q.error ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : !q.data?.items.length ? (
          <EmptyState icon={<KeyRound className="size-5" />} title="No API keys" description="Create a key for the gantry CLI or your CI pipeline. It is shown once — store it in your secret manager." />
        ) : (
          <table className="w-full text-[13px]">
            <thead>
              <tr className="border-b border-line text-left text-xs text-fg-muted">
                <th scope="col" className="px-4 py-2 font-medium">Name</th>
                <th scope="col" className="px-4 py-2 font-medium">Key</th>
                <th scope="col" className="px-4 py-2 font-medium">Role</th>
                <th scope="col" className="px-4 py-2 font-medium">Created</th>
                <th scope="col" className="px-4 py-2 font-medium">Last used</th>
                <th scope="col" className="px-4 py-2 font-medium">Expires</th>
                <th scope="col" className="px-4 py-2"><span className="sr-only">Revoke</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {q.data.items.map((k) => (
                <tr key={k.id}>
                  <td className="px-4 py-2.5 font-medium">{k.name}</td>
                  <td className="px-4 py-2.5 font-mono text-xs text-fg-muted">{k.prefix}…</td>
                  <td className="px-4 py-2.5"><Badge>{k.role}</Badge></td>
                  <td className="px-4 py-2.5 text-fg-muted" title={absoluteTime(k.createdAt)}>{relativeTime(k.createdAt)}</td>
                  <td className="px-4 py-2.5 text-fg-muted">{k.lastUsedAt ? relativeTime(k.lastUsedAt) : "Never"}</td>
                  <td className="px-4 py-2.5 text-fg-muted">{k.expiresAt ? absoluteTime(k.expiresAt) : "Never"}</td>
                  <td className="px-4 py-2.5 text-right">
                    <Button size="sm" variant="danger-ghost" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {creating && me && (
        <CreateKeyDialog
          maxRole={me.effectiveRole}
          onClose={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
            void client.invalidateQueries({ queryKey: ["apikeys"] });
          }}
        />
      )}
      {created && (
        <Dialog
          open
          onClose={() => setCreated(null)}
          title="Copy your new API key"
          description="This is the only time the key is shown. Store it somewhere safe now."
          footer={<Button variant="primary" onClick={() => setCreated(null)}>I have stored it</Button>}
        >
          <div className="space-y-3">
            <div className="flex items-center gap-2 rounded-md border border-line bg-bg-2 p-2 pl-3">
              <code className="min-w-0 flex-1 break-all font-mono text-xs" data-testid="new-api-key">
                {created.key}
              </code>
              <CopyButton value={created.key} />
            </div>
            <p className="flex items-start gap-2 text-xs text-fg-muted">
              <AlertTriangle className="mt-px size-3.5 shrink-0" aria-hidden />
              Gantry keeps only a hash of it. If you lose it, revoke it and create another.
            </p>
            <pre className="overflow-x-auto rounded-md bg-bg-2 p-3 font-mono text-xs text-fg-muted">
              {`export GANTRY_SERVER=${location.origin}\nexport GANTRY_TOKEN=${created.key.slice(0, 14)}…\ngantry get services`}
            </pre>
          </div>
        </Dialog>
      )}
      <ConfirmDialog
        open={!!revoking}
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        title={`Revoke “${revoking?.name ?? ""}”?`}
        description="Anything using this key stops working immediately."
        confirmLabel="Revoke key"
        danger
        loading={revoke.isPending}
      >
        <ErrorBanner error={revoke.error} />
      </ConfirmDialog>
    </section>
  );
}

function CreateKeyDialog({ maxRole, onClose, onCreated }: { maxRole: Role; onClose: () => void; onCreated: (k: ApiKeyCreated) => void }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>(maxRole);
  const [days, setDays] = useState<number | null>(90);
  const create = useMutation({
    mutationFn: () => api.apiKeys.create(name.trim(), role, days ? new Date(Date.now() + days * 864e5).toISOString() : undefined),
    onSuccess: onCreated,
  });
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (name.trim()) create.mutate();
  };
  const err = create.error instanceof ApiError ? create.error : null;
  return (
    <Dialog
      open
      onClose={onClose}
      title="Create API key"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" loading={create.isPending} disabled={!name.trim()} onClick={() => submit()}>
            Create key
          </Button>
        </>
      }
    >
      <form onSubmit={submit} className="space-y-4" aria-label="New API key">
        <Field label="Name" hint="What uses it, e.g. “github-actions deploy”" error={err?.detailFor("/name")} required>
          {({ id, describedBy, invalid }) => <Input id={id} aria-describedby={describedBy} invalid={invalid} value={name} onChange={(e) => setName(e.target.value)} data-autofocus maxLength={100} />}
        </Field>
        <div className="grid grid-cols-2 gap-4">
          <Field label="Role" hint="At most your own role" error={err?.detailFor("/role")}>
            {({ id }) => (
              <Select id={id} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.filter((r) => roleLevel(r) <= roleLevel(maxRole)).map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Expires" error={err?.detailFor("/expiresAt")}>
            {({ id }) => (
              <Select id={id} value={days === null ? "never" : String(days)} onChange={(e) => setDays(e.target.value === "never" ? null : Number(e.target.value))}>
                {EXPIRY.map((o) => (
                  <option key={o.label} value={o.days === null ? "never" : o.days}>
                    {o.label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </div>
        {create.error && !err?.details.length ? <ErrorBanner error={create.error} /> : null}
        <button type="submit" hidden />
      </form>
    </Dialog>
  );
}

function Account() {
  const { data: me } = useMe();
  const toast = useToast();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const change = useMutation({
    mutationFn: () => api.auth.changePassword(current, next),
    onSuccess: () => {
      toast.success("Password changed", "Your other sessions were signed out.");
      setCurrent("");
      setNext("");
      setConfirm("");
    },
  });
  const err = change.error instanceof ApiError ? change.error : null;
  const mismatch = confirm.length > 0 && confirm !== next;
  if (!me) return null;
  return (
    <div className="space-y-5">
      <Card>
        <CardHeader title="Profile" />
        <DescriptionList
          className="px-4 py-4"
          items={[
            ["Username", me.username],
            ["Display name", me.displayName || "—"],
            ["E-mail", me.email || "—"],
            ["Role", <Badge>{me.role}</Badge>],
            ["Effective role", <span className="flex items-center gap-2"><Badge tone="accent">{me.effectiveRole}</Badge>{me.effectiveRole !== me.role && <span className="text-xs text-fg-muted">from a group</span>}</span>],
            ["Groups", me.groups.length ? me.groups.join(", ") : "—"],
          ]}
        />
      </Card>
      {me.authMethod !== "github" && !me.username.startsWith("github:") && (
        <Card>
          <CardHeader title="Change password" description="At least 8 characters. Changing it signs out your other sessions." />
          <form
            className="max-w-md space-y-4 p-4"
            aria-label="Change password"
            onSubmit={(e) => {
              e.preventDefault();
              if (!mismatch && next) change.mutate();
            }}
          >
            <Field label="Current password" error={err?.detailFor("/currentPassword")} required>
              {({ id, describedBy, invalid }) => <Input id={id} type="password" autoComplete="current-password" aria-describedby={describedBy} invalid={invalid} value={current} onChange={(e) => setCurrent(e.target.value)} required />}
            </Field>
            <Field label="New password" error={err?.detailFor("/newPassword")} required>
              {({ id, describedBy, invalid }) => <Input id={id} type="password" autoComplete="new-password" aria-describedby={describedBy} invalid={invalid} value={next} onChange={(e) => setNext(e.target.value)} required minLength={8} />}
            </Field>
            <Field label="Confirm new password" error={mismatch ? "Does not match the new password" : undefined} required>
              {({ id, describedBy, invalid }) => <Input id={id} type="password" autoComplete="new-password" aria-describedby={describedBy} invalid={invalid} value={confirm} onChange={(e) => setConfirm(e.target.value)} required />}
            </Field>
            {change.error && !err?.details.length ? <ErrorBanner error={change.error} /> : null}
            <Button type="submit" variant="primary" loading={change.isPending} disabled={!current || !next || mismatch}>
              Change password
            </Button>
          </form>
        </Card>
      )}
    </div>
  );
}

function Secrets() {
  const q = useQuery({ queryKey: ["secrets"], queryFn: () => api.secrets.list() });
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const toast = useToast();
  const client = useQueryClient();
  const put = useMutation({
    mutationFn: () => api.secrets.put(name.trim(), value),
    onSuccess: () => {
      toast.success(`Saved secret ${name}`);
      setName("");
      setValue("");
      void client.invalidateQueries({ queryKey: ["secrets"] });
    },
  });
  const remove = useMutation({
    mutationFn: (n: string) => api.secrets.remove(n),
    onSuccess: (_, n) => {
      toast.success(`Deleted secret ${n}`);
      void client.invalidateQueries({ queryKey: ["secrets"] });
    },
  });
  return (
    <Card>
      <CardHeader title="Secrets" description="Values for ${SECRET_NAME} placeholders in webhook actions. Stored encrypted; never shown again." />
      {q.error ? (
        <ErrorState error={q.error} feature="Secrets" />
      ) : (
        <>
          <form
            className="flex items-end gap-2 border-b border-line p-4"
            aria-label="Add secret"
            onSubmit={(e) => {
              e.preventDefault();
              if (name.trim() && value) put.mutate();
            }}
          >
            <Field label="Name" className="flex-1">{({ id }) => <Input id={id} value={name} onChange={(e) => setName(e.target.value.toUpperCase())} placeholder="SECRET_TOKEN" className="font-mono" />}</Field>
            <Field label="Value" className="flex-1">{({ id }) => <Input id={id} type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />}</Field>
            <Button type="submit" variant="primary" loading={put.isPending} disabled={!name.trim() || !value}>
              Save
            </Button>
          </form>
          <ErrorBanner className="m-4" error={put.error ?? remove.error} />
          {q.isLoading ? (
            <SkeletonRows rows={3} columns={3} />
          ) : !q.data?.items.length ? (
            <p className="px-4 py-6 text-center text-[13px] text-fg-muted">No secrets yet.</p>
          ) : (
            <ul className="divide-y divide-line">
              {q.data.items.map((s) => (
                <li key={s.name} className="flex items-center justify-between px-4 py-2.5 text-[13px]">
                  <code className="font-mono text-xs">{s.name}</code>
                  <span className="flex items-center gap-3 text-xs text-fg-muted">
                    updated {relativeTime(s.updatedAt ?? s.createdAt)}
                    <Button size="icon-sm" variant="danger-ghost" aria-label={`Delete secret ${s.name}`} onClick={() => remove.mutate(s.name)}>
                      <Trash2 className="size-3.5" />
                    </Button>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Card>
  );
}
