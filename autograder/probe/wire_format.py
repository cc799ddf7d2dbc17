"""Plain data across the sandbox boundary: JSON with tagged arrays, decoded without pickle.

Runs on both sides (the grader, and the probe inside the sandbox), so it needs only the standard
library and numpy. Only exact built-in types, numpy scalars and numpy arrays of numeric or bool
dtype are encoded; anything else (including objects that claim to equal everything) becomes an
`unsupported` marker, which every check treats as a wrong answer.

Every value is bounded, on both sides, by a `Budget`: nesting depth, list/tuple items and dict
entries, dict keys, the characters of each string and of all of them, array dimensions, and array
cells, where a zero-length dimension counts as one (an array of shape (10**6, 0) holds no data but
a million rows). The encoder turns a value over a bound into one `unsupported` marker saying which;
the decoder raises `TooLargeError` (a ValueError), which the grader reports as an unreadable value.
Arrays travel in little-endian byte order whatever the order of the array sent, and are decoded
into the machine's own order.

The result channel is read by a `ChannelReader`: each byte once, each line parsed once, a junk
line rejected in O(1) before any JSON parsing where it can be, and at most MAX_JUNK_LINES of them:
past that the channel is flooded and nothing more is read.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, BinaryIO

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
# Each allowed dtype (native byte order) to its name: `dtype.name` is worked out in Python each time.
NAMES_OF_DTYPES = MappingProxyType({np.dtype(name): name for name in ALLOWED_DTYPES})
# How the runner and the sandbox say a call or a probe was stopped (the grader rewords them).
TIME_LIMIT_PASSED = "ran past its time limit"
OUTPUT_LIMIT_PASSED = "wrote more than its output limit"

# The bounds of one value (one call's result, or one call's arguments).
MAX_DEPTH = 8  # containers inside containers
MAX_ARRAY_BYTES = 16 * 1024 * 1024  # the data of one array
# Array cells in all (16 MiB of float64), a zero-length dimension counted as 1.
MAX_CELLS = MAX_ARRAY_BYTES // 8
MAX_NDIM = 16  # dimensions of one array
MAX_ITEMS = 100_000  # list and tuple items, dict entries and arrays, in all
MAX_KEYS = 4_096  # dict keys, in all
MAX_STRING_CHARS = 65_536  # one string (a value, a key)
MAX_TEXT_CHARS = 1_048_576  # every string, in all

# The bounds of the result channel.
MAX_LINE_BYTES = 64 * 1024 * 1024  # one outcome line (the result file is no larger)
# Commas in one line: more than a value within the bounds above can hold is junk, rejected before
# JSON parsing (each array writes at most MAX_NDIM + 2, every character of text may be one).
MAX_LINE_COMMAS = MAX_ITEMS * (MAX_NDIM + 3) + MAX_TEXT_CHARS + 8 * MAX_STRING_CHARS
MAX_JUNK_LINES = 64  # lines that are not outcomes; the runner writes none, a killed one a cut-off last
MAX_OUTCOME_TEXT = 8_192  # each string of an outcome beside its value (message, traceback, stdout)
MAX_WARNINGS = 16
OUTCOME_START = b'{"id": "'  # how every line the runner writes begins (json.dumps of an outcome)
OUTCOME_FIELDS = ("id", "ok", "value", "error", "stdout", "seconds")  # and warnings
READ_CHUNK = 1024 * 1024


class TooLargeError(ValueError):
    """A value over one of the bounds; the message says which."""


class Unsupported:
    """A value that could not cross the boundary, described for the feedback ("an object of type
    lstm_budget.Anything, which is not plain data")."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"<unsupported: {self.what[:200]}>"


@dataclass
class Budget:
    """What is left of the bounds while one value is encoded or decoded."""

    items: int = MAX_ITEMS
    keys: int = MAX_KEYS
    cells: int = MAX_CELLS
    chars: int = MAX_TEXT_CHARS

    def spend(self, resource: str, amount: int, bound: int, what: str) -> None:
        left = getattr(self, resource) - amount
        if left < 0:
            raise TooLargeError(f"more than {bound} {what}")
        setattr(self, resource, left)

    def text(self, text: str) -> None:
        if len(text) > MAX_STRING_CHARS:
            raise TooLargeError(f"a string of {len(text)} characters (at most {MAX_STRING_CHARS})")
        self.spend("chars", len(text), MAX_TEXT_CHARS, "characters of text")

    def entries(self, count: int, keys: bool = False) -> None:
        self.spend("items", count, MAX_ITEMS, "list items, tuple items, dict entries and arrays")
        if keys:
            self.spend("keys", count, MAX_KEYS, "dict keys")

    def array(self, shape: tuple[int, ...] | list[int]) -> None:
        if len(shape) > MAX_NDIM:
            raise TooLargeError(f"an array of {len(shape)} dimensions (at most {MAX_NDIM})")
        self.entries(1)
        cells = 1
        for n in shape:  # a plain loop: this runs for every array sent or received
            if n > MAX_CELLS:
                raise TooLargeError(f"an array of shape {tuple(shape)}: more than {MAX_CELLS} array cells")
            if n > 1:
                cells *= n
        self.spend("cells", cells, MAX_CELLS, "array cells")


def unsupported(what: str) -> dict[str, str]:
    return {"__unsupported__": what}


def type_description(kind: type) -> str:
    """The class as "module.Qualname", cut short (a student's class name may run to megabytes)."""
    module = kind.__module__ if type(kind.__module__) is str else "?"
    name = f"{module}.{kind.__qualname__}"
    return name if len(name) <= 200 else name[:200] + "..."


def encode(value: Any) -> Any:
    """A JSON-ready form of `value`; over a bound, one marker for the whole value."""
    try:
        return _encode(value, 0, Budget())
    except TooLargeError as error:
        return unsupported(f"a value too large to carry back ({error})")


def _encode(value: Any, depth: int, budget: Budget) -> Any:
    kind = type(value)
    if depth > MAX_DEPTH:
        return unsupported(f"a value nested more than {MAX_DEPTH} levels deep")
    if kind is np.ndarray:  # the commonest value, first (a subclass is taken below)
        return _encode_array(value, budget)
    if value is None or kind is bool:
        return value
    if kind is str:
        budget.text(value)
        return value
    if kind is int:
        return value if abs(value) < 2**63 else unsupported("an int of more than 64 bits")
    if kind is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.generic) and _dtype_name(value.dtype) in ALLOWED_DTYPES:
        return _encode(value.item(), depth + 1, budget)
    if isinstance(value, np.ndarray):
        return _encode_array(value, budget)
    if kind is list or kind is tuple:
        budget.entries(len(value))
        items = [_encode(item, depth + 1, budget) for item in value]
        return items if kind is list else {"__tuple__": items}
    if isinstance(value, dict):  # OrderedDict, defaultdict...: read through dict's own methods
        items = list(dict.items(value))
        budget.entries(len(items), keys=True)
        if not all(type(key) is str for key, _ in items):
            return unsupported("a dict with keys that are not strings, which is not plain data")
        for key, _ in items:
            budget.text(key)
        return {"__dict__": {key: _encode(item, depth + 1, budget) for key, item in items}}
    return unsupported(f"an object of type {type_description(kind)}, which is not plain data")


def _encode_array(value: np.ndarray, budget: Budget) -> Any:
    array = np.asarray(np.ndarray.view(value, np.ndarray))
    name = _dtype_name(array.dtype)
    if name not in ALLOWED_DTYPES:
        return unsupported(f"an array of {name[:40]}, which is not plain data")
    budget.array(array.shape)
    if array.nbytes > MAX_ARRAY_BYTES:
        raise TooLargeError(f"an array of {array.nbytes} bytes (at most {MAX_ARRAY_BYTES})")
    little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))  # the wire's byte order
    data = binascii.b2a_base64(little.data, newline=False).decode("ascii")  # read in place: contiguous
    return {"__ndarray__": [name, list(array.shape), data]}


def _dtype_name(dtype: Any) -> str:
    return str(NAMES_OF_DTYPES.get(dtype) or dtype.name)


def decode(value: Any) -> Any:
    """The inverse of `encode`; malformed input raises ValueError, a value over a bound TooLargeError."""
    return _decode(value, 0, Budget())


def _decode(value: Any, depth: int, budget: Budget) -> Any:
    kind = type(value)
    if depth > MAX_DEPTH + 1:
        raise TooLargeError(f"a value nested more than {MAX_DEPTH} levels deep")
    if value is None or kind is bool or kind is float:
        return value
    if kind is int:
        if abs(value) >= 2**63:
            raise TooLargeError("an int of more than 64 bits")
        return value
    if kind is str:
        budget.text(value)
        return value
    if kind is list:
        budget.entries(len(value))
        return [_decode(item, depth + 1, budget) for item in value]
    if kind is not dict or len(value) != 1:
        raise ValueError(f"malformed value of type {kind.__name__}")
    ((tag, body),) = value.items()
    return _decode_tagged(tag, body, depth, budget)


def _decode_tagged(tag: str, body: Any, depth: int, budget: Budget) -> Any:
    if tag == "__ndarray__":
        return _decode_array(body, budget)
    if tag == "__tuple__" and type(body) is list:
        budget.entries(len(body))
        return tuple(_decode(item, depth + 1, budget) for item in body)
    if tag == "__dict__" and type(body) is dict:
        budget.entries(len(body), keys=True)
        for key in body:
            budget.text(key)
        return {key: _decode(item, depth + 1, budget) for key, item in body.items()}
    if tag == "__float__" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "__unsupported__" and type(body) is str:
        budget.text(body)
        return Unsupported(body)
    raise ValueError(f"unknown tag {tag[:40]!r} or a malformed body")


def _decode_array(body: Any, budget: Budget) -> np.ndarray:
    if type(body) is not list or len(body) != 3:
        raise ValueError("malformed array")
    dtype, shape, data = body
    if type(dtype) is not str or dtype not in ALLOWED_DTYPES or type(data) is not str:
        raise ValueError(f"bad array header {str(dtype)[:40]!r}")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError("bad array shape")
    budget.array(shape)
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    if len(data) != 4 * ((nbytes + 2) // 3):
        raise ValueError(f"array data of the wrong length for shape {tuple(shape)}")
    raw = base64.b64decode(data, validate=True)
    little = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)
    return little.astype(np.dtype(dtype))  # a writable copy in the machine's byte order


IMMUTABLE = (type(None), bool, int, float, str)


def copy_decoded(value: Any) -> Any:
    """A deep copy of a value `decode` made (plain containers, base-class arrays, immutable scalars,
    shared nowhere inside), without `copy.deepcopy`'s memo and dispatch; anything else deep-copied."""
    kind = type(value)
    if kind in IMMUTABLE:
        return value
    if kind is np.ndarray:
        return value.copy(order="K")
    if kind is list:
        return [copy_decoded(item) for item in value]
    if kind is tuple:
        return tuple(copy_decoded(item) for item in value)
    if kind is dict:
        return {key: copy_decoded(item) for key, item in value.items()}
    return copy.deepcopy(value)


def outcome_line(outcome: dict[str, Any]) -> str:
    """How the runner writes one outcome: a JSON line that begins with OUTCOME_START."""
    return json.dumps({"id": outcome["id"], **outcome}, allow_nan=False) + "\n"


def _bounded_text(value: Any) -> bool:
    return type(value) is str and len(value) <= MAX_OUTCOME_TEXT


def parse_outcome(line: bytes) -> dict[str, Any] | None:
    """One line of the result channel as an outcome, or None if it is not a well-formed one.

    Well-formed: a JSON object with a string id, `ok` a bool, and when not ok an `error` object of
    bounded strings; `warnings`, `stdout` and `seconds` of the right types and sizes. Anything else
    (forged by student code, or cut off) is rejected here, before any check reads it; a line that
    does not look like the runner's, or holds more commas than a bounded value can, is rejected
    before it is parsed. Only the known fields are kept.
    """
    if len(line) > MAX_LINE_BYTES or not line.startswith(OUTCOME_START) or not line.endswith(b"}"):
        return None
    if line.count(b",") > MAX_LINE_COMMAS:
        return None
    try:
        outcome = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if type(outcome) is not dict or not _bounded_text(outcome.get("id")):
        return None
    if type(outcome.get("ok")) is not bool:
        return None
    kept = {key: outcome[key] for key in OUTCOME_FIELDS if key in outcome}
    error = outcome.get("error", {})
    if not outcome["ok"] and (
        type(error) is not dict or len(error) > 8 or not all(_bounded_text(v) for v in error.values())
    ):
        return None
    warnings = outcome.get("warnings", [])
    if type(warnings) is not list or len(warnings) > MAX_WARNINGS or not all(map(_bounded_text, warnings)):
        return None
    if not _bounded_text(outcome.get("stdout", "")) or type(outcome.get("seconds", 0.0)) not in (int, float):
        return None
    return {**kept, "warnings": warnings}


class ChannelReader:
    """The result channel, read as it grows: each byte once, each complete line parsed once.

    A line longer than MAX_LINE_BYTES is dropped as it streams past, without being held; an
    incomplete last line waits for its end in pieces (never copied once per read). A line that is
    not a well-formed outcome is junk; past MAX_JUNK_LINES the channel is `flooded` and nothing
    more is read: the watchdogs stop the probe, and the outcomes before the flood are kept.
    """

    def __init__(self) -> None:
        self.outcomes: list[dict[str, Any]] = []
        self.position = 0  # bytes taken so far
        self.junk = 0
        self._pending: list[bytes] = []  # the pieces of an incomplete line
        self._pending_bytes = 0
        self._skipping = False  # inside a line too long to keep

    @property
    def flooded(self) -> bool:
        return self.junk > MAX_JUNK_LINES

    def feed(self, data: bytes) -> int:
        """Take the next bytes of the channel; how many new well-formed outcomes they complete."""
        before, start = len(self.outcomes), 0
        while not self.flooded:
            end = data.find(b"\n", start)
            if end < 0:
                self._hold(data[start:])
                break
            self._line(data[start:end])
            start = end + 1
        self.position += len(data) if not self.flooded else start
        return len(self.outcomes) - before

    def read(self, source: BinaryIO) -> int:
        """Feed what `source` holds from the current position on (each byte read once)."""
        found = 0
        while not self.flooded:
            chunk = source.read(READ_CHUNK)
            if not chunk:
                break
            found += self.feed(chunk)
        return found

    def read_file(self, path: str) -> int:
        """Feed the bytes a file gained since the last read; new well-formed outcomes."""
        with open(path, "rb") as source:
            source.seek(self.position)
            return self.read(source)

    def _hold(self, piece: bytes) -> None:
        if self._skipping or not piece:
            return
        self._pending.append(piece)
        self._pending_bytes += len(piece)
        if self._pending_bytes > MAX_LINE_BYTES:
            self._pending, self._pending_bytes, self._skipping = [], 0, True
            self.junk += 1

    def _line(self, tail: bytes) -> None:
        if self._skipping:  # the end of a line already counted as junk
            self._skipping = False
            return
        line = b"".join([*self._pending, tail]) if self._pending else tail
        self._pending, self._pending_bytes = [], 0
        outcome = parse_outcome(line)
        if outcome is None:
            self.junk += 1
        else:
            self.outcomes.append(outcome)
