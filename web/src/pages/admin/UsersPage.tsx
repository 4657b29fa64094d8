/** F67: users — create (always a viewer), change role, delete; the last admin is protected server-side (409). */
import { useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Plus, Trash2, Users } from "lucide-react";
import { ApiError, api } from "@/lib/api";
import { useMe } from "@/lib/auth";
import { absoluteTime, relativeTime } from "@/lib/format";
import { useCursorPager, useDocumentTitle } from "@/lib/hooks";
import { ROLES, type Role, type User } from "@/lib/types";
import { Avatar, Button, Card, ConfirmDialog, Dialog, EmptyState, ErrorBanner, ErrorState, Field, Input, PageHeader, Pager, Select, SkeletonRows, useToast } from "@/components/ui";

export default function UsersPage() {
  useDocumentTitle("Users");
  const pager = useCursorPager("");
  const q = useQuery({ queryKey: ["users", pager.cursor], queryFn: () => api.users.list({ limit: 50, cursor: pager.cursor }), placeholderData: keepPreviousData });
  const { data: me } = useMe();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<User | null>(null);
  const toast = useToast();
  const client = useQueryClient();
  const setRole = useMutation({
    mutationFn: ({ user, role }: { user: User; role: Role }) => api.users.setRole(user.id, role),
    onSuccess: (u) => {
      toast.success(`${u.username} is now ${u.role}`);
      void client.invalidateQueries({ queryKey: ["users"] });
    },
    onError: (err) => toast.error(err instanceof ApiError && err.code === "last_admin" ? "Gantry needs at least one admin" : "Could not change the role", (err as Error).message),
  });
  const remove = useMutation({
    mutationFn: (u: User) => api.users.remove(u.id),
    onSuccess: (_, u) => {
      toast.success(`Deleted ${u.username}`);
      setDeleting(null);
      void client.invalidateQueries({ queryKey: ["users"] });
    },
  });
  return (
    <div>
      <PageHeader
        title="Users"
        description="People who can sign in. New users start as viewers; raise their role here or through a group in Access Control."
        actions={<Button variant="primary" icon={<Plus className="size-3.5" />} onClick={() => setCreating(true)}>Add user</Button>}
      />
      <Card>
        {q.isLoading ? (
          <SkeletonRows rows={6} columns={4} />
        ) : q.error ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : !q.data?.items.length ? (
          <EmptyState icon={<Users className="size-5" />} title="No users" />
        ) : (
          <>
            <table className="w-full text-[13px]">
              <thead>
                <tr className="border-b border-line bg-bg-2 text-left text-xs text-fg-muted">
                  <th scope="col" className="px-4 py-2 font-medium">User</th>
                  <th scope="col" className="px-4 py-2 font-medium">E-mail</th>
                  <th scope="col" className="px-4 py-2 font-medium">Role</th>
                  <th scope="col" className="px-4 py-2 font-medium">Last sign-in</th>
                  <th scope="col" className="px-4 py-2 font-medium">Created</th>
                  <th scope="col" className="px-4 py-2"><span className="sr-only">Delete</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-line">
                {q.data.items.map((u) => (
                  <tr key={u.id}>
                    <td className="px-4 py-2.5">
                      <div className="flex items-center gap-2.5">
                        <Avatar name={u.displayName || u.username} />
                        <div>
                          <div className="font-medium">{u.username}{u.username === me?.username && <span className="ml-1.5 text-xs font-normal text-fg-muted">(you)</span>}</div>
                          {u.displayName && <div className="text-xs text-fg-muted">{u.displayName}</div>}
                        </div>
                      </div>
                    </td>
                    <td className="px-4 py-2.5 text-fg-muted">{u.email || "—"}</td>
                    <td className="px-4 py-2.5">
                      <Select aria-label={`Role of ${u.username}`} value={u.role} className="w-44" disabled={setRole.isPending} onChange={(e) => setRole.mutate({ user: u, role: e.target.value as Role })}>
                        {ROLES.map((r) => (
                          <option key={r} value={r}>{r}</option>
                        ))}
                      </Select>
                    </td>
                    <td className="px-4 py-2.5 text-fg-muted" title={absoluteTime(u.lastLoginAt)}>{u.lastLoginAt ? relativeTime(u.lastLoginAt) : "Never"}</td>
                    <td className="px-4 py-2.5 text-fg-muted">{u.createdAt ? relativeTime(u.createdAt) : "—"}</td>
                    <td className="px-4 py-2.5 text-right">
                      <Button size="icon-sm" variant="danger-ghost" aria-label={`Delete ${u.username}`} disabled={u.username === me?.username} onClick={() => setDeleting(u)}>
                        <Trash2 className="size-3.5" />
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="border-t border-line">
              <Pager offset={pager.page * 50} count={q.data.items.length} total={q.data.total} hasPrev={pager.hasPrev} hasNext={!!q.data.next} onPrev={pager.prev} onNext={() => pager.next(q.data?.next)} noun="users" />
            </div>
          </>
        )}
      </Card>
      {creating && <CreateUserDialog onClose={() => setCreating(false)} />}
      <ConfirmDialog
        open={!!deleting}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting)}
        title={`Delete ${deleting?.username ?? ""}?`}
        description="Their sessions and API keys stop working. The audit log keeps their history."
        confirmLabel="Delete user"
        danger
        loading={remove.isPending}
      >
        <ErrorBanner error={remove.error} />
      </ConfirmDialog>
    </div>
  );
}

function CreateUserDialog({ onClose }: { onClose: () => void }) {
  const [form, setForm] = useState({ username: "", password: "", displayName: "", email: "" });
  const toast = useToast();
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: () => api.users.register({ username: form.username.trim(), password: form.password, displayName: form.displayName || undefined, email: form.email || undefined }),
    onSuccess: (u) => {
      toast.success(`Created ${u.username}`, "They start as a viewer.");
      void client.invalidateQueries({ queryKey: ["users"] });
      onClose();
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  return (
    <Dialog
      open
      onClose={onClose}
      title="Add user"
      description="New users are viewers until you change their role."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" loading={create.isPending} disabled={!form.username || !form.password} onClick={() => create.mutate()}>
            Add user
          </Button>
        </>
      }
    >
      <form className="grid grid-cols-2 gap-4" aria-label="New user" onSubmit={(e) => (e.preventDefault(), create.mutate())}>
        <Field label="Username" required error={err?.detailFor("/username")}>{({ id, invalid }) => <Input id={id} invalid={invalid} value={form.username} onChange={set("username")} data-autofocus autoComplete="off" />}</Field>
        <Field label="Password" required error={err?.detailFor("/password")}>{({ id, invalid }) => <Input id={id} invalid={invalid} type="password" autoComplete="new-password" value={form.password} onChange={set("password")} />}</Field>
        <Field label="Display name" error={err?.detailFor("/displayName")}>{({ id, invalid }) => <Input id={id} invalid={invalid} value={form.displayName} onChange={set("displayName")} />}</Field>
        <Field label="E-mail" error={err?.detailFor("/email")}>{({ id, invalid }) => <Input id={id} invalid={invalid} type="email" value={form.email} onChange={set("email")} />}</Field>
        {create.error && !err?.details.length ? <ErrorBanner className="col-span-2" error={create.error} /> : null}
        <button type="submit" hidden />
      </form>
    </Dialog>
  );
}
