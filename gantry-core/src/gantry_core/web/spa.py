"""Serve the single-page app: files from web/static, `index.html` for any other non-API path."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from gantry_core.api.deps import Public
from gantry_core.api.errors import GantryError

STATIC = Path(__file__).parent / "static"

_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gantry</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>Gantry is running</h1>
<p>The web UI has not been built in this installation. Build it with <code>nox -s web</code>
(needs Node.js 20+), or use the API: <a href="/api/docs">/api/docs</a>.</p>
</body></html>
"""


def spa_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/{path:path}", dependencies=[Public])
    async def spa(path: str, request: Request) -> Response:
        if path == "api" or path.startswith("api/"):
            raise GantryError(404, "not_found", f"no route for GET {request.url.path}")
        root = STATIC.resolve()
        if path:
            candidate = (root / path).resolve()
            if candidate.is_file() and candidate.is_relative_to(root):
                immutable = path.startswith("assets/")
                headers = {"Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache"}
                return FileResponse(candidate, headers=headers)
        index = root / "index.html"
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(_NOT_BUILT)

    return router
