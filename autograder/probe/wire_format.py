"""Plain data across the sandbox boundary: JSON with tagged arrays, decoded without pickle.

Runs on both sides (the grader, and the probe inside the sandbox), so it needs only the standard
library and numpy. Only exact built-in types, numpy scalars and numpy arrays of numeric or bool
dtype are encoded; anything else (including objects that claim to equal everything) becomes an
`unsupported` marker, which every check treats as a wrong answer.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

ALLOWED_DTYPES = frozenset(
    [
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
    ]
)
MAX_DEPTH = 8
# How the runner and the sandbox say a call or a probe was stopped for time (the grader rewords it).
TIME_LIMIT_PASSED = "ran past its time limit"
MAX_ARRAY_BYTES = 16 * 1024 * 1024


class Unsupported:
    """A value that could not cross the boundary: its type name, for the feedback."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<unsupported {self.type_name}>"


def encode(value: Any, depth: int = 0) -> Any:
    """A JSON-ready form of `value`."""
    kind = type(value)
    if depth > MAX_DEPTH:
        return {"__unsupported__": "nesting too deep"}
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return value if abs(value) < 2**63 else {"__unsupported__": "int too large"}
    if kind is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.generic) and value.dtype.name in ALLOWED_DTYPES:
        return encode(value.item(), depth + 1)
    if isinstance(value, np.ndarray):
        array = np.asarray(np.ndarray.view(value, np.ndarray))
        if array.dtype.name not in ALLOWED_DTYPES or array.nbytes > MAX_ARRAY_BYTES:
            return {"__unsupported__": f"array of {array.dtype.name}, {array.nbytes} bytes"}
        data = np.ascontiguousarray(array).tobytes()
        return {"__ndarray__": [array.dtype.name, list(array.shape), base64.b64encode(data).decode("ascii")]}
    if kind is list:
        return [encode(item, depth + 1) for item in value]
    if kind is tuple:
        return {"__tuple__": [encode(item, depth + 1) for item in value]}
    if kind is dict:
        if not all(type(key) is str for key in value):
            return {"__unsupported__": "dict with non-string keys"}
        return {"__dict__": {key: encode(item, depth + 1) for key, item in value.items()}}
    return {"__unsupported__": f"{kind.__module__}.{kind.__qualname__}"}


def decode(value: Any, depth: int = 0) -> Any:
    """The inverse of `encode`; malformed input raises ValueError."""
    if depth > MAX_DEPTH + 1:
        raise ValueError("nesting too deep")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        return [decode(item, depth + 1) for item in value]
    if type(value) is not dict or len(value) != 1:
        raise ValueError(f"malformed value of type {type(value).__name__}")
    ((tag, body),) = value.items()
    if tag == "__ndarray__":
        dtype, shape, data = body
        if dtype not in ALLOWED_DTYPES or not all(type(n) is int and n >= 0 for n in shape):
            raise ValueError(f"bad array header {dtype!r} {shape!r}")
        raw = base64.b64decode(data, validate=True)
        return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).copy()
    if tag == "__tuple__":
        return tuple(decode(item, depth + 1) for item in body)
    if tag == "__dict__":
        return {str(key): decode(item, depth + 1) for key, item in body.items()}
    if tag == "__float__":
        return float(body)
    if tag == "__unsupported__":
        return Unsupported(str(body))
    raise ValueError(f"unknown tag {tag!r}")


MAX_LINE_BYTES = 64 * 1024 * 1024


def parse_outcome(line: bytes) -> dict[str, Any] | None:
    """One line of the result channel as an outcome, or None if it is not a well-formed one.

    Well-formed: a JSON object with a string id, `ok` a bool, and when not ok an `error` object of
    strings; `warnings`, `stdout` and `seconds` of the right types. Anything else (forged by student
    code, or cut off) is rejected here, before any check reads it.
    """
    if len(line) > MAX_LINE_BYTES or not line.strip():
        return None
    try:
        outcome = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if type(outcome) is not dict or type(outcome.get("id")) is not str or type(outcome.get("ok")) is not bool:
        return None
    error = outcome.get("error", {})
    if not outcome["ok"] and (type(error) is not dict or not all(type(v) is str for v in error.values())):
        return None
    warnings = outcome.get("warnings", [])
    if type(warnings) is not list or not all(type(w) is str for w in warnings):
        return None
    if type(outcome.get("stdout", "")) is not str or type(outcome.get("seconds", 0.0)) not in (int, float):
        return None
    return outcome


def complete_outcomes(path: str, offset: int) -> tuple[int, int]:
    """How many well-formed outcome lines the file holds past `offset`, and the offset after the
    last complete line: progress the watchdogs count (a blank or forged line is no progress)."""
    with open(path, "rb") as results:
        results.seek(offset)
        chunk = results.read()
    end = chunk.rfind(b"\n") + 1
    count = sum(1 for line in chunk[:end].split(b"\n") if parse_outcome(line) is not None)
    return count, offset + end
