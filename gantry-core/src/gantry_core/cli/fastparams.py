"""Keep pydantic out of the client commands' start-up.

Typer (0.29) converts every parameter of the command being run through a pydantic ``TypeAdapter``, even a
plain string left at its default, and importing pydantic plus building the adapters costs ~0.15 s: a third
of `gantry get services`. The client commands take only ``str``, ``bool``, ``int``, ``float`` and ``Enum`` values
(and lists of them), whose conversion needs nothing of pydantic; :func:`install` converts those directly
with typer's own choice helper and leaves every other parameter to typer. When typer's internals change,
`install` does nothing and typer works as before (a test notices that pydantic came back).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, get_args, get_origin

Converter = Callable[[Any, Any], Any]  # (value, click context) -> converted value; ValueError when invalid


def _to_str(value: Any, ctx: Any) -> str:
    if isinstance(value, bytes):
        return value.decode(sys.getfilesystemencoding(), "replace")
    return str(value)


def _to_bool(value: Any, ctx: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y", "on"):
        return True
    if text in ("", "0", "false", "f", "no", "n", "off"):
        return False
    raise ValueError(f"{value!r} is not a valid boolean.")


def _number(kind: type[Any], low: float | None, high: float | None) -> Converter:
    label = "integer" if kind is int else "number"

    def convert(value: Any, ctx: Any) -> Any:
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a valid {label}.") from None
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"{'' if low is None else f'{low:g}<='}x{'' if high is None else f'<={high:g}'}"
            raise ValueError(f"{number} is not in the range {bounds}.")
        return number

    return convert


def _choice(enum: type[Enum], case_sensitive: bool) -> Converter:
    from typer._param_types import coerce_cli_choice

    choices = list(enum)

    def convert(value: Any, ctx: Any) -> Any:
        return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)

    return convert


def converter(annotation: Any, info: Any) -> Converter | None:
    """A direct converter for simple annotations, or None to leave the parameter to typer."""
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None) is not None:
        return None
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (str,)
        inner = converter(item, info)
        if inner is None:
            return None
        return lambda value, ctx: [inner(v, ctx) for v in (value if isinstance(value, list | tuple) else [value])]
    if annotation is str:
        return _to_str
    if annotation is bool:
        return _to_bool
    if annotation in (int, float) and not getattr(info, "clamp", False):
        return _number(annotation, info.min, info.max)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(annotation, bool(getattr(info, "case_sensitive", True)))
    return None


def install() -> None:
    """Route simple parameters around typer's pydantic adapters (idempotent; a no-op if typer changed)."""
    try:
        from typer import core
        from typer._click.exceptions import BadParameter
        from typer._coercion import RuntimeParam
    except ImportError:
        return
    original = getattr(core, "build_runtime_param", None)
    if original is None or getattr(original, "gantry_fast", False):
        return

    @dataclass(frozen=True)
    class DirectParam(RuntimeParam):
        convert: Converter

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.convert(value, ctx)
            except ValueError as exc:
                raise BadParameter(str(exc), ctx=ctx, param=param) from None

    def build_runtime_param(descriptor: Any) -> Any:
        convert = (
            None
            if descriptor.file_annotation is not None
            else converter(descriptor.annotation, descriptor.parameter_info)
        )
        if convert is None:
            return original(descriptor)
        return DirectParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, convert=convert)

    build_runtime_param.gantry_fast = True  # type: ignore[attr-defined]
    core.build_runtime_param = build_runtime_param  # type: ignore[attr-defined]
