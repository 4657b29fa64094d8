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
  configure?: boolean;
  admin: boolean;
}

export interface Me {
  userId: number;
  username: string;
  displayName?: string | null;
  email?: string | null;
  role: Role;
  effectiveRole: Role;
  groups: string[];
  permissions: Permissions;
  authMethod?: string;
}

export interface User {
  id: number;
  username: string;
  displayName: string | null;
  email: string | null;
  role: Role;
  createdAt?: string | null;
  lastLoginAt?: string | null;
}

export interface LoginResponse {
  token: string;
  expiresAt?: string;
  user: User;
}

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  user?: string;
  createdAt: string;
  expiresAt?: string | null;
  lastUsedAt?: string | null;
}

export interface ApiKeyCreated extends ApiKey {
  key: string;
}

export interface Group {
  id: number;
  name: string;
  role: Role;
  members: string[];
  createdAt?: string;
  updatedAt?: string;
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

export interface AuditEntry {
  id: number | string;
  timestamp: string;
  userName: string | null;
  action: string;
  resourceType: string | null;
  resourceName: string | null;
  resourceNamespace?: string | null;
  /** Activity feeds: entity.created, entity.updated, entity.synced, entity.deleted, action.executed. */
  type?: string;
  source?: string;
  ipAddress?: string | null;
  before?: unknown;
  after?: unknown;
  details?: unknown;
}

export interface AuditParams {
  kind?: string;
  name?: string;
  namespace?: string;
  user?: string;
  action?: string | string[];
  source?: string;
  since?: string;
  limit?: number;
  cursor?: string;
}

export interface HistoryItem {
  kind: string;
  name: string;
  namespace: string;
  title?: string | null;
  viewedAt: string;
  exists?: boolean;
}

export interface EntityStats {
  total: number;
  byKind: Record<string, number>;
}

// -- dashboard (F85) ------------------------------------------------------------------------------------

export interface Announcement {
  title: string;
  message: string;
  severity: "info" | "warning" | "critical" | string;
}

export interface DashboardConfig {
  widgets: { id: string; enabled: boolean }[];
  announcements: Announcement[];
}

export interface HealthCheckResult {
  up: boolean;
  statusCode: number | null;
  latencyMs: number | null;
  error?: string;
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
  permissions: ActionPermissions;
  updatedAt?: string | null;
}

export interface RunLogLine {
  timestamp: string | null;
  level: string;
  message: string;
}

export type RunStatus = "pending" | "running" | "success" | "failed" | "rejected";

export interface ActionRun {
  id: number | string;
  actionName: string;
  namespace?: string;
  status: RunStatus;
  inputs: Record<string, unknown>;
  triggeredBy: string;
  startedAt: string | null;
  finishedAt: string | null;
  output?: unknown;
  error?: string | null;
  approvedBy?: string | null;
  rejectedBy?: string | null;
  reason?: string | null;
  createdAt?: string | null;
  type?: string;
  logs?: RunLogLine[];
}

// -- plugins (F90-F98, F157, F158) ----------------------------------------------------------------------

export interface PluginInfo {
  id: string;
  title: string;
  description: string;
  version: string;
  distribution: string;
  category: string;
  icon: string;
  status: "enabled" | "disabled" | "available" | "error" | string;
  builtin: boolean;
  error: string | null;
  configSchema: JsonSchema | null;
  kinds: string[];
  routes: unknown[];
  jobs: string[];
  actionTypes: string[];
  uiExtensions: string[];
  enabled?: boolean;
}

export interface PluginConfig {
  enabled?: boolean;
  config: Record<string, unknown>;
}

export interface SyncRun {
  id: number | string;
  job: string;
  status: "running" | "success" | "failed" | string;
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

export interface UIExtension {
  id: string;
  plugin: string;
  slot: UISlot;
  title: string;
  renderer?: UIRenderer | null;
  component?: string | null;
  dataUrl?: string | null;
  when?: UICondition;
  order?: number;
  options?: Record<string, unknown>;
}

export interface UIManifest {
  extensions: UIExtension[];
}

export interface SecretInfo {
  name: string;
  createdAt?: string;
  updatedAt?: string;
}

// -- WebSocket (F89) ------------------------------------------------------------------------------------

export interface WsMessage {
  type: string;
  payload: unknown;
}

export const SECRET_REDACTED = "__GANTRY_SECRET_REDACTED__";
