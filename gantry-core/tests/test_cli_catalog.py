"""The `gantry` CLI, part 2: the catalog — apply, get, describe, search, graph, delete, export, import
(SPEC F123, F124, F129, F130, F151, F153, F159, F163; issue: the `gantry` CLI).

One server per module; the tests run in file order and build on the catalog applied by the first one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from gantry_core.testing import test_database_url as postgres_url
from gantry_core.testing.cli import CliServer, GantryCli, cli_server, gantry_command
from gantry_core.testing.cli import failed as fails
from gantry_core.testing.cli import succeeded as ok

BACKENDS = ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]
KIND_ORDER = ["Team", "Environment", "Infrastructure", "Service", "API", "Documentation", "Action"]


def doc(kind: str, name: str, spec: dict[str, Any] | None = None, **metadata: Any) -> dict[str, Any]:
    return {"apiVersion": "gantry.io/v1", "kind": kind, "metadata": {"name": name, **metadata}, "spec": spec or {}}


def write_catalog(root: Path) -> Path:
    """A small catalog of every kind, spread over YAML (multi-document), JSON and a sub-folder, in the
    reverse of the order `apply` must write it."""
    root.mkdir(parents=True)
    (root / "a-actions.yaml").write_text(
        yaml.safe_dump(doc("Action", "deploy", {"type": "webhook", "config": {"url": "https://example.com/hook"}}))
    )
    (root / "b-docs.json").write_text(
        json.dumps(
            [
                doc("Documentation", "payments-runbook", {"type": "runbook", "url": "https://example.com/runbook"}),
                doc("API", "payments-rest", {"type": "rest"}, owner="payments"),
            ]
        )
    )
    services = [
        doc(
            "service",  # any case
            "payment-api",
            {
                "type": "backend",
                "lifecycle": "production",
                "system": "payments",
                "dependsOn": [{"kind": "Infrastructure", "name": "payments-db"}],
                "deployedIn": [{"kind": "Environment", "name": "production"}],
                "providesApis": ["payments-rest"],
            },
            owner="payments",
            title="Payment API",
            description="Takes the money",
            tags=["payments", "critical"],
            labels={"tier": "1"},
        ),
        doc(
            "Service",
            "checkout",
            {"type": "frontend", "dependsOn": [{"kind": "Service", "name": "payment-api"}]},
            owner="web",
            tags=["web"],
            labels={"tier": "2"},
        ),
        doc("Service", "ledger", {"type": "worker"}, owner="payments", namespace="finance"),
    ]
    (root / "c-services.yaml").write_text(yaml.safe_dump_all(services, sort_keys=False))
    nested = root / "platform"
    nested.mkdir()
    (nested / "infra.yaml").write_text(
        yaml.safe_dump_all(
            [
                doc("Infrastructure", "payments-db", {"type": "database", "provider": "AWS RDS"}, owner="payments"),
                doc("Environment", "production", {"type": "production", "region": "eu-west-1"}),
            ]
        )
    )
    (root / "d-teams.yml").write_text(
        yaml.safe_dump_all([doc("Team", "payments", {"slackChannel": "#payments"}), doc("Team", "web")])
    )
    (root / "notes.txt").write_text("not a catalog file")
    return root


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliServer]:
    with cli_server(tmp_path_factory.mktemp(f"cli-catalog-{request.param}"), request.param) as running:
        yield running


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("catalog") / "catalog")


@pytest.fixture
def gantry(server: CliServer, tmp_path: Path) -> GantryCli:
    """The CLI as a developer, configured through GANTRY_SERVER and GANTRY_TOKEN (as in CI, F123)."""
    return GantryCli(tmp_path / "home", server=server.url, token=server.keys["developer"])


@pytest.fixture
def viewer(server: CliServer, tmp_path: Path) -> GantryCli:
    return GantryCli(tmp_path / "viewer-home", server=server.url, token=server.keys["viewer"])


def rows(output: str) -> list[list[str]]:
    return [line.split() for line in output.splitlines()]


def entity(server: CliServer, kind: str, name: str, namespace: str = "default") -> dict[str, Any] | None:
    with server.api() as api:
        response = api.get(f"/api/v1/entities/{kind}/{name}", params={"namespace": namespace})
    return response.json() if response.status_code == 200 else None


# -- apply -------------------------------------------------------------------------------------------


def test_apply_writes_every_kind_in_order_and_prints_each_entity(
    server: CliServer, gantry: GantryCli, catalog: Path
) -> None:
    out = ok(gantry("apply", "-f", str(catalog), "-R"))
    lines = out.splitlines()
    applied = [line for line in lines if line.startswith("✓ Created ")]
    assert len(applied) == 10
    kinds = [line.split()[2].split("/")[0] for line in applied]
    assert kinds == sorted(kinds, key=KIND_ORDER.index)  # Teams → … → Actions (F123)
    assert "✓ Created Service/payment-api" in lines
    assert "✓ Created Service/ledger -n finance" in lines
    assert lines[-1] == "10 entities: 10 created, 0 updated, 0 unchanged, 0 failed."
    assert entity(server, "service", "ledger", "finance") is not None
    created = entity(server, "service", "payment-api")
    assert created is not None and created["metadata"]["labels"] == {"tier": "1"}


def test_apply_again_is_unchanged_and_a_change_is_an_update(gantry: GantryCli, catalog: Path, tmp_path: Path) -> None:
    out = ok(gantry("apply", "-f", str(catalog), "--recursive"))
    assert out.count("= Unchanged ") == 10
    assert out.splitlines()[-1] == "10 entities: 0 created, 0 updated, 10 unchanged, 0 failed."
    changed = tmp_path / "web.yaml"
    changed.write_text(yaml.safe_dump(doc("Team", "web", {"slackChannel": "#web"})))
    assert ok(gantry("apply", "-f", str(changed))).splitlines()[0] == "✓ Updated Team/web"


def test_apply_without_recursion_skips_sub_folders_and_reads_several_paths(gantry: GantryCli, catalog: Path) -> None:
    out = ok(gantry("apply", "-f", str(catalog)))
    assert "Infrastructure/payments-db" not in out and "Environment/production" not in out
    both = ok(gantry("apply", "-f", str(catalog / "d-teams.yml"), "-f", str(catalog / "platform" / "infra.yaml")))
    assert both.splitlines()[-1].startswith("4 entities:")


def test_apply_reads_stdin_and_accepts_get_output(server: CliServer, gantry: GantryCli) -> None:
    exported = ok(gantry("get", "services", "-o", "yaml"))
    assert "= Unchanged Service/payment-api" in ok(gantry("apply", "-f", "-", input=exported))
    as_json = ok(gantry("get", "teams", "-o", "json"))
    assert "= Unchanged Team/payments" in ok(gantry("apply", "-f", "-", input=as_json))


def test_apply_dry_run_validates_and_writes_nothing(server: CliServer, gantry: GantryCli, tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    path.write_text(yaml.safe_dump(doc("Team", "dry-team")))
    out = ok(gantry("apply", "-f", str(path), "--dry-run"))
    assert "✓ Valid Team/dry-team" in out
    assert "Dry run: 1 valid, 0 invalid; nothing was written." in out
    assert entity(server, "team", "dry-team") is None


def test_apply_reports_invalid_documents_with_file_index_and_paths(
    server: CliServer, gantry: GantryCli, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text(
        yaml.safe_dump_all(
            [doc("Team", "good-team"), doc("Service", "Bad_Name", {"type": "spaceship"}), doc("Team", "other-team")]
        )
    )
    result = gantry("apply", "-f", str(path))
    error = fails(result)
    assert f"✗ Invalid Service/Bad_Name ({path}, document 2): entity failed validation" in error
    assert "    /spec/type: must be one of: backend, frontend, fullstack, library, worker" in error
    assert "    /metadata/name: " in error
    assert "error: 1 of 3 documents failed" in error
    # The valid documents were written all the same.
    assert "✓ Created Team/good-team" in result.stdout and "✓ Created Team/other-team" in result.stdout
    assert "3 entities: 2 created, 0 updated, 0 unchanged, 1 failed." in result.stdout
    assert entity(server, "team", "good-team") is not None


def test_apply_reports_broken_files_and_applies_the_rest(server: CliServer, gantry: GantryCli, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "a.yaml").write_text(yaml.safe_dump(doc("Team", "beside-broken")))
    (folder / "b.yaml").write_text("kind: Team\nmetadata: {name: x\n")
    (folder / "c.json").write_text("[{")
    result = gantry("apply", "-f", str(folder))
    error = fails(result)
    assert f"✗ {folder / 'b.yaml'} is not valid YAML (line 3, column 1): " in error
    assert f"✗ {folder / 'c.json'} is not valid JSON" in error
    assert "error: 2 of 3 documents failed" in error
    assert result.stdout.splitlines() == [
        "✓ Created Team/beside-broken",
        "3 entities: 1 created, 0 updated, 0 unchanged, 2 failed.",
    ]
    assert entity(server, "team", "beside-broken") is not None
    assert entity(server, "team", "x") is None
    assert "no such file or folder: nowhere.yaml" in fails(gantry("apply", "-f", "nowhere.yaml"))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no documents found" in fails(gantry("apply", "-f", str(empty)))
    assert "give at least one -f" in fails(gantry("apply"), code=2)


def test_apply_orders_documents_of_mixed_and_misleading_files(gantry: GantryCli, tmp_path: Path) -> None:
    """Files are ordered by their `kind:` lines before parsing; a document that turns out to be of another
    kind (here hidden in flow style) still waits for its kind's turn."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    ns = {"namespace": "ordered"}
    (folder / "1-services.yaml").write_text(
        yaml.safe_dump(doc("Service", "ordered-svc", {"type": "backend"}, **ns))
        + "---\n{kind: Action, metadata: {name: ordered-action, namespace: ordered}, spec: {type: internal}}\n"
    )
    (folder / "2-mixed.yaml").write_text(
        yaml.safe_dump_all([doc("API", "ordered-api", {"type": "rest"}, **ns), doc("Team", "ordered-team", **ns)])
    )
    (folder / "3-env.json").write_text(json.dumps(doc("Environment", "ordered-env", {"type": "staging"}, **ns)))
    lines = ok(gantry("apply", "-f", str(folder))).splitlines()
    assert lines == [
        "✓ Created Team/ordered-team -n ordered",
        "✓ Created Environment/ordered-env -n ordered",
        "✓ Created Service/ordered-svc -n ordered",
        "✓ Created API/ordered-api -n ordered",
        "✓ Created Action/ordered-action -n ordered",
        "5 entities: 5 created, 0 updated, 0 unchanged, 0 failed.",
    ]


def test_apply_sends_large_sets_in_batches(server: CliServer, gantry: GantryCli, tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    many = [doc("Service", f"bulk-{i:04d}", {"type": "backend"}, owner="bulk", namespace="bulk") for i in range(1205)]
    path.write_text(yaml.safe_dump_all(many))
    out = ok(gantry("apply", "-f", str(path)))
    assert out.splitlines()[-1] == "1205 entities: 1205 created, 0 updated, 0 unchanged, 0 failed."
    # `get` follows pagination (500 a page) transparently.
    names = ok(gantry("get", "services", "-n", "bulk", "-o", "name")).split()
    assert len(names) == 1205 and names[0] == "Service/bulk-0000" and names[-1] == "Service/bulk-1204"


def test_apply_as_viewer_names_the_role_needed(viewer: GantryCli, catalog: Path) -> None:
    error = fails(viewer("apply", "-f", str(catalog / "d-teams.yml")))
    assert "error: permission denied: this requires the developer role or higher; you are viewer" in error


# -- get ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["services", "service", "svc", "Service", "SERVICES", "Svc"])
def test_get_takes_kind_names_aliases_in_any_case(viewer: GantryCli, kind: str) -> None:
    table = rows(ok(viewer("get", kind)))
    assert table[0] == ["NAME", "OWNER", "TYPE", "LIFECYCLE", "SYSTEM", "UPDATED"]
    assert [r[:5] for r in table[1:]] == [
        ["checkout", "web", "frontend", "<none>", "<none>"],
        ["payment-api", "payments", "backend", "production", "payments"],
    ]


def test_get_all_kinds_namespaces_and_filters(viewer: GantryCli) -> None:
    everything = rows(ok(viewer("get")))
    assert everything[0] == ["KIND", "NAME", "OWNER", "UPDATED"]
    assert ["Team", "payments"] in [r[:2] for r in everything]
    assert "ledger" not in {r[1] for r in everything}  # the default namespace only, as kubectl
    every_namespace = rows(ok(viewer("get", "svc", "-A")))
    assert every_namespace[0][:3] == ["NAMESPACE", "NAME", "OWNER"]
    assert ["finance", "ledger"] in [r[:2] for r in every_namespace]
    assert rows(ok(viewer("get", "svc", "-n", "finance", "-o", "name"))) == [["Service/ledger"]]
    assert ok(viewer("get", "svc", "-l", "tier=1", "-o", "name")).split() == ["Service/payment-api"]
    assert ok(viewer("get", "svc", "--owner", "web", "-o", "name")).split() == ["Service/checkout"]
    assert ok(viewer("get", "svc", "--tag", "critical", "-o", "name")).split() == ["Service/payment-api"]
    assert ok(viewer("get", "svc", "--tag", "critical", "-l", "tier=2", "-o", "name")) == ""
    empty = viewer("get", "apis", "-n", "nowhere")
    assert ok(empty) == "" and "No API entities found in namespace nowhere." in empty.stderr


def test_get_every_output_format(viewer: GantryCli) -> None:
    wide = rows(ok(viewer("get", "services", "-o", "wide")))
    assert wide[0] == [
        "NAME", "OWNER", "TYPE", "LIFECYCLE", "SYSTEM", "TITLE", "TAGS", "LABELS", "CREATED", "BY", "VERSION", "UPDATED"
    ]  # fmt: skip
    payment = next(r for r in wide if r[0] == "payment-api")
    # The API keys belong to admin, so admin created everything.
    assert payment[:11] == [
        "payment-api", "payments", "backend", "production", "payments", "Payment", "API", "payments,critical",
        "tier=1", "admin", "1"
    ]  # fmt: skip
    docs = list(yaml.safe_load_all(ok(viewer("get", "services", "-o", "yaml"))))
    assert [d["metadata"]["name"] for d in docs] == ["checkout", "payment-api"]
    listed = json.loads(ok(viewer("get", "services", "-o", "json")))
    assert [d["metadata"]["name"] for d in listed["items"]] == ["checkout", "payment-api"]
    assert ok(viewer("get", "services", "-o", "name")).splitlines() == ["Service/checkout", "Service/payment-api"]
    one = json.loads(ok(viewer("get", "svc", "payment-api", "-o", "json")))
    assert one["spec"]["system"] == "payments" and one["metadata"]["resourceVersion"]
    assert yaml.safe_load(ok(viewer("get", "service/payment-api", "-o", "yaml")))["kind"] == "Service"
    single = rows(ok(viewer("get", "svc", "ledger", "-n", "finance")))
    assert single[1][:3] == ["ledger", "payments", "worker"]
    assert "Invalid value for '--output' / '-o'" in fails(viewer("get", "svc", "-o", "xml"), code=2)


def on_a_terminal(cli: GantryCli, *args: str) -> str:
    """Run `gantry` with stdout and stderr on a pseudo-terminal; return what it drew."""
    main, secondary = os.openpty()
    env = cli.environment({"TERM": "xterm", "COLUMNS": "160", "LINES": "50"})
    process = subprocess.Popen(
        [*gantry_command(), *args], stdout=secondary, stderr=secondary, stdin=subprocess.DEVNULL, env=env
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode()


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_terminal_gets_a_rich_table_and_a_progress_bar(viewer: GantryCli, gantry: GantryCli, tmp_path: Path) -> None:
    drawn = on_a_terminal(viewer, "get", "services")
    assert "\x1b[1mNAME" in drawn  # a bold header
    assert "payment-api" in drawn and "checkout" in drawn
    path = tmp_path / "teams.yaml"
    path.write_text(yaml.safe_dump_all([doc("Team", f"tty-team-{i}", namespace="tty") for i in range(3)]))
    applied = on_a_terminal(gantry, "apply", "-f", str(path))
    assert "Applying" in applied  # the progress bar (erased when done)
    assert "✓ Created Team/tty-team-2 -n tty" in applied
    assert "3 entities: 3 created" in applied


def test_get_starts_without_pydantic_or_yaml(viewer: GantryCli) -> None:
    """`gantry get` stays quick to start: typer's pydantic adapters and the YAML parser stay unloaded."""
    viewer("get", "services")  # fills the kind cache, as any earlier command would have
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gantry_core.cli", "get", "services", "-n", "finance"],
        capture_output=True,
        text=True,
        env=viewer.environment(),
        cwd=viewer.home,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].split()[0] == "ledger"
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert {"httpx", "gantry_core.cli.kinds"} <= imported
    assert not imported & {"pydantic", "typer._adapters", "yaml"}


def test_get_errors_are_actionable(viewer: GantryCli) -> None:
    missing = fails(viewer("get", "svc", "nope"))
    assert "error: Service 'nope' not found in namespace 'default'" in missing
    unknown = fails(viewer("get", "spaceships"))
    assert "unknown kind 'spaceships'; known kinds: Service (services, svc);" in unknown


# -- describe, search, graph -------------------------------------------------------------------------


def test_describe_shows_metadata_spec_relations_and_activity(viewer: GantryCli) -> None:
    out = ok(viewer("describe", "svc", "payment-api"))
    lines = out.splitlines()
    assert lines[:3] == ["Name:             payment-api", "Namespace:        default", "Kind:             Service"]
    assert "Title:            Payment API" in lines and "Owner:            payments" in lines
    assert "Tags:             payments,critical" in lines and "Labels:           tier=1" in lines
    assert any(line.startswith("Created:") and line.endswith("ago) by admin") for line in lines)
    spec = lines[lines.index("Spec:") + 1 : lines.index("Relations:")]
    assert "  type: backend" in spec and "  system: payments" in spec
    relations = lines[lines.index("Relations:") : lines.index("Activity:")]
    outgoing = relations[relations.index("  Outgoing:") + 1 : relations.index("  Incoming:")]
    assert sorted(r.split() for r in outgoing) == [
        ["dependsOn", "Infrastructure/payments-db"],
        ["deployedIn", "Environment/production"],
        ["ownedBy", "Team/payments"],
        ["providesApis", "API/payments-rest"],
    ]
    incoming = relations[relations.index("  Incoming:") + 1 :]
    assert [r.split() for r in incoming] == [["dependsOn", "Service/checkout"]]
    activity = lines[lines.index("Activity:") + 1 :]
    assert activity[0].split() == ["AGE", "USER", "ACTION", "SOURCE"]
    assert activity[1].split()[1:] == ["admin", "create", "cli"]


def test_describe_of_a_missing_entity(viewer: GantryCli) -> None:
    assert "Team 'ghost' not found" in fails(viewer("describe", "team", "ghost"))


def test_search_in_every_format(viewer: GantryCli) -> None:
    table = rows(ok(viewer("search", "payment")))
    assert table[0] == ["KIND", "NAME", "NAMESPACE", "OWNER", "TITLE"]
    assert ["Service", "payment-api"] in [r[:2] for r in table[1:]]
    assert "Service/payment-api" in ok(viewer("search", "payment", "-o", "name")).split()
    wide = rows(ok(viewer("search", "takes", "money", "-o", "wide")))
    assert wide[0] == ["KIND", "NAME", "NAMESPACE", "OWNER", "TITLE", "TAGS", "DESCRIPTION"]
    assert wide[1] == [
        "Service", "payment-api", "default", "payments", "Payment", "API", "payments,critical", "Takes", "the", "money"
    ]  # fmt: skip
    found = json.loads(ok(viewer("search", "takes", "money", "-o", "json")))
    assert found["items"][0]["name"] == "payment-api" and found["total"] >= 1
    streamed = list(yaml.safe_load_all(ok(viewer("search", "payment", "-o", "yaml"))))
    assert any(d["kind"] == "Service" and d["name"] == "payment-api" for d in streamed)
    assert "Nothing matches 'zzzzqqq'." in viewer("search", "zzzzqqq").stderr
    assert "at least 2 characters" in fails(viewer("search", "x"), code=2)


def test_graph_prints_the_tree(viewer: GantryCli) -> None:
    tree = ok(viewer("graph", "svc", "payment-api")).splitlines()
    assert tree[0] == "Service/payment-api"
    assert "├── dependsOn → Infrastructure/payments-db" in tree
    assert "└── ← dependsOn Service/checkout" in tree
    out_only = ok(viewer("graph", "service/payment-api", "--direction", "out"))
    assert "checkout" not in out_only
    deep = ok(viewer("graph", "team", "web", "--depth", "2")).splitlines()
    assert deep[0] == "Team/web" and deep[1] == "└── ← ownedBy Service/checkout"
    assert deep[2] == "    └── dependsOn → Service/payment-api"
    as_json = json.loads(ok(viewer("graph", "svc", "payment-api", "-o", "json")))
    assert {"from": "service/checkout", "to": "service/payment-api", "type": "dependsOn"} in as_json["edges"]
    as_yaml = yaml.safe_load(ok(viewer("graph", "svc", "payment-api", "-o", "yaml")))
    assert {n["id"] for n in as_yaml["nodes"]} == {n["id"] for n in as_json["nodes"]}
    assert "use out, in or both" in fails(viewer("graph", "svc", "payment-api", "--direction", "up"), code=2)


# -- export, delete, import --------------------------------------------------------------------------


def test_export_to_stdout_in_each_format(viewer: GantryCli) -> None:
    docs = list(yaml.safe_load_all(ok(viewer("export"))))
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert ("Service", "ledger") in names and ("Team", "payments") in names
    assert all("resourceVersion" not in d["metadata"] for d in docs)
    as_json = json.loads(ok(viewer("export", "--format", "json", "-n", "finance")))
    assert [(d["kind"], d["metadata"]["name"]) for d in as_json] == [("Service", "ledger")]
    lines = ok(viewer("export", "--format", "ndjson", "--kind", "env", "-n", "default")).splitlines()
    assert [json.loads(line)["metadata"]["name"] for line in lines] == ["production"]
    assert "use yaml, json or ndjson" in fails(viewer("export", "--format", "xml"), code=2)


def test_export_to_a_folder_round_trips_through_apply(gantry: GantryCli, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    result = gantry("export", "--dir", str(out), "-n", "finance")
    ok(result)
    assert "Exported 1 entities to" in result.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.yaml")) == ["Service/finance/ledger.yaml"]
    ok(gantry("export", "--dir", str(out)))
    assert (out / "Team" / "default" / "payments.yaml").is_file()
    assert (out / "Service" / "default" / "payment-api.yaml").is_file()
    applied = ok(gantry("apply", "-f", str(out), "-R"))
    assert "created" in applied.splitlines()[-1] and " 0 created, 0 updated" in applied.splitlines()[-1]


def test_delete_by_name_and_by_file(server: CliServer, gantry: GantryCli, tmp_path: Path) -> None:
    path = tmp_path / "doomed.yaml"
    path.write_text(yaml.safe_dump_all([doc("Team", "doomed-team"), doc("Service", "doomed", {"type": "library"})]))
    ok(gantry("apply", "-f", str(path)))
    assert ok(gantry("delete", "svc", "doomed")).strip() == "✓ Deleted Service/doomed"
    assert entity(server, "service", "doomed") is None
    result = gantry("delete", "-f", str(path))
    assert "✓ Deleted Team/doomed-team" in result.stdout
    assert f"✗ Service/doomed ({path}, document 2): not found" in fails(result)
    assert ok(gantry("delete", "-f", str(path), "--ignore-not-found")) == ""
    assert "not found" in fails(gantry("delete", "team", "doomed-team"))
    assert "give KIND NAME or -f FILE, not both" in fails(gantry("delete", "team", "-f", str(path)), code=2)


BACKSTAGE_SERVICES = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: imported-svc
  tags: [imported]
spec:
  type: service
  lifecycle: production
  owner: group:default/importers
---
apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: everything}
spec: {targets: [./other.yaml]}
"""
BACKSTAGE_ORG = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: importers}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: jane}
spec: {profile: {email: jane@example.com}, memberOf: [importers]}
"""


def test_import_backstage_prints_the_servers_report(server: CliServer, gantry: GantryCli, tmp_path: Path) -> None:
    folder = tmp_path / "backstage"
    folder.mkdir()
    (folder / "catalog-info.yaml").write_text(BACKSTAGE_SERVICES)
    (folder / "org.yaml").write_text(BACKSTAGE_ORG)
    dry = ok(gantry("import", "backstage", "-f", str(folder), "--dry-run")).splitlines()
    assert dry[0] == "✓ Valid Component/imported-svc → Service/imported-svc"
    assert dry[-1] == "4 documents: 3 converted, 1 skipped, 0 failed; dry run, nothing was written."
    assert entity(server, "service", "imported-svc") is None

    out = ok(gantry("import", "backstage", "-f", str(folder))).splitlines()
    assert out[0] == "✓ Created Component/imported-svc → Service/imported-svc"
    assert out[1].startswith("    mapped: ") and "spec.owner" in out[1]
    skipped = next(line for line in out if line.startswith("- Skipped"))
    assert skipped.startswith(f"- Skipped Location/everything ({folder / 'catalog-info.yaml'}, document 2): ")
    assert "✓ Created Group/importers → Team/importers" in out
    assert "    dropped spec.type: Gantry Teams have no type ('team')" in out
    assert "✓ Merged User/jane → Team/importers" in out  # sent together, so the User joins its Team
    assert out[-1] == "4 documents: 3 converted, 1 skipped, 0 failed; 2 created, 0 updated, 0 unchanged."
    team = entity(server, "team", "importers")
    assert team is not None and team["spec"]["members"] == [{"name": "jane", "email": "jane@example.com"}]

    report = json.loads(ok(gantry("import", "backstage", "-f", str(folder / "org.yaml"), "-o", "json")))
    assert report["summary"]["unchanged"] == 1


def test_import_backstage_fails_on_a_bad_document(server: CliServer, gantry: GantryCli) -> None:
    bad = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: 'Bad Name!'}\nspec: {type: service}\n"
    result = gantry("import", "backstage", "-f", "-", input=bad)
    error = fails(result)
    assert "✗ Error Component/Bad Name! (<stdin>, document 1)" in result.stdout
    assert "    /metadata/name: not a Backstage entity name" in result.stdout
    assert "error: 1 Backstage documents could not be imported" in error
    viewer = GantryCli(gantry.home, server=server.url, token=server.keys["viewer"])
    assert "you are viewer" in fails(viewer("import", "backstage", "-f", "-", input=BACKSTAGE_ORG))
