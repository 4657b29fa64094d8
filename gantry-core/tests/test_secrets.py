"""Admin-managed secrets (F156): stored AES-256-GCM encrypted, names and timestamps only in listings,
never returned by any endpoint nor written to the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from gantry_core.crypto import DecryptionError
from gantry_core.db import tables
from gantry_core.secrets.service import SecretUnavailable, reveal
from gantry_core.testing import Gantry

VALUE = "s3cr3t-value-that-must-not-leak"


async def test_put_list_replace_and_delete(gantry: Gantry, kit: Any) -> None:
    admin = await gantry.client("admin")
    created = await admin.put("/api/v1/secrets/DEPLOY_TOKEN", json={"value": VALUE})
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"name", "createdAt", "updatedAt"}
    assert body["name"] == "DEPLOY_TOKEN"
    replaced = await admin.put("/api/v1/secrets/DEPLOY_TOKEN", json={"value": VALUE + "-2"})
    assert replaced.status_code == 200
    assert replaced.json()["createdAt"] == body["createdAt"]
    assert replaced.json()["updatedAt"] >= body["updatedAt"]
    await admin.put("/api/v1/secrets/A", json={"value": "another"})

    listed = await admin.get("/api/v1/secrets")
    assert listed.json()["total"] == 2
    assert [item["name"] for item in listed.json()["items"]] == ["A", "DEPLOY_TOKEN"]
    assert all(set(item) == {"name", "createdAt", "updatedAt"} for item in listed.json()["items"])
    first = (await admin.get("/api/v1/secrets", params={"limit": 1})).json()
    second = (await admin.get("/api/v1/secrets", params={"limit": 1, "cursor": first["next"]})).json()
    assert [i["name"] for i in first["items"] + second["items"]] == ["A", "DEPLOY_TOKEN"]
    for response in (created, replaced, listed):
        assert VALUE not in response.text

    assert await reveal(gantry.state, "DEPLOY_TOKEN") == VALUE + "-2"
    [row] = await kit.rows(gantry, tables.secrets, tables.secrets.c.name == "DEPLOY_TOKEN")
    assert VALUE.encode() not in bytes(row["value"])
    assert row["updated_by"] == "admin-user"

    assert (await admin.delete("/api/v1/secrets/DEPLOY_TOKEN")).status_code == 204
    gone = await admin.delete("/api/v1/secrets/DEPLOY_TOKEN")
    assert (gone.status_code, gone.json()["code"]) == (404, "not_found")
    assert [i["name"] for i in (await admin.get("/api/v1/secrets")).json()["items"]] == ["A"]

    entries = [e for e in await kit.audit(gantry) if e["resource_type"] == "Secret"]
    assert [(e["action"], e["resource_name"]) for e in entries] == [
        ("create", "DEPLOY_TOKEN"),
        ("update", "DEPLOY_TOKEN"),
        ("create", "A"),
        ("delete", "DEPLOY_TOKEN"),
    ]
    assert entries[0]["user_name"] == "admin-user" and entries[0]["ip_address"] == "127.0.0.1"
    assert entries[1]["before"]["name"] == "DEPLOY_TOKEN"
    dumped = repr(entries)
    assert VALUE not in dumped and "another" not in dumped


async def test_a_stored_value_only_decrypts_under_its_own_name(gantry: Gantry, kit: Any) -> None:
    await (await gantry.client("admin")).put("/api/v1/secrets/ONE", json={"value": VALUE})
    [row] = await kit.rows(gantry, tables.secrets)
    assert gantry.state.cipher is not None
    assert gantry.state.cipher.decrypt(bytes(row["value"]), "secret:ONE") == VALUE
    with pytest.raises(DecryptionError):
        gantry.state.cipher.decrypt(bytes(row["value"]), "secret:TWO")


async def test_env_fallback_and_unknown_secrets(gantry: Gantry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GANTRY_SECRET_FROM_ENV", "env-value")
    assert await reveal(gantry.state, "FROM_ENV") == "env-value"
    await (await gantry.client("admin")).put("/api/v1/secrets/FROM_ENV", json={"value": "stored-value"})
    assert await reveal(gantry.state, "FROM_ENV") == "stored-value"  # the admin-managed one wins
    with pytest.raises(SecretUnavailable, match="GANTRY_SECRET_NOWHERE"):
        await reveal(gantry.state, "NOWHERE")


@pytest.mark.parametrize("name", ["lower", "1STARTS_WITH_DIGIT", "HAS-DASH", "A" * 64, "_UNDERSCORE"])
async def test_bad_names_are_400(gantry: Gantry, name: str, kit: Any) -> None:
    response = await (await gantry.client("admin")).put(f"/api/v1/secrets/{name}", json={"value": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"
    assert await kit.rows(gantry, tables.secrets) == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({}, "/value"),
        ({"value": ""}, "/value"),
        ({"value": 42}, "/value"),
        ({"value": "a\x00b"}, "/value"),
        ({"value": "x" * 65_537}, "/value"),
        ({"value": "ok", "note": "extra"}, "/note"),
    ],
)
async def test_bad_bodies_are_422_without_echoing_the_value(
    gantry: Gantry, body: dict[str, Any], path: str, kit: Any
) -> None:
    response = await (await gantry.client("admin")).put("/api/v1/secrets/NAME", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert path in [d["path"] for d in response.json()["details"]]
    assert "a\x00b" not in response.text
    assert await kit.rows(gantry, tables.secrets) == []


async def test_only_admins(gantry: Gantry) -> None:
    await (await gantry.client("admin")).put("/api/v1/secrets/KEEP", json={"value": VALUE})
    engineer = await gantry.client("platform-engineer")
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/api/v1/secrets", None),
        ("PUT", "/api/v1/secrets/KEEP", {"value": "changed"}),
        ("DELETE", "/api/v1/secrets/KEEP", None),
    ]
    for method, url, body in calls:
        response = await engineer.request(method, url, json=body)
        assert (response.status_code, response.json()["code"]) == (403, "forbidden")
        assert (await gantry.anonymous().request(method, url, json=body)).status_code == 401
    assert await reveal(gantry.state, "KEEP") == VALUE


async def test_an_unusable_key_refuses_to_store(gantry: Gantry, kit: Any) -> None:
    await (await gantry.client("admin")).put("/api/v1/secrets/OLD", json={"value": VALUE})
    gantry.state.cipher, gantry.state.cipher_error = None, "encryption.key must hold a 32-byte key"
    response = await (await gantry.client("admin")).put("/api/v1/secrets/NEW", json={"value": VALUE})
    assert (response.status_code, response.json()["code"]) == (503, "encryption_unavailable")
    assert "32-byte" in response.json()["error"]
    with pytest.raises(SecretUnavailable, match="cannot be decrypted"):
        await reveal(gantry.state, "OLD")
    assert [r["name"] for r in await kit.rows(gantry, tables.secrets)] == ["OLD"]
