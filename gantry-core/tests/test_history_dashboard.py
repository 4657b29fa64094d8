"""Recently browsed (F54), dashboard configuration (F85) and the per-kind counts of the dashboard (F86)."""

from __future__ import annotations

from typing import Any

import httpx
from gantry_core.db.tables import audit_log, dashboard_config, user_history
from gantry_core.testing import Gantry
from sqlalchemy import func, select


def entity(kind: str, name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "gantry.io/v1", "kind": kind, "metadata": {"name": name, "title": name.title()}, "spec": spec}


async def _services(gantry: Gantry, count: int) -> httpx.AsyncClient:
    dev = await gantry.client("developer")
    docs = [entity("Service", f"svc-{i:02d}", type="backend") for i in range(count)]
    response = await dev.post("/api/v1/apply", json={"entities": docs})
    assert response.json()["summary"]["created"] == count
    return dev


async def _rows(gantry: Gantry, table: Any) -> int:
    async with gantry.state.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


# -- history -----------------------------------------------------------------------------------------


async def test_history_lists_own_views_newest_first(gantry: Gantry) -> None:
    await _services(gantry, 3)
    viewer = await gantry.client("viewer")
    for name in ("svc-00", "svc-01", "svc-02"):
        response = await viewer.post("/api/v1/history", json={"kind": "service", "name": name})
        assert response.status_code == 204
        assert response.content == b""
    body = (await viewer.get("/api/v1/history")).json()
    assert [i["name"] for i in body["items"]] == ["svc-02", "svc-01", "svc-00"]
    assert body["total"] == 3
    assert body["next"] is None
    first = body["items"][0]
    assert first["kind"] == "Service"
    assert first["namespace"] == "default"
    assert first["title"] == "Svc-02"
    assert first["exists"] is True
    assert first["viewedAt"].endswith("Z")

    # Viewing again moves it to the top without a second row.
    assert (await viewer.post("/api/v1/history", json={"kind": "SERVICE", "name": "svc-00"})).status_code == 204
    body = (await viewer.get("/api/v1/history")).json()
    assert [i["name"] for i in body["items"]] == ["svc-00", "svc-02", "svc-01"]
    assert await _rows(gantry, user_history) == 3

    # Someone else's history is their own.
    other = await gantry.client("viewer", username="someone-else")
    assert (await other.get("/api/v1/history")).json() == {"items": [], "total": 0, "next": None}


async def test_history_keeps_twenty_per_user(gantry: Gantry) -> None:
    await _services(gantry, 25)
    viewer = await gantry.client("viewer")
    other = await gantry.client("developer")
    assert (await other.post("/api/v1/history", json={"kind": "Service", "name": "svc-00"})).status_code == 204
    for i in range(25):
        assert (
            await viewer.post("/api/v1/history", json={"kind": "Service", "name": f"svc-{i:02d}"})
        ).status_code == 204
    body = (await viewer.get("/api/v1/history", params={"limit": 20})).json()
    assert body["total"] == 20
    assert [i["name"] for i in body["items"]] == [f"svc-{i:02d}" for i in range(24, 4, -1)]
    assert (await viewer.get("/api/v1/history")).json()["items"][0]["name"] == "svc-24"
    assert len((await viewer.get("/api/v1/history")).json()["items"]) == 10
    assert len((await viewer.get("/api/v1/history", params={"limit": 3})).json()["items"]) == 3
    assert await _rows(gantry, user_history) == 21  # the other user's view survives the pruning
    assert (await other.get("/api/v1/history")).json()["total"] == 1
    for bad in (0, 21, "x"):
        response = await viewer.get("/api/v1/history", params={"limit": bad})
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid_parameter"


async def test_history_marks_deleted_entities(gantry: Gantry) -> None:
    dev = await _services(gantry, 2)
    await dev.post("/api/v1/history", json={"kind": "Service", "name": "svc-01"})
    assert (await dev.delete("/api/v1/entities/service/svc-01")).status_code == 204
    items = (await dev.get("/api/v1/history")).json()["items"]
    assert items == [
        {
            "kind": "Service",
            "namespace": "default",
            "name": "svc-01",
            "title": None,
            "viewedAt": items[0]["viewedAt"],
            "exists": False,
        }
    ]


async def test_history_bad_input_writes_nothing(gantry: Gantry) -> None:
    await _services(gantry, 1)
    viewer = await gantry.client("viewer")
    cases: list[tuple[Any, int, str]] = [
        ({"kind": "Service"}, 422, "/name"),
        ({"kind": "Service", "name": "Not Kebab"}, 422, "/name"),
        ({"kind": "Service", "name": "svc-00", "extra": 1}, 422, "/extra"),
        ({"kind": "Widget", "name": "svc-00"}, 422, "/kind"),
        ({"kind": "Service", "name": "svc-00", "namespace": "x" * 64}, 422, "/namespace"),
        ([], 422, "/"),
    ]
    for body, status, path in cases:
        response = await viewer.post("/api/v1/history", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["code"] == "validation_failed"
        assert any(d["path"] == path for d in response.json()["details"]), response.json()
    missing = await viewer.post("/api/v1/history", json={"kind": "Service", "name": "nope"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    other_ns = await viewer.post("/api/v1/history", json={"kind": "Service", "name": "svc-00", "namespace": "team-a"})
    assert other_ns.status_code == 404
    assert await _rows(gantry, user_history) == 0
    assert (await gantry.anonymous().get("/api/v1/history")).status_code == 401
    assert (
        await gantry.anonymous().post("/api/v1/history", json={"kind": "Service", "name": "svc-00"})
    ).status_code == 401


# -- dashboard config --------------------------------------------------------------------------------

DEFAULTS = {
    "widgets": [
        {"id": "entity_stats", "enabled": True},
        {"id": "recent_activity", "enabled": True},
        {"id": "recently_browsed", "enabled": True},
        {"id": "service_status", "enabled": True},
    ],
    "announcements": [],
}


async def test_dashboard_config_defaults_then_admin_replaces_it(gantry: Gantry) -> None:
    viewer = await gantry.client("viewer")
    assert (await viewer.get("/api/v1/dashboard/config")).json() == DEFAULTS
    admin = await gantry.client("admin")
    config = {
        "widgets": [{"id": "recent_activity", "enabled": True}, {"id": "entity_stats", "enabled": False}],
        "announcements": [
            {"title": "Maintenance tonight", "message": "The database is upgraded at 22:00 UTC.\nExpect a blip."},
            {"title": "Incident", "message": "Payments degraded", "severity": "critical"},
        ],
    }
    response = await admin.put("/api/v1/dashboard/config", json=config)
    assert response.status_code == 200
    expected = {
        "widgets": [
            {"id": "recent_activity", "enabled": True},
            {"id": "entity_stats", "enabled": False},
            {"id": "recently_browsed", "enabled": True},
            {"id": "service_status", "enabled": True},
        ],
        "announcements": [
            {
                "title": "Maintenance tonight",
                "message": "The database is upgraded at 22:00 UTC.\nExpect a blip.",
                "severity": "info",
            },
            {"title": "Incident", "message": "Payments degraded", "severity": "critical"},
        ],
    }
    assert response.json() == expected
    assert (await viewer.get("/api/v1/dashboard/config")).json() == expected
    assert await _rows(gantry, dashboard_config) == 1

    second = {"widgets": [], "announcements": [{"title": "Hi", "message": "All good", "severity": "warning"}]}
    assert (await admin.put("/api/v1/dashboard/config", json=second)).status_code == 200
    body = (await viewer.get("/api/v1/dashboard/config")).json()
    assert body["widgets"] == DEFAULTS["widgets"]
    assert body["announcements"] == second["announcements"]
    assert await _rows(gantry, dashboard_config) == 1

    entries = (await admin.get("/api/v1/audit", params={"action": "dashboard.update"})).json()["items"]
    assert len(entries) == 2
    latest, first = entries
    assert first["before"] == DEFAULTS
    assert first["after"] == expected
    assert latest["before"] == expected
    assert latest["userName"] == "admin-user"
    assert latest["resourceType"] == "DashboardConfig"


async def test_dashboard_config_is_written_by_admins_only(gantry: Gantry) -> None:
    for role in ("viewer", "developer", "platform-engineer"):
        response = await (await gantry.client(role)).put("/api/v1/dashboard/config", json=DEFAULTS)
        assert response.status_code == 403, role
    assert (await gantry.anonymous().get("/api/v1/dashboard/config")).status_code == 401
    assert await _rows(gantry, dashboard_config) == 0


async def test_dashboard_config_bad_input_writes_nothing(gantry: Gantry) -> None:
    admin = await gantry.client("admin")
    announcement = {"title": "t", "message": "m"}
    cases: list[tuple[Any, str]] = [
        ({"widgets": [{"id": "weather"}]}, "/widgets/0/id"),
        ({"widgets": [{"id": "entity_stats"}, {"id": "entity_stats"}]}, "/widgets"),
        ({"widgets": [{"id": "entity_stats", "enabled": "maybe"}]}, "/widgets/0/enabled"),
        ({"announcements": [{**announcement, "severity": "urgent"}]}, "/announcements/0/severity"),
        ({"announcements": [{**announcement, "title": "x" * 201}]}, "/announcements/0/title"),
        ({"announcements": [{**announcement, "title": "two\nlines"}]}, "/announcements/0/title"),
        ({"announcements": [{**announcement, "message": "x" * 2001}]}, "/announcements/0/message"),
        ({"announcements": [{**announcement, "message": "nul\x00"}]}, "/announcements/0/message"),
        ({"announcements": [{"title": "", "message": "m"}]}, "/announcements/0/title"),
        ({"announcements": [announcement] * 21}, "/announcements"),
        ({"announcements": [{**announcement, "colour": "red"}]}, "/announcements/0/colour"),
        ({"theme": "dark"}, "/theme"),
    ]
    for body, path in cases:
        response = await admin.put("/api/v1/dashboard/config", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == "validation_failed"
        assert path in [d["path"] for d in response.json()["details"]], (path, response.json())
    surrogate = await admin.put(
        "/api/v1/dashboard/config",
        content=b'{"announcements": [{"title": "t", "message": "lone \\ud800 surrogate"}]}',
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422
    assert surrogate.json()["details"] == [
        {"path": "/announcements/0/message", "message": "must be valid Unicode (no lone surrogates)"}
    ]
    not_json = await admin.put("/api/v1/dashboard/config", content=b"{", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400
    assert await _rows(gantry, dashboard_config) == 0
    async with gantry.state.db.read() as conn:
        audited = (await conn.execute(select(func.count()).where(audit_log.c.action == "dashboard.update"))).scalar()
    assert audited == 0


# -- stats -------------------------------------------------------------------------------------------


async def test_stats_count_entities_per_kind(gantry: Gantry) -> None:
    viewer = await gantry.client("viewer")
    empty = (await viewer.get("/api/v1/stats")).json()
    assert empty["total"] == 0
    assert empty["byKind"] == {
        "Service": 0,
        "API": 0,
        "Team": 0,
        "Environment": 0,
        "Infrastructure": 0,
        "Action": 0,
        "Documentation": 0,
    }
    dev = await _services(gantry, 3)
    await dev.post("/api/v1/entities", json=entity("Team", "payments"))
    await dev.post("/api/v1/entities", json=entity("API", "payments-api", type="rest"))
    await dev.delete("/api/v1/entities/service/svc-02")
    stats = (await viewer.get("/api/v1/stats")).json()
    assert stats["total"] == 4
    assert stats["byKind"]["Service"] == 2
    assert stats["byKind"]["Team"] == 1
    assert stats["byKind"]["API"] == 1
    assert stats["byKind"]["Documentation"] == 0
    assert (await gantry.anonymous().get("/api/v1/stats")).status_code == 401


async def test_stats_and_the_metrics_gauge_read_the_kept_counts_not_the_entities(gantry: Gantry, kit: Any) -> None:
    """The dashboard's counts per kind and /metrics' gantry_entities_total follow creates and deletes, and
    on SQLite neither reads the entities table (the write path keeps the counts, catalog.facet_counts)."""
    dev = await _services(gantry, 3)
    await dev.post("/api/v1/entities", json=entity("Team", "payments"))
    await dev.delete("/api/v1/entities/service/svc-01")
    viewer = await gantry.client("viewer")
    stats = (await viewer.get("/api/v1/stats")).json()
    assert stats["total"] == 3 and stats["byKind"]["Service"] == 2 and stats["byKind"]["Team"] == 1
    assert "gantry_entities_total 3.0" in (await gantry.anonymous().get("/metrics")).text
    if gantry.state.db.dialect == "sqlite":
        with kit.sqlite_statements(gantry) as executed:
            assert (await viewer.get("/api/v1/stats")).status_code == 200
            assert (await gantry.anonymous().get("/metrics")).status_code == 200
        assert executed and not [done.sql for done in executed if "FROM entities" in done.sql]
