"""Layered comparison of a student's value with the expected one: exists, type, shape, dtype,
then closeness. Returns None when they agree, else a message "…: got X, expected Y".

Whatever a message quotes of the student's value (a repr, its keys, what the probe said of an
unsupported object) is student text: it is written by a repr that stops once it has enough, then
passes through `untrusted_text` (cut short, control characters escaped)."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from autograder.probe.wire_format import Unsupported
from autograder.results.untrusted import untrusted_text

SHORT_CHARS = 80  # a value quoted in a message
KEYS_SHOWN = 10  # the keys of a student's dict a message lists


def _repr_pieces(value: Any, depth: int = 0) -> Iterator[str]:
    """repr(value) in pieces, so that a caller may stop early (a value may hold 100,000 items)."""
    if isinstance(value, list | tuple) and depth < 12:
        yield "[" if isinstance(value, list) else "("
        for index, item in enumerate(value):
            yield ", " if index else ""
            yield from _repr_pieces(item, depth + 1)
        yield "]" if isinstance(value, list) else ("," if len(value) == 1 else "") + ")"
    elif isinstance(value, dict) and depth < 12:
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield (", " if index else "") + repr(key)[: 2 * SHORT_CHARS] + ": "
            yield from _repr_pieces(item, depth + 1)
        yield "}"
    elif isinstance(value, np.ndarray) and value.size > 16:
        yield f"array of shape {value.shape} ({value.dtype})"
    elif isinstance(value, str):
        yield repr(value[: 2 * SHORT_CHARS])  # the closing quote may come early: the cut says so
    else:
        yield repr(value)[: 2 * SHORT_CHARS]


def bounded_repr(value: Any, limit: int) -> str:
    """repr(value), as the student may be shown it: at most `limit` characters, escaped."""
    pieces, size = [], 0
    for piece in _repr_pieces(value):
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            break
    text = "".join(pieces)
    if size <= limit:
        return untrusted_text(text, limit)
    return untrusted_text(text[: limit - 2], limit - 2) + " …"  # left unfinished


def short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} ({value.dtype})"
    if isinstance(value, Unsupported):
        return untrusted_text(value.what, 200)
    return bounded_repr(value, SHORT_CHARS)


def keys_text(value: Mapping[Any, Any]) -> str:
    """The keys of a student's dict, sorted, the first few of them."""
    keys = heapq.nsmallest(KEYS_SHOWN, (str(key) for key in value))
    more = len(value) - len(keys)
    return bounded_repr(keys, 200) + (f" and {more} more" if more else "")


FLOAT_MAX = int(np.finfo(np.float64).max)


def kind_name(value: Any) -> str:
    return "array" if isinstance(value, np.ndarray) else type(value).__name__


def compare(got: Any, expected: Any, atol: float, rtol: float, where: str = "result") -> str | None:
    if isinstance(got, Unsupported):
        return f"{where}: got {short(got)}, expected {kind_name(expected)}"
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return f"{where}: got {kind_name(got)}, expected a dict with keys {sorted(expected)}"
        missing = [key for key in expected if key not in got]
        if missing:
            return f"{where}: missing keys {missing} (got keys {keys_text(got)})"
        for key, value in expected.items():
            message = compare(got[key], value, atol, rtol, f"{where}[{key!r}]")
            if message:
                return message
        return None
    if isinstance(expected, np.ndarray):
        return _compare_arrays(got, expected, atol, rtol, where)
    if isinstance(expected, tuple):
        if not isinstance(got, tuple | list) or [type(v) for v in got] != [type(v) for v in expected]:
            return f"{where}: got {short(got)}, expected a tuple like {expected!r}"
        if tuple(got) == expected:
            return None
        return f"{where}: got {bounded_repr(tuple(got), 2 * SHORT_CHARS)}, expected {expected!r}"
    if isinstance(expected, bool) or isinstance(expected, str):
        return (
            None
            if type(got) is type(expected) and got == expected
            else f"{where}: got {short(got)}, expected {expected!r}"
        )
    if isinstance(expected, int):
        if type(got) is not int:
            return f"{where}: got {short(got)} ({kind_name(got)}), expected the int {expected}"
        return None if got == expected else f"{where}: got {got}, expected {expected}"
    if isinstance(expected, float):
        if type(got) not in (int, float):
            return f"{where}: got {short(got)}, expected a number"
        if type(got) is int and not -FLOAT_MAX <= got <= FLOAT_MAX:  # no float can be that int
            return f"{where}: got an int of {got.bit_length()} bits, expected {expected:.6g}"
        return (
            None
            if bool(within(np.float64(got), np.float64(expected), atol, rtol))
            else f"{where}: got {got:.6g}, expected {expected:.6g}"
        )
    return None if got == expected else f"{where}: got {short(got)}, expected {short(expected)}"


def as_array(value: Any) -> Any:
    """A nested list or tuple of numbers as an array (a list where an array is due is not a
    mistake); anything else unchanged."""
    if isinstance(value, list | tuple):
        try:
            array = np.asarray(value)
        except (ValueError, TypeError, OverflowError):
            return value
        if array.dtype.kind in "fiub":
            return array
    return value


def within(got: Any, expected: Any, atol: float, rtol: float) -> Any:
    """`np.isclose(got, expected, atol=atol, rtol=rtol)`, element by element, by its own formula
    (|got - expected| <= atol + rtol·|expected|) when the expected values are finite (there the two
    agree, whatever `got` holds): numpy's function spends more on its generality than on the
    arithmetic. Expected values that are not finite are left to numpy."""
    if not np.isfinite(expected).all():
        return np.isclose(got, expected, atol=atol, rtol=rtol)
    with np.errstate(all="ignore"):
        return np.abs(got - expected) <= atol + rtol * np.abs(expected)


def _compare_arrays(got: Any, expected: np.ndarray, atol: float, rtol: float, where: str) -> str | None:
    got = as_array(got)
    if not isinstance(got, np.ndarray):
        return f"{where}: got {kind_name(got)} {short(got)}, expected a numpy array of shape {expected.shape}"
    if got.shape != expected.shape:
        return f"{where}: got shape {got.shape}, expected {expected.shape}"
    if expected.dtype.kind == "f" and got.dtype.kind not in "f":
        return f"{where}: got dtype {got.dtype}, expected a floating dtype"
    values = got.astype(np.float64)
    if not np.all(np.isfinite(values)):
        return f"{where}: contains NaN or infinity"
    close = within(values, expected.astype(np.float64), atol, rtol)
    if close.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    return (
        f"{where}: at index {index} got {values[index]:.6g}, expected {float(expected[index]):.6g} "
        f"({int((~close).sum())} of {close.size} values differ)"
    )


def matches(got: Any, candidate: Any, atol: float, rtol: float) -> bool:
    return compare(got, candidate, atol, rtol) is None
