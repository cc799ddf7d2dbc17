"""Kinds whose cases are arrays built from sizes: sigmoid's inputs, one LSTM step, the cell-path
product of forget gates, and backpropagation through a vanilla RNN."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from autograder.kinds.base import DTYPE, SIZE, CheckKind, gate_params
from autograder.rubric.model import Check

LARGE_MAGNITUDES = (1e4, 5e3, 1e3, 800.0, 100.0, 50.0)


class Elementwise(CheckKind):
    """An element-wise function of one array: moderate values, or large ones that overflow naive code."""

    name = "elementwise"
    case_properties: ClassVar[Mapping[str, Any]] = {
        "values": {"enum": ["moderate", "large"]},
        "size": {**SIZE, "maximum": 100_000},
    }
    case_required = ("values", "size")
    match_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "required": ["warning"],
        "additionalProperties": False,
        "properties": {"warning": {"type": "string", "minLength": 1}},
    }

    def largest_array(self, case: Mapping[str, Any]) -> int:
        return int(case["size"])

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        size = int(case["size"])
        if case["values"] == "large":
            magnitudes = np.resize(np.array(LARGE_MAGNITUDES), (size + 1) // 2)
            return (np.concatenate([magnitudes, -magnitudes])[:size],), {}
        return (np.sort(rng.uniform(-9.0, 9.0, size)),), {}


class LstmStep(CheckKind):
    """One LSTM step, unbatched or batched: `(x_t, h_prev, c_prev, params)`."""

    name = "lstm_step"
    case_properties: ClassVar[Mapping[str, Any]] = {
        "input_size": SIZE,
        "hidden_size": SIZE,
        "batch": SIZE,
        "dtype": DTYPE,
    }
    case_required = ("input_size", "hidden_size")

    def largest_array(self, case: Mapping[str, Any]) -> int:
        inputs, hidden, batch = case["input_size"], case["hidden_size"], case.get("batch", 1)
        return int(max(hidden * (hidden + inputs), batch * max(inputs, hidden)))

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        dtype = case.get("dtype", "float64")
        inputs, hidden = case["input_size"], case["hidden_size"]
        lead = (case["batch"],) if "batch" in case else ()
        params = gate_params(rng, inputs, hidden, dtype)
        x, h, c = (rng.normal(size=(*lead, n)).astype(dtype) for n in (inputs, hidden, hidden))
        return (x, h, c, params), {}


class CellPath(CheckKind):
    """dC_T/dC_k along the cell path, from a (T, H) array of forget gates."""

    name = "cell_path"
    case_properties: ClassVar[Mapping[str, Any]] = {"steps": SIZE, "hidden_size": SIZE}
    case_required = ("steps", "hidden_size")

    def largest_array(self, case: Mapping[str, Any]) -> int:
        return int((case["steps"] + 1) * case["hidden_size"])

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (rng.uniform(0.3, 0.99, (case["steps"], case["hidden_size"])),), {}


class RnnGradients(CheckKind):
    """dL/dh_k through a vanilla tanh RNN: `(xs, W_hh, W_xh, b_h, dh_T)`."""

    name = "rnn_gradients"
    case_properties: ClassVar[Mapping[str, Any]] = {"input_size": SIZE, "hidden_size": SIZE, "steps": SIZE}
    case_required = ("input_size", "hidden_size", "steps")

    def largest_array(self, case: Mapping[str, Any]) -> int:
        inputs, hidden, steps = case["input_size"], case["hidden_size"], case["steps"]
        return int(max(hidden * hidden, hidden * inputs, (steps + 1) * hidden, steps * inputs))

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        inputs, hidden, steps = case["input_size"], case["hidden_size"], case["steps"]
        return (
            rng.normal(size=(steps, inputs)),
            rng.normal(0, 0.9 / np.sqrt(hidden), (hidden, hidden)),
            rng.normal(size=(hidden, inputs)),
            rng.normal(0, 0.3, hidden),
            rng.normal(size=hidden),
        ), {}
