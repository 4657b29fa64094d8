"""The bundled web UI: built by `nox -s web` into web/static and served by the SPA fallback route."""
