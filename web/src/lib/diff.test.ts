import { describe, expect, it } from "vitest";
import { diff } from "./diff";

describe("diff", () => {
  it("lists added, removed and changed leaves, ignoring server bookkeeping", () => {
    const before = { metadata: { name: "a", tags: ["x"], updatedAt: "1" }, spec: { type: "backend", links: [{ url: "u1" }] } };
    const after = { metadata: { name: "a", tags: ["x", "y"], updatedAt: "2", owner: "t" }, spec: { links: [{ url: "u2" }] } };
    expect(diff(before, after)).toEqual([
      { path: "/metadata/tags", kind: "changed", before: ["x"], after: ["x", "y"] },
      { path: "/spec/type", kind: "removed", before: "backend" },
      { path: "/spec/links/0/url", kind: "changed", before: "u1", after: "u2" },
      { path: "/metadata/owner", kind: "added", after: "t" },
    ]);
  });

  it("treats a create as all additions", () => {
    expect(diff(null, { a: 1 })).toEqual([{ path: "/a", kind: "added", after: 1 }]);
  });
});
