"""Lists, pagination, filters, facets, search, graph, batch apply and export (F46-F58, F151, F153)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any

import orjson
import pytest
import yaml
from gantry_core.api.pagination import encode_cursor
from gantry_core.catalog import queries
from gantry_core.db import tables
from gantry_core.testing import Gantry
from sqlalchemy import func, select, text


def entity(kind: str, name: str, spec: dict[str, Any] | None = None, **metadata: Any) -> dict[str, Any]:
    return {"apiVersion": "gantry.io/v1", "kind": kind, "metadata": {"name": name, **metadata}, "spec": spec or {}}


CATALOG = [
    entity("Team", "payments", {"members": [{"name": "alice", "email": "alice@example.com"}]}),
    entity("Team", "platform"),
    entity("Environment", "production", {"type": "production"}, owner="platform"),
    entity("Infrastructure", "payments-db", {"type": "database"}, owner="payments", tags=["postgres"]),
    entity("API", "payments-api", {"type": "rest"}, owner="payments"),
    entity(
        "Service",
        "payment-gateway",
        {
            "type": "backend",
            "lifecycle": "production",
            "dependsOn": [{"kind": "Infrastructure", "name": "payments-db"}, {"kind": "Service", "name": "ledger"}],
            "deployedIn": [{"kind": "Environment", "name": "production"}],
            "providesApis": ["payments-api"],
        },
        owner="payments",
        tags=["python", "tier-1"],
        labels={"tier": "1", "app.kubernetes.io/part-of": "checkout"},
        title="Payment Gateway",
        description="Takes card payments from the storefront",
    ),
    entity(
        "Service",
        "checkout-web",
        {"type": "frontend", "lifecycle": "experimental", "consumesApis": ["payments-api"]},
        owner="platform",
        tags=["typescript"],
        labels={"tier": "2"},
        description="The storefront checkout, talks to the payment gateway",
    ),
    entity(
        "Service",
        "fraud-scorer",
        {"type": "worker", "lifecycle": "production"},
        owner="payments",
        tags=["python"],
        namespace="risk",
    ),
    entity(
        "Documentation",
        "payments-runbook",
        {"type": "runbook", "associatedEntity": {"kind": "service", "name": "payment-gateway"}},
    ),
]


async def load(gantry: Gantry) -> Any:
    client = await gantry.client("developer")
    response = await client.post("/api/v1/apply", json={"entities": CATALOG})
    assert response.status_code == 200, response.text
    assert response.json()["summary"] == {"created": len(CATALOG), "updated": 0, "unchanged": 0, "failed": 0}
    return client


async def names(client: Any, url: str) -> list[str]:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return [item["metadata"]["name"] for item in response.json()["items"]]


async def test_filters(gantry: Gantry) -> None:
    client = await load(gantry)
    assert await names(client, "/api/v1/entities?kind=service") == ["checkout-web", "fraud-scorer", "payment-gateway"]
    assert await names(client, "/api/v1/entities/services?namespace=risk") == ["fraud-scorer"]
    assert await names(client, "/api/v1/entities?owner=payments&kind=Service") == ["fraud-scorer", "payment-gateway"]
    assert await names(client, "/api/v1/entities?tag=python") == ["fraud-scorer", "payment-gateway"]
    assert await names(client, "/api/v1/entities?lifecycle=production") == ["fraud-scorer", "payment-gateway"]
    assert await names(client, "/api/v1/entities?label=tier=1") == ["payment-gateway"]
    assert await names(client, "/api/v1/entities?label=tier=1&label=app.kubernetes.io/part-of=checkout") == [
        "payment-gateway"
    ]
    assert await names(client, "/api/v1/entities?label=tier=1&label=tier=2") == []
    assert await names(client, "/api/v1/entities?q=storefront") == ["checkout-web", "payment-gateway"]
    assert await names(client, "/api/v1/entities?q=storefront&owner=platform") == ["checkout-web"]
    bad_label = await client.get("/api/v1/entities?label=novalue")
    assert bad_label.status_code == 400 and bad_label.json()["code"] == "invalid_parameter"
    assert (await client.get("/api/v1/entities?kind=flow")).json()["code"] == "unknown_kind"


async def test_pagination_walks_everything_once(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    docs = [entity("Team", f"team-{i:03d}") for i in range(137)]
    assert (await client.post("/api/v1/apply", json={"entities": docs})).json()["summary"]["created"] == 137
    for sort in ("name", "-name", "updatedAt", "-updatedAt"):
        seen: list[str] = []
        url = f"/api/v1/entities/team?limit=50&sort={sort}"
        while True:
            page = (await client.get(url)).json()
            assert page["total"] == 137
            assert len(page["items"]) <= 50
            seen += [item["metadata"]["name"] for item in page["items"]]
            if page["next"] is None:
                break
            url = f"/api/v1/entities/team?limit=50&sort={sort}&cursor={page['next']}"
        assert len(seen) == 137 and len(set(seen)) == 137, sort
        if sort == "name":
            assert seen == sorted(seen)
        if sort == "-name":
            assert seen == sorted(seen, reverse=True)
    default = (await client.get("/api/v1/entities")).json()
    assert len(default["items"]) == 50
    for bad in ("limit=0", "limit=501", "limit=x", "cursor=not-a-cursor", "sort=size"):
        response = await client.get(f"/api/v1/entities?{bad}")
        assert response.status_code == 400, bad
        assert response.json()["code"] in ("invalid_parameter", "invalid_cursor"), bad


async def test_facets_count_for_the_current_filter(gantry: Gantry) -> None:
    client = await load(gantry)
    body = (await client.get("/api/v1/facets?fields=owner,tag,kind,lifecycle,namespace&kind=service")).json()
    assert {f["value"]: f["count"] for f in body["owner"]} == {"payments": 2, "platform": 1}
    assert {f["value"]: f["count"] for f in body["tag"]} == {"python": 2, "tier-1": 1, "typescript": 1}
    # a field's own filter is left out of its facet, so the other kinds stay visible
    assert {f["value"]: f["count"] for f in body["kind"]}["Team"] == 2
    assert {f["value"]: f["count"] for f in body["namespace"]} == {"default": 2, "risk": 1}
    tagged = (await client.get("/api/v1/facets?fields=owner&tag=python")).json()
    assert {f["value"]: f["count"] for f in tagged["owner"]} == {"payments": 2}
    assert (await client.get("/api/v1/facets?fields=colour")).status_code == 400


async def test_sqlite_counts_facets_of_an_unkept_filter_on_a_reader_thread(gantry: Gantry, kit: Any) -> None:
    """Facets the kept counts answer (no filter, kind, tag) are a few index ranges, read on the event
    loop; any other filter (here a namespace) counts every matching entity, tens to hundreds of ms at
    100k, so on SQLite that runs on a reader thread and the loop serves other requests meanwhile."""
    if gantry.state.db.dialect != "sqlite":
        pytest.skip("PostgreSQL's driver is asynchronous")
    client = await load(gantry)
    with kit.sqlite_statements(gantry) as kept_sql:
        kept = (await client.get("/api/v1/facets?fields=owner,kind&kind=service&tag=python")).json()
    with kit.sqlite_statements(gantry) as counted_sql:
        counted = (await client.get("/api/v1/facets?fields=owner,kind&namespace=risk")).json()
    on_loop = [done.thread for done in kept_sql if _facet_sql(done.sql)]
    threads = [done.thread for done in counted_sql if _facet_sql(done.sql)]
    assert on_loop and set(on_loop) == {threading.get_ident()}
    assert threads and threading.get_ident() not in threads
    assert kept["owner"] == [{"value": "payments", "count": 2}]
    assert counted == {"owner": [{"value": "payments", "count": 1}], "kind": [{"value": "Service", "count": 1}]}


def _facet_sql(sql: str) -> bool:
    return "entity_facets" in sql or "GROUP BY" in sql


async def test_sqlite_reads_text_and_label_filtered_lists_on_a_reader_thread(gantry: Gantry, kit: Any) -> None:
    """A list under a text or label filter counts every match (tens of ms at 100k entities), so on
    SQLite it is read on a reader thread; a list under index-range filters stays on the event loop."""
    if gantry.state.db.dialect != "sqlite":
        pytest.skip("PostgreSQL's driver is asynchronous")
    client = await load(gantry)
    threads: dict[str, set[int]] = {}
    for query in ("q=storefront&kind=service", "label=tier=1", "kind=service&owner=payments", "tag=python"):
        with kit.sqlite_statements(gantry) as executed:
            assert (await client.get(f"/api/v1/entities?{query}")).status_code == 200
        threads[query] = {done.thread for done in executed if "FROM entities" in done.sql}
    loop = threading.get_ident()
    assert loop not in threads["q=storefront&kind=service"] and loop not in threads["label=tier=1"]
    assert threads["kind=service&owner=payments"] == {loop} and threads["tag=python"] == {loop}


def _random_catalog(rng: random.Random, n: int) -> list[dict[str, Any]]:
    docs = []
    for i in range(n):
        kind = rng.choice(["Service", "API", "Infrastructure"])
        spec: dict[str, Any] = {"type": {"Service": "backend", "API": "rest", "Infrastructure": "database"}[kind]}
        if kind != "Infrastructure" and rng.random() < 0.8:
            spec["lifecycle"] = rng.choice(["production", "experimental", "deprecated"])
        metadata: dict[str, Any] = {"namespace": rng.choice(["default", "default", "risk"])}
        if rng.random() < 0.9:
            metadata["owner"] = rng.choice(["payments", "platform", "search", "data"])
        metadata["tags"] = rng.sample(["python", "go", "tier-1", "tier-2", "pci"], rng.randint(0, 3))
        docs.append(entity(kind, f"e{i}", spec, **metadata))
    return docs


def _expected(docs: list[dict[str, Any]], query: dict[str, str], field: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for doc in docs:
        md, spec = doc["metadata"], doc["spec"]
        values = {
            "kind": [doc["kind"]],
            "namespace": [md.get("namespace", "default")],
            "owner": [md["owner"]] if md.get("owner") else [],
            "lifecycle": [spec["lifecycle"]] if spec.get("lifecycle") else [],
            "tag": md.get("tags", []),
        }
        if all(wanted in values[key] for key, wanted in query.items() if key != field):
            for value in values[field]:
                counts[value] = counts.get(value, 0) + 1
    return counts


def _matches(doc: dict[str, Any], query: dict[str, str]) -> bool:
    md, spec = doc["metadata"], doc["spec"]
    values = {
        "kind": doc["kind"].lower(),
        "namespace": md.get("namespace", "default"),
        "owner": md.get("owner"),
        "lifecycle": spec.get("lifecycle"),
    }
    for key, wanted in query.items():
        if key == "tag" and wanted not in md.get("tags", []):
            return False
        if key == "label" and md.get("labels", {}).get(wanted.split("=")[0]) != wanted.split("=")[1]:
            return False
        if key == "q" and not any(word.startswith(wanted) for word in md.get("description", "").split()):
            return False
        if key in values and values[key] != wanted:
            return False
    return True


async def _walk(client: Any, query: dict[str, str], sort: str) -> tuple[list[str], set[int]]:
    """Every name of a filtered list, page by page (3 a page), and the totals the pages gave."""
    seen: list[str] = []
    totals: set[int] = set()
    url = "/api/v1/entities?limit=3&sort=" + sort + "".join(f"&{k}={v}" for k, v in query.items())
    cursor = ""
    while True:
        response = await client.get(url + cursor)
        assert response.status_code == 200, response.text
        page = response.json()
        totals.add(page["total"])
        seen += [item["metadata"]["name"] for item in page["items"]]
        if page["next"] is None:
            return seen, totals
        cursor = f"&cursor={page['next']}"


async def test_tag_label_and_text_filtered_lists_match_a_filter_by_hand_however_they_are_read(
    gantry: Gantry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tag, label or text filter is read from its own index when few entities match and entity by
    entity along the sort order when many do (queries.FEW_MATCHES): both give the same pages and totals."""
    rng = random.Random(11)
    client = await gantry.client("developer")
    docs = _random_catalog(rng, 90)
    for doc in docs:
        doc["metadata"]["labels"] = {"tier": rng.choice(["1", "2"])} if rng.random() < 0.7 else {}
        doc["metadata"]["description"] = rng.choice(["zephyr wind", "zephyr", "calm", "quasar"])
    docs[5]["metadata"]["labels"]["rare"] = "yes"
    assert (await client.post("/api/v1/apply", json={"entities": docs})).status_code == 200
    filters: list[dict[str, str]] = []
    for tag_or_label in (
        {"tag": "python"},
        {"tag": "pci"},
        {"label": "tier=2"},
        {"label": "rare=yes"},
        {"q": "zeph"},
        {"q": "quasar"},
        {},
    ):
        for extra in ({}, {"kind": "service"}, {"owner": "payments"}, {"lifecycle": "production"}):
            filters.append({**tag_or_label, **extra})
    filters += [
        {"tag": "python", "label": "tier=1"},
        {"tag": "go", "namespace": "risk", "kind": "api"},
        {"q": "zeph", "tag": "python", "label": "tier=1"},
    ]
    for few in (3, 1000):  # most filters above the threshold, then all below it
        monkeypatch.setattr(queries, "FEW_MATCHES", few)
        for query in filters:
            expected = sorted(d["metadata"]["name"] for d in docs if _matches(d, query))
            for sort in ("name", "-updatedAt"):
                names, totals = await _walk(client, query, sort)
                assert totals == {len(expected)}, (few, query, sort)
                assert sorted(names) == expected, (few, query, sort)
                if sort == "name":
                    assert names == expected


async def test_sqlite_reads_tag_and_label_filters_through_their_indexes(
    gantry: Gantry, kit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No list request with a tag or label filter reads the whole entities table (SQLite's plans, with
    the statistics start-up gathers for a catalog that has none); a common tag's page is read along the
    name index and stops once full."""
    if gantry.state.db.dialect != "sqlite":
        pytest.skip("SQLite's query plans")
    from gantry_core.catalog import statistics

    rng = random.Random(3)
    client = await gantry.client("developer")
    docs = _random_catalog(rng, 300)
    for doc in docs:
        doc["metadata"]["labels"] = {"tier": rng.choice(["1", "2"])}
    docs[7]["metadata"]["labels"]["rare"] = "yes"
    docs[7]["metadata"]["tags"] = ["pci-rare"]
    assert (await client.post("/api/v1/apply", json={"entities": docs})).status_code == 200
    monkeypatch.setattr(statistics, "MIN_CREATED", 100)
    monkeypatch.setattr(queries, "FEW_MATCHES", 20)
    keeper = gantry.state.extras["statistics"]
    await keeper.start()  # what start-up does: no statistics yet, so they are gathered
    assert keeper.task is not None
    await keeper.task
    async with gantry.state.db.read() as conn:
        stat = (await conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'entities'")).scalars().all()
    assert stat and all(row.split()[0] == "300" for row in stat)

    for query in ("tag=pci-rare", "label=rare=yes", "kind=service&tag=pci-rare", "tag=python", "kind=api&tag=go"):
        with kit.sqlite_statements(gantry) as executed:
            for sort in ("name", "-updatedAt"):
                assert (await client.get(f"/api/v1/entities?{query}&sort={sort}")).status_code == 200
        selects = [done for done in executed if done.sql.lstrip().startswith("SELECT")]
        assert len(selects) >= 4, (query, executed)  # a count and a page for each sort
        for done in selects:
            plan = kit.sqlite_plan(gantry, done)
            scans = [step for step in plan if step.startswith("SCAN entities")]
            if "count(" in done.sql or "rare" in query:
                assert not scans, (query, done.sql, plan)  # from the tag's or label's index
            else:  # a page of a common tag: along the sort order's index, LIMIT-bounded
                assert all(" USING " in step for step in scans), (query, done.sql, plan)


async def test_facets_and_list_totals_match_a_count_by_hand_after_edits_and_deletes(gantry: Gantry) -> None:
    """Every facet field, and the list's total, under many filter combinations equals a count over the
    documents, also after owners, lifecycles and tags change and entities are deleted (the copies on
    entity_tags and the kept counts follow)."""
    rng = random.Random(7)
    client = await gantry.client("developer")
    docs = _random_catalog(rng, 120)
    assert (await client.post("/api/v1/apply", json={"entities": docs})).status_code == 200
    for doc in rng.sample(docs, 40):
        doc["metadata"]["owner"] = rng.choice(["payments", "data", "ml"])
        doc["metadata"]["tags"] = rng.sample(["python", "go", "tier-1", "rust"], rng.randint(0, 2))
        if doc["kind"] != "Infrastructure":
            doc["spec"]["lifecycle"] = rng.choice(["production", "deprecated"])
    assert (await client.post("/api/v1/apply", json={"entities": docs})).status_code == 200
    for doc in rng.sample(docs, 15):
        md = doc["metadata"]
        path = f"/api/v1/entities/{doc['kind']}/{md['name']}?namespace={md['namespace']}"
        assert (await client.delete(path)).status_code == 204
        docs.remove(doc)
    filters: list[dict[str, str]] = [{}]
    for kind in ("Service", "API", None):
        for tag in ("python", "tier-1", "rust", None):
            for extra in (
                {},
                {"owner": "payments"},
                {"lifecycle": "production"},
                {"namespace": "risk"},
                {"owner": "payments", "lifecycle": "production"},
            ):
                query = {**({"kind": kind} if kind else {}), **({"tag": tag} if tag else {}), **extra}
                filters.append(query)
    fields = ("owner", "tag", "kind", "lifecycle", "namespace")
    for query in filters:
        url = "/api/v1/facets?fields=" + ",".join(fields) + "".join(f"&{k}={v}" for k, v in query.items())
        response = await client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        for field in fields:
            got = {item["value"]: item["count"] for item in body[field]}
            assert got == _expected(docs, query, field), (query, field)
            order = [(-item["count"], item["value"]) for item in body[field]]
            assert order == sorted(order), (query, field)  # most entities first, then by value
        listed = await client.get("/api/v1/entities?limit=1" + "".join(f"&{k}={v}" for k, v in query.items()))
        lowered = {k: v.lower() if k == "kind" else v for k, v in query.items()}
        assert listed.json()["total"] == sum(_matches(doc, lowered) for doc in docs), query


async def test_sqlite_counts_lists_the_kept_counts_answer_without_reading_entities(gantry: Gantry, kit: Any) -> None:
    """A list under a kind and/or a tag with at most one of namespace, owner and lifecycle takes its total
    from the kept counts (facet_counts.total), not by counting entities; other filters count entities."""
    if gantry.state.db.dialect != "sqlite":
        pytest.skip("records SQLite's statements")
    client = await gantry.client("developer")
    docs = _random_catalog(random.Random(5), 40)
    assert (await client.post("/api/v1/apply", json={"entities": docs})).status_code == 200
    kept = ["", "kind=service", "tag=python", "kind=api&tag=go", "owner=payments", "kind=service&lifecycle=production"]
    kept += ["tag=python&namespace=risk"]
    for query, from_kept in [(q, True) for q in kept] + [("owner=payments&lifecycle=production", False)]:
        with kit.sqlite_statements(gantry) as executed:
            assert (await client.get(f"/api/v1/entities?{query}")).status_code == 200
        counts = [done.sql for done in executed if "count(" in done.sql or "sum(" in done.sql]
        assert len(counts) == 1, (query, executed)
        assert ("entity_facets" in counts[0]) is from_kept, (query, counts[0])
        assert ("FROM entities" not in counts[0]) is from_kept, (query, counts[0])


async def test_postgresql_facets_order_ties_by_code_point_whatever_the_collation(gantry: Gantry) -> None:
    """Kept, entity_tags and counted-in-Python facets all break ties in code point order, as on SQLite,
    also when the columns' collation is a linguistic one (ICU's puts `_` before digits)."""
    if gantry.state.db.dialect != "postgresql":
        pytest.skip("SQLite compares strings by code point anyway")
    client = await gantry.client("developer")
    docs = [
        entity("Service", f"s{i}", {"type": "backend", "lifecycle": "production"}, tags=[tag])
        for i, tag in enumerate(["a_b", "a1"] * 2)
    ]
    assert (await client.post("/api/v1/apply", json={"entities": docs})).json()["summary"]["created"] == 4
    async with gantry.state.db.write() as conn:
        if (await conn.execute(text("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'"))).first() is None:
            pytest.skip("this PostgreSQL has no ICU collations")
        for table, column, size in [("entity_facets", "value", 253), ("entity_tags", "tag", 63)]:
            await conn.execute(
                text(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({size}) COLLATE "und-x-icu"')
            )
        ordered = await conn.execute(text("SELECT DISTINCT tag FROM entity_tags ORDER BY tag"))
        assert ordered.scalars().all() == ["a_b", "a1"]  # the collation took: not code point order
    # kept counts, entity_tags with its copied lifecycle, entity_tags for the namespace's entities
    for query in ("", "&lifecycle=production", "&namespace=default"):
        body = (await client.get(f"/api/v1/facets?fields=tag{query}")).json()
        assert body["tag"] == [{"value": "a1", "count": 2}, {"value": "a_b", "count": 2}], query


async def test_kept_facet_counts_equal_a_fresh_count_by_the_migration(gantry: Gantry, kit: Any) -> None:
    """The counts the write path keeps in entity_facets equal those migration 0004 fills from the stored
    entities (less the any-kind rows under a tag, which 0009 dropped), after creates, updates and deletes
    (on both databases)."""
    rng = random.Random(11)
    client = await gantry.client("developer")
    docs = _random_catalog(rng, 80)
    assert (await client.post("/api/v1/apply", json={"entities": docs})).status_code == 200
    for doc in rng.sample(docs, 30):
        doc["metadata"]["owner"] = rng.choice(["data", "ml"])
        doc["metadata"]["tags"] = rng.sample(["python", "rust", "pci"], rng.randint(0, 2))
        assert (
            await client.put(
                f"/api/v1/entities/{doc['kind']}/{doc['metadata']['name']}",
                params={"namespace": doc["metadata"]["namespace"]},
                json=doc,
            )
        ).status_code == 200
    for doc in rng.sample(docs, 10):
        md = doc["metadata"]
        assert (
            await client.delete(f"/api/v1/entities/{doc['kind']}/{md['name']}", params={"namespace": md["namespace"]})
        ).status_code == 204
    migration = kit.migration("0004_entity_facets.py")
    async with gantry.state.db.read() as conn:
        stored = select(tables.entity_facets).where(tables.entity_facets.c.n > 0)
        kept = sorted(tuple(row) for row in (await conn.execute(stored)).all())
        per_kind: list[tuple[str, str, str, str, int]] = []
        for fill in migration._FILL:
            per_kind.extend(tuple(row) for row in (await conn.execute(text(fill))).all())
    any_kind: Counter[tuple[str, str]] = Counter()  # under no tag only (migration 0009)
    for _kind, tag, field, value, n in per_kind:
        if not tag:
            any_kind[(field, value)] += n
    filled = sorted(
        [(field, tag, kind, value, n) for kind, tag, field, value, n in per_kind]
        + [(field, "", "", value, n) for (field, value), n in any_kind.items()]
    )
    assert kept == filled
    assert len(kept) > 50


async def test_postgresql_search_falls_back_to_fuzzy_names(gantry: Gantry) -> None:
    """No full-text match on PostgreSQL: names alike by trigrams, case ignored (pg_trgm on lower(name))."""
    client = await load(gantry)
    body = (await client.get("/api/v1/search?q=PAYMNET-GATEWAY")).json()
    found = [i["name"] for i in body["items"]]
    if gantry.state.db.dialect == "sqlite":
        assert found == []  # FTS5 only: no fuzzy fallback
        return
    assert found[0] == "payment-gateway"
    assert body["total"] == len(found)


async def test_search_ranks_and_prefix_matches(gantry: Gantry) -> None:
    client = await load(gantry)
    body = (await client.get("/api/v1/search?q=paym")).json()
    found = [(i["kind"], i["name"]) for i in body["items"]]
    assert ("Service", "payment-gateway") in found
    assert (
        found.index(("Service", "payment-gateway")) < found.index(("Service", "checkout-web"))
        if (("Service", "checkout-web") in found)
        else True
    )
    assert body["total"] == len(found)
    item = next(i for i in body["items"] if i["name"] == "payment-gateway")
    assert item == {
        "kind": "Service",
        "namespace": "default",
        "name": "payment-gateway",
        "title": "Payment Gateway",
        "description": "Takes card payments from the storefront",
        "owner": "payments",
        "tags": ["python", "tier-1"],
    }
    by_tag = [i["name"] for i in (await client.get("/api/v1/search?q=typescript")).json()["items"]]
    assert by_tag == ["checkout-web"]
    by_owner = {i["name"] for i in (await client.get("/api/v1/search?q=platform")).json()["items"]}
    assert "checkout-web" in by_owner
    two_words = [i["name"] for i in (await client.get("/api/v1/search?q=card%20pay")).json()["items"]]
    assert two_words == ["payment-gateway"]
    for blank in ("", "q=", "q=%20", "q=a"):
        response = await client.get(f"/api/v1/search?{blank}")
        assert response.status_code == 400 and response.json()["code"] == "invalid_parameter"
    paged = (await client.get("/api/v1/search?q=pay&limit=1")).json()
    assert len(paged["items"]) == 1 and paged["next"]
    rest = (await client.get(f"/api/v1/search?q=pay&limit=1&cursor={paged['next']}")).json()
    assert rest["items"] and rest["items"][0]["name"] != paged["items"][0]["name"]


async def test_sqlite_ranks_a_broad_search_on_a_reader_thread_not_the_event_loop(
    gantry: Gantry, kit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranking takes time in proportion to the matches (~70 ms for 60k at 100k entities): on SQLite a
    search with more than search.RANK_ON_LOOP matches ranks on a reader thread, so the event loop serves
    other requests meanwhile; a small one ranks on the loop, sparing the hop. Answers are the same."""
    if gantry.state.db.dialect != "sqlite":
        pytest.skip("PostgreSQL's driver is asynchronous")
    import asyncio

    from gantry_core.catalog import search

    client = await load(gantry)
    with kit.sqlite_statements(gantry) as executed:
        on_loop = [(await client.get(f"/api/v1/search?q={q}")).json() for q in ("pay", "store")]
    threads = [done.thread for done in executed if "bm25(" in done.sql]
    assert threads == [threading.get_ident()] * 2  # a handful of matches: ranked on the event loop
    monkeypatch.setattr(search, "RANK_ON_LOOP", 1)
    with kit.sqlite_statements(gantry) as executed:
        together = await asyncio.gather(*(client.get(f"/api/v1/search?q={q}") for q in ("pay", "pay", "store")))
        past = (await client.get("/api/v1/search?q=pay&cursor=" + encode_cursor([100]))).json()
    threads = [done.thread for done in executed if "bm25(" in done.sql]
    assert len(threads) == 3 and threading.get_ident() not in threads
    assert [r.json() for r in together] == [on_loop[0], on_loop[0], on_loop[1]]
    assert {i["name"] for i in on_loop[1]["items"]} == {"checkout-web", "payment-gateway"}
    assert past == {"items": [], "total": on_loop[0]["total"], "next": None}


async def test_search_total_is_every_match_on_every_page_and_past_the_last(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    teams = [{"kind": "Team", "metadata": {"name": f"ledger-{i}", "title": "Ledger"}, "spec": {}} for i in range(7)]
    teams.append({"kind": "Team", "metadata": {"name": "other"}, "spec": {}})
    assert (await client.post("/api/v1/apply", json={"entities": teams})).json()["summary"]["created"] == 8
    seen: list[str] = []
    url = "/api/v1/search?q=ledg&limit=3"
    while url:
        page = (await client.get(url)).json()
        assert page["total"] == 7
        seen.extend(item["name"] for item in page["items"])
        url = f"/api/v1/search?q=ledg&limit=3&cursor={page['next']}" if page["next"] else ""
    assert sorted(seen) == [f"ledger-{i}" for i in range(7)]
    past = (await client.get("/api/v1/search?q=ledg&limit=3&cursor=" + encode_cursor([9]))).json()
    assert past == {"items": [], "total": 7, "next": None}
    none = (await client.get("/api/v1/search?q=nothing-like-it")).json()
    assert none == {"items": [], "total": 0, "next": None}


async def test_graph_depth_direction_and_missing_nodes(gantry: Gantry) -> None:
    client = await load(gantry)
    g = (await client.get("/api/v1/graph/service/payment-gateway")).json()
    ids = {n["id"]: n for n in g["nodes"]}
    assert set(ids) == {
        "service/payment-gateway",
        "infrastructure/payments-db",
        "service/ledger",
        "environment/production",
        "api/payments-api",
        "team/payments",
        "documentation/payments-runbook",
    }
    assert ids["service/ledger"]["missing"] is True
    assert "missing" not in ids["infrastructure/payments-db"]
    edges = {(e["from"], e["to"], e["type"]) for e in g["edges"]}
    assert ("service/payment-gateway", "team/payments", "ownedBy") in edges
    assert ("service/payment-gateway", "service/ledger", "dependsOn") in edges
    assert ("documentation/payments-runbook", "service/payment-gateway", "documents") in edges
    assert g["truncated"] is False

    out_only = (await client.get("/api/v1/graph/service/payment-gateway?direction=out")).json()
    assert "documentation/payments-runbook" not in {n["id"] for n in out_only["nodes"]}
    owned = (await client.get("/api/v1/graph/team/payments?direction=in")).json()
    assert {n["id"] for n in owned["nodes"]} == {
        "team/payments",
        "service/payment-gateway",
        "infrastructure/payments-db",
        "api/payments-api",
    }
    deep = (await client.get("/api/v1/graph/api/payments-api?direction=in&depth=2")).json()
    assert "documentation/payments-runbook" in {n["id"] for n in deep["nodes"]}
    shallow = (await client.get("/api/v1/graph/api/payments-api?direction=in&depth=1")).json()
    assert "documentation/payments-runbook" not in {n["id"] for n in shallow["nodes"]}
    for bad in ("depth=0", "depth=6", "direction=up"):
        assert (await client.get(f"/api/v1/graph/api/payments-api?{bad}")).status_code == 400, bad
    assert (await client.get("/api/v1/graph/api/nope")).status_code == 404


async def test_graph_is_capped_at_500_nodes(gantry: Gantry) -> None:
    client = await gantry.client("developer")
    deps = [{"kind": "Service", "name": f"dep-{i}"} for i in range(600)]
    root = entity("Service", "hub", {"type": "backend", "dependsOn": deps})
    assert (await client.post("/api/v1/entities", json=root)).status_code == 201
    g = (await client.get("/api/v1/graph/service/hub")).json()
    assert g["truncated"] is True
    assert len(g["nodes"]) == 500


async def test_apply_results_dry_run_and_atomic(gantry: Gantry) -> None:
    client = await load(gantry)
    audits = await _count(gantry, tables.audit_log)
    changed = [
        dict(CATALOG[0], spec={"members": [], "slackChannel": "#pay"}),
        CATALOG[1],
        entity("Team", "new-team"),
        entity("Team", "Bad Name"),
    ]
    dry = (await client.post("/api/v1/apply", json={"entities": changed, "dryRun": True})).json()
    assert [r["status"] for r in dry["results"]] == ["valid", "valid", "valid", "invalid"]
    assert dry["results"][3]["details"][0]["path"] == "/metadata/name"
    assert await _count(gantry, tables.audit_log) == audits

    atomic = (await client.post("/api/v1/apply", json={"entities": changed, "atomic": True})).json()
    assert [r["status"] for r in atomic["results"]] == ["skipped", "skipped", "skipped", "invalid"]
    assert (await client.get("/api/v1/entities/team/new-team")).status_code == 404

    duplicate = [entity("Team", "dup"), entity("Team", "dup")]
    atomic_dup = (await client.post("/api/v1/apply", json={"entities": duplicate, "atomic": True})).json()
    assert [r["status"] for r in atomic_dup["results"]] == ["skipped", "error"]
    assert (await client.get("/api/v1/entities/team/dup")).status_code == 404

    applied = (await client.post("/api/v1/apply", json={"entities": changed})).json()
    assert [r["status"] for r in applied["results"]] == ["updated", "unchanged", "created", "invalid"]
    assert applied["summary"] == {"created": 1, "updated": 1, "unchanged": 1, "failed": 1}
    too_many = await client.post("/api/v1/apply", json={"entities": [entity("Team", f"t{i}") for i in range(1001)]})
    assert too_many.status_code == 422
    viewer = await gantry.client("viewer")
    assert (await viewer.post("/api/v1/apply", json={"entities": []})).status_code == 403


async def test_apply_names_nul_and_lone_surrogates_per_entity_whichever_json_decoder_read_the_body(
    gantry: Gantry,
) -> None:
    """orjson decodes the body and vouches for its text (api/json_body.py) unless it holds the escape of a
    NUL; a lone surrogate makes orjson refuse it and the standard library decode it. Either way the bad
    entity is named with its path and the good one is written."""
    client = await gantry.client("developer")
    headers = {"Content-Type": "application/json"}
    good = b'{"kind": "Team", "metadata": {"name": "good-%d"}, "spec": {}}'
    for i, (bad, path) in enumerate(
        [
            (b'{"kind": "Team", "metadata": {"name": "n", "title": "a\\\\u0000b"}, "spec": {}}', None),
            (b'{"kind": "Team", "metadata": {"name": "n", "title": "a\\u0000b"}, "spec": {}}', "/metadata/title"),
            (b'{"kind": "Team", "metadata": {"name": "n", "labels": {"\\udfff": "x"}}, "spec": {}}', "/metadata/"),
        ]
    ):
        body = b'{"entities": [' + bad + b", " + good % i + b"]}"
        results = (await client.post("/api/v1/apply", content=body, headers=headers)).json()["results"]
        assert results[1]["status"] == "created"
        if path is None:  # an escaped backslash before "u0000" is no NUL: the title is stored as sent
            assert results[0]["status"] == "created"
            stored = (await client.get("/api/v1/entities/team/n")).json()["metadata"]["title"]
            assert stored == "a\\u0000b"
            assert (await client.delete("/api/v1/entities/team/n")).status_code == 204
        else:
            assert results[0]["status"] == "invalid"
            assert results[0]["details"][0]["path"].startswith(path)
    assert (await client.get("/api/v1/entities/team/n")).status_code == 404
    broken = await client.post("/api/v1/apply", content=b'{"entities": [', headers=headers)
    assert broken.status_code == 400 and broken.json()["code"] == "invalid_json"


async def test_export_streams_every_format_and_round_trips(gantry: Gantry) -> None:
    client = await load(gantry)
    ndjson = await client.get("/api/v1/export?format=ndjson")
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    docs = [orjson.loads(line) for line in ndjson.content.splitlines()]
    assert len(docs) == len(CATALOG)
    assert all("createdAt" not in d["metadata"] and "resourceVersion" not in d["metadata"] for d in docs)
    assert next(d for d in docs if d["metadata"]["name"] == "fraud-scorer")["metadata"]["namespace"] == "risk"
    assert "namespace" not in next(d for d in docs if d["metadata"]["name"] == "payments")["metadata"]
    as_json = (await client.get("/api/v1/export?format=json&kind=team")).json()
    assert sorted(d["metadata"]["name"] for d in as_json) == ["payments", "platform"]
    as_yaml = list(yaml.safe_load_all((await client.get("/api/v1/export?format=yaml&namespace=risk")).text))
    assert [d["metadata"]["name"] for d in as_yaml] == ["fraud-scorer"]
    empty = (await client.get("/api/v1/export?format=json&kind=action")).json()
    assert empty == []
    again = (await client.post("/api/v1/apply", json={"entities": docs})).json()
    assert again["summary"]["unchanged"] == len(CATALOG)
    assert (await client.get("/api/v1/export?format=xml")).status_code == 400


async def _count(gantry: Gantry, table: Any) -> int:
    async with gantry.state.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
