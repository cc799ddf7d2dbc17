"""Plain data across the sandbox boundary, without pickle."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.probe.wire_format import Unsupported, decode, encode


def test_round_trip_keeps_types_shapes_and_dtypes() -> None:
    value = {
        "a": np.arange(6, dtype=np.float32).reshape(2, 3),
        "b": (1, 2.5, "x", None, True),
        "c": [np.int64(3)],
        "d": float("nan"),
    }
    back = decode(encode(value))
    assert back["a"].dtype == np.float32 and back["a"].shape == (2, 3)
    np.testing.assert_array_equal(back["a"], value["a"])
    assert back["b"] == (1, 2.5, "x", None, True) and back["c"] == [3] and np.isnan(back["d"])


class EqualsAnything:
    def __eq__(self, other: object) -> bool:
        return True


class FakeInt(int):
    def __eq__(self, other: object) -> bool:
        return True


@pytest.mark.parametrize("value", [EqualsAnything(), FakeInt(3), np.array(["x"]), {1: 2}, np.array([1 + 2j])])
def test_anything_but_plain_data_becomes_unsupported(value: object) -> None:
    assert isinstance(decode(encode(value)), Unsupported)


@pytest.mark.parametrize(
    "raw",
    [
        {"__ndarray__": ["object", [1], ""]},
        {"__pickle__": "x"},
        {"a": 1, "b": 2},
        {"__ndarray__": ["float64", [-1], ""]},
    ],
)
def test_malformed_input_raises_value_error(raw: object) -> None:
    with pytest.raises(ValueError):
        decode(raw)
