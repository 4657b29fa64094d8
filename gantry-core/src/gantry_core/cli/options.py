"""Options shared by the client commands (typer `Annotated` types)."""

from __future__ import annotations

from typing import Annotated

import typer

from gantry_core.cli.output import Format

ServerOpt = Annotated[
    str | None,
    typer.Option("--server", metavar="URL", help="Gantry server URL [env GANTRY_SERVER]", show_default=False),
]
TokenOpt = Annotated[
    str | None,
    typer.Option("--token", metavar="TOKEN", help="JWT or API key [env GANTRY_TOKEN]", show_default=False),
]
ContextOpt = Annotated[
    str | None,
    typer.Option("--context", metavar="NAME", help="Use this context of the config file", show_default=False),
]
NamespaceOpt = Annotated[
    str | None,
    typer.Option("--namespace", "-n", metavar="NAMESPACE", help="Namespace [default: default]", show_default=False),
]
OutputOpt = Annotated[Format, typer.Option("--output", "-o", help="Output format")]
FilesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--filename",
        "-f",
        metavar="FILE|DIR|-",
        help="YAML or JSON file, folder of them, or - for stdin (repeatable)",
        show_default=False,
    ),
]
RecursiveOpt = Annotated[bool, typer.Option("--recursive", "-R", help="Also read the folders inside folders")]
# A string, not a Path: typer converts Path parameters through pydantic, which `gantry` keeps out of start-up.
DirOpt = Annotated[str | None, typer.Option("--dir", metavar="DIR", help="Write one file per entity here")]
