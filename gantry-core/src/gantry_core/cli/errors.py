"""Errors a person can act on: one line (plus detail lines) on stderr, exit 1 (failure) or 2 (usage), no traceback."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class CliError(Exception):
    """An expected failure: shown as ``error: message`` with indented detail lines."""

    def __init__(self, message: str, *, exit_code: int = 1, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.details = list(details)


def report(exc: CliError) -> None:
    print(f"error: {exc.message}", file=sys.stderr)
    for line in exc.details:
        print(f"  {line}", file=sys.stderr)


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn CliError, Ctrl-C and a closed pipe into a message and an exit code."""
    import typer

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CliError as exc:
            sys.stdout.flush()
            report(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            raise typer.Exit(1) from None
        except BrokenPipeError:
            # The reader went away (`gantry get -o name | head -1`): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None

    return wrapper
