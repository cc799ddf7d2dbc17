"""The probe's cheaper ways of doing what the standard library does: each gives what the standard
library gives (tracebacks: minus the caret lines; copies: as deep, as independent)."""

from __future__ import annotations

import copy
import re
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograder.probe import tracebacks, wire_format
from autograder.probe.runner import describe_error

CARETS = re.compile(r"^ *[~^]+ *$")
FRAME = re.compile(r'^  File ".*", line \d+, in ')  # a frame's entry (a SyntaxError's has no "in")


def without_carets(lines: list[str]) -> str:
    """Python's traceback without the caret lines under its frames' source lines."""
    kept = []
    for line in lines:
        rows = line.splitlines(keepends=True)
        if FRAME.match(line):
            rows = [row for row in rows if not CARETS.match(row.rstrip("\n"))]
        kept.extend(rows)
    return "".join(kept)


def caught(action: Callable[[], Any]) -> BaseException:
    try:
        action()
    except BaseException as error:  # the exception is what the test looks at
        return error
    raise AssertionError("the action raised nothing")


def recurse(depth: int) -> int:
    return recurse(depth + 1) + 1


def shapes_clash() -> Any:
    return np.zeros(3) + np.zeros(4)


def caused() -> None:
    try:
        shapes_clash()
    except ValueError as error:
        raise KeyError("while adding") from error


def in_handling() -> None:
    try:
        {}["missing"]
    except KeyError:
        print(1 / 0)


def suppressed() -> None:
    try:
        {}["missing"]
    except KeyError:
        raise ValueError("plain") from None


def looped() -> None:
    first, second = ValueError("first"), TypeError("second")
    first.__context__, second.__context__ = second, first
    raise first


def syntax() -> None:
    compile("def broken(:\n", "student.py", "exec")


@pytest.mark.parametrize(
    "action",
    [shapes_clash, caused, in_handling, suppressed, looped, syntax, lambda: recurse(0)],
    ids=["raised", "cause", "context", "suppressed", "loop", "syntax", "recursion"],
)
def test_a_traceback_reads_as_pythons_without_its_carets(action: Callable[[], Any]) -> None:
    error = caught(action)
    expected = without_carets(traceback.format_exception(type(error), error, error.__traceback__))
    assert "".join(tracebacks.format_exception(error)) == expected


def test_a_long_chain_is_cut_and_still_ends_in_the_error_raised() -> None:
    error: BaseException = ValueError("0")
    for n in range(1, 100):
        try:
            raise ValueError(str(n)) from error
        except ValueError as raised:
            error = raised
    text = "".join(tracebacks.format_exception(error))
    assert text.endswith("ValueError: 99\n") and text.count("ValueError: ") == tracebacks.MAX_CHAIN


def test_the_runners_own_frames_are_left_out_of_a_described_error() -> None:
    described = describe_error(caught(caused))
    assert "shapes_clash" in described["traceback"] and "^^^" not in described["traceback"]
    assert described["traceback"].rstrip().endswith("KeyError: 'while adding'")


def decoded_sample() -> Any:
    value = {
        "x": np.arange(12.0).reshape(3, 4),
        "T": np.asfortranarray(np.ones((2, 3), dtype=np.float32)),
        "items": [1, 2.5, None, True, "text", (np.zeros(2, dtype=np.int64), [np.ones(1)])],
        "marker": wire_format.Unsupported("an object"),
    }
    return wire_format.decode(wire_format.encode(value))


def test_a_copy_of_a_decoded_value_is_as_deep_as_deepcopy() -> None:
    original = decoded_sample()
    copied = wire_format.copy_decoded(original)
    assert wire_format.encode(copied) == wire_format.encode(copy.deepcopy(original))
    copied["x"][:] = -1
    copied["items"][5][0][:] = 7
    copied["items"][5][1][0][:] = 7
    copied["items"].append("more")
    copied["marker"].what = "changed"
    assert wire_format.encode(original) == wire_format.encode(decoded_sample())
    assert copied["T"].flags.f_contiguous == original["T"].flags.f_contiguous
