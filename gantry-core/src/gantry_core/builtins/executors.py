"""The built-in action executors as a plugin: `webhook` (F74) and `internal` (F76).

`webhook` sends the inputs as JSON to `config.url` through the SSRF guard of :mod:`gantry_core.net`
(public addresses only, unless ``GANTRY_WEBHOOK_ALLOW_PRIVATE`` is set); header values may hold
``${SECRET_NAME}`` placeholders, filled from the admin-managed secret NAME or ``GANTRY_SECRET_NAME``.
A 2xx answer is success; the run keeps the status code and the first 2 KB of the body.

`internal` runs a built-in operation. ``catalog.apply`` renders `config.template` (an entity document)
by replacing ``${inputs.x}`` in its string values, then creates or updates that entity through the catalog
write path as the user who triggered the run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Literal

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator

from gantry_core import __version__, net
from gantry_core.plugins import ActionType, PluginManifest, hookimpl

EXCERPT_BYTES = 2048
SECRET_PLACEHOLDER = re.compile(r"\$\{SECRET_([A-Z][A-Z0-9_]{0,62})\}")
INPUT_PLACEHOLDER = re.compile(r"\$\{inputs\.([A-Za-z_][A-Za-z0-9_]*)\}")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$")


class ActionFailed(Exception):
    """The run failed; `output` (e.g. the webhook's answer) is kept on the run."""

    def __init__(self, message: str, output: Any = None) -> None:
        super().__init__(message)
        self.output = output


# -- webhook ------------------------------------------------------------------------------------------


class WebhookConfig(BaseModel):
    """`spec.config` of a webhook action."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2048, description="Absolute http(s) URL the inputs are sent to")
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = Field(
        "POST", description="HTTP method; GET sends the inputs as query parameters, the others as a JSON body"
    )
    headers: dict[str, str] = Field(
        default_factory=dict, description="Request headers; values may use ${SECRET_NAME} placeholders"
    )
    timeout: float = Field(10.0, gt=0, le=60, description="Seconds to wait for the answer (at most 60)")

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("headers")
    @classmethod
    def _header_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid header name")
            if any(ch in text for ch in "\r\n\x00"):
                raise ValueError(f"the value of {name} must be one line")
        if len(value) > 50:
            raise ValueError("at most 50 headers")
        return value


async def fill_secrets(ctx: Any, text: str) -> str:
    """`text` with each ``${SECRET_NAME}`` replaced by the secret's value."""
    parts: list[str] = []
    last = 0
    for match in SECRET_PLACEHOLDER.finditer(text):
        parts.append(text[last : match.start()])
        parts.append(await ctx.secret(match.group(1)))
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


async def _excerpt(response: httpx.Response) -> tuple[str, bool]:
    """The first EXCERPT_BYTES of the body (decoded leniently) and whether more followed."""
    kept = bytearray()
    truncated = False
    async for chunk in response.aiter_bytes():
        room = EXCERPT_BYTES - len(kept)
        kept += chunk[:room]
        if len(chunk) > room:
            truncated = True
            break
    return kept.decode("utf-8", "replace"), truncated


async def execute_webhook(ctx: Any, action: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
    config: WebhookConfig = ctx.action_config
    headers = {"User-Agent": f"gantry-webhook/{__version__}", "Accept": "*/*"}
    for name, value in config.headers.items():
        filled = await fill_secrets(ctx, value)
        if any(ch in filled for ch in "\r\n\x00"):
            raise ActionFailed(f"header {name}: a secret it uses holds a line break; header values must be one line")
        headers[name] = filled
    try:
        target = await net.guard(config.url, allow_private=ctx.allow_private_network)
    except (net.Refused, net.Unresolvable) as exc:
        raise ActionFailed(f"webhook URL refused: {exc}") from None
    content: bytes | None = None
    if config.method == "GET":
        params = {k: v if isinstance(v, str) else orjson.dumps(v).decode() for k, v in inputs.items()}
        target = dataclasses.replace(target, url=target.url.copy_merge_params(params))
    else:
        content = orjson.dumps(dict(inputs))
        headers.setdefault("Content-Type", "application/json")
    ctx.log_line(f"{config.method} {target.url.copy_with(query=None, fragment=None)}")
    try:
        async with asyncio.timeout(config.timeout), net.client(httpx.Timeout(config.timeout)) as client:
            response = await net.send_pinned(client, target, config.method, headers=headers, content=content)
            try:
                body, truncated = await _excerpt(response)
            finally:
                await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        raise ActionFailed(f"the webhook did not answer within {config.timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise ActionFailed(f"the webhook request failed: {type(exc).__name__}: {exc}") from None
    output = {"statusCode": response.status_code, "body": body, "truncated": truncated}
    ctx.log_line(f"answered {response.status_code} {response.reason_phrase}".rstrip())
    if not 200 <= response.status_code < 300:
        raise ActionFailed(f"the webhook answered {response.status_code}; only 2xx counts as success", output)
    return output


# -- internal -----------------------------------------------------------------------------------------


class InternalConfig(BaseModel):
    """`spec.config` of an internal action."""

    model_config = ConfigDict(extra="forbid")

    operation: Literal["catalog.apply"] = Field(description="The built-in operation to run")
    template: dict[str, Any] = Field(
        description="catalog.apply: the entity document to create or update; ${inputs.x} in its string values "
        "is replaced by input x (a value that is only a placeholder keeps the input's type)"
    )


_MISSING = object()


def render(template: Any, inputs: Mapping[str, Any]) -> Any:
    """`template` with ``${inputs.x}`` replaced in every string value. A string that is exactly one
    placeholder takes the input's value as it is (number, boolean); if that input has no value, the key
    (or list item) is left out. Inside longer strings a missing input becomes the empty string."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            whole = INPUT_PLACEHOLDER.fullmatch(item)
            if whole:
                value = inputs.get(whole.group(1))
                return _MISSING if value is None else value
            return INPUT_PLACEHOLDER.sub(lambda m: text(inputs.get(m.group(1))), item)
        if isinstance(item, Mapping):
            rendered = {key: walk(value) for key, value in item.items()}
            return {key: value for key, value in rendered.items() if value is not _MISSING}
        if isinstance(item, list):
            return [value for value in map(walk, item) if value is not _MISSING]
        return item

    result = walk(template)
    return {} if result is _MISSING else result


async def execute_internal(ctx: Any, action: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
    config: InternalConfig = ctx.action_config
    document = render(config.template, inputs)
    metadata = document.get("metadata") if isinstance(document.get("metadata"), Mapping) else {}
    ctx.log_line(f"catalog.apply {document.get('kind')}/{metadata.get('name')}")
    result = await ctx.apply_entity(document)
    entity = result["entity"]
    ref = {"kind": entity["kind"], "namespace": entity["metadata"]["namespace"], "name": entity["metadata"]["name"]}
    ctx.log_line(f"{result['outcome']} {ref['kind']}/{ref['name']} in namespace {ref['namespace']}")
    return {
        "operation": config.operation,
        "outcome": result["outcome"],
        "entity": ref,
        "ref": f"{ref['kind'].lower()}/{ref['name']}",
        "resourceVersion": entity["metadata"].get("resourceVersion"),
    }


# -- the plugin ---------------------------------------------------------------------------------------


@hookimpl
def gantry_plugin_manifest() -> PluginManifest:
    return PluginManifest(
        id="executors",
        title="Action executors",
        description="The webhook and internal action types",
        version=__version__,
        category="core",
        icon="zap",
    )


@hookimpl
def gantry_register_action_types() -> list[ActionType]:
    return [
        ActionType(
            name="webhook",
            execute=execute_webhook,
            description="Send the inputs as JSON to a URL; 2xx is success",
            config_model=WebhookConfig,
        ),
        ActionType(
            name="internal",
            execute=execute_internal,
            description="A built-in operation, e.g. catalog.apply to create or update an entity from the inputs",
            config_model=InternalConfig,
        ),
    ]
