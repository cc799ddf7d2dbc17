"""Layered comparison of a student's value with the expected one: exists, type, shape, dtype,
then closeness. Returns None when they agree, else a message "…: got X, expected Y"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from autograder.probe.wire_format import Unsupported


def short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} ({value.dtype})"
    if isinstance(value, Unsupported):
        return f"an object of type {value.type_name}, which is not plain data"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


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
            return f"{where}: missing keys {missing} (got keys {sorted(got)})"
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
        return None if tuple(got) == expected else f"{where}: got {tuple(got)!r}, expected {expected!r}"
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
        return (
            None
            if np.isclose(got, expected, atol=atol, rtol=rtol)
            else f"{where}: got {got:.6g}, expected {expected:.6g}"
        )
    return None if got == expected else f"{where}: got {short(got)}, expected {short(expected)}"


def _compare_arrays(got: Any, expected: np.ndarray, atol: float, rtol: float, where: str) -> str | None:
    if not isinstance(got, np.ndarray):
        return f"{where}: got {kind_name(got)} {short(got)}, expected a numpy array of shape {expected.shape}"
    if got.shape != expected.shape:
        return f"{where}: got shape {got.shape}, expected {expected.shape}"
    if expected.dtype.kind == "f" and got.dtype.kind not in "f":
        return f"{where}: got dtype {got.dtype}, expected a floating dtype"
    values = got.astype(np.float64)
    if not np.all(np.isfinite(values)):
        return f"{where}: contains NaN or infinity"
    close = np.isclose(values, expected.astype(np.float64), atol=atol, rtol=rtol)
    if close.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    return (
        f"{where}: at index {index} got {values[index]:.6g}, expected {float(expected[index]):.6g} "
        f"({int((~close).sum())} of {close.size} values differ)"
    )


def matches(got: Any, candidate: Any, atol: float, rtol: float) -> bool:
    return compare(got, candidate, atol, rtol) is None
