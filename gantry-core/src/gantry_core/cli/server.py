"""Server-side commands: `serve`, `db upgrade`, `plugins list`. Heavy imports happen inside them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
plugins_app = typer.Typer(help="Installed plugins.", no_args_is_help=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Settings file (default: ./gantry.yaml)", show_default=False)
]
DbOpt = Annotated[
    str | None, typer.Option("--db", help="SQLite path or postgres:// URL [env GANTRY_DB]", show_default=False)
]


def _settings(config: Path | None, **flags: Any) -> Any:
    from gantry_core.settings import SettingsError, check_data_dir, load_settings

    try:
        settings = load_settings(config=config, **flags)
        check_data_dir(settings)
    except SettingsError as exc:
        typer.echo(f"gantry: {exc}", err=True)
        raise typer.Exit(2) from None
    return settings


def serve(
    # A string, so that a bad port is reported by the settings in one line like every other bad value.
    port: Annotated[
        str | None, typer.Option("--port", "-p", metavar="PORT", help="Port [env GANTRY_PORT, default 8080]")
    ] = None,
    host: Annotated[str | None, typer.Option("--host", help="Interface [default 127.0.0.1]")] = None,
    db: DbOpt = None,
    dev: Annotated[bool | None, typer.Option("--dev/--no-dev", help="Development mode", show_default=False)] = None,
    admin_password: Annotated[
        str | None, typer.Option("--admin-password", help="First-run admin password", show_default=False)
    ] = None,
    config: ConfigOpt = None,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help="TLS certificate (PEM)")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="TLS private key (PEM)")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Data folder [default ./data]")] = None,
    demo: Annotated[
        bool | None, typer.Option("--demo", help="Load the demo catalog into an empty database", show_default=False)
    ] = None,
) -> None:
    """Run the Gantry server."""
    settings = _settings(
        config,
        port=port,
        host=host,
        db=db,
        dev=dev,
        admin_password=admin_password,
        tls_cert=tls_cert,
        tls_key=tls_key,
        data_dir=data_dir,
        demo=demo,
    )
    import uvicorn

    from gantry_core.app import create_app
    from gantry_core.observability.logging import configure
    from gantry_core.plugins.manager import PluginLoadError

    configure("debug" if settings.dev else settings.log_level)
    try:
        app = create_app(settings)
    except PluginLoadError as exc:
        typer.echo(f"gantry: {exc}", err=True)
        raise typer.Exit(2) from None
    scheme = "https" if settings.tls_cert else "http"
    shown_host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0", "::") else settings.host  # noqa: S104
    typer.echo(f"Gantry {_version()} serving at {scheme}://{shown_host}:{settings.port}", err=True)
    if settings.admin_password.get_secret_value() == "changeme":
        typer.echo("Sign in as admin / changeme (change it: Settings → Password, or --admin-password)", err=True)
    _tune_gc()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        ssl_certfile=str(settings.tls_cert) if settings.tls_cert else None,
        ssl_keyfile=str(settings.tls_key) if settings.tls_key else None,
        proxy_headers=True,
        lifespan="on",
        ws_ping_interval=30,
        ws_ping_timeout=30,
    )


#: Young-generation threshold for the server process (CPython's default is 700 allocations).
GC_THRESHOLDS = (20_000, 20, 20)


def _tune_gc() -> None:
    """Fewer, cheaper cyclic-GC passes for the long-running server.

    A batch apply allocates hundreds of thousands of short-lived dicts; with CPython's defaults the
    collector ran ~80 times per 1,000 entities and its full passes walked every object of the imported
    libraries each time, ~15% of the request. Objects alive at start-up (modules, the app) are frozen
    out of the collector's walks, and the young generation is collected every 20,000 allocations.
    Only the server process does this: tests and embedders keep the interpreter's defaults."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def db_upgrade(db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Apply the database migrations (also done at every start)."""
    settings = _settings(config, db=db)
    import asyncio

    from gantry_core.db.engine import create_engine
    from gantry_core.db.migrate import upgrade

    async def run() -> None:
        if settings.sqlite_path is not None:
            settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    typer.echo("database is at the newest schema")


def plugins_list(config: ConfigOpt = None) -> None:
    """List installed plugins (found through the gantry.plugins entry points)."""
    settings = _settings(config)
    from gantry_core.app import build_host
    from gantry_core.plugins.manager import PluginLoadError

    try:
        host = build_host(settings, None, autoload=True)
    except PluginLoadError as exc:
        typer.echo(f"gantry: {exc}", err=True)
        raise typer.Exit(1) from None
    for rec in host.plugins.values():
        status = "error: " + rec.error if rec.error else ("builtin" if rec.builtin else "installed")
        typer.echo(f"{rec.id:<20} {rec.version:<10} {rec.distribution:<32} {status}")


def _version() -> str:
    from gantry_core import __version__

    return __version__


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    db_app.command("upgrade")(db_upgrade)
    plugins_app.command("list")(plugins_list)
    app.add_typer(db_app, name="db")
    app.add_typer(plugins_app, name="plugins")
