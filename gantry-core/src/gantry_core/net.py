"""Outbound HTTP to URLs users can steer (health-check proxy F59, webhook actions F74), without letting
them reach what they should not (SSRF).

The guard, applied to the URL (and by callers to every redirect target they follow):

- only ``http`` and ``https``; no user info (``user:pass@host``); a plain host name or IP literal;
- the host is resolved (``getaddrinfo``, off the event loop) and **every** address must be public:
  loopback, private (RFC 1918, unique-local, shared address space), link-local (cloud metadata),
  multicast, reserved and unspecified addresses are refused. IPv4 addresses embedded in IPv6
  (mapped, 6to4, Teredo, NAT64) are checked as the IPv4 address they carry;
- the request then goes to the checked address itself (the ``Host`` header and TLS SNI name the host,
  and the certificate is verified against it), so a second DNS answer cannot send it elsewhere
  (DNS rebinding). Proxies from the environment are not used.

``allow_private`` (settings such as ``GANTRY_HEALTHCHECK_ALLOW_PRIVATE``) admits loopback and private
addresses; link-local, multicast, reserved and unspecified addresses stay refused.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_HOST_NAME = re.compile(r"^(?=.{1,253}\.?$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")


class Refused(Exception):
    """The URL may not be reached; the message says why."""


class Unresolvable(Exception):
    """The host name does not resolve."""


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    host: str  # IDNA-encoded host name or IP literal, as sent in Host and SNI
    port: int
    addresses: tuple[IPAddress, ...]


def parse(raw: str) -> httpx.URL:
    """An absolute http(s) URL without user info, or Refused."""
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        raise Refused("the URL must not contain spaces or control characters")
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL as exc:
        raise Refused(f"not a valid URL ({exc})") from None
    if url.scheme not in ("http", "https"):
        raise Refused("only absolute http:// and https:// URLs are allowed")
    if url.userinfo or "@" in urlsplit(raw).netloc:
        raise Refused("URLs with a user name or password (user@host) are refused")
    host = url.raw_host.decode("ascii", "replace")
    if not host:
        raise Refused("the URL has no host")
    if url.port is not None and not 0 < url.port < 65536:
        raise Refused("the port must be between 1 and 65535")
    if _literal(host) is None and not _HOST_NAME.match(host):
        raise Refused(f"{host!r} is not a valid host name")
    return url


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(ip: IPAddress, *, allow_private: bool) -> str | None:
    """Why `ip` may not be reached, or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_ipv4(ip)) is not None:
        reason = refusal(inner, allow_private=allow_private)
        return f"{reason} (embedded in {ip})" if reason else None
    if ip.is_unspecified:
        return f"{ip} is an unspecified address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_multicast:
        return f"{ip} is a multicast address"
    if ip.is_loopback:
        return None if allow_private else f"{ip} is a loopback address"
    if ip.is_reserved:
        return f"{ip} is a reserved address"
    private = ip.is_private or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED)
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        private = True
    if private:
        return None if allow_private else f"{ip} is a private address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


async def resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    """Every address of `host` (asyncio runs getaddrinfo in a thread, off the event loop)."""
    literal = _literal(host)
    if literal is not None:
        return (literal,)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"could not resolve {host} ({exc})") from None
    found: dict[IPAddress, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        found[ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])] = None
    if not found:
        raise Unresolvable(f"could not resolve {host}")
    return tuple(found)


async def guard(raw: str | httpx.URL, *, allow_private: bool) -> Target:
    """Parse, resolve and check; Refused or Unresolvable when the URL may not or cannot be reached."""
    url = parse(str(raw))
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = await resolve(host, port)
    for ip in addresses:
        reason = refusal(ip, allow_private=allow_private)
        if reason:
            shown = "" if _literal(host) is not None else f"{host} resolves to "
            raise Refused(f"{shown}{reason}; only public addresses can be reached")
    return Target(url=url, host=host, port=port, addresses=addresses)


async def send_pinned(
    client: httpx.AsyncClient,
    target: Target,
    method: str = "GET",
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """Send a request to one of `target`'s checked addresses (pinned), trying each in turn while the
    connection fails. The response is streamed: the caller reads what it needs and closes it."""
    default_port = 443 if target.url.scheme == "https" else 80
    literal = _literal(target.host)
    name = f"[{target.host}]" if isinstance(literal, ipaddress.IPv6Address) else target.host
    host_header = name if target.port == default_port else f"{name}:{target.port}"
    sent = {**(headers or {}), "Host": host_header}
    extensions: dict[str, Any] = {}
    if target.url.scheme == "https" and literal is None:
        extensions["sni_hostname"] = target.host
    failure: httpx.HTTPError | None = None
    for ip in target.addresses:
        pinned = target.url.copy_with(host=str(ip), port=target.port, fragment=None)
        request = client.build_request(method, pinned, headers=sent, content=content, extensions=extensions)
        try:
            return await client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            failure = exc
            continue
    assert failure is not None
    raise failure


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~20 ms: once per process. Make a client (and its connection pool) per
    call, so a connection verified for one host name is never reused for another."""
    return httpx.create_ssl_context()


def client(timeout: httpx.Timeout) -> httpx.AsyncClient:
    """A client for guarded requests: no redirects followed, no proxies from the environment."""
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=timeout, verify=tls_context())
