import {
  Activity,
  AlertTriangle,
  BookOpen,
  Box,
  Boxes,
  Cloud,
  Database,
  FileText,
  Gauge,
  GitBranch,
  Globe,
  LayoutDashboard,
  Link as LinkIcon,
  MessageSquare,
  Network,
  Plug,
  Puzzle,
  Server,
  Ship,
  Users,
  Workflow,
  Zap,
  type LucideIcon,
  type LucideProps,
} from "lucide-react";

/** Lucide icon names a kind, plugin or link may ask for (the server sends names such as `server`). */
const ICONS: Record<string, LucideIcon> = {
  server: Server,
  plug: Plug,
  users: Users,
  cloud: Cloud,
  database: Database,
  zap: Zap,
  "book-open": BookOpen,
  book: BookOpen,
  puzzle: Puzzle,
  box: Box,
  boxes: Boxes,
  network: Network,
  "git-branch": GitBranch,
  globe: Globe,
  ship: Ship,
  workflow: Workflow,
  activity: Activity,
  gauge: Gauge,
  "file-text": FileText,
  kubernetes: Ship,
  argocd: Workflow,
  // link icons (F38)
  dashboard: LayoutDashboard,
  docs: FileText,
  runbook: BookOpen,
  slack: MessageSquare,
  alert: AlertTriangle,
  monitor: Activity,
  ci: Workflow,
  other: LinkIcon,
};

const KIND_ICONS: Record<string, string> = {
  service: "server",
  api: "plug",
  team: "users",
  environment: "cloud",
  infrastructure: "database",
  action: "zap",
  documentation: "book-open",
};

export function GithubMark(props: LucideProps) {
  const { size = 16, className, ...rest } = props;
  return (
    <svg viewBox="0 0 16 16" width={size} height={size} className={className} aria-hidden fill="currentColor" {...(rest as object)}>
      <path d="M8 0C3.58 0 0 3.58 0 8c0 3.54 2.29 6.53 5.47 7.59.4.07.55-.17.55-.38 0-.19-.01-.82-.01-1.49-2.01.37-2.53-.49-2.69-.94-.09-.23-.48-.94-.82-1.13-.28-.15-.68-.52-.01-.53.63-.01 1.08.58 1.23.82.72 1.21 1.87.87 2.33.66.07-.52.28-.87.51-1.07-1.78-.2-3.64-.89-3.64-3.95 0-.87.31-1.59.82-2.15-.08-.2-.36-1.02.08-2.12 0 0 .67-.21 2.2.82.64-.18 1.32-.27 2-.27.68 0 1.36.09 2 .27 1.53-1.04 2.2-.82 2.2-.82.44 1.1.16 1.92.08 2.12.51.56.82 1.27.82 2.15 0 3.07-1.87 3.75-3.65 3.95.29.25.54.73.54 1.48 0 1.07-.01 1.93-.01 2.2 0 .21.15.46.55.38A8.013 8.013 0 0016 8c0-4.42-3.58-8-8-8z" />
    </svg>
  );
}

export function NamedIcon({ name, ...props }: LucideProps & { name?: string | null }) {
  if (name === "github") return <GithubMark {...props} />;
  const Icon = (name && ICONS[name]) || Box;
  return <Icon aria-hidden {...props} />;
}

export function KindIcon({ kind, icon, ...props }: LucideProps & { kind: string; icon?: string }) {
  return <NamedIcon name={icon ?? KIND_ICONS[kind.toLowerCase()] ?? "box"} {...props} />;
}
