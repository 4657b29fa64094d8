"""Request and response bodies of `/actions`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gantry_core.api.types import Text

RunStatus = Literal["pending", "running", "success", "failed", "rejected"]


class ExecuteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inputs: dict[str, Any] = Field(default_factory=dict, description="Values for the action's inputs, by name")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text | None = Field(None, max_length=2000, description="Why (shown on the run and in the audit log)")


class ActionPermissionsOut(BaseModel):
    allowedRoles: list[str]
    allowedTeams: list[str]
    requireApproval: bool
    approvers: list[str]


class ActionOut(BaseModel):
    name: str
    namespace: str
    title: str | None
    description: str | None
    owner: str | None
    tags: list[str]
    type: str | None = Field(description="Executor type (webhook, internal, github-action, …)")
    category: str | None
    inputCount: int
    inputs: list[dict[str, Any]] = Field(description="The input definitions (spec.inputs)")
    permissions: ActionPermissionsOut
    updatedAt: str | None


class LogLine(BaseModel):
    timestamp: str | None
    level: str
    message: str


class RunOut(BaseModel):
    id: str
    actionName: str
    namespace: str
    type: str
    status: RunStatus
    inputs: dict[str, Any]
    triggeredBy: str
    approvedBy: str | None = Field(description="Who approved the run (runs that needed approval)")
    rejectedBy: str | None = Field(description="Who rejected the run")
    reason: str | None = Field(description="The approver's reason")
    createdAt: str | None
    startedAt: str | None
    finishedAt: str | None
    output: Any = Field(description="What the executor returned (webhook: status code and response excerpt)")
    logs: list[LogLine]
    error: str | None
