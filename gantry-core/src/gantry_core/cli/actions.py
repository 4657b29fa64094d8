"""`gantry run ACTION` (F82): start a run with inputs, optionally follow it until it ends (F78, F79)."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import typer

from gantry_core.cli.errors import CliError, handles_errors
from gantry_core.cli.options import ContextOpt, NamespaceOpt, ServerOpt, TokenOpt
from gantry_core.cli.output import Format, emit, info

if TYPE_CHECKING:
    from gantry_core.cli.client import Client

FINISHED_OK = {"success", "succeeded"}
FINISHED_BAD = {"failed", "rejected", "cancelled", "canceled", "error"}
TRUE = {"true", "yes", "y", "on", "1"}
FALSE = {"false", "no", "n", "off", "0"}


def _coerce(key: str, value: str, kind: str | None) -> Any:
    """A `--input` value as the action's input type says (number, boolean); text otherwise."""
    if kind == "number":
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                raise typer.BadParameter(f"{key}={value}: {key} is a number", param_hint="'--input'") from None
    if kind == "boolean":
        lowered = value.strip().lower()
        if lowered in TRUE | FALSE:
            return lowered in TRUE
        raise typer.BadParameter(f"{key}={value}: {key} is true or false", param_hint="'--input'")
    return value


def _input_types(client: Client, action: str, namespace: str) -> dict[str, str]:
    response = client.request(
        "GET", f"/api/v1/entities/Action/{quote(action, safe='')}", params={"namespace": namespace}, expect=(200, 404)
    )
    if response.status_code != 200:
        return {}
    inputs = (response.json().get("spec") or {}).get("inputs") or []
    return {str(i.get("name")): str(i.get("type") or "string") for i in inputs if isinstance(i, dict)}


def _parse_inputs(pairs: list[str], raw_json: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    base: dict[str, Any] = {}
    if raw_json is not None:
        import orjson

        try:
            base = orjson.loads(raw_json)
        except orjson.JSONDecodeError as exc:
            raise typer.BadParameter(f"not valid JSON: {exc}", param_hint="'--inputs'") from None
        if not isinstance(base, dict):
            raise typer.BadParameter('expected a JSON object such as {"env": "prod"}', param_hint="'--inputs'")
    texts: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{pair!r}: expected key=value", param_hint="'--input'")
        texts[key.strip()] = value
    return base, texts


def _describe(run: dict[str, Any]) -> str:
    status = str(run.get("status"))
    text = f"Run {run.get('id')} of {run.get('actionName') or '?'}: {status}"
    if status == "pending":
        text += " (waiting for approval)"
    return text


def _print_new_logs(run: dict[str, Any], shown: int) -> int:
    logs = run.get("logs") or run.get("log") or []
    if isinstance(logs, list):
        for line in logs[shown:]:
            print(f"  {line.get('message', line) if isinstance(line, dict) else line}", file=sys.stderr)
        return len(logs)
    return shown


def _result(run: dict[str, Any]) -> None:
    if run.get("output") not in (None, "", {}, []):
        output = run["output"]
        sys.stdout.write(output if isinstance(output, str) else _yaml(output))
        if isinstance(output, str) and not output.endswith("\n"):
            sys.stdout.write("\n")
    if run.get("error"):
        print(f"error: {run['error']}", file=sys.stderr)


def _yaml(value: Any) -> str:
    from gantry_core.cli.output import yaml_text

    return yaml_text([value])


@handles_errors
def run(
    action: Annotated[str, typer.Argument(metavar="ACTION", help="Name of the Action entity")],
    input_pairs: Annotated[
        list[str] | None,
        typer.Option("--input", "-i", metavar="KEY=VALUE", help="An input (repeatable)", show_default=False),
    ] = None,
    inputs_json: Annotated[
        str | None, typer.Option("--inputs", metavar="JSON", help="All inputs as a JSON object", show_default=False)
    ] = None,
    namespace: NamespaceOpt = None,
    wait: Annotated[bool, typer.Option("--wait", help="Follow the run until it ends")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, metavar="SECONDS", help="Give up waiting after")] = 600,
    output: Annotated[
        Format | None, typer.Option("--output", "-o", help="Print the run as json or yaml", show_default=False)
    ] = None,
    server: ServerOpt = None,
    token: TokenOpt = None,
    context: ContextOpt = None,
) -> None:
    """Run an action. Exit code 0 when it succeeds (or, without --wait, starts), 1 when it fails or times out."""
    from gantry_core.cli.client import connect

    if output not in (None, Format.json, Format.yaml):
        raise typer.BadParameter("use json or yaml", param_hint="'-o' / '--output'")
    values, texts = _parse_inputs(input_pairs or [], inputs_json)
    name = quote(action, safe="")
    where = {"namespace": namespace or "default"}
    with connect(server, token, context) as client:
        if texts:
            types = _input_types(client, action, where["namespace"])
            values.update({k: _coerce(k, v, types.get(k)) for k, v in texts.items()})
        started = client.post(f"/api/v1/actions/{name}/execute", {"inputs": values}, params=where)
        current = started
        info(_describe(current))
        deadline = time.monotonic() + timeout
        shown = _print_new_logs(current, 0) if wait else 0
        status = str(current.get("status"))
        delay = 0.25
        while wait and status not in FINISHED_OK | FINISHED_BAD:
            if time.monotonic() >= deadline:
                if output is not None:
                    emit(current, output)
                raise CliError(f"run {current.get('id')} is still {status} after {timeout:g} s (--timeout)")
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 2.0)
            current = client.get(f"/api/v1/actions/{name}/runs/{quote(str(started.get('id')), safe='')}", where)
            shown = _print_new_logs(current, shown)
            if str(current.get("status")) != status:
                status = str(current.get("status"))
                info(_describe(current))
    if output is not None:
        emit(current, output)
    elif status in FINISHED_OK | FINISHED_BAD:
        _result(current)
    if status in FINISHED_BAD:
        raise CliError(f"run {current.get('id')} {status}")


def register(app: typer.Typer) -> None:
    app.command("run")(run)
