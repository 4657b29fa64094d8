import { afterEach, describe, expect, it, vi } from "vitest";
import { act, renderHook } from "@testing-library/react";
import { QueryClient } from "@tanstack/react-query";
import { applyMessage, useLiveStatus, useLiveUpdates } from "./live";

/** A scripted stand-in for the browser's WebSocket: the test plays the server's side. */
class ScriptedSocket {
  static all: ScriptedSocket[] = [];
  static readonly OPEN = 1;
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(public url: string) {
    ScriptedSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  ScriptedSocket.all = [];
});

describe("live updates", () => {
  it("puts an updated entity in the cache and refreshes lists", () => {
    const client = new QueryClient();
    const invalidated: unknown[][] = [];
    const doc = { apiVersion: "gantry.io/v1", kind: "Service", metadata: { name: "pay", namespace: "default", title: "Pay" }, spec: {} };
    applyMessage(client, { type: "entity.updated", payload: doc }, (k) => invalidated.push(k));
    expect(client.getQueryData(["entity", "service", "default", "pay"])).toEqual(doc);
    expect(invalidated).toContainEqual(["entities"]);
    expect(invalidated).toContainEqual(["facets"]);
  });

  it("drops a deleted entity from the cache", () => {
    const client = new QueryClient();
    client.setQueryData(["entity", "service", "default", "pay"], { x: 1 });
    applyMessage(client, { type: "entity.deleted", payload: { kind: "Service", name: "pay", namespace: "default" } }, () => undefined);
    expect(client.getQueryData(["entity", "service", "default", "pay"])).toBeUndefined();
  });

  it("refreshes runs and approvals on run events", () => {
    const client = new QueryClient();
    const invalidated: unknown[][] = [];
    applyMessage(client, { type: "run.updated", payload: { id: 3, status: "success" } }, (k) => invalidated.push(k));
    expect(invalidated).toEqual([["runs"], ["approvals"]]);
  });

  it("says Live only once the server has confirmed every subscription, and refetches after a reconnect", () => {
    vi.useFakeTimers();
    vi.stubGlobal("WebSocket", ScriptedSocket);
    const client = new QueryClient();
    const refreshed: unknown[] = [];
    vi.spyOn(client, "invalidateQueries").mockImplementation(async (filters) => void refreshed.push(filters?.queryKey));
    const status = renderHook(() => useLiveStatus());
    renderHook(() => useLiveUpdates(client, true));

    const first = ScriptedSocket.all[0];
    expect(status.result.current).toBe("connecting");
    act(() => first.open());
    expect(first.sent).toEqual(["entities", "runs", "plugins"].map((channel) => ({ action: "subscribe", channel })));
    // The socket is open but the server has not registered the subscriptions yet: events could still be missed.
    expect(status.result.current).toBe("connecting");
    act(() => first.receive({ type: "subscribed", payload: { channel: "entities" } }));
    act(() => first.receive({ type: "subscribed", payload: { channel: "runs" } }));
    expect(status.result.current).toBe("connecting");
    act(() => first.receive({ type: "subscribed", payload: { channel: "plugins" } }));
    expect(status.result.current).toBe("open");
    act(() => vi.advanceTimersByTime(1000));
    expect(refreshed).toEqual([]); // a first connection has missed nothing

    act(() => first.drop());
    expect(status.result.current).toBe("closed");
    act(() => vi.advanceTimersByTime(2000));
    const second = ScriptedSocket.all[1];
    expect(second).toBeDefined();
    act(() => second.open());
    for (const channel of ["entities", "runs", "plugins"]) act(() => second.receive({ type: "subscribed", payload: { channel } }));
    expect(status.result.current).toBe("open");
    act(() => vi.advanceTimersByTime(300));
    // Whatever changed while the tab was away is fetched again.
    expect(refreshed).toEqual(expect.arrayContaining([["entities"], ["entity"], ["runs"], ["plugins"]]));
  });
});
