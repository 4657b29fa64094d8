/** Small formatting helpers shared by the pages. */

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 minutes ago", "yesterday", "just now". */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const seconds = Math.round((t - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  for (const [unit, size] of units) {
    if (abs >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds / 60), "minute");
}

// One formatter for every call: toLocaleString() builds a new one each time (a visible cost over a 50-row table).
let dateTimeFormat: Intl.DateTimeFormat | undefined;

export function absoluteTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  dateTimeFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  return dateTimeFormat.format(d);
}

export function duration(start: string | null | undefined, end: string | null | undefined): string {
  if (!start) return "—";
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  if (Number.isNaN(ms) || ms < 0) return "—";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s % 60)} s`;
}

const ACRONYMS = new Set(["url", "api", "apis", "id", "ip", "ca", "sso", "oauth", "pem", "tls", "pat", "dns"]);

/** `repoUrl` → "Repo URL", `healthCheckUrl` → "Health check URL", `sync_interval` → "Sync interval". */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  return words
    .map((w, i) => {
      if (ACRONYMS.has(w)) return w === "apis" ? "APIs" : w === "oauth" ? "OAuth" : w.toUpperCase();
      return i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w;
    })
    .join(" ");
}

export function pluralize(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

export function compactNumber(n: number): string {
  return compact.format(n);
}

/** Route of an entity page. */
export function entityHref(kind: string, name: string, namespace?: string | null): string {
  const base = `/catalog/${encodeURIComponent(kind.toLowerCase())}/${encodeURIComponent(name)}`;
  return namespace && namespace !== "default" ? `${base}?namespace=${encodeURIComponent(namespace)}` : base;
}

/** `service/payment-api` (F53 node id) → {kind, name}. */
export function parseNodeId(id: string): { kind: string; name: string } {
  const i = id.indexOf("/");
  return i < 0 ? { kind: "", name: id } : { kind: id.slice(0, i), name: id.slice(i + 1) };
}
