/** F66 Access Control: groups grant a role to their members (effective role = highest of user and groups). */
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Pencil, Plus, ShieldCheck, Trash2 } from "lucide-react";
import { ApiError, api } from "@/lib/api";
import { useDocumentTitle } from "@/lib/hooks";
import { ROLES, type Group, type Role } from "@/lib/types";
import { TagInput } from "@/components/SchemaForm";
import { Badge, Button, Card, ConfirmDialog, Dialog, EmptyState, ErrorBanner, ErrorState, Field, Input, PageHeader, Select, SkeletonRows, useToast } from "@/components/ui";

export default function GroupsPage() {
  useDocumentTitle("Access Control");
  const q = useQuery({ queryKey: ["groups"], queryFn: () => api.groups.list({ limit: 500 }) });
  const [editing, setEditing] = useState<Group | "new" | null>(null);
  const [deleting, setDeleting] = useState<Group | null>(null);
  const toast = useToast();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: (g: Group) => api.groups.remove(g.name),
    onSuccess: (_, g) => {
      toast.success(`Deleted group ${g.name}`);
      setDeleting(null);
      void client.invalidateQueries({ queryKey: ["groups"] });
    },
  });
  return (
    <div>
      <PageHeader
        title="Access Control"
        description="Groups give their members a role. A user's effective role is the highest of their own role and their groups' roles. GitHub SSO can fill github:<team> groups."
        actions={<Button variant="primary" icon={<Plus className="size-3.5" />} onClick={() => setEditing("new")}>New group</Button>}
      />
      <Card>
        {q.isLoading ? (
          <SkeletonRows rows={4} columns={3} />
        ) : q.error ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : !q.data?.items.length ? (
          <EmptyState icon={<ShieldCheck className="size-5" />} title="No groups yet" description="Create a group such as “platform” with the platform-engineer role and add people to it." action={<Button size="sm" onClick={() => setEditing("new")}>New group</Button>} />
        ) : (
          <table className="w-full text-[13px]">
            <thead>
              <tr className="border-b border-line bg-bg-2 text-left text-xs text-fg-muted">
                <th scope="col" className="px-4 py-2 font-medium">Group</th>
                <th scope="col" className="px-4 py-2 font-medium">Role</th>
                <th scope="col" className="px-4 py-2 font-medium">Members</th>
                <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-line">
              {q.data.items.map((g) => (
                <tr key={g.name}>
                  <td className="px-4 py-2.5 font-medium">{g.name}</td>
                  <td className="px-4 py-2.5"><Badge tone={g.role === "admin" ? "accent" : "neutral"}>{g.role}</Badge></td>
                  <td className="px-4 py-2.5">
                    <span className="flex flex-wrap gap-1">
                      {g.members.slice(0, 8).map((m) => <Badge key={m} tone="muted">{m}</Badge>)}
                      {g.members.length > 8 && <Badge tone="outline">+{g.members.length - 8}</Badge>}
                      {!g.members.length && <span className="text-fg-muted">No members</span>}
                    </span>
                  </td>
                  <td className="px-4 py-2.5 text-right whitespace-nowrap">
                    <Button size="icon-sm" variant="ghost" aria-label={`Edit ${g.name}`} onClick={() => setEditing(g)}><Pencil className="size-3.5" /></Button>
                    <Button size="icon-sm" variant="danger-ghost" aria-label={`Delete ${g.name}`} onClick={() => setDeleting(g)}><Trash2 className="size-3.5" /></Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {editing && <GroupDialog group={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={!!deleting}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting)}
        title={`Delete group ${deleting?.name ?? ""}?`}
        description="Its members lose the role it granted."
        confirmLabel="Delete group"
        danger
        loading={remove.isPending}
      >
        <ErrorBanner error={remove.error} />
      </ConfirmDialog>
    </div>
  );
}

function GroupDialog({ group, onClose }: { group: Group | null; onClose: () => void }) {
  const [name, setName] = useState(group?.name ?? "");
  const [role, setRole] = useState<Role>(group?.role ?? "viewer");
  const [members, setMembers] = useState<string[]>(group?.members ?? []);
  const toast = useToast();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: () => (group ? api.groups.update(group.name, { role, members }) : api.groups.create({ name: name.trim(), role, members })),
    onSuccess: (g) => {
      toast.success(group ? `Saved ${g.name}` : `Created ${g.name}`);
      void client.invalidateQueries({ queryKey: ["groups"] });
      onClose();
    },
  });
  const err = save.error instanceof ApiError ? save.error : null;
  return (
    <Dialog
      open
      onClose={onClose}
      title={group ? `Edit ${group.name}` : "New group"}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" loading={save.isPending} disabled={!name.trim()} onClick={() => save.mutate()}>
            {group ? "Save group" : "Create group"}
          </Button>
        </>
      }
    >
      <form className="space-y-4" aria-label="Group" onSubmit={(e) => (e.preventDefault(), save.mutate())}>
        <div className="grid grid-cols-2 gap-4">
          <Field label="Name" required error={err?.detailFor("/name")}>{({ id, invalid }) => <Input id={id} invalid={invalid} value={name} disabled={!!group} onChange={(e) => setName(e.target.value)} data-autofocus />}</Field>
          <Field label="Role" error={err?.detailFor("/role")}>
            {({ id }) => (
              <Select id={id} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
              </Select>
            )}
          </Field>
        </div>
        <Field label="Members" hint="Usernames; press Enter after each" error={err?.details.find((d) => d.path.startsWith("/members"))?.message}>
          {({ id, describedBy, invalid }) => <TagInput id={id} describedBy={describedBy} invalid={invalid} values={members} onChange={setMembers} label="Members" />}
        </Field>
        {save.error && !err?.details.length ? <ErrorBanner error={save.error} /> : null}
        <button type="submit" hidden />
      </form>
    </Dialog>
  );
}
