"""The CLI's HTTP client: one httpx client per command, the `gantry-cli/<version>` User-Agent (audit source
"cli"), pagination, and every failure turned into a message a person can act on."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from gantry_core import __version__
from gantry_core.cli.config import TOKEN_ENV, Target, resolve
from gantry_core.cli.errors import CliError

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"gantry-cli/{__version__}"
PAGE_SIZE = 500
MAX_RETRIES = 3  # a 429 asking for at most MAX_RETRY_WAIT seconds is waited out and retried
MAX_RETRY_WAIT = 10.0
Params = Mapping[str, Any] | list[tuple[str, Any]] | None


def import_httpx() -> Any:
    """httpx, without its optional command-line module (which pulls in click, rich and pygments: ~0.1 s)."""
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    import httpx

    return httpx


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "connection refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered or "getaddrinfo" in lowered:
        return "unknown host"
    return text


class Client:
    """Calls the Gantry API at `target.server`; raises CliError for every failure."""

    def __init__(self, target: Target, *, timeout: float = 30.0) -> None:
        lib = import_httpx()
        self.target = target
        self.server = target.server
        self.timeout = timeout
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if target.token:
            headers["Authorization"] = f"Bearer {target.token}"
        self._httpx = lib
        # Plain http needs no certificates: skip loading the CA bundle (~30 ms at every start).
        verify = target.server.startswith("https://")
        self.http: httpx.Client = lib.Client(base_url=target.server, headers=headers, timeout=timeout, verify=verify)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    # -- requests ------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        expect: tuple[int, ...] = (200, 201, 202, 204),
    ) -> httpx.Response:
        """Send a request; return the response if its status is in `expect`, else raise CliError."""
        send_headers = dict(headers or {})
        if json is not None:
            import orjson

            # YAML may hold what JSON cannot say (non-string keys, binary): send it as text.
            content = orjson.dumps(json, default=str, option=orjson.OPT_NON_STR_KEYS)
            send_headers.setdefault("Content-Type", "application/json")
        for attempt in range(MAX_RETRIES):
            response = self._send(method, path, params=params, content=content, headers=send_headers)
            wait = self._retry_after(response) if response.status_code == 429 else 0.0
            if response.status_code != 429 or attempt == MAX_RETRIES - 1 or wait > MAX_RETRY_WAIT:
                break
            print(f"{self.server} is rate limiting this client; retrying in {wait:g} s", file=sys.stderr)
            time.sleep(wait)
        if response.status_code in expect:
            return response
        raise self.error(response, method, path)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with self._transport_errors():
            response: httpx.Response = self.http.request(method, path, **kwargs)
            return response

    @contextmanager
    def _transport_errors(self) -> Iterator[None]:
        httpx = self._httpx
        try:
            yield
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise CliError(f"cannot reach Gantry at {self.server} ({_reason(exc)})") from None
        except httpx.TimeoutException:
            raise CliError(f"Gantry at {self.server} did not answer within {self.timeout:g} s") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise CliError(f"lost the connection to Gantry at {self.server} ({_reason(exc)})") from None
        except httpx.UnsupportedProtocol:
            raise CliError(f"{self.server} is not an http(s) URL", exit_code=2) from None

    @staticmethod
    def _retry_after(response: httpx.Response) -> float:
        try:
            return max(float(response.headers.get("Retry-After", "1")), 0.1)
        except ValueError:
            return 1.0

    def get(self, path: str, params: Params = None, *, expect: tuple[int, ...] = (200,)) -> Any:
        return self.request("GET", path, params=params, expect=expect).json()

    def post(self, path: str, body: Any, params: Params = None) -> Any:
        response = self.request("POST", path, params=params, json=body)
        return response.json() if response.content else None

    def paginate(self, path: str, params: Params = None) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list (F58), following `next` transparently."""
        base = list(params.items()) if isinstance(params, Mapping) else list(params or [])
        base = [(k, v) for k, v in base if v is not None and k not in ("limit", "cursor")]
        cursor: str | None = None
        while True:
            query = [*base, ("limit", PAGE_SIZE)] + ([("cursor", cursor)] if cursor else [])
            page = self.get(path, query)
            yield from page.get("items", [])
            cursor = page.get("next")
            if not cursor:
                return

    @contextmanager
    def stream(self, method: str, path: str, params: Params = None) -> Iterator[httpx.Response]:
        """A streamed response (export); errors are raised before the body is read."""
        with self._transport_errors(), self.http.stream(method, path, params=params) as response:
            if response.status_code != 200:
                response.read()
                raise self.error(response, method, path)
            yield response

    # -- errors --------------------------------------------------------------------------------------

    def error(self, response: httpx.Response, method: str, path: str) -> CliError:
        """The server's error shape ({error, code, details}) as a message a person can act on."""
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        message = str(body.get("error") or f"HTTP {status} {response.reason_phrase}")
        code = body.get("code")
        details = [
            f"{d.get('path') or '(document)'}: {d.get('message')}"
            for d in body.get("details") or []
            if isinstance(d, dict)
        ]
        server = self.server
        if status == 401 and code != "invalid_credentials":
            if not self.target.token:
                return CliError(f"not logged in to {server}: run `gantry login {server}` (or set {TOKEN_ENV})")
            where = f" (token from {self.target.token_source})" if self.target.token_source else ""
            return CliError(f"{server} did not accept your token{where}: {message}; run `gantry login {server}`")
        if status == 403:
            return CliError(f"permission denied: {message}", details=details)
        if (status == 404 and str(message).startswith("no route for")) or status == 405:
            return CliError(f"{server} does not offer {method} {path} (is the server older than this CLI?)")
        if status == 429:
            return CliError(f"{server} is rate limiting you: {message}")
        if status >= 500:
            request_id = response.headers.get("X-Request-ID")
            suffix = f" (request id {request_id})" if request_id else ""
            return CliError(f"server error {status}{f' {code}' if code else ''}: {message}{suffix}")
        return CliError(message, details=details)


def connect(
    server: str | None = None, token: str | None = None, context: str | None = None, *, timeout: float = 30.0
) -> Client:
    """A client for the server chosen by flags, environment and config file (in that order)."""
    return Client(resolve(server, token, context), timeout=timeout)
