"""`gantry version` (F131) and `gantry completion SHELL` (F163)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from gantry_core.cli.errors import handles_errors
from gantry_core.cli.options import ContextOpt, ServerOpt, TokenOpt


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@handles_errors
def version(
    client_only: Annotated[bool, typer.Option("--client", help="Only the client's version")] = False,
    server: ServerOpt = None,
    token: TokenOpt = None,
    context: ContextOpt = None,
) -> None:
    """Print the client's version and the server's."""
    from gantry_core import __version__
    from gantry_core.cli.client import connect

    print(f"Client: {__version__}", flush=True)
    if client_only:
        return
    with connect(server, token, context, timeout=10) as client:
        spec = client.get("/api/openapi.json")
    print(f"Server: {spec.get('info', {}).get('version', 'unknown')} ({client.server})")


def completion(shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish")]) -> None:
    """Print the shell completion script.

    bash: `source <(gantry completion bash)` in ~/.bashrc ·
    zsh: `gantry completion zsh > "${fpath[1]}/_gantry"` ·
    fish: `gantry completion fish > ~/.config/fish/completions/gantry.fish`
    """
    from typer.completion import get_completion_script  # type: ignore[attr-defined]

    print(get_completion_script(prog_name="gantry", complete_var="_GANTRY_COMPLETE", shell=shell.value))


def register(app: typer.Typer) -> None:
    app.command("version")(version)
    app.command("completion")(completion)
