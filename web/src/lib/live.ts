/**
 * Live updates over the WebSocket (F50, F89). One connection per tab, subscribed to the entities, runs and
 * plugins channels; messages refresh the matching TanStack queries and mark changed rows so they can flash.
 */
import { useEffect, useSyncExternalStore } from "react";
import type { QueryClient } from "@tanstack/react-query";
import type { Entity, WsMessage } from "./types";

export type LiveStatus = "connecting" | "open" | "closed" | "unavailable";

const HIGHLIGHT_MS = 2500;
const statusListeners = new Set<() => void>();
const highlightListeners = new Set<() => void>();
let status: LiveStatus = "closed";
const highlighted = new Map<string, number>();

function setStatus(next: LiveStatus) {
  status = next;
  statusListeners.forEach((l) => l());
}

export function entityKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind.toLowerCase()}/${namespace || "default"}/${name}`;
}

export function markChanged(key: string): void {
  highlighted.set(key, Date.now());
  highlightListeners.forEach((l) => l());
  setTimeout(() => {
    const at = highlighted.get(key);
    if (at !== undefined && Date.now() - at >= HIGHLIGHT_MS - 5) {
      highlighted.delete(key);
      highlightListeners.forEach((l) => l());
    }
  }, HIGHLIGHT_MS);
}

/** True for a couple of seconds after a live message touched `key`. */
export function useHighlight(key: string): boolean {
  return useSyncExternalStore(
    (l) => {
      highlightListeners.add(l);
      return () => highlightListeners.delete(l);
    },
    () => highlighted.has(key),
  );
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (l) => {
      statusListeners.add(l);
      return () => statusListeners.delete(l);
    },
    () => status,
  );
}

const CHANNELS = ["entities", "runs", "plugins"] as const;
// The queries each channel's messages refresh (an entity's own detail query too, see applyMessage).
const ENTITY_QUERIES = ["entities", "facets", "graph", "activity", "search", "dashboard-counts", "actions"];
const RUN_QUERIES = ["runs", "approvals"];
const PLUGIN_QUERIES = ["plugins", "ui-manifest", "sync-runs"];
/** Everything a live message can refresh: after a reconnect, whatever was missed meanwhile. */
const ALL_LIVE_QUERIES = [...ENTITY_QUERIES, "entity", ...RUN_QUERIES, ...PLUGIN_QUERIES];

/**
 * The server answers each subscribe in order, so the answer for the last channel means every event from
 * now on reaches this tab: only then is the connection "open" (the header's "Live").
 */
function isLastSubscription(message: WsMessage): boolean {
  const payload = message.payload as { channel?: unknown } | null | undefined;
  return message.type === "subscribed" && payload?.channel === CHANNELS[CHANNELS.length - 1];
}

/** Apply one server message to the query cache. Exported for tests. */
export function applyMessage(client: QueryClient, message: WsMessage, invalidate: (key: unknown[]) => void): void {
  const { type, payload } = message;
  if (type.startsWith("entity.")) {
    const p = (payload ?? {}) as Partial<Entity> & { kind?: string; name?: string; namespace?: string };
    const kind = p.kind ?? "";
    const name = p.metadata?.name ?? p.name ?? "";
    const namespace = p.metadata?.namespace ?? p.namespace ?? "default";
    if (kind && name) {
      const detail = ["entity", kind.toLowerCase(), namespace, name];
      if (type === "entity.deleted") client.removeQueries({ queryKey: detail });
      else if (p.metadata) client.setQueryData(detail, payload);
      invalidate(["entity", kind.toLowerCase(), namespace, name, "activity"]);
      markChanged(entityKey(kind, namespace, name));
    }
    for (const key of ENTITY_QUERIES) invalidate([key]);
  } else if (type.startsWith("run.")) {
    for (const key of RUN_QUERIES) invalidate([key]);
    const run = payload as { id?: unknown; actionName?: string } | null;
    if (run?.id !== undefined) markChanged(`run/${String(run.id)}`);
  } else if (type.startsWith("plugin.")) {
    for (const key of PLUGIN_QUERIES) invalidate([key]);
  }
}

/** Keep one WebSocket open while mounted (signed in). Reconnects with backoff. */
export function useLiveUpdates(client: QueryClient, enabled: boolean): void {
  useEffect(() => {
    if (!enabled || typeof WebSocket === "undefined") return;
    let socket: WebSocket | null = null;
    let stopped = false;
    let attempt = 0; // connections lost since the last one the server confirmed
    let timer: ReturnType<typeof setTimeout> | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const pending = new Map<string, unknown[]>();

    // Bursts (a plugin sync writes hundreds of entities) refresh each query once, not per message.
    const invalidate = (key: unknown[]) => {
      pending.set(JSON.stringify(key), key);
      if (!flushTimer)
        flushTimer = setTimeout(() => {
          flushTimer = undefined;
          const keys = [...pending.values()];
          pending.clear();
          keys.forEach((queryKey) => void client.invalidateQueries({ queryKey }));
        }, 250);
    };

    const connect = () => {
      setStatus("connecting");
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws`);
      socket.onopen = () => {
        for (const channel of CHANNELS) socket?.send(JSON.stringify({ action: "subscribe", channel }));
      };
      socket.onmessage = (event) => {
        let message: WsMessage;
        try {
          message = JSON.parse(String(event.data)) as WsMessage;
        } catch {
          return; // ignore malformed frames
        }
        if (!message || typeof message.type !== "string") return;
        if (isLastSubscription(message)) {
          // Events sent while this tab was disconnected are gone: refetch what they would have refreshed.
          if (attempt > 0) ALL_LIVE_QUERIES.forEach((key) => invalidate([key]));
          attempt = 0;
          setStatus("open");
          return;
        }
        applyMessage(client, message, invalidate);
      };
      socket.onclose = () => {
        socket = null;
        if (stopped) return;
        attempt += 1;
        setStatus(attempt > 3 ? "unavailable" : "closed");
        const delay = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
        timer = setTimeout(connect, delay);
      };
    };
    connect();
    const ping = setInterval(() => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ action: "ping" }));
    }, 25_000);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(flushTimer);
      clearInterval(ping);
      socket?.close();
      setStatus("closed");
    };
  }, [client, enabled]);
}
