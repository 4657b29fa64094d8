"""Shared request field types: bounded, printable strings (no NUL or control characters)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value or "\t" in value:
        raise ValueError("must be a single line")
    return _printable(value)


Text = Annotated[str, AfterValidator(_printable)]
Line = Annotated[str, AfterValidator(_single_line)]
Username = Annotated[
    str,
    Field(
        min_length=1,
        max_length=150,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._@:+-]*$",
        description="Letters, digits and . _ @ : + -",
    ),
]
Email = Annotated[str, Field(max_length=320, pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")]
GroupName = Annotated[str, Field(min_length=1, max_length=150, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
