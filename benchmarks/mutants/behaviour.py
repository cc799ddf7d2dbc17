"""What one call does (its value, the exception it raised, whether numpy warned of an overflow),
and whether two such outcomes differ within the contract: same type and keys, same shape, a
float64 result for float64 inputs (float32 inputs may give float32 or float64), values equal to
floating-point noise, integers exactly, ValueError where the reference raises it, naming the
argument."""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.mutants.case import Case

TOLERANCE = {"float64": (1e-7, 1e-12), "float32": (1e-4, 1e-6)}  # (rtol, atol): noise, not mistakes


@dataclass(frozen=True)
class Raised:
    type_name: str
    is_value_error: bool
    message: str


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    raised: Raised | None = None
    overflow: bool = False


def run_case(module: ModuleType, case: Case) -> Outcome:
    """Call (or read) `case.name` in `module` on a fresh copy of the case's inputs."""
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("always")
        try:
            target = getattr(module, case.name)
            value = target(*args, **kwargs) if case.call else target
        except Exception as error:
            raised = Raised(type(error).__name__, isinstance(error, ValueError), str(error)[:300])
            return Outcome(raised=raised)
    overflow = any(issubclass(w.category, RuntimeWarning) and "overflow" in str(w.message) for w in caught)
    return Outcome(value=value, overflow=overflow)


def difference(case: Case, expected: Outcome, got: Outcome) -> str | None:
    """How `got` differs from the reference's `expected` on `case`, or None."""
    if expected.raised is not None:
        if got.raised is None:
            return f"returned {_short(got.value)} where ValueError is due"
        if not got.raised.is_value_error:
            return f"raised {got.raised.type_name} ({got.raised.message}) where ValueError is due"
        if case.argument and case.argument not in got.raised.message:
            return f"ValueError does not name {case.argument}: {got.raised.message!r}"
        return None
    if got.raised is not None:
        return f"raised {got.raised.type_name}: {got.raised.message}"
    if case.watch_overflow and got.overflow and not expected.overflow:
        return "numpy warned of an overflow"
    return value_difference(expected.value, got.value, "result")


def value_difference(expected: Any, got: Any, where: str) -> str | None:
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{where}: a {type(got).__name__}, not a dict"
        if set(got) != set(expected):
            return f"{where}: keys {sorted(map(str, got))}, not {sorted(expected)}"
        for key in expected:
            found = value_difference(expected[key], got[key], f"{where}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(expected, str | tuple | int):  # a Python int: numpy's scalars are arrays here
        return _exact_difference(expected, got, where)
    return _array_difference(np.asarray(expected), got, where)


def _exact_difference(expected: Any, got: Any, where: str) -> str | None:
    if isinstance(expected, tuple):
        if not isinstance(got, tuple) or len(got) != len(expected):
            return f"{where}: {_short(got)}, not {expected!r}"
        for index, (one, other) in enumerate(zip(expected, got, strict=True)):
            found = _exact_difference(one, other, f"{where}[{index}]")
            if found:
                return found
        return None
    if isinstance(expected, int) and (isinstance(got, bool) or not isinstance(got, int | np.integer)):
        return f"{where}: {_short(got)} ({type(got).__name__}), not the integer {expected}"
    return None if got == expected else f"{where}: {_short(got)}, not {_short(expected)}"


def _array_difference(expected: np.ndarray, got: Any, where: str) -> str | None:
    if isinstance(got, bool) or not isinstance(got, np.ndarray | np.generic | float | int):
        return f"{where}: a {type(got).__name__}, not an array"
    found = np.asarray(got)
    if found.shape != expected.shape:
        return f"{where}: shape {found.shape}, not {expected.shape}"
    allowed = {"float64": ("float64",), "float32": ("float32", "float64")}.get(expected.dtype.name)
    if allowed is None or found.dtype.name not in allowed:
        return f"{where}: dtype {found.dtype}, where the reference gives {expected.dtype}"
    rtol, atol = TOLERANCE[expected.dtype.name]
    close = np.isclose(found, expected, rtol=rtol, atol=atol)
    if close.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    return (
        f"{where}{list(index) if index else ''}: {found[index]:.6g}, not {expected[index]:.6g} "
        f"({int((~close).sum())} of {close.size} values differ)"
    )


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array{value.shape} {value.dtype}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
