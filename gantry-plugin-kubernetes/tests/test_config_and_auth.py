"""Config (F100: form schema, 422 with paths, secrets) and how the plugin reaches clusters: a bearer token
over TLS verified with caData, and in-cluster service-account auth when the URL is empty."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from conftest import PLUGIN, cluster_config, configure
from gantry_core.testing import Gantry
from gantry_core.testing.certs import self_signed
from k8s_data import app_cluster
from k8s_replay import replay_server

REDACTED = "__GANTRY_SECRET_REDACTED__"


async def test_the_config_schema_describes_every_field(k8s: Gantry) -> None:
    pe = await k8s.client("platform-engineer")
    schema = (await pe.get(PLUGIN)).json()["configSchema"]
    assert {"clusters", "labelSelector", "syncInterval"} <= set(schema["properties"])
    cluster = schema["$defs"]["ClusterConfig"]
    assert set(cluster["properties"]) == {"name", "url", "token", "caData", "namespaces"}
    for props in (schema["properties"], cluster["properties"]):
        assert all(p.get("description") for p in props.values())
    assert cluster["required"] == ["name"]


@pytest.mark.parametrize(
    ("config", "paths"),
    [
        ({}, {"/clusters"}),
        ({"clusters": []}, {"/clusters"}),
        ({"clusters": [{"name": "Prod!", "url": "ftp://x"}]}, {"/clusters/0/name", "/clusters/0/url"}),
        ({"clusters": [{"name": "prod", "url": "https://k8s.example.com"}]}, {"/clusters/0/token"}),
        (
            {"clusters": [{"name": "prod", "url": "https://k8s.example.com", "token": "t", "caData": "%%%"}]},
            {"/clusters/0/caData"},
        ),
        ({"clusters": [{"name": "prod", "namespaces": "a,B_b"}]}, {"/clusters/0/namespaces"}),
        ({"clusters": [{"name": "a"}, {"name": "a"}]}, {"/clusters"}),
        (
            {"clusters": [{"name": "a"}], "syncInterval": "soon", "labelSelector": "a=b;c"},
            {"/syncInterval", "/labelSelector"},
        ),
        ({"clusters": [{"name": "a", "surprise": 1}]}, {"/clusters/0/surprise"}),
    ],
)
async def test_invalid_config_is_refused_with_paths(k8s: Gantry, config: dict[str, object], paths: set[str]) -> None:
    pe = await k8s.client("platform-engineer")
    response = await pe.put(f"{PLUGIN}/config", json=config)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_failed"
    assert {d["path"] for d in response.json()["details"]} == paths


async def test_secrets_are_redacted_and_kept(k8s: Gantry, tmp_path: Path) -> None:
    cert, _ = self_signed(tmp_path)
    ca = base64.b64encode(cert.read_bytes()).decode()
    pe = await k8s.client("platform-engineer")
    config = {"clusters": [{"name": "prod", "url": "https://k8s.example.com:6443", "token": "s3cret", "caData": ca}]}
    saved = await pe.put(f"{PLUGIN}/config", json=config)
    assert saved.status_code == 200, saved.text
    assert saved.json()["clusters"][0]["token"] == REDACTED and saved.json()["clusters"][0]["caData"] == REDACTED
    assert "s3cret" not in (await pe.get(f"{PLUGIN}/config")).text
    kept = await pe.put(
        f"{PLUGIN}/config", json={"clusters": [{**config["clusters"][0], "token": REDACTED, "namespaces": "payments"}]}
    )
    assert kept.status_code == 200
    cluster = k8s.state.plugin_states.config_of("kubernetes").clusters[0]
    assert cluster.token.get_secret_value() == "s3cret" and cluster.namespace_list == ["payments"]
    assert (await pe.put(f"{PLUGIN}/enable", json={"enabled": True})).status_code == 200
    enable_without = await (await k8s.client("admin")).put(f"{PLUGIN}/enable", json={"enabled": "x"})
    assert enable_without.status_code == 422


async def test_token_over_tls_verified_with_ca_data(k8s: Gantry, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with replay_server(tls=(cert, key)) as server:
        server.clusters["secure"] = app_cluster("secure-token")
        ca = base64.b64encode(cert.read_bytes()).decode()
        run = await configure(k8s, [cluster_config(server, "secure", caData=ca)])
        assert run["status"] == "success", run
        assert run["created"] == 4  # 2 namespaces, the deployment, the service


async def test_a_wrong_ca_fails_that_cluster(k8s: Gantry, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    (tmp_path / "other").mkdir()
    other, _ = self_signed(tmp_path / "other")
    with replay_server(tls=(cert, key)) as server:
        server.clusters["secure"] = app_cluster("secure-token")
        run = await configure(
            k8s, [cluster_config(server, "secure", caData=base64.b64encode(other.read_bytes()).decode())]
        )
        assert run["status"] == "partial"
        assert "certificate" in run["errors"][0].lower(), run["errors"]


async def test_in_cluster_service_account_when_the_url_is_empty(
    k8s: Gantry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    account = tmp_path / "serviceaccount"
    account.mkdir()
    (account / "token").write_text("in-cluster-token")
    (account / "ca.crt").write_bytes(cert.read_bytes())
    with replay_server(tls=(cert, key)) as server:
        server.clusters[""] = app_cluster("in-cluster-token")
        monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(server.port))
        monkeypatch.setenv("GANTRY_KUBERNETES_SERVICE_ACCOUNT_DIR", str(account))
        run = await configure(k8s, [{"name": "here"}])
        assert run["status"] == "success", run
        viewer = await k8s.client("viewer")
        service = (await viewer.get("/api/v1/entities/service/payment-api")).json()
        assert service["metadata"]["annotations"]["kubernetes.io/cluster"] == "here"

        monkeypatch.setenv("GANTRY_KUBERNETES_SERVICE_ACCOUNT_DIR", str(tmp_path / "missing"))
        pe = await k8s.client("platform-engineer")
        await pe.put(f"{PLUGIN}/config", json={"clusters": [{"name": "there"}], "syncInterval": ""})
        await pe.post(f"{PLUGIN}/sync")
        await k8s.state.scheduler.wait_idle("kubernetes")
        run = (await pe.get(f"{PLUGIN}/sync-runs")).json()["items"][0]
        assert run["status"] == "partial"
        assert run["errors"] == ["cluster there: in-cluster configuration: Service token file does not exist."]
