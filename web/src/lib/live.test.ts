import { describe, expect, it } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { applyMessage } from "./live";

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
});
