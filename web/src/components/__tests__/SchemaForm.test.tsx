import { useState } from "react";
import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SchemaForm } from "../SchemaForm";
import { SECRET_REDACTED, type ErrorDetail, type JsonSchema } from "@/lib/types";
import { SERVICE_SCHEMA } from "@/test/server";

function Harness({ schema, initial, errors, hidden }: { schema: JsonSchema; initial: unknown; errors?: ErrorDetail[]; hidden?: string[] }) {
  const [value, setValue] = useState(initial);
  return (
    <>
      <SchemaForm schema={schema} value={value} onChange={setValue} errors={errors} hidden={hidden} />
      <output data-testid="value">{JSON.stringify(value)}</output>
    </>
  );
}

const value = () => JSON.parse(screen.getByTestId("value").textContent ?? "null");

describe("SchemaForm", () => {
  it("builds labelled fields from the kind's schema and edits the document", async () => {
    const user = userEvent.setup();
    render(<Harness schema={SERVICE_SCHEMA.schema as JsonSchema} initial={{ apiVersion: "gantry.io/v1", kind: "Service", metadata: {}, spec: {} }} hidden={["/apiVersion", "/kind"]} />);
    await user.type(screen.getByLabelText(/^Name/), "pay-api");
    await user.selectOptions(screen.getByLabelText(/^Type/), "backend");
    await user.type(screen.getByLabelText("Repo URL"), "https://git.example.com/pay");
    expect(value()).toEqual({
      apiVersion: "gantry.io/v1",
      kind: "Service",
      metadata: { name: "pay-api" },
      spec: { type: "backend", repoUrl: "https://git.example.com/pay" },
    });
  });

  it("edits string lists as chips and object lists as items", async () => {
    const user = userEvent.setup();
    render(<Harness schema={SERVICE_SCHEMA.schema as JsonSchema} initial={{ metadata: { name: "x" }, spec: { type: "backend" } }} />);
    await user.type(screen.getByLabelText("Tags"), "go{Enter}grpc,");
    await user.click(screen.getByRole("button", { name: "Add Link" }));
    const item = screen.getByRole("listitem");
    await user.type(within(item).getByLabelText(/^Title/), "Runbook");
    await user.type(within(item).getByLabelText(/^URL/), "https://wiki/x");
    expect(value().metadata.tags).toEqual(["go", "grpc"]);
    expect(value().spec.links).toEqual([{ icon: "other", title: "Runbook", url: "https://wiki/x" }]);
    await user.click(screen.getByRole("button", { name: "Remove go" }));
    expect(value().metadata.tags).toEqual(["grpc"]);
  });

  it("shows server validation errors under the field they name", () => {
    render(
      <Harness
        schema={SERVICE_SCHEMA.schema as JsonSchema}
        initial={{ metadata: { name: "x" }, spec: {} }}
        errors={[{ path: "/spec/type", message: "Field required" }, { path: "/metadata/name", message: "already taken" }]}
      />,
    );
    const type = screen.getByLabelText(/^Type/);
    expect(type).toHaveAttribute("aria-invalid", "true");
    expect(type).toHaveAccessibleDescription("Field required");
    expect(screen.getByLabelText(/^Name/)).toHaveAccessibleDescription("already taken");
  });

  it("keeps a stored secret redacted until it is replaced", async () => {
    const user = userEvent.setup();
    const schema: JsonSchema = {
      type: "object",
      properties: { orgName: { type: "string" }, token: { type: "string", format: "password", writeOnly: true } },
    };
    render(<Harness schema={schema} initial={{ orgName: "acme", token: SECRET_REDACTED }} />);
    expect(screen.getByText("Stored secret (unchanged)")).toBeInTheDocument();
    expect(value().token).toBe(SECRET_REDACTED);
    await user.click(screen.getByRole("button", { name: "Replace Token" }));
    await user.type(screen.getByLabelText(/^Token/), "s3cret");
    expect(value().token).toBe("s3cret");
    expect(screen.getByLabelText(/^Token/)).toHaveAttribute("type", "password");
  });

  it("renders booleans as switches and maps as key/value rows", async () => {
    const user = userEvent.setup();
    const schema: JsonSchema = {
      type: "object",
      properties: { insecure: { type: "boolean", description: "Skip TLS" }, labels: { type: "object", additionalProperties: { type: "string" } } },
    };
    render(<Harness schema={schema} initial={{}} />);
    await user.click(screen.getByRole("switch", { name: "Insecure" }));
    await user.click(screen.getByRole("button", { name: "Add entry" }));
    await user.type(screen.getByLabelText("Key"), "tier");
    await user.type(screen.getByLabelText("Value"), "1");
    expect(value()).toEqual({ insecure: true, labels: { tier: "1" } });
  });
});
