"""A tiny keep-alive HTTP/1.1 load generator on asyncio streams (loopback only, bounded in count and time).

Light enough that the client's own cost stays small next to the server's, and identical for Gantry and
the floor, so ratios compare like with like.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Result:
    requests: int
    seconds: float
    errors: int
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p95_ms(self) -> float:
        return self.percentile(95) * 1000


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = None
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        body = b""
        while True:
            size = int((await reader.readline()).strip(), 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
        return status, body
    return status, await reader.readexactly(length or 0)


class Connection:
    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the load generator only talks to loopback addresses")
        self.port = parts.port or 80
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.headers}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        await self.writer.drain()
        return await _read_response(self.reader)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass


async def hammer(
    base_url: str,
    paths: Sequence[str],
    *,
    headers: dict[str, str] | None = None,
    concurrency: int = 16,
    total: int = 5000,
    max_seconds: float = 20.0,
) -> Result:
    """Send `total` GETs (cycling through `paths`) over `concurrency` keep-alive connections."""
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + max_seconds

    async def worker() -> None:
        nonlocal sent, errors
        conn = Connection(base_url, headers)
        await conn.open()
        try:
            while sent < total and time.perf_counter() < deadline:
                path = paths[sent % len(paths)]
                sent += 1
                start = time.perf_counter()
                status, _ = await conn.request("GET", path)
                latencies.append(time.perf_counter() - start)
                if status >= 400:
                    errors += 1
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(len(latencies), time.perf_counter() - started, errors, latencies)


async def sequential(
    base_url: str, paths: Sequence[str], *, headers: dict[str, str] | None = None, rounds: int = 1
) -> Result:
    """Latency of each path requested one at a time (for p95 figures)."""
    conn = Connection(base_url, headers)
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    try:
        for _ in range(rounds):
            for path in paths:
                start = time.perf_counter()
                status, _ = await conn.request("GET", path)
                latencies.append(time.perf_counter() - start)
                errors += status >= 400
    finally:
        await conn.close()
    return Result(len(latencies), time.perf_counter() - started, errors, latencies)
