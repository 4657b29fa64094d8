"""Audit log (admin) and activity feeds (everyone, no IPs): F83, F84, F86, F154."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from gantry_core.catalog.documents import parse
from gantry_core.catalog.service import Actor, write_many
from gantry_core.db.tables import audit_counts, audit_log
from gantry_core.testing import Gantry
from sqlalchemy import select, text, update


def service(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "gantry.io/v1",
        "kind": "Service",
        "metadata": {"name": name, "owner": "payments"},
        "spec": {"type": "backend", **spec},
    }


async def _history_of_payment_api(gantry: Gantry) -> httpx.AsyncClient:
    """Create, update and delete a service as a developer (plus a second service)."""
    dev = await gantry.client("developer")
    assert (await dev.post("/api/v1/entities", json=service("payment-api"))).status_code == 201
    updated = await dev.put("/api/v1/entities/service/payment-api", json=service("payment-api", system="pay"))
    assert updated.status_code == 200
    assert (await dev.post("/api/v1/entities", json=service("checkout"))).status_code == 201
    assert (await dev.delete("/api/v1/entities/service/payment-api")).status_code == 204
    return dev


async def test_admin_sees_every_entry_newest_first_with_before_after_and_ip(gantry: Gantry) -> None:
    await _history_of_payment_api(gantry)
    admin = await gantry.client("admin")
    response = await admin.get("/api/v1/audit", params={"kind": "service"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 4
    assert body["next"] is None
    assert [(e["action"], e["resourceName"]) for e in body["items"]] == [
        ("delete", "payment-api"),
        ("create", "checkout"),
        ("update", "payment-api"),
        ("create", "payment-api"),
    ]
    ids = [e["id"] for e in body["items"]]
    assert ids == sorted(ids, reverse=True)
    deleted, _, updated, created = body["items"]
    assert set(created) == {
        "id",
        "timestamp",
        "userName",
        "action",
        "resourceType",
        "resourceNamespace",
        "resourceName",
        "source",
        "ipAddress",
        "before",
        "after",
        "details",
    }
    assert created["userName"] == "developer-user"
    assert created["resourceType"] == "Service"
    assert created["resourceNamespace"] == "default"
    assert created["source"] == "api"
    assert created["ipAddress"] == "127.0.0.1"
    assert created["before"] is None
    assert created["after"]["metadata"]["name"] == "payment-api"
    assert updated["before"]["spec"] == {"type": "backend"}
    assert updated["after"]["spec"] == {"type": "backend", "system": "pay"}
    assert deleted["after"] is None
    assert deleted["before"]["spec"]["system"] == "pay"
    assert created["timestamp"].endswith("Z")
    datetime.fromisoformat(created["timestamp"])


async def test_audit_filters(gantry: Gantry) -> None:
    await _history_of_payment_api(gantry)
    admin = await gantry.client("admin")
    cli = await gantry.client("developer", username="ci-bot")
    cli.headers["User-Agent"] = "gantry-cli/0.1"
    assert (await cli.post("/api/v1/entities", json=service("from-cli"))).status_code == 201

    async def names(**params: Any) -> list[tuple[str, str | None]]:
        response = await admin.get("/api/v1/audit", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["items"])
        return [(e["action"], e["resourceName"]) for e in body["items"]]

    assert await names(kind="SERVICE", name="payment-api") == [
        ("delete", "payment-api"),
        ("update", "payment-api"),
        ("create", "payment-api"),
    ]
    assert await names(kind="Service", namespace="default", name="checkout") == [("create", "checkout")]
    assert await names(kind="Service", namespace="other") == []
    assert await names(user="ci-bot") == [("create", "from-cli")]
    assert await names(source="cli") == [("create", "from-cli")]
    assert await names(action="delete") == [("delete", "payment-api")]
    assert await names(action=["update", "delete"], kind="service") == [
        ("delete", "payment-api"),
        ("update", "payment-api"),
    ]
    assert await names(user="developer-user", action="create", kind="service") == [
        ("create", "checkout"),
        ("create", "payment-api"),
    ]


async def test_audit_time_range(gantry: Gantry) -> None:
    await _history_of_payment_api(gantry)
    # Pin the four entries to known times: 2025-01-01, -02, -03, -04 (in id order).
    async with gantry.state.db.write() as conn:
        rows = (await conn.execute(audit_log.select().order_by(audit_log.c.id))).all()
        entity_rows = [r for r in rows if r.resource_type == "Service"]
        for day, row in enumerate(entity_rows, start=1):
            stamp = datetime(2025, 1, day, 12, tzinfo=UTC)
            await conn.execute(update(audit_log).where(audit_log.c.id == row.id).values(timestamp=stamp))
    admin = await gantry.client("admin")

    async def actions(**params: Any) -> list[str]:
        response = await admin.get("/api/v1/audit", params={"kind": "service", **params})
        assert response.status_code == 200, response.text
        return [f"{e['action']}:{e['timestamp'][:10]}" for e in response.json()["items"]]

    assert await actions(since="2025-01-03T00:00:00Z") == ["delete:2025-01-04", "create:2025-01-03"]
    assert await actions(until="2025-01-02T12:00:00Z") == ["create:2025-01-01"]
    assert await actions(since="2025-01-02T12:00:00+00:00", until="2025-01-03T12:00:00Z") == ["update:2025-01-02"]
    # An offset is honoured: 14:00+02:00 is 12:00Z.
    assert await actions(since="2025-01-04T14:00:00+02:00") == ["delete:2025-01-04"]

    naive = await admin.get("/api/v1/audit", params={"since": "2025-01-03T00:00:00"})
    assert naive.status_code == 400
    assert naive.json()["code"] == "invalid_parameter"
    assert "since" in naive.json()["details"][0]["path"]
    garbage = await admin.get("/api/v1/audit", params={"until": "yesterday"})
    assert garbage.status_code == 400
    backwards = await admin.get(
        "/api/v1/audit", params={"since": "2025-02-01T00:00:00Z", "until": "2025-01-01T00:00:00Z"}
    )
    assert backwards.status_code == 400
    assert backwards.json()["details"] == [{"path": "until", "message": "must be later than since"}]


async def test_audit_pages_with_a_cursor(gantry: Gantry) -> None:
    dev = await gantry.client("developer")
    result = await dev.post("/api/v1/apply", json={"entities": [service(f"svc-{i:02d}") for i in range(7)]})
    assert result.status_code == 200
    admin = await gantry.client("admin")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"kind": "service", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = (await admin.get("/api/v1/audit", params=params)).json()
        assert body["total"] == 7
        seen += [e["resourceName"] for e in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == [f"svc-{i:02d}" for i in range(7)]
    assert len(set(seen)) == 7

    bad = await admin.get("/api/v1/audit", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_cursor"
    too_many = await admin.get("/api/v1/audit", params={"limit": 501})
    assert too_many.status_code == 400


async def test_audit_is_for_admins_only(gantry: Gantry) -> None:
    for role in ("viewer", "developer", "platform-engineer"):
        response = await (await gantry.client(role)).get("/api/v1/audit")
        assert response.status_code == 403, role
        assert response.json()["code"] == "forbidden"
    assert (await gantry.anonymous().get("/api/v1/audit")).status_code == 401
    assert (await gantry.anonymous().get("/api/v1/activity")).status_code == 401
    assert (await gantry.anonymous().get("/api/v1/entities/service/x/activity")).status_code == 401


async def test_entity_activity_for_viewers_without_ip(gantry: Gantry) -> None:
    await _history_of_payment_api(gantry)
    viewer = await gantry.client("viewer")
    response = await viewer.get("/api/v1/entities/SERVICE/payment-api/activity")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3
    assert [e["type"] for e in body["items"]] == ["entity.deleted", "entity.updated", "entity.created"]
    for item in body["items"]:
        assert "ipAddress" not in item
        assert item["resourceName"] == "payment-api"
        assert item["userName"] == "developer-user"
    assert body["items"][1]["after"]["spec"]["system"] == "pay"
    assert "127.0.0.1" not in response.text

    page = (await viewer.get("/api/v1/entities/service/payment-api/activity", params={"limit": 2})).json()
    assert len(page["items"]) == 2 and page["next"]
    rest = (
        await viewer.get("/api/v1/entities/service/payment-api/activity", params={"limit": 2, "cursor": page["next"]})
    ).json()
    assert [e["type"] for e in rest["items"]] == ["entity.created"]
    assert rest["next"] is None

    other_ns = await viewer.get("/api/v1/entities/service/checkout/activity", params={"namespace": "other"})
    assert other_ns.status_code == 404
    assert other_ns.json()["code"] == "not_found"
    never = await viewer.get("/api/v1/entities/service/never-existed/activity")
    assert never.status_code == 404
    unknown = await viewer.get("/api/v1/entities/widget/payment-api/activity")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_kind"


async def test_entity_activity_of_an_untouched_entity_is_empty(gantry: Gantry) -> None:
    dev = await gantry.client("developer")
    await dev.post("/api/v1/entities", json=service("quiet"))
    # An entity whose audit rows were pruned still answers (with no entries), it is not a 404.
    async with gantry.state.db.write() as conn:
        await conn.execute(audit_log.delete())
    response = await (await gantry.client("viewer")).get("/api/v1/entities/service/quiet/activity")
    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 0, "next": None}


async def test_activity_routes_do_not_shadow_entity_routes(gantry: Gantry) -> None:
    dev = await gantry.client("developer")
    assert (await dev.post("/api/v1/entities", json=service("activity"))).status_code == 201
    got = await dev.get("/api/v1/entities/service/activity")
    assert got.status_code == 200
    assert got.json()["metadata"]["name"] == "activity"
    feed = await dev.get("/api/v1/entities/service/activity/activity")
    assert feed.status_code == 200
    assert [e["type"] for e in feed.json()["items"]] == ["entity.created"]
    listing = await dev.get("/api/v1/entities/service")
    assert listing.json()["total"] == 1


async def test_activity_feed_has_entity_changes_only(gantry: Gantry, kit: Any) -> None:
    await _history_of_payment_api(gantry)
    await kit.add_user(gantry, "alice")
    assert (await kit.login(gantry, "alice")).status_code == 200  # a login is audited, not activity
    async with gantry.state.db.write() as conn:
        docs = [parse(gantry.state.host, service("synced-svc"))]
        await write_many(conn, docs, Actor(name="kubernetes", source="plugin", plugin="kubernetes"))
    viewer = await gantry.client("viewer")
    response = await viewer.get("/api/v1/activity")
    assert response.status_code == 200
    body = response.json()
    assert [(e["type"], e["resourceName"]) for e in body["items"]] == [
        ("entity.synced", "synced-svc"),
        ("entity.deleted", "payment-api"),
        ("entity.created", "checkout"),
        ("entity.updated", "payment-api"),
        ("entity.created", "payment-api"),
    ]
    assert body["total"] == 5
    assert all("ipAddress" not in e for e in body["items"])
    admin_view = (await (await gantry.client("admin")).get("/api/v1/audit", params={"action": "login"})).json()
    assert admin_view["total"] == 1

    limited = (await viewer.get("/api/v1/activity", params={"limit": 2})).json()
    assert len(limited["items"]) == 2 and limited["next"] is not None
    assert (await viewer.get("/api/v1/activity", params={"kind": "api"})).json()["total"] == 0
    assert (await viewer.get("/api/v1/activity", params={"kind": "services"})).json()["total"] == 5
    unknown = await viewer.get("/api/v1/activity", params={"kind": "widget"})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_kind"


async def _walk(client: httpx.AsyncClient, url: str) -> tuple[set[int], int]:
    """The totals the pages of `url` gave (two entries a page) and the number of entries they held."""
    totals: set[int] = set()
    seen = 0
    cursor = ""
    while True:
        response = await client.get(f"{url}{'&' if '?' in url else '?'}limit=2{cursor}")
        assert response.status_code == 200, (url, response.text)
        body = response.json()
        totals.add(body["total"])
        seen += len(body["items"])
        if body["next"] is None:
            return totals, seen
        cursor = f"&cursor={body['next']}"


async def _mixed_trail(gantry: Gantry, kit: Any) -> None:
    """Entity writes of two kinds one by one and in a batch, deletes, a refused write, a plugin's sync,
    logins and a new user."""
    dev = await _history_of_payment_api(gantry)
    batch = [service(f"svc-{i}") for i in range(5)]
    batch += [
        {"kind": "API", "metadata": {"name": f"api-{i}", "owner": "payments"}, "spec": {"type": "rest"}}
        for i in range(2)
    ]
    assert (await dev.post("/api/v1/apply", json={"entities": batch})).json()["summary"]["created"] == 7
    assert (await dev.post("/api/v1/entities", json=service("svc-0"))).status_code == 409  # audits nothing
    assert (await dev.delete("/api/v1/entities/api/api-1")).status_code == 204
    async with gantry.state.db.write() as conn:
        docs = [parse(gantry.state.host, service("synced-svc"))]
        await write_many(conn, docs, Actor(name="kubernetes", source="plugin", plugin="kubernetes"))
    await kit.add_user(gantry, "alice")
    for _ in range(2):
        assert (await kit.login(gantry, "alice")).status_code == 200


async def test_audit_and_activity_totals_equal_the_entries_under_every_filter(gantry: Gantry, kit: Any) -> None:
    """Totals under no filter, actions and a kind come from the kept audit_counts, others from the trail:
    either way each equals the entries the pages hold."""
    await _mixed_trail(gantry, kit)
    admin = await gantry.client("admin")
    filters = ["", "action=update", "action=create&action=delete", "action=login", "kind=service", "kind=API"]
    filters += ["kind=service&action=create", "kind=User", "kind=widget", "user=developer-user", "namespace=default"]
    filters += ["source=plugin", "kind=service&since=2000-01-01T00:00:00Z", "kind="]
    walked = {}
    for query in filters:
        totals, seen = await _walk(admin, f"/api/v1/audit?{query}")
        assert totals == {seen}, query
        walked[query] = seen
    assert walked[""] == 15 and walked["kind=service"] == 10 and walked["action=login"] >= 2
    assert walked["kind=API"] == 3 and walked["kind=service&action=create"] == 8 and walked["kind=widget"] == 0
    assert walked["user=developer-user"] == 12 and walked["namespace=default"] == 13 and walked["source=plugin"] == 1
    viewer = await gantry.client("viewer")
    for query in ("", "kind=service", "kind=api", "namespace=default"):
        totals, seen = await _walk(viewer, f"/api/v1/activity?{query}")
        assert totals == {seen}, query
    assert (await viewer.get("/api/v1/activity")).json()["total"] == 13


async def test_kept_audit_counts_equal_a_fresh_count_by_the_migration(gantry: Gantry, kit: Any) -> None:
    """What the audit write path keeps in audit_counts, summed over its shards, equals what migration 0010
    fills from the trail (on both databases)."""
    await _mixed_trail(gantry, kit)
    migration = kit.migration("0010_audit_counts.py")
    async with gantry.state.db.read() as conn:
        kept: Counter[tuple[str, str]] = Counter()
        for action, kind, _shard, n in (await conn.execute(select(audit_counts))).all():
            kept[(action, kind)] += n
        filled = {(action, kind): n for action, kind, _, n in (await conn.execute(text(migration.FILL))).all()}
    assert dict(kept) == filled
    assert kept[("create", "Service")] == 8 and kept[("login", "")] + kept[("login", "User")] >= 2


async def test_sqlite_counts_the_usual_audit_views_without_reading_the_trail(gantry: Gantry, kit: Any) -> None:
    """GET /audit and /activity under no filter, actions and a kind sum audit_counts, on the event loop;
    other filters count the trail's entries, on a reader thread unless they name one resource."""
    if gantry.state.db.dialect != "sqlite":
        pytest.skip("records SQLite's statements")
    await _mixed_trail(gantry, kit)
    admin = await gantry.client("admin")
    loop = threading.get_ident()
    for url, kept, on_loop in [
        ("/api/v1/audit", True, True),
        ("/api/v1/audit?action=update&kind=service", True, True),
        ("/api/v1/activity", True, True),
        ("/api/v1/activity?kind=api", True, True),
        ("/api/v1/audit?kind=service&name=checkout", False, True),
        ("/api/v1/entities/service/checkout/activity", False, True),
        ("/api/v1/audit?user=developer-user", False, False),
        ("/api/v1/activity?namespace=default", False, False),
        ("/api/v1/activity?since=2000-01-01T00:00:00Z", False, False),
    ]:
        with kit.sqlite_statements(gantry) as executed:
            response = await admin.get(url)
            assert response.status_code == 200 and response.json()["total"] > 0, url
        counts = [done.sql for done in executed if "count(" in done.sql or "sum(" in done.sql]
        assert len(counts) == 1, (url, executed)
        assert ("audit_counts" in counts[0]) is kept and ("audit_log" in counts[0]) is not kept, (url, counts[0])
        threads = {done.thread for done in executed if "audit_" in done.sql}
        assert threads == {loop} if on_loop else loop not in threads, (url, threads)
