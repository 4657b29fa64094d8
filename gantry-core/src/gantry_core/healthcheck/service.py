"""Check whether an http(s) URL answers, without letting users reach what they should not (F59).

The URL and every redirect target pass the SSRF guard of :mod:`gantry_core.net` (public addresses only,
requests pinned to the checked address); ``allow_private`` (setting ``GANTRY_HEALTHCHECK_ALLOW_PRIVATE``)
admits loopback and private addresses, never link-local ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from gantry_core import __version__
from gantry_core.net import IPAddress, Refused, Target, Unresolvable, guard, parse, refusal, resolve, send_pinned
from gantry_core.net import client as guarded_client

__all__ = [
    "IPAddress",
    "Refused",
    "Result",
    "Target",
    "Unresolvable",
    "check",
    "fetch_pinned",
    "guard",
    "parse",
    "refusal",
    "resolve",
]

TIMEOUT = httpx.Timeout(5.0, connect=3.0)
MAX_REDIRECTS = 3


@dataclass(frozen=True)
class Result:
    up: bool
    status_code: int | None
    latency_ms: int
    error: str | None = None


async def fetch_pinned(client: httpx.AsyncClient, target: Target) -> httpx.Response:
    """GET `target` from one of its checked addresses (pinned), headers only."""
    headers = {"User-Agent": f"gantry-healthcheck/{__version__}", "Accept": "*/*"}
    response = await send_pinned(client, target, "GET", headers=headers)
    await response.aclose()
    return response


async def check(raw: str, *, allow_private: bool) -> Result:
    """Check `raw`; Refused (the caller's 400) when the URL itself is refused.

    Redirects are followed up to MAX_REDIRECTS, each target guarded like the URL; a refused target ends
    the check with ``up: false``. Up means a final status below 400.
    """
    try:
        target = await guard(raw, allow_private=allow_private)
    except Unresolvable as exc:
        return Result(up=False, status_code=None, latency_ms=0, error=str(exc))
    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    async with guarded_client(TIMEOUT) as client:
        for hop in range(MAX_REDIRECTS + 1):
            try:
                response = await fetch_pinned(client, target)
            except httpx.TimeoutException:
                return Result(False, None, elapsed(), f"no answer within {TIMEOUT.read} s")
            except httpx.HTTPError as exc:
                return Result(False, None, elapsed(), f"request failed: {exc.__class__.__name__}: {exc}")
            if not response.is_redirect:
                return Result(response.status_code < 400, response.status_code, elapsed())
            if hop == MAX_REDIRECTS:
                return Result(False, response.status_code, elapsed(), f"more than {MAX_REDIRECTS} redirects")
            location = response.headers["location"]
            try:
                location = str(target.url.join(location))
                target = await guard(location, allow_private=allow_private)
            except (Refused, Unresolvable, httpx.InvalidURL) as exc:
                return Result(False, response.status_code, elapsed(), f"redirect to {location} not followed: {exc}")
    raise AssertionError("unreachable")
