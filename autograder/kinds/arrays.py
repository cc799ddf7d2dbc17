"""Kinds whose cases are arrays built from sizes: sigmoid's inputs, one LSTM step, the cell-path
product of forget gates, and backpropagation through a vanilla RNN."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from autograder.diagnosis import gradient_edits, lstm_equations
from autograder.diagnosis.gradient_edits import Candidate
from autograder.kinds.base import (
    AS_LIST,
    DTYPE,
    SIZE,
    CheckKind,
    Ground,
    PreparedCase,
    StudentValue,
    gate_params,
)
from autograder.kinds.compare import within
from autograder.kinds.generated import (
    Agree,
    as_float_array,
    generated_diagnoses,
    gradient_agrees,
    whole_agrees,
)
from autograder.results.model import CaseOutcome, Diagnosis, Locus
from autograder.rubric.model import Check


def row_departure(got: Any, expected: Any, atol: float, rtol: float) -> Locus | None:
    """The first row, read from k = T down (the order a backward pass computes them), where a
    gradient leaves the reference, and the unit."""
    student = as_float_array(got, np.shape(expected))
    if student is None:
        return None
    reference = np.asarray(expected, dtype=np.float64)
    for k in range(student.shape[0] - 1, -1, -1):
        close = within(student[k], reference[k], atol, rtol).reshape(-1)
        if not close.all():
            key = "last row" if k == student.shape[0] - 1 else "row"
            return Locus(k, key, int(np.argwhere(~close)[0][0]), along="row")
    return None


class GradientRows(CheckKind):
    """A kind whose value is a (T+1, H) gradient: a wrong case says its first wrong row, and the
    generated single mistakes of its backward pass are tried when no known one reproduces it."""

    def judge(self, check: Check, case: PreparedCase, got: StudentValue) -> CaseOutcome:
        outcome = super().judge(check, case, got)
        if outcome.passed or not got.ok:
            return outcome
        locus = row_departure(got.value, case.expected, *self.tolerances(check))
        return CaseOutcome(outcome.label, outcome.fraction, outcome.message, outcome.failure, locus=locus)

    def candidates(self, case: PreparedCase) -> Sequence[Candidate]:
        raise NotImplementedError

    def generated(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        outcomes: Sequence[CaseOutcome],
        ground: Ground,
    ) -> tuple[Diagnosis, ...]:
        atol, rtol = self.tolerances(check)

        def agree_on(case: PreparedCase) -> Agree:
            return gradient_agrees(atol, rtol, np.shape(case.expected))

        return generated_diagnoses(
            cases, values, outcomes, self.candidates, agree_on, lambda case: float(np.size(case.expected))
        )


LARGE_MAGNITUDES = (1e4, 5e3, 1e3, 800.0, 100.0, 50.0)


class Elementwise(CheckKind):
    """An element-wise function of one array: moderate values, or large ones that overflow naive code."""

    name = "elementwise"
    case_properties: ClassVar[Mapping[str, Any]] = {
        "values": {"enum": ["moderate", "large"]},
        "as_list": AS_LIST,
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


# The order values are computed in within a step: the four gates, then C_t, then h_t.
DEPENDENCY_ORDER = ("f", "i", "c_tilde", "o", "c", "h")


def first_departure(got: Any, expected: Mapping[str, Any], atol: float, rtol: float) -> Locus | None:
    """The first step where a gate table leaves the reference; at that step the first value in
    the order they are computed, its first wrong unit, and the values still right."""
    if not isinstance(got, Mapping):
        return None
    for key in DEPENDENCY_ORDER:
        value = got.get(key)
        if (
            not isinstance(value, np.ndarray)
            or value.shape != expected[key].shape
            or value.dtype.kind not in "fiu"
        ):
            return Locus(1, key, 0)
    for step in range(len(expected["h"])):
        wrong: dict[str, int] = {}
        for key in DEPENDENCY_ORDER:
            row_got, row_expected = got[key][step].astype(float), expected[key][step].astype(float)
            close = (within(row_got, row_expected, atol, rtol) & np.isfinite(row_got)).reshape(-1)
            if not close.all():
                wrong[key] = int(np.argwhere(~close)[0][0])
        if wrong:
            key = next(iter(wrong))
            right = tuple(k for k in DEPENDENCY_ORDER if k not in wrong)
            return Locus(step + 1, key, wrong[key], right=right)
    return None


class GateEquations(CheckKind):
    """Gate values (one step or a table): the generated single changes to the equations are tried
    when no known mistake reproduces the student's values."""

    table_only_edits: ClassVar[bool] = False  # True: a table over time; False: one step

    def judge(self, check: Check, case: PreparedCase, got: StudentValue) -> CaseOutcome:
        outcome = super().judge(check, case, got)
        if outcome.passed or not got.ok:
            return outcome
        value, expected = got.value, {k: np.asarray(v) for k, v in case.expected.items()}
        if not self.table_only_edits and isinstance(value, Mapping):  # one step: a table of one row
            value = {k: v[None] for k, v in value.items() if isinstance(v, np.ndarray)}
            expected = {k: v[None] for k, v in expected.items()}
        locus = first_departure(value, expected, *self.tolerances(check))
        if locus is not None and not self.table_only_edits:
            locus = replace(locus, along="key")
        return CaseOutcome(outcome.label, outcome.fraction, outcome.message, outcome.failure, locus=locus)

    def outputs(self, equations: lstm_equations.Equations, case: PreparedCase) -> Any:
        raise NotImplementedError

    def candidates(self, case: PreparedCase) -> Sequence[Candidate]:
        found = []
        for edit in lstm_equations.single_edits():
            if edit.table_only and not self.table_only_edits:
                continue
            output = self.outputs(edit.equations, case)
            found.append(Candidate(edit.id, edit.says, gradient_edits.single_output(output)))
        return found

    def generated(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        outcomes: Sequence[CaseOutcome],
        ground: Ground,
    ) -> tuple[Diagnosis, ...]:
        agree = whole_agrees(*self.tolerances(check))

        def cost(case: PreparedCase) -> float:
            return float(sum(np.size(v) for v in case.expected.values()))

        return generated_diagnoses(cases, values, outcomes, self.candidates, lambda case: agree, cost)


class LstmStep(GateEquations):
    """One LSTM step, unbatched or batched: `(x_t, h_prev, c_prev, params)`."""

    name = "lstm_step"
    case_properties: ClassVar[Mapping[str, Any]] = {
        "input_size": SIZE,
        "hidden_size": SIZE,
        "batch": SIZE,
        "dtype": DTYPE,
        "as_list": AS_LIST,
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

    def outputs(self, equations: lstm_equations.Equations, case: PreparedCase) -> Any:
        return lstm_equations.one_step(equations, *case.args, **case.kwargs)


class CellPath(GradientRows):
    """dC_T/dC_k along the cell path, from a (T, H) array of forget gates."""

    name = "cell_path"
    case_properties: ClassVar[Mapping[str, Any]] = {"steps": SIZE, "hidden_size": SIZE, "as_list": AS_LIST}
    case_required = ("steps", "hidden_size")

    def largest_array(self, case: Mapping[str, Any]) -> int:
        return int((case["steps"] + 1) * case["hidden_size"])

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (rng.uniform(0.3, 0.99, (case["steps"], case["hidden_size"])),), {}

    def candidates(self, case: PreparedCase) -> Sequence[Candidate]:
        return gradient_edits.cell_path_candidates(*case.args)


class RnnGradients(GradientRows):
    """dL/dh_k through a vanilla tanh RNN: `(xs, W_hh, W_xh, b_h, dh_T)`."""

    name = "rnn_gradients"
    case_properties: ClassVar[Mapping[str, Any]] = {
        "input_size": SIZE,
        "hidden_size": SIZE,
        "steps": SIZE,
        "as_list": AS_LIST,
    }
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

    def candidates(self, case: PreparedCase) -> Sequence[Candidate]:
        return gradient_edits.rnn_candidates(*case.args)
