import { useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "@/lib/api";
import { ME_KEY, useMe } from "@/lib/auth";
import { useDocumentTitle } from "@/lib/hooks";
import { GithubMark } from "@/components/icons";
import { Logo, ThemeToggle } from "@/components/Layout";
import { Button, ErrorBanner, Field, Input, buttonClass } from "@/components/ui";

function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function LoginPage() {
  useDocumentTitle("Sign in");
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const client = useQueryClient();
  const { data: me } = useMe();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const sso = useQuery({ queryKey: ["sso-config"], queryFn: api.auth.ssoConfig, retry: false, staleTime: Infinity });

  if (me) return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.auth.login(username.trim(), password);
      const fresh = await api.auth.me();
      client.setQueryData(ME_KEY, fresh);
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
      setPassword("");
    } finally {
      setBusy(false);
    }
  };

  const ssoError = params.get("error");
  const invalid = error instanceof ApiError && error.code === "invalid_credentials";

  return (
    <div className="relative flex min-h-screen items-center justify-center bg-bg-2 px-4">
      <div className="absolute right-4 top-4">
        <ThemeToggle />
      </div>
      <div className="w-full max-w-[360px]">
        <div className="mb-7 flex flex-col items-center text-center">
          <Logo className="size-10 rounded-xl [&>svg]:size-5" />
          <h1 className="mt-4 text-xl font-semibold tracking-tight">Sign in to Gantry</h1>
          <p className="mt-1 text-[13px] text-fg-muted">Your internal developer portal</p>
        </div>
        <div className="rounded-xl border border-line bg-bg p-6 shadow-sm">
          {params.get("expired") && !error && (
            <p className="mb-4 rounded-md bg-bg-3 px-3 py-2 text-[13px] text-fg-muted" role="status">
              Your session ended. Sign in again to continue.
            </p>
          )}
          {ssoError && !error && <ErrorBanner className="mb-4" error={new Error(ssoError)} />}
          <form onSubmit={submit} className="space-y-4" aria-label="Sign in">
            <Field label="Username">
              {({ id }) => (
                <Input id={id} name="username" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} invalid={invalid} />
              )}
            </Field>
            <Field label="Password">
              {({ id }) => (
                <Input id={id} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} invalid={invalid} />
              )}
            </Field>
            {error ? <ErrorBanner error={invalid ? new Error("Wrong username or password.") : error} /> : null}
            <Button type="submit" variant="primary" className="h-9 w-full" loading={busy}>
              Sign in
            </Button>
          </form>
          {sso.data?.ssoEnabled && (
            <>
              <div className="my-5 flex items-center gap-3 text-2xs uppercase tracking-wider text-fg-muted">
                <span className="h-px flex-1 bg-line" />
                or
                <span className="h-px flex-1 bg-line" />
              </div>
              <a href={`${api.auth.githubLoginUrl}?next=${encodeURIComponent(next)}`} className={buttonClass("secondary", "md", "h-9 w-full")}>
                <GithubMark className="size-4" />
                Sign in with GitHub
              </a>
            </>
          )}
        </div>
        <p className="mt-6 text-center text-xs text-fg-muted">
          No account? Ask a Gantry administrator to create one for you.
        </p>
      </div>
    </div>
  );
}
