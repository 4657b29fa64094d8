"""The health-check proxy and its SSRF guard (F59), against real local HTTP(S) servers."""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from gantry_core.healthcheck import service
from gantry_core.testing import Gantry, Harness
from gantry_core.testing.certs import self_signed


class LocalServer:
    def __init__(self, server: ThreadingHTTPServer, scheme: str) -> None:
        self.server = server
        self.scheme = scheme
        self.requests: list[tuple[str, str | None]] = []  # (path, Host header)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"


def _handler(record: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            record.requests.append((self.path, self.headers.get("Host")))
            routes: dict[str, tuple[int, dict[str, str]]] = {
                "/ok": (200, {}),
                "/teapot": (418, {}),
                "/down": (503, {}),
                "/moved": (302, {"Location": "/ok"}),
                "/moved-absolute": (301, {"Location": record.url("/ok")}),
                "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}),
                "/to-ftp": (302, {"Location": "ftp://example.com/file"}),
                "/to-userinfo": (307, {"Location": f"http://user:secret@127.0.0.1:{record.port}/ok"}),
                "/loop": (302, {"Location": "/loop"}),
            }
            status, headers = routes.get(self.path, (404, {}))
            body = b"a body that is never read" * 100
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def _serving(scheme: str, tls: ssl.SSLContext | None = None) -> Iterator[LocalServer]:
    """A threaded HTTP(S) server on 127.0.0.1 that records each request's path and Host header."""
    record = LocalServer.__new__(LocalServer)
    record.scheme = scheme
    record.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(record))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    record.server = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    with _serving("http") as record:
        yield record


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[LocalServer]:
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with _serving("https", context) as record:
        yield record


async def _check(gantry: Gantry, url: str) -> Any:
    client = await gantry.client("viewer")
    return await client.get("/api/v1/health-check", params={"url": url})


async def test_up_and_down_against_a_local_server(gantry_harness: Harness, local_server: LocalServer) -> None:
    async with gantry_harness(healthcheck_allow_private=True) as gantry:
        ok = await _check(gantry, local_server.url("/ok"))
        assert ok.status_code == 200
        body = ok.json()
        assert body["up"] is True
        assert body["statusCode"] == 200
        assert isinstance(body["latencyMs"], int) and body["latencyMs"] >= 0
        assert body.get("error") is None

        down = (await _check(gantry, local_server.url("/down"))).json()
        assert (down["up"], down["statusCode"]) == (False, 503)
        teapot = (await _check(gantry, local_server.url("/teapot"))).json()
        assert (teapot["up"], teapot["statusCode"]) == (False, 418)
        missing = (await _check(gantry, local_server.url("/nothing"))).json()
        assert (missing["up"], missing["statusCode"]) == (False, 404)


async def test_redirects_are_followed_only_to_allowed_targets(
    gantry_harness: Harness, local_server: LocalServer
) -> None:
    async with gantry_harness(healthcheck_allow_private=True) as gantry:
        moved = (await _check(gantry, local_server.url("/moved"))).json()
        assert (moved["up"], moved["statusCode"]) == (True, 200)
        assert [p for p, _ in local_server.requests] == ["/moved", "/ok"]
        absolute = (await _check(gantry, local_server.url("/moved-absolute"))).json()
        assert (absolute["up"], absolute["statusCode"]) == (True, 200)

        local_server.requests.clear()
        metadata = (await _check(gantry, local_server.url("/to-metadata"))).json()
        assert metadata["up"] is False
        assert metadata["statusCode"] == 302
        assert "169.254.169.254 is a link-local address" in metadata["error"]
        assert [p for p, _ in local_server.requests] == ["/to-metadata"]

        ftp = (await _check(gantry, local_server.url("/to-ftp"))).json()
        assert ftp["up"] is False and "http://" in ftp["error"]
        userinfo = (await _check(gantry, local_server.url("/to-userinfo"))).json()
        assert userinfo["up"] is False and "user name or password" in userinfo["error"]

        local_server.requests.clear()
        loop = (await _check(gantry, local_server.url("/loop"))).json()
        assert loop["up"] is False
        assert loop["error"] == "more than 3 redirects"
        assert len(local_server.requests) == 4  # the URL and three redirects, then it stops


async def test_host_names_are_resolved_and_the_host_header_kept(
    gantry_harness: Harness, local_server: LocalServer
) -> None:
    async with gantry_harness(healthcheck_allow_private=True) as gantry:
        body = (await _check(gantry, local_server.url("/ok", host="localhost"))).json()
        assert body["up"] is True
        # The connection went to the checked address, the server still saw the name asked for.
        assert local_server.requests == [("/ok", f"localhost:{local_server.port}")]


async def test_closed_port_is_down_not_an_error(gantry_harness: Harness, local_server: LocalServer) -> None:
    port = local_server.port
    local_server.server.shutdown()
    local_server.server.server_close()
    async with gantry_harness(healthcheck_allow_private=True) as gantry:
        response = await _check(gantry, f"http://127.0.0.1:{port}/ok")
        assert response.status_code == 200
        body = response.json()
        assert body["up"] is False
        assert body["statusCode"] is None
        assert "ConnectError" in body["error"]


async def test_tls_certificates_are_verified(gantry_harness: Harness, tls_server: LocalServer) -> None:
    async with gantry_harness(healthcheck_allow_private=True) as gantry:
        for host in ("localhost", "127.0.0.1"):
            body = (await _check(gantry, tls_server.url("/ok", host=host))).json()
            assert body["up"] is False, host
            assert body["statusCode"] is None
            assert "CERTIFICATE_VERIFY_FAILED" in body["error"]


async def test_loopback_is_refused_by_default(gantry: Gantry, local_server: LocalServer) -> None:
    for url in (local_server.url("/ok"), local_server.url("/ok", host="localhost")):
        response = await _check(gantry, url)
        assert response.status_code == 400, url
        body = response.json()
        assert body["code"] == "invalid_parameter"
        assert body["details"][0]["path"] == "url"
        assert "loopback address" in body["error"]
    assert local_server.requests == []


REFUSED_ALWAYS = {
    "http://169.254.169.254/latest/meta-data/": "link-local",
    "http://[fe80::1]/": "link-local",
    "http://224.0.0.1/": "multicast",
    "http://[ff02::1]/": "multicast",
    "http://0.0.0.0:8080/": "unspecified",
    "http://[::]/": "unspecified",
    "http://240.0.0.1/": "reserved",
    "http://255.255.255.255/": "reserved",
    "http://[::ffff:169.254.169.254]/": "link-local",
    "http://user:secret@example.com/": "user name or password",
    "http://user@example.com/": "user name or password",
    "http://@example.com/": "user name or password",
    "ftp://example.com/": "only absolute http:// and https://",
    "file:///etc/passwd": "only absolute http:// and https://",
    "gopher://example.com/": "only absolute http:// and https://",
    "javascript:alert(1)": "only absolute http:// and https://",
    "//example.com/health": "only absolute http:// and https://",
    "example.com/health": "only absolute http:// and https://",
    "http:///path": "no host",
    "http://exa mple.com/": "spaces or control characters",
    "http://example.com/\r\nX-Injected: 1": "spaces or control characters",
    "http://example.com:99999/": "port",
    "http://exa%20mple.com/": "not a valid host name",
}

REFUSED_UNLESS_ALLOWED = {
    "http://127.0.0.1/": "loopback",
    "http://127.1/": "loopback",
    "http://2130706433/": "loopback",
    "http://0x7f000001/": "loopback",
    "http://[::1]/": "loopback",
    "http://[::ffff:127.0.0.1]/": "loopback",
    "http://[2002:7f00:1::]/": "loopback",
    "http://localhost/": "loopback",
    "http://10.0.0.1/": "private",
    "http://172.16.5.4/": "private",
    "http://192.168.1.1/": "private",
    "http://100.64.0.1/": "private",
    "http://[fc00::1]/": "private",
    "http://[::ffff:10.0.0.1]/": "private",
    "http://[64:ff9b::a00:1]/": "private",
}


async def test_refused_urls_are_400_with_the_reason(gantry: Gantry) -> None:
    for url, reason in {**REFUSED_ALWAYS, **REFUSED_UNLESS_ALLOWED}.items():
        response = await _check(gantry, url)
        assert response.status_code == 400, url
        body = response.json()
        assert body["code"] == "invalid_parameter", url
        assert reason in body["error"], (url, body["error"])
        assert body["details"] == [{"path": "url", "message": body["error"].removeprefix("url: ")}]


async def test_allowing_private_addresses_keeps_the_rest_refused(gantry_harness: Harness) -> None:
    async with gantry_harness(healthcheck_allow_private=True) as gantry:
        for url, reason in REFUSED_ALWAYS.items():
            response = await _check(gantry, url)
            assert response.status_code == 400, url
            assert reason in response.json()["error"], url


async def test_missing_or_oversized_url_and_roles(gantry: Gantry) -> None:
    client = await gantry.client("viewer")
    missing = await client.get("/api/v1/health-check")
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid_parameter"
    long = await client.get("/api/v1/health-check", params={"url": "https://example.com/" + "a" * 2048})
    assert long.status_code == 400
    anonymous = await gantry.anonymous().get("/api/v1/health-check", params={"url": "https://example.com/"})
    assert anonymous.status_code == 401


async def test_a_name_that_does_not_resolve_is_down() -> None:
    result = await service.check("http://gantry-health-check.invalid/", allow_private=False)
    assert result.up is False
    assert result.status_code is None
    assert result.error is not None and "could not resolve gantry-health-check.invalid" in result.error


@pytest.mark.parametrize(
    ("address", "private_ok"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("169.254.1.1", False),
        ("224.0.0.251", False),
        ("0.0.0.0", False),
        ("::ffff:8.8.8.8", True),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", True),  # Teredo: carries 10.0.0.1 (client, obfuscated)
    ],
)
def test_refusal_rules(address: str, private_ok: bool) -> None:
    ip = ipaddress.ip_address(address)
    public = address in ("8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8")
    assert (service.refusal(ip, allow_private=False) is None) is public
    assert (service.refusal(ip, allow_private=True) is None) is private_ok


async def test_requests_go_to_the_checked_address_not_a_new_lookup(local_server: LocalServer) -> None:
    """DNS rebinding: the request is pinned to the address the guard checked. `rebind.invalid` cannot
    resolve, so the request only reaches the server if it is sent to the checked address itself."""
    url = f"http://rebind.invalid:{local_server.port}/ok"
    target = service.Target(
        url=service.parse(url),
        host="rebind.invalid",
        port=local_server.port,
        addresses=(ipaddress.ip_address("127.0.0.1"),),
    )
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await service.fetch_pinned(client, target)
    assert response.status_code == 200
    assert local_server.requests == [("/ok", f"rebind.invalid:{local_server.port}")]
