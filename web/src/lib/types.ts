/** Shapes of the Gantry HTTP API (SPEC §3–§9, §18, §20). Kept by hand, field names as the server sends them. */

export type Role = "viewer" | "developer" | "platform-engineer" | "admin";

export const ROLES: Role[] = ["viewer", "developer", "platform-engineer", "admin"];

export interface ErrorDetail {
  path: string;
  message: string;
}

export interface ErrorBody {
  error: string;
  code: string;
  details?: ErrorDetail[];
}

/** F58: every list. */
export interface Page<T> {
  items: T[];
  total: number;
  next: string | null;
}

// -- identity (F60-F68) ---------------------------------------------------------------------------------

export interface Permissions {
  read: boolean;
  write: boolean;
  execute: boolean;
  delete: boolean;
  configure: boolean;
  admin: boolean;
}

export interface Me {
  userId: number;
  username: string;
  displayName: string | null;
  email: string | null;
  role: Role;
  effectiveRole: Role;
  groups: string[];
  permissions: Permissions;
  /** How this request authenticated: session cookie, bearer JWT or API key. */
  authMethod: string;
}

export interface User {
  id: number;
  username: string;
  displayName: string | null;
  email: string | null;
  role: Role;
  createdAt: string | null;
  lastLoginAt: string | null;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  user: User;
}

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  /** Username of the key's owner. */
  user: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface ApiKeyCreated extends ApiKey {
  key: string;
}

export interface Group {
  id: number;
  name: string;
  role: Role;
  members: string[];
  createdAt: string;
  updatedAt: string;
}

export interface SsoConfig {
  ssoEnabled: boolean;
}

// -- entities (F28-F39, F152) ---------------------------------------------------------------------------

export interface EntityMetadata {
  name: string;
  namespace?: string;
  title?: string;
  description?: string;
  owner?: string;
  tags?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  createdAt?: string;
  updatedAt?: string;
  createdBy?: string;
  resourceVersion?: string;
  managedBy?: string;
}

export interface Entity<S = Record<string, unknown>> {
  apiVersion: string;
  kind: string;
  metadata: EntityMetadata;
  spec: S;
}

export interface EntityRef {
  kind: string;
  name: string;
  namespace?: string;
}

export interface Link {
  title: string;
  url: string;
  icon?: string;
}

export interface EntityListParams {
  kind?: string;
  namespace?: string;
  owner?: string;
  tag?: string;
  lifecycle?: string;
  label?: string;
  q?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

export interface FacetValue {
  value: string;
  count: number;
}

export type Facets = Record<string, FacetValue[]>;

export interface SearchHit {
  kind: string;
  namespace: string;
  name: string;
  title?: string | null;
  description?: string | null;
  owner?: string | null;
  tags?: string[];
}

export interface GraphNode {
  id: string;
  kind: string;
  name: string;
  namespace?: string;
  title?: string | null;
  missing?: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  type: string;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated?: boolean;
}

export type GraphDirection = "out" | "in" | "both";

// -- kinds (F41) ----------------------------------------------------------------------------------------

export interface KindReference {
  field: string;
  relation: string;
  targetKind: string | null;
}

export interface KindSchema {
  kind: string;
  plural: string;
  shortNames: string[];
  description: string;
  icon: string;
  plugin?: string;
  listColumns: string[];
  references: KindReference[];
  schema: JsonSchema;
}

/** The subset of JSON Schema (draft 2020-12) the forms understand. */
export interface JsonSchema {
  $schema?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  readOnly?: boolean;
  writeOnly?: boolean;
  examples?: unknown[];
  [key: string]: unknown;
}

// -- audit & activity (F83, F154) -----------------------------------------------------------------------

/** GET /audit (admins, with the IP address) and the activity feeds (GET /activity, …/{name}/activity, with `type`). */
export interface AuditEntry {
  id: number;
  timestamp: string;
  userName: string | null;
  /** create, update, delete, execute, login, user.create, plugin.configure, … */
  action: string;
  resourceType: string | null;
  resourceNamespace: string | null;
  resourceName: string | null;
  source: "api" | "cli" | "plugin" | "system" | "mcp" | string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  details: Record<string, unknown> | null;
  /** Audit log only. */
  ipAddress?: string | null;
  /** Activity feeds only: entity.created, entity.updated, entity.synced, entity.deleted, action.executed. */
  type?: string;
}

export interface AuditParams {
  kind?: string;
  name?: string;
  namespace?: string;
  user?: string;
  action?: string | string[];
  source?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export interface HistoryItem {
  kind: string;
  name: string;
  namespace: string;
  title: string | null;
  viewedAt: string;
  /** False once the entity has been deleted. */
  exists: boolean;
}

export interface EntityStats {
  total: number;
  byKind: Record<string, number>;
}

// -- dashboard (F85) ------------------------------------------------------------------------------------

export interface Announcement {
  title: string;
  message: string;
  severity: "info" | "warning" | "critical";
}

export type WidgetId = "entity_stats" | "recent_activity" | "recently_browsed" | "service_status";

export interface DashboardConfig {
  widgets: { id: WidgetId; enabled: boolean }[];
  announcements: Announcement[];
}

export interface HealthCheckResult {
  up: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

// -- actions (F71-F82, F155) ----------------------------------------------------------------------------

export interface ActionInput {
  name: string;
  title?: string;
  type: "string" | "textarea" | "number" | "boolean" | "select";
  description?: string;
  required?: boolean;
  default?: unknown;
  options?: string[];
}

export interface ActionPermissions {
  allowedRoles?: Role[];
  allowedTeams?: string[];
  requireApproval?: boolean;
  approvers?: string[];
}

export interface ActionSpec {
  type: string;
  category?: string;
  inputs?: ActionInput[];
  config?: Record<string, unknown>;
  permissions?: ActionPermissions;
  links?: Link[];
}

/** GET /actions items: an Action entity flattened for the Actions page. */
export interface ActionSummary {
  name: string;
  namespace: string;
  title: string | null;
  description: string | null;
  owner: string | null;
  tags: string[];
  type: string | null;
  category: string | null;
  inputCount: number;
  inputs: ActionInput[];
  permissions: Required<ActionPermissions>;
  updatedAt: string | null;
}

export interface RunLogLine {
  timestamp: string | null;
  level: string;
  message: string;
}

export type RunStatus = "pending" | "running" | "success" | "failed" | "rejected";

export interface ActionRun {
  id: string;
  actionName: string;
  namespace: string;
  /** The executor type (webhook, internal, github-action, …). */
  type: string;
  status: RunStatus;
  inputs: Record<string, unknown>;
  triggeredBy: string;
  approvedBy: string | null;
  rejectedBy: string | null;
  /** The approver's reason. */
  reason: string | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  output: unknown;
  logs: RunLogLine[];
  error: string | null;
}

// -- plugins (F90-F98, F157, F158) ----------------------------------------------------------------------

/** `available` = installed but not enabled (a disabled plugin keeps its config); `error` = failed to load or start. */
export type PluginStatus = "available" | "enabled" | "error";

export interface PluginRoute {
  method: string;
  path: string;
}

export interface PluginInfo {
  id: string;
  title: string;
  description: string;
  version: string;
  distribution: string;
  category: string;
  icon: string;
  status: PluginStatus;
  builtin: boolean;
  error: string | null;
  configSchema: JsonSchema | null;
  kinds: string[];
  routes: PluginRoute[];
  jobs: string[];
  actionTypes: string[];
  uiExtensions: string[];
}

/** GET/PUT /plugins/{id}/config: the config document itself, secrets as SECRET_REDACTED. */
export type PluginConfig = Record<string, unknown>;

/** POST /plugins/{id}/sync → 202: the first run's id and every started run's id. */
export interface SyncStarted {
  id: string;
  ids: string[];
  status: "running";
}

export type SyncRunStatus = "running" | "success" | "partial" | "failed" | "cancelled";

export interface SyncRun {
  id: string;
  job: string;
  status: SyncRunStatus;
  triggeredBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: string[];
}

export type UISlot = "nav.item" | "entity.tab" | "entity.card" | "entity.action" | "catalog.column" | "settings.page";
export type UIRenderer = "table" | "key-value" | "status" | "links" | "markdown" | "log-stream" | "form";

export interface UICondition {
  kinds?: string[];
  annotations?: string[];
  specFields?: string[];
}

/** One item of GET /ui/manifest (F158). */
export interface UIExtension {
  id: string;
  plugin: string;
  slot: UISlot;
  title: string;
  renderer: UIRenderer | null;
  /** `/plugins/{plugin}/static/<file>.js[#Export]`, or null for a built-in renderer. */
  component: string | null;
  /** `/api/v1/plugins/{plugin}/…` with `{kind}`, `{namespace}`, `{name}` (and more) to fill from the entity. */
  dataUrl: string | null;
  when: UICondition;
  order: number;
  options: Record<string, unknown>;
}

export interface SecretInfo {
  name: string;
  createdAt: string | null;
  updatedAt: string | null;
}

// -- WebSocket (F89) ------------------------------------------------------------------------------------

export interface WsMessage {
  type: string;
  payload: unknown;
}

export const SECRET_REDACTED = "__GANTRY_SECRET_REDACTED__";

// -- batch apply (F153) ---------------------------------------------------------------------------------

export interface ApplyResult {
  kind: string | null;
  namespace: string | null;
  name: string | null;
  status: "created" | "updated" | "unchanged" | "invalid" | "error" | "valid" | "skipped";
  error?: string;
  code?: string;
  details?: ErrorDetail[];
}

export interface ApplyResponse {
  results: ApplyResult[];
  summary: { created: number; updated: number; unchanged: number; failed: number };
  dryRun: boolean;
}
