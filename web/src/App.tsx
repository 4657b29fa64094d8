import { lazy, Suspense, useEffect, useState, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from "react-router";
import { QueryClient, QueryClientProvider, useQueryClient } from "@tanstack/react-query";
import { ApiError, onUnauthorized } from "./lib/api";
import { hasRole, signedOut, useMe } from "./lib/auth";
import { useLiveUpdates } from "./lib/live";
import type { Role } from "./lib/types";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { Layout } from "./components/Layout";
import { ToastProvider } from "./components/ui/toast";
import { ErrorState, Spinner } from "./components/ui";
import { PageSkeleton } from "./components/PageSkeleton";
import { LoginPage } from "./pages/LoginPage";
import { DashboardPage } from "./pages/DashboardPage";
import { CatalogPage } from "./pages/CatalogPage";
import { EntityPage } from "./pages/EntityPage";
import { NotFoundPage } from "./pages/NotFoundPage";

const EntityEditPage = lazy(() => import("./pages/EntityEditPage"));
const ActionsPage = lazy(() => import("./pages/ActionsPage"));
const RunPage = lazy(() => import("./pages/RunPage"));
const PluginsPage = lazy(() => import("./pages/PluginsPage"));
const PluginDetailPage = lazy(() => import("./pages/PluginDetailPage"));
const SettingsPage = lazy(() => import("./pages/SettingsPage"));
const StatusPage = lazy(() => import("./pages/StatusPage"));
const GitOpsPage = lazy(() => import("./pages/GitOpsPage"));
const UsersPage = lazy(() => import("./pages/admin/UsersPage"));
const GroupsPage = lazy(() => import("./pages/admin/GroupsPage"));
const AuditPage = lazy(() => import("./pages/admin/AuditPage"));
const ExtensionPage = lazy(() => import("./pages/ExtensionPage"));

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      },
    },
  });
}

export const defaultClient = makeQueryClient();

export function App({ client = defaultClient }: { client?: QueryClient }) {
  return (
    <QueryClientProvider client={client}>
      <ToastProvider>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </ToastProvider>
    </QueryClientProvider>
  );
}

export function AppRoutes() {
  return (
    <ErrorBoundary>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route element={<RequireAuth />}>
          <Route index element={<DashboardPage />} />
          <Route path="catalog" element={<CatalogPage />} />
          <Route path="catalog/new" element={<Lazy role="developer"><EntityEditPage /></Lazy>} />
          <Route path="catalog/:kind/:name" element={<EntityPage />} />
          <Route path="catalog/:kind/:name/edit" element={<Lazy role="developer"><EntityEditPage /></Lazy>} />
          <Route path="actions" element={<Lazy><ActionsPage /></Lazy>} />
          <Route path="actions/:tab" element={<Lazy><ActionsPage /></Lazy>} />
          <Route path="actions/:name/runs/:id" element={<Lazy><RunPage /></Lazy>} />
          <Route path="plugins" element={<Lazy><PluginsPage /></Lazy>} />
          <Route path="plugins/:id" element={<Lazy><PluginDetailPage /></Lazy>} />
          <Route path="status" element={<Lazy><StatusPage /></Lazy>} />
          <Route path="gitops" element={<Lazy role="admin"><GitOpsPage /></Lazy>} />
          <Route path="settings" element={<Navigate to="/settings/api-keys" replace />} />
          <Route path="settings/:section" element={<Lazy><SettingsPage /></Lazy>} />
          <Route path="admin/users" element={<Lazy role="admin"><UsersPage /></Lazy>} />
          <Route path="admin/access" element={<Lazy role="admin"><GroupsPage /></Lazy>} />
          <Route path="admin/audit" element={<Lazy role="admin"><AuditPage /></Lazy>} />
          <Route path="x/:extension" element={<Lazy><ExtensionPage /></Lazy>} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </ErrorBoundary>
  );
}

function Lazy({ children, role }: { children: ReactNode; role?: Role }) {
  const { data: me } = useMe();
  if (role && !hasRole(me, role)) return <Forbidden role={role} />;
  return <Suspense fallback={<PageSkeleton />}>{children}</Suspense>;
}

function Forbidden({ role }: { role: Role }) {
  return (
    <ErrorState
      error={new ApiError(403, "forbidden", `This page needs the ${role} role or higher. Ask an administrator for access.`)}
    />
  );
}

/** Signed-in area: loads /auth/me, sends anonymous visitors to /login, opens the live connection. */
function RequireAuth() {
  const { data: me, isLoading, error, refetch } = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [expired, setExpired] = useState(false);

  useEffect(
    () =>
      onUnauthorized(() => {
        setExpired(true);
        signedOut(client);
      }),
    [client],
  );
  useEffect(() => {
    if (expired && !me) {
      setExpired(false);
      navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}&expired=1`, { replace: true });
    }
  }, [expired, me, navigate, location]);

  useLiveUpdates(client, !!me);

  if (isLoading)
    return (
      <div className="flex h-screen items-center justify-center">
        <Spinner />
      </div>
    );
  if (error) return <ErrorState error={error} retry={() => void refetch()} className="h-screen justify-center" />;
  if (!me) {
    const next = location.pathname === "/" ? "" : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    return <Navigate to={`/login${next}`} replace />;
  }
  return <Layout />;
}
