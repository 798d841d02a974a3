"""Runtime checks of simple type hints, for values that come from users: profile tables and
test expectations. A typo in a value's type is an error where it was written, not a check that
silently compares against the wrong thing. (pydantic would do this and much more; a dozen lines
keep the dependency tree and the import time of the mock small.)"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any


def conforms(value: Any, hint: Any) -> bool:
    """Whether `value` is of the type `hint`: classes, unions, Any, list/tuple/dict of them.
    Sequences are accepted for lists and tuples (TOML and tests write lists), ints for floats."""
    if hint is Any:
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, a) for a in args)
    if hint is type(None):
        return value is None
    if origin in (list, tuple):
        item = args[0] if args else Any
        return _is_sequence(value) and all(conforms(v, item) for v in value)
    if origin is dict:
        key, item = args if len(args) == 2 else (Any, Any)
        return isinstance(value, Mapping) and all(conforms(k, key) and conforms(v, item) for k, v in value.items())
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def describe(hint: Any) -> str:
    """A type hint as a reader would write it."""
    return str(hint).replace("typing.", "").replace("chatconform.exchange.", "").replace("NoneType", "None")


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)
