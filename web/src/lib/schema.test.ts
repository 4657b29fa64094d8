import { describe, expect, it } from "vitest";
import { defaultValue, fieldKind, isSecret, labelFor, prune, resolve, unwrapNullable, validate } from "./schema";
import type { JsonSchema } from "./types";

const root: JsonSchema = {
  type: "object",
  required: ["name", "link"],
  properties: {
    name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" },
    link: { $ref: "#/$defs/Link" },
    size: { anyOf: [{ type: "integer", minimum: 1 }, { type: "null" }] },
  },
  $defs: { Link: { type: "object", required: ["url"], properties: { url: { type: "string" }, icon: { type: "string", enum: ["a", "b"], default: "a" } } } },
};

describe("schema helpers", () => {
  it("resolves $ref and unwraps Optional", () => {
    expect(resolve(root.properties!.link, root).required).toEqual(["url"]);
    const { schema, nullable } = unwrapNullable(root.properties!.size, root);
    expect(nullable).toBe(true);
    expect(schema.type).toBe("integer");
  });

  it("picks widgets", () => {
    expect(fieldKind({ type: "string", enum: ["x"] })).toBe("enum");
    expect(fieldKind({ type: "object", additionalProperties: { type: "string" } })).toBe("map");
    expect(fieldKind({ type: "object", additionalProperties: true })).toBe("json");
    expect(fieldKind({ type: "string", maxLength: 10000 })).toBe("text");
  });

  it("replaces pydantic's mechanical titles with readable labels", () => {
    expect(labelFor("repoUrl", { title: "Repourl" })).toBe("Repo URL");
    expect(labelFor("type", { title: "Kind of thing" })).toBe("Kind of thing");
    expect(labelFor("providesApis", {})).toBe("Provides APIs");
  });

  it("spots secrets", () => {
    expect(isSecret("personalAccessToken", { type: "string" })).toBe(true);
    expect(isSecret("x", { type: "string", format: "password" })).toBe(true);
    expect(isSecret("orgName", { type: "string" })).toBe(false);
  });

  it("builds defaults for required and defaulted fields", () => {
    expect(defaultValue(root, root)).toEqual({ link: { icon: "a" } });
    expect(defaultValue(root.$defs!.Link.properties!.icon, root)).toBe("a");
  });

  it("validates required fields, patterns and ranges with JSON pointer paths", () => {
    const errors = validate(root, { name: "Not Kebab", link: {}, size: 0 }, root);
    expect(errors).toEqual([
      { path: "/name", message: "use lowercase letters, digits and dashes (kebab-case)" },
      { path: "/link/url", message: "is required" },
      { path: "/size", message: "must be ≥ 1" },
    ]);
  });

  it("prunes empty values", () => {
    expect(prune({ a: "", b: [], c: {}, d: { e: "" }, f: 0, g: false, h: ["x", ""] })).toEqual({ f: 0, g: false, h: ["x"] });
  });
});
