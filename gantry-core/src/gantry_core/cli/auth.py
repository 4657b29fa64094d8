"""Where to talk: `login`, `logout` and the contexts of the config file (`config use-context|get-contexts`)."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from gantry_core.cli.config import (
    DEFAULT_SERVER,
    SERVER_ENV,
    Config,
    Context,
    Target,
    context_name_for,
    normalise_server,
)
from gantry_core.cli.errors import CliError, handles_errors
from gantry_core.cli.options import ServerOpt
from gantry_core.cli.output import info, table

config_app = typer.Typer(help="Contexts (server + credentials) of the CLI config file.", no_args_is_help=True)


def _context_names(incomplete: str) -> list[str]:
    try:
        return [name for name in Config.load().contexts if name.startswith(incomplete)]
    except CliError:
        return []


ContextNameArg = Annotated[str, typer.Argument(metavar="NAME", help="Context name", autocompletion=_context_names)]


def _login_server(config: Config, given: str | None, context: str | None) -> str:
    existing = config.contexts.get(context) if context else None
    if given:
        return normalise_server(given)
    if existing is not None:
        return existing.server
    if os.environ.get(SERVER_ENV):
        return normalise_server(os.environ[SERVER_ENV])
    current = config.current_context()
    return current.server if current is not None else DEFAULT_SERVER


@handles_errors
def login(
    server_arg: Annotated[
        str | None,
        typer.Argument(metavar="SERVER", help="Server URL [default: current context or http://localhost:8080]"),
    ] = None,
    username: Annotated[str | None, typer.Option("--username", "-u", help="Prompted for when not given")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin instead of prompting")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option("--token", metavar="TOKEN", help="Store this API key or JWT instead (- reads stdin)"),
    ] = None,
    with_token: Annotated[bool, typer.Option("--with-token", help="Read an API key from stdin")] = False,
    context: Annotated[
        str | None, typer.Option("--context", metavar="NAME", help="Name of the context to save [default: host]")
    ] = None,
    server: ServerOpt = None,
) -> None:
    """Sign in and save the server and token as the current context (config file mode 0600)."""
    from gantry_core.cli.client import Client

    config = Config.load()
    url = _login_server(config, server_arg or server, context)
    if with_token or token == "-":
        token = sys.stdin.readline().strip()
        if not token:
            raise CliError("no token on stdin", exit_code=2)
    if token:
        with Client(Target(url, token, "login", "--token", None)) as client:
            me = client.get("/api/v1/auth/me")
        user, role = str(me.get("username")), str(me.get("effectiveRole") or me.get("role"))
    else:
        if username is None:
            username = typer.prompt("Username")
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else typer.prompt("Password", hide_input=True)
        with Client(Target(url, None, "login", None, None)) as client:
            response = client.request(
                "POST", "/api/v1/auth/login", json={"username": username, "password": password}, expect=(200, 401)
            )
        if response.status_code == 401:
            raise CliError(f"{url} did not accept that username and password")
        body = response.json()
        token = str(body["token"])
        user = str(body.get("user", {}).get("username") or username)
        role = str(body.get("user", {}).get("role") or "")
    existing = config.contexts.get(context) if context else config.for_server(url)
    name = context or (existing.name if existing is not None else context_name_for(url))
    config.contexts[name] = Context(name=name, server=url, user=user, token=token)
    config.current = name
    config.save()
    print(f"Logged in to {url} as {user}{f' ({role})' if role else ''}; context {name!r} is now current.")


@handles_errors
def logout(
    context: Annotated[
        str | None, typer.Option("--context", metavar="NAME", help="Context to log out of [default: current]")
    ] = None,
) -> None:
    """Forget the token of the current context (the context and its server stay)."""
    from gantry_core.cli.client import Client

    config = Config.load()
    chosen = config.contexts.get(context) if context else config.current_context()
    if context and chosen is None:
        raise CliError(f"no context named {context!r}", exit_code=2)
    if chosen is None or not chosen.token:
        info("Not logged in.")
        return
    if not chosen.token.startswith("gantry_"):  # a session: tell the server (best effort, the JWT expires anyway)
        try:
            with Client(Target(chosen.server, chosen.token, "logout", "context", chosen.name), timeout=5) as client:
                client.request("POST", "/api/v1/auth/logout", expect=(204, 401))
        except CliError:
            pass
    chosen.token = None
    config.save()
    print(f"Logged out of {chosen.server} (context {chosen.name!r}).")


@handles_errors
def use_context(name: ContextNameArg) -> None:
    """Make NAME the current context."""
    config = Config.load()
    if name not in config.contexts:
        known = ", ".join(sorted(config.contexts)) or "none; run `gantry login`"
        raise CliError(f"no context named {name!r} (contexts: {known})")
    config.current = name
    config.save()
    print(f"Switched to context {name!r} ({config.contexts[name].server}).")


@handles_errors
def get_contexts() -> None:
    """List the contexts; * marks the current one."""
    config = Config.load()
    if not config.contexts:
        info("No contexts yet; run `gantry login SERVER`.")
        return
    rows = [
        [
            "*" if c.name == config.current else "",
            c.name,
            c.server,
            c.user or "",
            "yes" if c.token else "no (logged out)",
        ]
        for c in config.contexts.values()
    ]
    table(["current", "name", "server", "user", "token"], rows)


@handles_errors
def current_context() -> None:
    """Print the current context's name."""
    config = Config.load()
    if config.current is None:
        raise CliError("no current context; run `gantry login SERVER`")
    print(config.current)


@handles_errors
def delete_context(name: ContextNameArg) -> None:
    """Remove a context and its token from the config file."""
    config = Config.load()
    if config.contexts.pop(name, None) is None:
        raise CliError(f"no context named {name!r}")
    if config.current == name:
        config.current = None
    config.save()
    print(f"Deleted context {name!r}.")


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
    config_app.command("use-context")(use_context)
    config_app.command("get-contexts")(get_contexts)
    config_app.command("current-context")(current_context)
    config_app.command("delete-context")(delete_context)
    app.add_typer(config_app, name="config")
