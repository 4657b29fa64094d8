import { useEffect, useRef, useState, type ReactNode } from "react";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router";
import {
  Activity,
  Boxes,
  ChevronsUpDown,
  FileClock,
  GitBranch,
  KeyRound,
  LayoutDashboard,
  LogOut,
  Monitor,
  Moon,
  Puzzle,
  Search,
  Settings,
  ShieldCheck,
  Sun,
  Users,
  Zap,
} from "lucide-react";
import { hasRole, useMe, useSignOut } from "@/lib/auth";
import { useLiveStatus } from "@/lib/live";
import { extensionsFor, useManifest } from "@/lib/plugin-runtime";
import { useTheme, type ThemeChoice } from "@/lib/theme";
import type { Role } from "@/lib/types";
import { CommandPalette } from "./CommandPalette";
import { ErrorBoundary } from "./ErrorBoundary";
import { NamedIcon } from "./icons";
import { Avatar, Kbd, cn } from "./ui";

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  role?: Role;
  end?: boolean;
}

/** F133: Dashboard, Catalog, Actions, Status, Plugins, GitOps, Audit Log, Users, Access Control, Settings. */
export const NAV_GROUPS: { label?: string; items: NavItem[] }[] = [
  {
    items: [
      { to: "/", label: "Dashboard", icon: <LayoutDashboard />, end: true },
      { to: "/catalog", label: "Catalog", icon: <Boxes /> },
      { to: "/actions", label: "Actions", icon: <Zap /> },
      { to: "/status", label: "Status", icon: <Activity /> },
    ],
  },
  {
    label: "Platform",
    items: [
      { to: "/plugins", label: "Plugins", icon: <Puzzle /> },
      { to: "/gitops", label: "GitOps", icon: <GitBranch />, role: "admin" },
    ],
  },
  {
    label: "Administration",
    items: [
      { to: "/admin/users", label: "Users", icon: <Users />, role: "admin" },
      { to: "/admin/access", label: "Access Control", icon: <ShieldCheck />, role: "admin" },
      { to: "/admin/audit", label: "Audit Log", icon: <FileClock />, role: "admin" },
    ],
  },
];

export function Layout() {
  const location = useLocation();
  const [paletteOpen, setPaletteOpen] = useState(false);
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    main.current?.scrollTo?.({ top: 0 });
  }, [location.pathname]);

  return (
    <div className="flex h-screen overflow-hidden bg-bg">
      <a href="#main" className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-bg focus:px-3 focus:py-2">
        Skip to content
      </a>
      <Sidebar onSearch={() => setPaletteOpen(true)} />
      <main id="main" ref={main} className="min-w-0 flex-1 overflow-y-auto" tabIndex={-1}>
        <div className="mx-auto w-full max-w-[1400px] px-6 py-7 xl:px-8">
          <ErrorBoundary resetKey={location.pathname}>
            <Outlet />
          </ErrorBoundary>
        </div>
      </main>
      <CommandPalette open={paletteOpen} onOpenChange={setPaletteOpen} />
    </div>
  );
}

function Sidebar({ onSearch }: { onSearch: () => void }) {
  const { data: me } = useMe();
  const manifest = useManifest();
  const pluginNav = extensionsFor(manifest.data, "nav.item");
  const mac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

  return (
    <aside className="flex w-56 shrink-0 flex-col border-r border-line bg-bg-2 xl:w-60" aria-label="Sidebar">
      <div className="flex h-14 items-center gap-2 px-4">
        <Logo />
        <span className="text-[15px] font-semibold tracking-tight">Gantry</span>
      </div>
      <div className="px-3 pb-2">
        <button
          type="button"
          onClick={onSearch}
          className="flex h-8 w-full items-center gap-2 rounded-md border border-line bg-bg px-2.5 text-[13px] text-fg-muted shadow-xs transition-colors hover:border-fg-muted/40 hover:text-fg"
          aria-keyshortcuts="Control+K Meta+K /"
        >
          <Search className="size-3.5" aria-hidden />
          <span className="flex-1 text-left">
            Search…<span className="sr-only"> (command palette)</span>
          </span>
          <Kbd>{mac ? "⌘" : "Ctrl"}</Kbd>
          <Kbd>K</Kbd>
        </button>
      </div>
      <nav className="flex-1 space-y-5 overflow-y-auto px-3 py-2" aria-label="Main">
        {NAV_GROUPS.map((group, gi) => {
          const items = group.items.filter((i) => !i.role || hasRole(me, i.role));
          const extra =
            gi === 1
              ? pluginNav.map((e) => ({ to: `/x/${encodeURIComponent(e.id)}`, label: e.title, icon: <NamedIcon name={(e.options?.icon as string) ?? "puzzle"} /> }))
              : [];
          if (!items.length && !extra.length) return null;
          return (
            <div key={gi}>
              {group.label && <div className="mb-1 px-2 text-2xs font-medium uppercase tracking-wider text-fg-muted">{group.label}</div>}
              <ul className="space-y-0.5">
                {[...items, ...extra].map((item) => (
                  <li key={item.to}>
                    <NavLink
                      to={item.to}
                      end={"end" in item ? item.end : false}
                      className={({ isActive }) =>
                        cn(
                          "flex h-8 items-center gap-2.5 rounded-md px-2 text-[13px] font-medium transition-colors [&>svg]:size-4",
                          isActive ? "bg-bg-3 text-fg [&>svg]:text-accent" : "text-fg-muted hover:bg-bg-3/70 hover:text-fg",
                        )
                      }
                    >
                      {item.icon}
                      {item.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <div className="space-y-1 border-t border-line p-3">
        <NavLink
          to="/settings"
          className={({ isActive }) =>
            cn(
              "flex h-8 items-center gap-2.5 rounded-md px-2 text-[13px] font-medium [&>svg]:size-4",
              isActive ? "bg-bg-3 text-fg" : "text-fg-muted hover:bg-bg-3/70 hover:text-fg",
            )
          }
        >
          <Settings />
          Settings
        </NavLink>
        <div className="flex items-center justify-between px-2 py-1">
          <LiveIndicator />
          <ThemeToggle />
        </div>
        <UserChip />
      </div>
    </aside>
  );
}

export function Logo({ className }: { className?: string }) {
  return (
    <span className={cn("flex size-6 items-center justify-center rounded-md bg-accent text-on-accent", className)} aria-hidden>
      <svg viewBox="0 0 16 16" className="size-3.5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
        <path d="M2.5 4.5h11M5 4.5v8.5M11 4.5v8.5M2.5 8h11" />
      </svg>
    </span>
  );
}

function LiveIndicator() {
  const status = useLiveStatus();
  const label = { open: "Live", connecting: "Connecting…", closed: "Reconnecting…", unavailable: "Live updates off" }[status];
  return (
    <span className="inline-flex items-center gap-1.5 text-2xs text-fg-muted" title={status === "open" ? "Changes appear as they happen" : "Live updates are not connected"}>
      <span className={cn("size-1.5 rounded-full", status === "open" ? "bg-accent" : status === "unavailable" ? "bg-fg-muted/50" : "bg-fg-muted animate-pulse")} />
      {label}
    </span>
  );
}

export function ThemeToggle() {
  const { choice, setChoice } = useTheme();
  const options: { value: ThemeChoice; label: string; icon: ReactNode }[] = [
    { value: "light", label: "Light theme", icon: <Sun className="size-3.5" /> },
    { value: "system", label: "System theme", icon: <Monitor className="size-3.5" /> },
    { value: "dark", label: "Dark theme", icon: <Moon className="size-3.5" /> },
  ];
  return (
    <div role="radiogroup" aria-label="Theme" className="flex items-center rounded-md border border-line bg-bg p-0.5">
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={choice === o.value}
          aria-label={o.label}
          title={o.label}
          onClick={() => setChoice(o.value)}
          className={cn("flex size-6 items-center justify-center rounded", choice === o.value ? "bg-bg-3 text-fg" : "text-fg-muted hover:text-fg")}
        >
          {o.icon}
        </button>
      ))}
    </div>
  );
}

function UserChip() {
  const { data: me } = useMe();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false);
    const esc = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", esc);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", esc);
    };
  }, [open]);
  if (!me) return null;
  const name = me.displayName || me.username;
  return (
    <div className="relative" ref={ref}>
      <button
        type="button"
        onClick={() => setOpen(!open)}
        aria-haspopup="menu"
        aria-expanded={open}
        className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left hover:bg-bg-3"
      >
        <Avatar name={name} />
        <span className="min-w-0 flex-1">
          <span className="sr-only">Account: </span>
          <span className="block truncate text-[13px] font-medium">{me.username}</span>
          <span className="block truncate text-2xs text-fg-muted">{me.effectiveRole}</span>
        </span>
        <ChevronsUpDown className="size-3.5 text-fg-muted" aria-hidden />
      </button>
      {open && (
        <div role="menu" className="absolute bottom-full left-0 mb-1 w-full animate-fade-in rounded-lg border border-line bg-bg p-1 shadow-lg">
          <div className="px-2 py-1.5 text-xs text-fg-muted">
            Signed in as <span className="font-medium text-fg">{name}</span>
            {me.groups.length > 0 && <div className="mt-0.5 truncate">Groups: {me.groups.join(", ")}</div>}
          </div>
          <MenuItem icon={<KeyRound />} onClick={() => (setOpen(false), navigate("/settings/api-keys"))}>
            API keys
          </MenuItem>
          <MenuItem icon={<Settings />} onClick={() => (setOpen(false), navigate("/settings/account"))}>
            Account
          </MenuItem>
          <MenuItem
            icon={<LogOut />}
            onClick={async () => {
              setOpen(false);
              await signOut();
              navigate("/login");
            }}
          >
            Sign out
          </MenuItem>
        </div>
      )}
    </div>
  );
}

function MenuItem({ icon, children, onClick }: { icon: ReactNode; children: ReactNode; onClick: () => void }) {
  return (
    <button type="button" role="menuitem" onClick={onClick} className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-[13px] hover:bg-bg-3 [&>svg]:size-3.5 [&>svg]:text-fg-muted">
      {icon}
      {children}
    </button>
  );
}
