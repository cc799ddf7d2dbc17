"""Helpers for the public tests: call student code and explain what went wrong."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest

# Loose enough for a correct float32 answer, tight enough for every real mistake.
ATOL = 1e-5
RTOL = 1e-4


def describe(value: Any) -> str:
    """A short description of an argument or a result, for failure messages."""
    if isinstance(value, np.ndarray):
        return f"array{value.shape} {value.dtype}"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k!r}: {describe(v)}" for k, v in value.items()) + "}"
    return repr(value)


def attempt(function: Callable[..., Any], *args: Any, failure_hint: str = "", **kwargs: Any) -> Any:
    """Call a student's function; turn a stub or a crash into a failure that says what happened."""
    name = getattr(function, "__name__", repr(function))
    shown = ", ".join([describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()])
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        message = (
            f"{name} is not implemented yet: its body still raises NotImplementedError. "
            "Write it, then run the tests again."
        )
    except Exception as error:
        message = f"{name}({shown}) raised {type(error).__name__}: {error}. {failure_hint}"
    pytest.fail(message, pytrace=False)  # outside `except`, so no chained traceback is shown


def as_array(value: Any, what: str) -> np.ndarray:
    if not isinstance(value, np.ndarray | float | int | np.floating | list | tuple):
        pytest.fail(f"{what}: expected a numpy array, got {type(value).__name__}", pytrace=False)
    return np.asarray(value, dtype=np.float64)


def assert_close(got: Any, expected: Any, what: str, hint: str = "") -> None:
    """Shape first, then values; the message says where and by how much they differ."""
    got_array, expected_array = as_array(got, what), np.asarray(expected, dtype=np.float64)
    if got_array.shape != expected_array.shape:
        pytest.fail(
            f"{what}: got shape {got_array.shape}, expected {expected_array.shape}. {hint}", pytrace=False
        )
    if not np.all(np.isfinite(got_array)):
        pytest.fail(f"{what}: contains NaN or infinity. {hint}", pytrace=False)
    close = np.isclose(got_array, expected_array, atol=ATOL, rtol=RTOL)
    if not close.all():
        index = tuple(int(i) for i in np.argwhere(~close)[0])
        pytest.fail(
            f"{what}: at index {index} got {got_array[index]:.6g}, expected {expected_array[index]:.6g} "
            f"({int((~close).sum())} of {close.size} values differ). {hint}",
            pytrace=False,
        )


def random_params(rng: np.random.Generator, input_size: int, hidden_size: int) -> dict[str, np.ndarray]:
    """The eight arrays of an LSTM layer, with values large enough that mistakes show."""
    params = {}
    for gate in "fico":
        params[f"W_{gate}"] = rng.normal(0.0, 0.6, size=(hidden_size, hidden_size + input_size))
        params[f"b_{gate}"] = rng.normal(0.0, 0.5, size=hidden_size)
    return params


def logistic(z: np.ndarray) -> np.ndarray:
    """sigmoid for moderate z, as the problem statement writes it."""
    return 1.0 / (1.0 + np.exp(-z))
