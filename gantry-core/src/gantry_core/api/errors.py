"""One error shape for every 4xx/5xx: ``{"error": message, "code": machine_code, "details": [...]}`` (F57)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

log = logging.getLogger("gantry.errors")

_DEFAULT_CODES = {
    400: "invalid_parameter",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal",
    503: "not_ready",
}


class GantryError(Exception):
    """Raise anywhere in a request to answer with the error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = list(details) if details else []
        self.headers = headers

    def response(self) -> JSONResponse:
        return error_response(self.status, self.code, self.message, self.details, self.headers)


def error_response(
    status: int,
    code: str,
    message: str,
    details: Sequence[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"error": message, "code": code}
    if details:
        body["details"] = list(details)
    return JSONResponse(body, status_code=status, headers=headers)


def not_found(what: str) -> GantryError:
    return GantryError(404, "not_found", f"{what} not found")


def invalid_parameter(name: str, message: str) -> GantryError:
    return GantryError(400, "invalid_parameter", f"{name}: {message}", [{"path": name, "message": message}])


def json_pointer(loc: Iterable[Any]) -> str:
    """A JSON pointer (``/spec/type``) from a pydantic or jsonschema location."""
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in loc)


def _request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = []
    is_json_error = False
    body_only = True
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        where = loc[0] if loc else "body"
        if err.get("type") == "json_invalid":
            is_json_error = True
        if where != "body":
            body_only = False
        path = loc[1:] if where == "body" else loc
        details.append(
            {
                "path": json_pointer(path) if where == "body" else ".".join(map(str, path)),
                "message": err.get("msg", "invalid"),
            }
        )
    if is_json_error:
        return error_response(400, "invalid_json", "request body is not valid JSON", details)
    if not body_only:
        first = details[0]
        return error_response(400, "invalid_parameter", f"{first['path']}: {first['message']}", details)
    return error_response(422, "validation_failed", "request body failed validation", details)


def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _DEFAULT_CODES.get(status, "error")
    if status == 404:
        message = f"no route for {request.method} {request.url.path}"
    else:
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(status, code, message, headers=getattr(exc, "headers", None))


def _gantry_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GantryError)
    return exc.response()


def _unhandled(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal", "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(GantryError, _gantry_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Exception, _unhandled)
