import type { RunStatus } from "@/lib/types";
import { StatusDot, type Tone } from "./ui";

const TONES: Record<string, Tone> = { success: "accent", failed: "danger", rejected: "danger", running: "accent", pending: "neutral" };
const LABELS: Record<string, string> = { success: "Succeeded", failed: "Failed", rejected: "Rejected", running: "Running", pending: "Pending approval" };

export function RunStatusBadge({ status }: { status: RunStatus | string }) {
  return (
    <StatusDot tone={TONES[status] ?? "muted"} pulse={status === "running" || status === "pending"}>
      <span className="font-medium">{LABELS[status] ?? status}</span>
    </StatusDot>
  );
}

export function isActive(status: string): boolean {
  return status === "running" || status === "pending";
}
