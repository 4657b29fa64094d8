"""JSON request bodies decoded by orjson, for the routers that take large documents (the catalog's).

FastAPI decodes a JSON body with `Request.json()`; :class:`JsonRoute` hands its endpoints a request whose
`json()` tries orjson first (several times faster than the standard library on a 1,000-entity batch).
What orjson refuses (NaN, a lone UTF-16 surrogate, malformed JSON) goes to the standard library as
before, so the same bodies are accepted and a malformed one gets the same 422 `JSON decode error`.

A body orjson decoded holds only valid Unicode, and a NUL can only appear in it as the escape
``\\u0000``: when that escape is absent too, :func:`text_checked` says so and entity validation skips
its own search for those characters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

_TEXT_CHECKED = "gantry_json_text_checked"


class JsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = orjson.loads(body)
            except orjson.JSONDecodeError:
                self._json = json.loads(body)
            else:
                self.scope[_TEXT_CHECKED] = b"\\u0000" not in body
        return self._json


class JsonRoute(APIRoute):
    """An APIRoute whose endpoint gets a :class:`JsonRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            return await handler(JsonRequest(request.scope, request.receive))

        return route


def text_checked(request: Request) -> bool:
    """Whether the request's JSON body is known to hold no NUL character and no lone surrogate."""
    return bool(request.scope.get(_TEXT_CHECKED))
