"""OpenAI's wording for a refused request field: message, `code` and `param`, as its API sends them.

OpenAI words a validation error by what went wrong with one field, in a fixed
pattern (seen in its 400s, e.g. `Invalid 'max_tokens': integer below minimum
value. Expected a value >= 1, but got 0 instead.`, code
`integer_below_min_value`, param `max_tokens`). SDKs and gateways surface
these messages to users, and clients branch on the code, so the mock uses the
same words for the same mistakes: the JSON Schema error of
`schemas/chat.request.json` is translated here, and the profile's range checks
(`validate`) word their refusals with `out_of_range`.
"""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from chatconform import schemas
from chatconform.answer_shape import json_type
from chatconform.mock.errors import MockError, invalid

# How OpenAI names a JSON type in "expected ..." and "but got ...".
_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a decimal",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def param_path(path: list[str | int] | tuple[str | int, ...]) -> str:
    """`messages[2].content[0].image_url.url`: OpenAI's form of a JSON path in `param`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def kind_of(value: Any) -> str:
    """The JSON type of a value, in OpenAI's words."""
    return _TYPE_NAMES[json_type(value)]


def out_of_range(param: str, value: float, bound: float, above: bool, integer: bool = False) -> MockError:
    """A number beyond a bound: `decimal_above_max_value`, `integer_below_min_value`, ...; `integer` is the
    field's type (OpenAI calls `temperature: 5` a decimal above the maximum: the field is a decimal)."""
    number = "integer" if integer else "decimal"
    side, word, op = ("above", "maximum", "<=") if above else ("below", "minimum", ">=")
    message = (
        f"Invalid '{param}': {number} {side} {word} value. "
        f"Expected a value {op} {_number(bound)}, but got {_number(value)} instead."
    )
    return invalid(message, param, f"{number}_{side}_{'max' if above else 'min'}_value")


def check_shape(body: Any) -> None:
    """Refuse a body that `schemas/chat.request.json` does not accept, with OpenAI's words for its first error."""
    if schemas.is_valid("chat.request", body):
        return
    errors = list(schemas.validator("chat.request").iter_errors(body))
    # A rule that applies only under a condition (role "tool" needs tool_call_id) is reported after the
    # unconditional ones: a message without a role is missing its role, not its tool_call_id.
    plain = [e for e in errors if "then" not in e.schema_path]
    error = best_match(plain or errors)
    if error is not None:
        raise shape_error(error)


def shape_error(error: ValidationError) -> MockError:
    """The refusal OpenAI sends for one schema error of a request body."""
    path = list(error.absolute_path)
    param = param_path(path)
    value: Any = error.instance
    rule = str(error.validator)
    limit: Any = error.validator_value
    where: Any = error.schema if isinstance(error.schema, dict) else {}
    if rule == "required":
        name = error.message.split("'")[1] if error.message.count("'") >= 2 else ""
        missing = param_path([*path, name]) if name else param
        return invalid(f"Missing required parameter: '{missing}'.", missing or None, "missing_required_parameter")
    if rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        kinds = where.get("type") or ()
        integer = "integer" in kinds and "number" not in kinds
        return out_of_range(param, value, limit, above=rule.endswith("aximum"), integer=integer)
    if rule in ("enum", "const"):
        allowed = list(limit) if rule == "enum" else [limit]
        return invalid(f"Invalid value: {_quoted(value)}. Supported values are: {_listed(allowed)}.", param)
    if rule in ("minItems", "maxItems", "minLength", "maxLength"):
        return _length(param, value, rule, int(limit))
    if rule == "pattern":
        message = (
            f"Invalid '{param}': string does not match pattern. Expected a string that matches the pattern '{limit}'."
        )
        return invalid(message, param)
    if rule in ("type", "anyOf", "oneOf"):
        expected = _expected_types(error)
        message = f"Invalid type for '{param}': expected {expected}, but got {kind_of(value)} instead."
        return invalid(message, param or None, "invalid_type")
    return invalid(f"Invalid '{param or 'body'}': {error.message}.", param or None)


def _length(param: str, value: Any, rule: str, limit: int) -> MockError:
    what = "array" if rule.endswith("Items") else "string"
    a = "an array" if what == "array" else "a string"
    size = len(value) if isinstance(value, list | str) else 0
    if rule.startswith("min") and size == 0:
        message = (
            f"Invalid '{param}': empty {what}. Expected {a} with minimum length {limit}, "
            f"but got an empty {what} instead."
        )
        return invalid(message, param, f"empty_{what}")
    side, word, adjective = ("below", "minimum", "short") if rule.startswith("min") else ("above", "maximum", "long")
    message = (
        f"Invalid '{param}': {what} too {adjective}. Expected {a} with {word} length {limit}, "
        f"but got {a} with length {size} instead."
    )
    return invalid(message, param, f"{what}_{side}_{word[:3]}_length")


def _expected_types(error: ValidationError) -> str:
    """What the field should have been: its type, or the types of the alternatives of an anyOf."""
    if error.validator == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        named = [_TYPE_NAMES.get(str(k), str(k)) for k in kinds if k != "null"]
        return _alternatives(named or ["null"])
    named = []
    for option in error.validator_value if isinstance(error.validator_value, list) else []:
        kind = option.get("type") if isinstance(option, dict) else None
        if isinstance(kind, str) and kind != "null":
            named.append(_TYPE_NAMES.get(kind, kind) + (" of objects" if kind == "array" else ""))
        elif isinstance(option, dict) and "enum" in option:
            named.append("a string")
        elif isinstance(option, dict) and option.get("type") is None and "required" in option:
            named.append("an object")
    return _alternatives(list(dict.fromkeys(named)) or ["a valid value"])


def _alternatives(named: list[str]) -> str:
    return named[0] if len(named) == 1 else "one of " + " or ".join(named)


def _quoted(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _listed(values: list[Any]) -> str:
    quoted = [_quoted(v) for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
