"""dL/dC_k through every path of the unrolled cell, with the gradient-flow curves as evidence."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from autograder.diagnosis import cell_gradient_edits
from autograder.diagnosis.gradient_edits import Candidate
from autograder.kinds.arrays import GradientRows
from autograder.kinds.base import (
    AS_LIST,
    SIZE,
    Ground,
    PreparedCase,
    StudentValue,
    first_wrong_index,
    gate_params,
)
from autograder.results.model import CaseOutcome, Evidence, GradientCurvesEvidence
from autograder.rubric.model import Check


class CellGradients(GradientRows):
    """`(xs, params, dC_T, h0, c0)` -> (T+1, H)."""

    name = "cell_gradients"
    case_properties: ClassVar[Mapping[str, Any]] = {
        "input_size": SIZE,
        "hidden_size": SIZE,
        "steps": SIZE,
        "initial_state": {"type": "boolean"},
        "as_list": AS_LIST,
    }
    case_required = ("input_size", "hidden_size", "steps")

    def largest_array(self, case: Mapping[str, Any]) -> int:
        inputs, hidden, steps = case["input_size"], case["hidden_size"], case["steps"]
        return int(max(hidden * (hidden + inputs), (steps + 1) * max(inputs, hidden)))

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        inputs, hidden = case["input_size"], case["hidden_size"]
        params = gate_params(rng, inputs, hidden, "float64")
        xs = rng.normal(size=(case["steps"], inputs))
        state = (rng.normal(size=hidden), rng.normal(size=hidden)) if case.get("initial_state") else ()
        return (xs, params, rng.normal(size=hidden), *state), {}

    def candidates(self, case: PreparedCase) -> Sequence[Candidate]:
        return cell_gradient_edits.cell_gradient_candidates(*case.args, **case.kwargs)

    def evidence(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        outcomes: Sequence[CaseOutcome],
        ground: Ground,
    ) -> tuple[Evidence, ...]:
        index = first_wrong_index(outcomes)
        case, got = cases[index], values[index]
        steps = np.shape(case.args[0])[0]
        reference_lstm, reference_rnn = case.derived(
            "curves", functools.partial(reference_curves, case, ground)
        )
        student = None
        value = got.value
        if (
            got.ok
            and isinstance(value, np.ndarray)
            and value.shape == case.expected.shape
            and value.dtype.kind in "fiu"
        ):
            student = tuple(float(x) for x in np.linalg.norm(value.astype(float), axis=1))
        return (
            GradientCurvesEvidence(
                case=case.label,
                k=tuple(range(steps + 1)),
                student_lstm=student,
                reference_lstm=reference_lstm,
                reference_rnn=reference_rnn,
            ),
        )


def reference_curves(case: PreparedCase, ground: Ground) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The norms of the reference's rows for the case, and of a vanilla RNN's on the same inputs
    (random weights, seed 0): the same for every submission, so kept with the case."""
    xs, dC_T = np.asarray(case.args[0]), np.asarray(case.args[2])
    inputs, hidden = xs.shape[1], dC_T.shape[0]
    rng = np.random.default_rng(0)
    rnn = ground.references.function("lstm_gradients", "rnn_hidden_gradients")(
        xs,
        rng.normal(0, 0.9 / np.sqrt(hidden), (hidden, hidden)),
        rng.normal(size=(hidden, inputs)),
        np.zeros(hidden),
        dC_T,
    )
    return (
        tuple(float(x) for x in np.linalg.norm(case.expected, axis=1)),
        tuple(float(x) for x in np.linalg.norm(rnn, axis=1)),
    )
