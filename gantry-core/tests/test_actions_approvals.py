"""Approvals (F155): a run of an action with `requireApproval` waits as `pending` until one of its
`approvers` (a username, or a member of a listed Team) approves or rejects it; nobody decides on their
own run; every decision is audited."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import httpx
from gantry_core.db import tables
from gantry_core.plugins import ActionType, PluginManifest, hookimpl
from gantry_core.testing import Gantry, Harness

SERVICE_TEMPLATE = {"kind": "Service", "metadata": {"name": "${inputs.name}"}, "spec": {"type": "backend"}}


def gated(name: str = "new-service", approvers: list[str] | None = None, **permissions: Any) -> dict[str, Any]:
    return {
        "apiVersion": "gantry.io/v1",
        "kind": "Action",
        "metadata": {"name": name},
        "spec": {
            "type": "internal",
            "inputs": [{"name": "name", "required": True}],
            "config": {"operation": "catalog.apply", "template": copy.deepcopy(SERVICE_TEMPLATE)},
            "permissions": {
                "requireApproval": True,
                "approvers": ["lead", "release"] if approvers is None else approvers,
                **permissions,
            },
        },
    }


RELEASE_TEAM = {
    "apiVersion": "gantry.io/v1",
    "kind": "Team",
    "metadata": {"name": "release"},
    "spec": {"members": [{"name": "rel-one"}, {"name": "Rel Two", "email": "rel-two@example.com"}]},
}


async def setup(gantry: Gantry, *documents: dict[str, Any]) -> None:
    admin = await gantry.client("admin")
    for document in documents or (gated(), RELEASE_TEAM):
        assert (await admin.post("/api/v1/entities", json=document)).status_code == 201


async def request(client: httpx.AsyncClient, name: str = "new-service", service: str = "payments") -> dict[str, Any]:
    response = await client.post(f"/api/v1/actions/{name}/execute", json={"inputs": {"name": service}})
    assert response.status_code == 201, response.text
    run: dict[str, Any] = response.json()
    return run


async def test_a_pending_run_waits_then_runs_when_a_team_member_approves(gantry: Gantry, kit: Any) -> None:
    await setup(gantry)
    requester = await gantry.client("developer", "dev")
    run = await request(requester)
    assert (run["status"], run["startedAt"], run["finishedAt"]) == ("pending", None, None)
    assert gantry.state.runs.in_flight == []
    assert (await requester.get("/api/v1/entities/service/payments")).status_code == 404

    approver = await gantry.client("developer", "rel-two")  # a member of Team release by e-mail
    waiting = (await approver.get("/api/v1/actions/approvals")).json()
    assert [r["id"] for r in waiting["items"]] == [run["id"]]
    assert waiting["total"] == 1
    assert (await requester.get("/api/v1/actions/approvals")).json()["items"] == []  # their own run
    assert (await (await gantry.client("developer", "bystander")).get("/api/v1/actions/approvals")).json()["total"] == 0

    response = await approver.post(f"/api/v1/actions/runs/{run['id']}/approve", json={"reason": "looks fine"})
    assert response.status_code == 200, response.text
    approved = response.json()
    assert (approved["status"], approved["approvedBy"], approved["reason"]) == ("running", "rel-two", "looks fine")
    assert approved["startedAt"] is not None
    await gantry.state.runs.wait(run["id"])
    done = (await requester.get(f"/api/v1/actions/new-service/runs/{run['id']}")).json()
    assert (done["status"], done["approvedBy"], done["triggeredBy"]) == ("success", "rel-two", "dev")
    service = (await requester.get("/api/v1/entities/service/payments")).json()
    assert service["metadata"]["createdBy"] == "dev"  # the run acts for the requester

    [decision] = await kit.audit(gantry, "approve")
    assert (decision["user_name"], decision["resource_type"], decision["resource_name"]) == (
        "rel-two",
        "Action",
        "new-service",
    )
    assert decision["details"] == {"runId": run["id"], "requestedBy": "dev", "reason": "looks fine"}
    [executed] = await kit.audit(gantry, "execute")
    assert executed["details"]["status"] == "pending"

    again = await approver.post(f"/api/v1/actions/runs/{run['id']}/approve")
    assert (again.status_code, again.json()["code"]) == (409, "not_pending")
    assert (await approver.get("/api/v1/actions/approvals")).json()["total"] == 0


async def test_reject_records_who_and_why_and_runs_nothing(gantry: Gantry, kit: Any) -> None:
    await setup(gantry)
    run = await request(await gantry.client("developer", "dev"))
    lead = await gantry.client("developer", "lead")  # an approver by username
    response = await lead.post(f"/api/v1/actions/runs/{run['id']}/reject", json={"reason": "not this week"})
    assert response.status_code == 200
    rejected = response.json()
    assert (rejected["status"], rejected["rejectedBy"], rejected["approvedBy"]) == ("rejected", "lead", None)
    assert (rejected["reason"], rejected["startedAt"]) == ("not this week", None)
    assert rejected["finishedAt"] is not None
    assert gantry.state.runs.in_flight == []
    assert (await lead.get("/api/v1/entities/service/payments")).status_code == 404
    [decision] = await kit.audit(gantry, "reject")
    assert (decision["user_name"], decision["details"]["reason"]) == ("lead", "not this week")
    late = await lead.post(f"/api/v1/actions/runs/{run['id']}/approve")
    assert (late.status_code, late.json()["code"]) == (409, "not_pending")
    listed = (await lead.get("/api/v1/actions/runs", params={"status": "rejected"})).json()
    assert [r["id"] for r in listed["items"]] == [run["id"]]


async def test_nobody_decides_on_their_own_run(gantry: Gantry, kit: Any) -> None:
    await setup(gantry)
    lead = await gantry.client("developer", "lead")
    run = await request(lead)  # an approver asking for a run
    for decision in ("approve", "reject"):
        response = await lead.post(f"/api/v1/actions/runs/{run['id']}/{decision}")
        assert (response.status_code, response.json()["code"]) == (403, "action_forbidden")
        assert "own run" in response.json()["error"]
    assert (await lead.get("/api/v1/actions/approvals")).json()["total"] == 0
    [row] = await kit.rows(gantry, tables.action_runs)
    assert (row["status"], row["approved_by"]) == ("pending", None)
    assert await kit.audit(gantry, "approve") == [] and await kit.audit(gantry, "reject") == []


async def test_only_approvers_decide(gantry: Gantry, kit: Any) -> None:
    await setup(gantry)
    run = await request(await gantry.client("developer", "dev"))
    url = f"/api/v1/actions/runs/{run['id']}/approve"
    outsider = await (await gantry.client("developer", "outsider")).post(url)
    assert (outsider.status_code, outsider.json()["code"]) == (403, "action_forbidden")
    admin = await (await gantry.client("admin", "root")).post(url)  # admins are not approvers unless listed
    assert (admin.status_code, admin.json()["code"]) == (403, "action_forbidden")
    viewer = await (await gantry.client("viewer", "rel-one")).post(url)  # a member, but approving needs developer
    assert (viewer.status_code, viewer.json()["code"]) == (403, "forbidden")
    assert (await gantry.anonymous().post(url)).status_code == 401
    missing = await (await gantry.client("developer", "lead")).post("/api/v1/actions/runs/no-such-run/approve")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    [row] = await kit.rows(gantry, tables.action_runs)
    assert row["status"] == "pending"


async def test_without_listed_approvers_admins_decide(gantry: Gantry) -> None:
    await setup(gantry, gated(approvers=[]))
    run = await request(await gantry.client("developer", "dev"))
    developer = await (await gantry.client("developer", "other")).post(f"/api/v1/actions/runs/{run['id']}/reject")
    assert developer.status_code == 403
    admin = await gantry.client("admin", "root")
    assert [r["id"] for r in (await admin.get("/api/v1/actions/approvals")).json()["items"]] == [run["id"]]
    assert (await admin.post(f"/api/v1/actions/runs/{run['id']}/reject")).json()["status"] == "rejected"


async def test_an_action_changed_after_the_request_cannot_be_approved(gantry: Gantry, kit: Any) -> None:
    await setup(gantry)
    run = await request(await gantry.client("developer", "dev"))
    edited = gated()
    edited["spec"]["config"]["template"]["spec"]["type"] = "worker"
    assert (
        await (await gantry.client("developer", "dev")).put("/api/v1/entities/action/new-service", json=edited)
    ).status_code == 200
    lead = await gantry.client("developer", "lead")
    response = await lead.post(f"/api/v1/actions/runs/{run['id']}/approve")
    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    assert (await lead.post(f"/api/v1/actions/runs/{run['id']}/reject")).json()["status"] == "rejected"


class Dispatcher:
    """A third-party plugin executing `github-action` actions."""

    @hookimpl
    def gantry_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(id="dispatcher", title="Dispatcher", version="1.0.0")

    @hookimpl
    def gantry_register_action_types(self) -> list[ActionType]:
        return [ActionType(name="github-action", execute=self.execute)]

    async def execute(self, ctx: Any, action: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        return {"dispatched": dict(inputs)}


async def test_approval_waits_while_the_executor_is_disabled(gantry_harness: Harness, kit: Any) -> None:
    async with gantry_harness(plugins=[Dispatcher()]) as gantry:
        await gantry.set_plugin_enabled("dispatcher")
        deploy = gated("deploy")
        deploy["spec"].update(type="github-action", config={"workflow": "deploy.yml"})
        await setup(gantry, deploy)
        run = await request(await gantry.client("developer", "dev"), "deploy")
        await gantry.set_plugin_enabled("dispatcher", enabled=False)
        lead = await gantry.client("developer", "lead")
        response = await lead.post(f"/api/v1/actions/runs/{run['id']}/approve")
        assert (response.status_code, response.json()["code"]) == (409, "executor_unavailable")
        [row] = await kit.rows(gantry, tables.action_runs)
        assert (row["status"], row["approved_by"]) == ("pending", None)

        await gantry.set_plugin_enabled("dispatcher")
        assert (await lead.post(f"/api/v1/actions/runs/{run['id']}/approve")).json()["status"] == "running"
        await gantry.state.runs.wait(run["id"])
        done = (await lead.get(f"/api/v1/actions/deploy/runs/{run['id']}")).json()
        assert (done["status"], done["output"]) == ("success", {"dispatched": {"name": "payments"}})


async def test_approvals_are_paginated_and_bodies_checked(gantry: Gantry) -> None:
    await setup(gantry)
    requester = await gantry.client("developer", "dev")
    ids = [(await request(requester, service=f"svc-{i}"))["id"] for i in range(3)]
    lead = await gantry.client("developer", "lead")
    first = (await lead.get("/api/v1/actions/approvals", params={"limit": 2})).json()
    second = (await lead.get("/api/v1/actions/approvals", params={"limit": 2, "cursor": first["next"]})).json()
    assert [r["id"] for r in first["items"] + second["items"]] == list(reversed(ids))
    assert (first["total"], second["total"], second["next"]) == (3, 3, None)
    bad_cursor = await lead.get("/api/v1/actions/approvals", params={"cursor": "garbage"})
    assert (bad_cursor.status_code, bad_cursor.json()["code"]) == (400, "invalid_cursor")

    url = f"/api/v1/actions/runs/{ids[0]}/reject"
    too_long = await lead.post(url, json={"reason": "x" * 2001})
    assert (too_long.status_code, too_long.json()["details"][0]["path"]) == (422, "/reason")
    unknown_field = await lead.post(url, json={"why": "because"})
    assert (unknown_field.status_code, unknown_field.json()["details"][0]["path"]) == (422, "/why")
    assert (await lead.post(url, json={"reason": "a\x00b"})).status_code == 422
    assert (await lead.post(url)).json()["status"] == "rejected"
