"""Parameter values without pydantic, for the simple cases: a start-up cost, not a behaviour.

Typer 0.29 converts every parameter it processes (even one left at its ``None`` default) with a
pydantic ``TypeAdapter`` built on first use; the first one imports pydantic, more than half
of a short command's start-up (benchmarks/findings.md). Our parameters are plain ``str``,
``int``, ``float`` (with ``min``/``max``) and ``Path`` options and arguments, whose conversion
is trivial. ``install`` gives each such
parameter a stand-in for Typer's converter that returns exactly what Typer would for the
values it recognises (None, plain strings, decimal numbers within bounds, paths) and hands
everything else (bad numbers, bounds broken, unreadable paths, odd characters) to Typer's own
converter, built then, so every result and every error message is Typer's. On a Typer without
this machinery (older, or changed), ``install`` does nothing and Typer converts as it always
did. ``tests/cli/test_startup.py`` checks both converters agree value for value.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

_MISS = object()  # "not a case we convert: ask Typer"
_INT = re.compile(r"-?[0-9]{1,18}")
_FLOAT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")


def _int(value: Any) -> Any:
    if type(value) is int:
        return value
    if isinstance(value, str) and _INT.fullmatch(value):
        return int(value)
    return _MISS


def _float(value: Any) -> Any:
    if type(value) is float:
        return value
    if isinstance(value, str) and _FLOAT.fullmatch(value):
        return float(value)
    return _MISS


def _str(value: Any) -> Any:
    return value if type(value) is str else _MISS


def _path(value: Any) -> Any:
    """Typer's checks for a Path with the default flags: if it exists, it must be readable."""
    if type(value) is not str or not value or "\x00" in value:
        return _MISS
    path = Path(value)
    try:
        os.stat(path)
    except OSError:
        return path  # need not exist
    except Exception:
        return _MISS
    return path if os.access(path, os.R_OK) else _MISS


def _bool(value: Any) -> Any:
    return value if type(value) is bool else _MISS


_PLAIN = {str: _str, int: _int, float: _float, Path: _path, bool: _bool}


class _Lean:
    """Stands in for Typer's RuntimeParam (its ``coerce``) until a value needs the real one."""

    def __init__(self, convert: Any, low: Any, high: Any, many: bool) -> None:
        self.convert, self.low, self.high, self.many = convert, low, high, many

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:  # as RuntimeParam.coerce
            return () if param.multiple or param.nargs == -1 else None
        got = self._fast(value)
        if got is not _MISS:
            return got
        from typer._coercion import build_runtime_param

        real = build_runtime_param(param.type_descriptor)
        param._runtime_param = real
        return real.coerce(value, param=param, ctx=ctx)

    def _fast(self, value: Any) -> Any:
        if self.many:
            if type(value) is not tuple:
                return _MISS
            items = [self._one(item) for item in value]
            return _MISS if any(item is _MISS for item in items) else items
        return self._one(value)

    def _one(self, value: Any) -> Any:
        got = self.convert(value)
        if got is _MISS:
            return _MISS
        if self.low is not None and not got >= self.low:
            return _MISS
        if self.high is not None and not got <= self.high:
            return _MISS
        return got


def _stand_in(param: Any) -> _Lean | None:
    """A stand-in for one parameter, or None when Typer should convert it."""
    desc = getattr(param, "type_descriptor", None)
    info = getattr(desc, "parameter_info", None)
    if desc is None or info is None or getattr(param, "_runtime_param", _MISS) is not None:
        return None
    annotation, many = desc.annotation, False
    if getattr(annotation, "__origin__", None) is list and len(annotation.__args__) == 1:
        if getattr(param, "nargs", None) != -1 or getattr(param, "multiple", True):
            return None
        annotation, many = annotation.__args__[0], True
    convert = _PLAIN.get(annotation) if isinstance(annotation, type) else None
    if convert is None:
        return None
    defaults = {"parser": None, "clamp": False}
    if convert is _path:
        defaults |= {
            "exists": False,
            "file_okay": True,
            "dir_okay": True,
            "writable": False,
            "readable": True,
            "resolve_path": False,
            "allow_dash": False,
            "path_type": None,
        }
    if any(getattr(info, key, _MISS) != want for key, want in defaults.items()):
        return None
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    if convert in (_str, _path) and (low is not None or high is not None):
        return None  # Typer ignores bounds on these; leave such a parameter to Typer
    return _Lean(convert, low, high, many)


def install(params: list[Any]) -> list[Any]:
    """Give the simple parameters among ``params`` (a command's, --help included) a stand-in."""
    if _typer_converts():
        for param in params:
            lean = _stand_in(param)
            if lean is not None:
                param._runtime_param = lean
    return params


def _typer_converts() -> bool:
    try:
        from typer._coercion import build_runtime_param  # noqa: F401
    except ImportError:  # a Typer without this machinery: it converts as it always did
        return False
    return True
