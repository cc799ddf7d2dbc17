"""The oracle's cases for part (c): a grid of valid sizes (1 included) and options, every default
left out, positional calls, and each invalid argument of each function (zero, negative, float,
bool, string, None; an unknown convention or optimizer): ValueError is due, naming it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from benchmarks.mutants.case import Case

MODULE = "lstm_budget"
INVALID_SIZES: tuple[Any, ...] = (0, -1, -64, 2.5, 3.0, True, False, "3", None)
INVALID_NAMES: tuple[Any, ...] = ("caffe", "Keras", "", "rmsprop", "SGD", None)
OPTIMIZERS = ("sgd", "momentum", "adam")
# The defaults the contract gives (the problem statement's signatures), to tag what a call leaves out.
DEFAULTS = {
    "num_parameters": ("num_layers", "bidirectional", "convention"),
    "training_memory": ("bytes_per_value", "optimizer"),
}


def _call(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def _case(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], note: str = "", **extra: Any) -> Case:
    positional = len(args) - (4 if name == "training_memory" else 2)
    named = DEFAULTS.get(name, ())
    left_out = {f"{option} left out" for option in named[max(positional, 0) :] if option not in kwargs}
    tags = set(extra.pop("tags", set())) | left_out
    return Case(MODULE, name, _call(name, args, kwargs) + note, args, kwargs, tags=frozenset(tags), **extra)


def valid_cases() -> Iterator[Case]:
    for inputs, hidden in [(1, 1), (100, 64), (7, 3), (3, 7), (np.int64(5), np.int64(2))]:
        yield _case("weight_shapes", (inputs, hidden), {})
    grid = itertools.product((1, 7, 100), (1, 3, 64), (1, 2, 3), (False, True), ("keras", "pytorch"))
    for inputs, hidden, layers, bidirectional, convention in grid:
        options = {"num_layers": layers, "bidirectional": bidirectional, "convention": convention}
        yield _case("num_parameters", (inputs, hidden), options)
    partial: list[dict[str, Any]] = [
        {},
        {"num_layers": 2},
        {"bidirectional": True},
        {"convention": "pytorch"},
    ]
    for options in partial:
        yield _case("num_parameters", (5, 4), options, " (defaults left out)")
    yield _case("num_parameters", (6, 2, 2, True, "pytorch"), {}, " (positional)")
    extras: list[dict[str, Any]] = [{}, {"bytes_per_value": 2}, {"optimizer": "adam"}]
    extras += [{"bytes_per_value": b, "optimizer": o} for b in (1, 2, 4, 8) for o in OPTIMIZERS]
    for sizes in itertools.product((1, 100), (1, 64), (1, 32), (1, 50)):
        for extra in extras:
            yield _case("training_memory", sizes, extra)


def invalid_cases() -> Iterator[Case]:
    valid: dict[str, dict[str, Any]] = {
        "weight_shapes": {"input_size": 3, "hidden_size": 4},
        "num_parameters": {"input_size": 3, "hidden_size": 4, "num_layers": 2},
        "training_memory": {
            "input_size": 3,
            "hidden_size": 4,
            "batch_size": 2,
            "seq_len": 5,
            "bytes_per_value": 4,
        },
    }
    for name, arguments in valid.items():
        for argument, value in itertools.product(arguments, INVALID_SIZES):
            kwargs = {**arguments, argument: value}
            note = f": {argument} invalid"
            yield _case(
                name, (), kwargs, note, argument=argument, tags={"invalid argument", f"invalid {argument}"}
            )
    for name, argument in (("num_parameters", "convention"), ("training_memory", "optimizer")):
        for value in INVALID_NAMES:
            kwargs = {**valid[name], argument: value}
            note = f": {argument} invalid"
            yield _case(
                name, (), kwargs, note, argument=argument, tags={"invalid argument", f"invalid {argument}"}
            )


def budget_cases() -> Iterator[Case]:
    yield from valid_cases()
    yield from invalid_cases()
