"""The `gantry` CLI, part 3: `gantry run ACTION` (SPEC F82, F78, F79, F155; issue: the `gantry` CLI).

Real actions on a real server: `internal` catalog.apply runs that succeed or fail, and a run waiting for
approval that `--wait --timeout` gives up on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from gantry_core.testing import test_database_url as postgres_url
from gantry_core.testing.cli import CliServer, GantryCli, cli_server
from gantry_core.testing.cli import failed as fails
from gantry_core.testing.cli import succeeded as ok

BACKENDS = ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]


def action(name: str, template_spec: dict[str, Any], **permissions: Any) -> dict[str, Any]:
    return {
        "apiVersion": "gantry.io/v1",
        "kind": "Action",
        "metadata": {"name": name},
        "spec": {
            "type": "internal",
            "inputs": [
                {"name": "name", "type": "string", "required": True},
                {"name": "replicas", "type": "number"},
                {"name": "public", "type": "boolean"},
            ],
            "config": {
                "operation": "catalog.apply",
                "template": {
                    "apiVersion": "gantry.io/v1",
                    "kind": "Service",
                    "metadata": {"name": "${inputs.name}", "description": "replicas: ${inputs.replicas}"},
                    "spec": template_spec,
                },
            },
            "permissions": permissions,
        },
    }


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliServer]:
    folder = tmp_path_factory.mktemp(f"cli-actions-{request.param}")
    with cli_server(folder, request.param) as running:
        actions = [
            action("create-service", {"type": "backend"}),
            action("broken-service", {"type": "no-such-type"}),
            action("needs-approval", {"type": "backend"}, requireApproval=True, approvers=["someone-else"]),
        ]
        (folder / "actions.yaml").write_text(yaml.safe_dump_all(actions))
        ok(GantryCli(folder / "home", server=running.url, token=running.keys["developer"])("apply", "-f", str(folder)))
        yield running


@pytest.fixture
def gantry(server: CliServer, tmp_path: Path) -> GantryCli:
    return GantryCli(tmp_path / "home", server=server.url, token=server.keys["developer"])


def test_run_and_wait_for_success(server: CliServer, gantry: GantryCli) -> None:
    result = gantry("run", "create-service", "--input", "name=made-by-run", "-i", "replicas=3", "--wait")
    output = yaml.safe_load(ok(result))
    assert output["outcome"] == "created" and output["entity"]["name"] == "made-by-run"
    assert "of create-service: " in result.stderr and "Run " in result.stderr
    assert "success" in result.stderr.splitlines()[-1]
    with server.api() as api:
        made = api.get("/api/v1/entities/service/made-by-run").json()
    assert made["metadata"]["description"] == "replicas: 3"


def test_run_inputs_are_typed_from_the_action(gantry: GantryCli) -> None:
    typed = ("-i", "name=typed", "-i", "replicas=2", "-i", "public=yes")
    run = json.loads(ok(gantry("run", "create-service", *typed, "--wait", "-o", "json")))
    assert run["status"] == "success"
    assert run["inputs"] == {"name": "typed", "replicas": 2, "public": True}
    assert any("catalog.apply Service/typed" in line["message"] for line in run["logs"])
    as_json = ("--inputs", '{"name": "from-json"}', "--wait", "-o", "json")
    assert json.loads(ok(gantry("run", "create-service", *as_json)))["inputs"]["name"] == "from-json"
    not_a_number = gantry("run", "create-service", "-i", "name=x", "-i", "replicas=many")
    assert "replicas=many: replicas is a number" in fails(not_a_number, code=2)
    assert "expected key=value" in fails(gantry("run", "create-service", "-i", "name"), code=2)
    assert "not valid JSON" in fails(gantry("run", "create-service", "--inputs", "{oops"), code=2)


def test_run_with_invalid_inputs_lists_each_field(gantry: GantryCli) -> None:
    error = fails(gantry("run", "create-service", "-i", "colour=blue"))
    assert "error: the inputs are not valid" in error
    assert "  /inputs/colour: " in error and "  /inputs/name: " in error


def test_a_failed_run_exits_1(gantry: GantryCli) -> None:
    result = gantry("run", "broken-service", "-i", "name=never", "--wait")
    error = fails(result)
    assert "failed" in error and "error: run " in error and error.rstrip().endswith("failed")


def test_without_wait_the_run_is_started_and_printed(gantry: GantryCli) -> None:
    result = gantry("run", "needs-approval", "-i", "name=later")
    ok(result)
    assert "of needs-approval: pending (waiting for approval)" in result.stderr
    run = json.loads(ok(gantry("run", "needs-approval", "-i", "name=later", "-o", "json")))
    assert run["status"] == "pending" and run["actionName"] == "needs-approval"
    as_yaml = yaml.safe_load(ok(gantry("run", "needs-approval", "-i", "name=later", "-o", "yaml")))
    assert as_yaml["status"] == "pending" and as_yaml["inputs"] == {"name": "later"}


def test_waiting_gives_up_at_the_timeout(gantry: GantryCli) -> None:
    error = fails(gantry("run", "needs-approval", "-i", "name=later", "--wait", "--timeout", "1"))
    assert "is still pending after 1 s (--timeout)" in error


def test_run_errors_are_actionable(server: CliServer, gantry: GantryCli) -> None:
    assert "not found" in fails(gantry("run", "no-such-action"))
    viewer = GantryCli(gantry.home, server=server.url, token=server.keys["viewer"])
    assert "permission denied: this requires the developer role or higher" in fails(
        viewer("run", "create-service", "-i", "name=x")
    )
