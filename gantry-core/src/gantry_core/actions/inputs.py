"""Run inputs checked against an Action's `spec.inputs` (F72): every failing field is reported at once."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from gantry_core.api.errors import GantryError, json_pointer

MAX_LENGTH = {"string": 10_000, "textarea": 100_000, "select": 1_000}


def _problem(kind: str, value: Any, declared: Mapping[str, Any]) -> str | None:
    """Why `value` does not fit an input of type `kind`, or None when it does."""
    if kind in ("string", "textarea", "select"):
        if not isinstance(value, str):
            return "must be a string" if kind != "select" else "must be one of the options (a string)"
        if len(value) > MAX_LENGTH[kind]:
            return f"must be at most {MAX_LENGTH[kind]} characters"
        if "\x00" in value:
            return "must not contain NUL characters"
        if kind == "string" and ("\n" in value or "\r" in value):
            return "must be a single line (use a textarea input for several lines)"
        if kind == "select":
            options = [str(o) for o in declared.get("options") or ()]
            if value not in options:
                return f"must be one of: {', '.join(options)}" if options else "the action lists no options"
        return None
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    return f"the action declares an unknown input type {kind!r}"


def validate_inputs(declared: Sequence[Mapping[str, Any]], given: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs to run with (defaults applied), or 422 `invalid_inputs` listing every failing field.

    A missing or null value takes the input's default; a required input without one is an error, and so
    is an empty string for a required text input. Inputs the action does not declare are refused."""
    details: list[dict[str, str]] = []
    known = {str(d.get("name")): d for d in declared}
    for key in given:
        if key not in known:
            takes = ", ".join(known) or "no inputs"
            details.append(
                {"path": json_pointer(["inputs", key]), "message": f"unknown input; this action takes {takes}"}
            )
    values: dict[str, Any] = {}
    for name, spec in known.items():
        kind = str(spec.get("type") or "string")
        path = json_pointer(["inputs", name])
        value = given.get(name)
        prefix = ""
        if value is None and spec.get("default") is not None:
            value, prefix = spec["default"], "the action's default "
        if value is None or (value == "" and spec.get("required") and kind != "select"):
            if spec.get("required"):
                details.append(
                    {"path": path, "message": "required" if value is None else "required: must not be empty"}
                )
            continue
        problem = _problem(kind, value, spec)
        if problem:
            details.append({"path": path, "message": f"{prefix}{problem}" if prefix else problem})
            continue
        values[name] = value
    if details:
        fields = ", ".join(sorted({d["path"].removeprefix("/inputs/") for d in details}))
        raise GantryError(422, "invalid_inputs", f"the inputs are not valid ({fields})", details)
    return values
