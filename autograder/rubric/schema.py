"""The rubric's JSON schemas: the top level, and each check as its kind declares it.

`first_problem` turns jsonschema's findings into one line: the key path and what was expected,
e.g. `parts[2].checks[1].cases[0].hiden_size: unknown key (did you mean 'hidden_size'?)`.
"""

from __future__ import annotations

import difflib
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

SCHEMA_VERSION = 2

POSITIVE = {"type": "number", "exclusiveMinimum": 0}
NON_NEGATIVE = {"type": "number", "minimum": 0}
TOLERANCE = {
    "type": "object",
    "required": ["atol", "rtol"],
    "additionalProperties": False,
    "properties": {"atol": NON_NEGATIVE, "rtol": NON_NEGATIVE},
}
TIME_LIMITS = {
    "type": "object",
    "required": ["call_seconds", "quiet_seconds", "startup_seconds", "submission_seconds"],
    "additionalProperties": False,
    "properties": {
        "call_seconds": {**POSITIVE, "maximum": 600},
        "quiet_seconds": {**POSITIVE, "maximum": 600},
        "startup_seconds": {**POSITIVE, "maximum": 600},
        "submission_seconds": {**POSITIVE, "maximum": 3600},
    },
}
IDENTIFIER = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
TOP_LEVEL: dict[str, Any] = {
    "type": "object",
    "required": ["schema_version", "assignment", "policy", "parts"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "assignment": {"type": "string", "minLength": 1},
        "policy": {
            "type": "object",
            "required": ["tolerance", "time_limits"],
            "additionalProperties": False,
            "properties": {"tolerance": TOLERANCE, "time_limits": TIME_LIMITS},
        },
        "parts": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title", "module", "names", "checks"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9]+$"},
                    "title": {"type": "string", "minLength": 1},
                    "module": IDENTIFIER,
                    "names": {"type": "array", "minItems": 1, "items": IDENTIFIER, "uniqueItems": True},
                    "checks": {"type": "array", "minItems": 1, "items": {"type": "object"}},
                },
            },
        },
    },
}
# Keys every check has, whatever its kind; a kind adds its own (see autograder.kinds.base).
CHECK_COMMON: dict[str, Any] = {
    "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.]*$"},
    "name": {"type": "string", "minLength": 1},
    "kind": {"type": "string"},
    "points": {**POSITIVE, "maximum": 1000},
    "visibility": {"enum": ["public", "hidden"]},
    "misconceptions": {"type": "array"},
}
MISCONCEPTION_COMMON: dict[str, Any] = {
    "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
    "feedback": {"type": "string", "minLength": 1},
}


def key_path(parts: Iterable[Any]) -> str:
    text = ""
    for piece in parts:
        text += f"[{piece}]" if isinstance(piece, int) else (f".{piece}" if text else str(piece))
    return text or "(top level)"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(error: Any) -> tuple[list[Any], str]:
    """(key path, what was expected) for one jsonschema error."""
    path, schema, instance = list(error.absolute_path), error.schema, error.instance
    if error.validator == "additionalProperties" and isinstance(instance, Mapping):
        known = sorted(schema.get("properties", {}))
        extra = sorted(str(k) for k in instance if k not in schema.get("properties", {}))
        close = difflib.get_close_matches(extra[0], known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(known)}"
        return [*path, extra[0]], f"unknown key ({hint})"
    if error.validator == "required":
        return path, f"missing required key {error.message.split(chr(39))[1]!r}"
    if error.validator == "enum":
        return path, f"expected one of {', '.join(map(str, error.validator_value))}, got {_shown(instance)}"
    if error.validator == "const":
        return path, f"expected {error.validator_value!r}, got {_shown(instance)}"
    if error.validator == "type":
        return path, f"expected {error.validator_value}, got {_shown(instance)}"
    if error.validator in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}
        return (
            path,
            f"expected a number {sign[error.validator]} {error.validator_value}, got {_shown(instance)}",
        )
    if error.validator == "pattern":
        return path, f"expected text matching {error.validator_value}, got {_shown(instance)}"
    if error.validator in ("minItems", "minLength"):
        return path, f"expected at least {error.validator_value} item(s), got {_shown(instance)}"
    if error.validator in ("maxItems", "maxLength"):
        return path, f"expected at most {error.validator_value} item(s)"
    return path, " ".join(str(error.message).split())[:200]


# What jsonschema imports eagerly, when installed (Jupyter installs them all), for format checks
# these schemas never make (they use no "format"): about a third of `autograder grade`'s imports,
# and rfc3987_syntax alone compiles a grammar for about 0.7 s.
FORMAT_CHECKER_MODULES = (
    "fqdn",
    "idna",
    "isoduration",
    "jsonpointer",
    "rfc3339_validator",
    "rfc3986_validator",
    "rfc3987",
    "rfc3987_syntax",
    "uri_template",
    "webcolors",
)


def _jsonschema() -> Any:
    """jsonschema, imported without its optional format checkers' modules (see
    FORMAT_CHECKER_MODULES): their imports fail fast while jsonschema loads; sys.modules is then
    left as it was."""
    skipped = [name for name in FORMAT_CHECKER_MODULES if name not in sys.modules]
    for name in skipped:
        sys.modules[name] = None  # type: ignore[assignment]  # makes its import fail fast
    try:
        import jsonschema
    finally:
        for name in skipped:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return jsonschema


def first_problem(schema: Mapping[str, Any], instance: Any, at: Sequence[Any] = ()) -> str | None:
    """The first schema violation as "key.path: what was expected", or None."""
    validator = _jsonschema().Draft202012Validator(schema)
    # By key path; at one path an unknown key first (a misspelling also leaves a required key missing).
    errors = sorted(
        validator.iter_errors(instance),
        key=lambda e: ([str(p) for p in e.absolute_path], e.validator != "additionalProperties"),
    )
    if not errors:
        return None
    path, expected = _describe(errors[0])
    return f"{key_path([*at, *path])}: {expected}"


def first_non_finite(value: Any, at: Sequence[Any] = ()) -> str | None:
    """The first NaN or infinity, or non-text key, anywhere in the data (YAML has .nan and .inf)."""
    stack: list[tuple[list[Any], Any]] = [(list(at), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return f"{key_path(path)}: expected a finite number, got {item}"
        if isinstance(item, Mapping):
            for key, child in reversed(list(item.items())):
                if not isinstance(key, str):
                    return f"{key_path(path)}: keys must be text, got {_shown(key)}"
                stack.append(([*path, key], child))
        elif isinstance(item, list):
            stack.extend(([*path, index], child) for index, child in reversed(list(enumerate(item))))
    return None
