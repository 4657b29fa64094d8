"""The stack floor: bare Starlette + the same database driver doing the same primary-key lookup."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

QUERY = (
    "SELECT kind, namespace, name, metadata, spec, resource_version FROM entities "
    "WHERE kind = {p1} AND namespace = {p2} AND name = {p3}"
)


def build(db: str) -> Starlette:
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if db.startswith("postgres"):
            import asyncpg

            state["pool"] = await asyncpg.create_pool(db, min_size=4, max_size=10)
            state["sql"] = QUERY.format(p1="$1", p2="$2", p3="$3")
        else:
            import aiosqlite

            state["conn"] = await aiosqlite.connect(db)
            state["sql"] = QUERY.format(p1="?", p2="?", p3="?")
        yield
        if "pool" in state:
            await state["pool"].close()
        else:
            await state["conn"].close()

    async def get_entity(request: Request) -> Response:
        kind = request.path_params["kind"]
        name = request.path_params["name"]
        args = (kind, request.query_params.get("namespace", "default"), name)
        if "pool" in state:
            async with state["pool"].acquire() as conn:
                row = await conn.fetchrow(state["sql"], *args)
            row = tuple(row) if row else None
        else:
            async with state["conn"].execute(state["sql"], args) as cursor:
                row = await cursor.fetchone()
        if row is None:
            return Response(b'{"error":"not found"}', status_code=404, media_type="application/json")
        metadata = orjson.loads(row[3]) if isinstance(row[3], str | bytes) else row[3]
        spec = orjson.loads(row[4]) if isinstance(row[4], str | bytes) else row[4]
        body = {
            "apiVersion": "gantry.io/v1",
            "kind": row[0],
            "metadata": {**metadata, "resourceVersion": str(row[5])},
            "spec": spec,
        }
        return Response(orjson.dumps(body), media_type="application/json")

    return Starlette(routes=[Route("/entities/{kind}/{name}", get_entity)], lifespan=lifespan)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build(args.db), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
