"""The `gantry` command. Server commands import the server lazily; client commands speak HTTP only."""

from __future__ import annotations

import typer

from gantry_core.cli import actions, apply, auth, catalog, export, fastparams, meta, server

app = typer.Typer(
    name="gantry",
    help="Gantry: the fast, self-hosted internal developer portal.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
server.register(app)
auth.register(app)
catalog.register(app)
apply.register(app)
export.register(app)
actions.register(app)
meta.register(app)


def main() -> None:
    fastparams.install()
    app()
