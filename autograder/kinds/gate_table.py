"""The gate table over a sequence: every gate, the cell and the hidden state at every step.

Each wrong case says where it first leaves the reference (step, gate, unit); the evidence is the
table of the first wrong case, beside the reference's for that same case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from autograder.diagnosis import lstm_equations
from autograder.kinds.arrays import GateEquations
from autograder.kinds.base import (
    AS_LIST,
    DTYPE,
    SIZE,
    Ground,
    PreparedCase,
    StudentValue,
    first_wrong_index,
    gate_params,
)
from autograder.results.model import CaseOutcome, Evidence, GateTableEvidence
from autograder.rubric.model import Check

TABLE_KEYS = ("f", "i", "c_tilde", "c", "o", "h")
SHOWN_UNITS = 8


def table_rows(table: Any) -> dict[str, list[list[float]]] | None:
    """The first units of each key, step by step, as plain lists (None if not a 2-D table)."""
    if not isinstance(table, Mapping):
        return None
    rows = {}
    for key in TABLE_KEYS:
        value = table.get(key)
        if not isinstance(value, np.ndarray) or value.ndim != 2 or value.dtype.kind not in "fiub":
            return None
        rows[key] = value[:, :SHOWN_UNITS].astype(float).tolist()
    return rows


class GateTable(GateEquations):
    table_only_edits = True

    name = "gate_table"
    case_properties: ClassVar[Mapping[str, Any]] = {
        "input_size": SIZE,
        "hidden_size": SIZE,
        "steps": SIZE,
        "batch": SIZE,
        "dtype": DTYPE,
        "initial_state": {"enum": [True, False, "shared"]},
        "as_list": AS_LIST,
    }
    case_required = ("input_size", "hidden_size", "steps")

    def largest_array(self, case: Mapping[str, Any]) -> int:
        inputs, hidden, steps = case["input_size"], case["hidden_size"], case["steps"]
        batch = case.get("batch", 1)
        return int(max(hidden * (hidden + inputs), steps * batch * max(inputs, hidden)))

    def build_inputs(
        self, check: Check, case: Mapping[str, Any], rng: np.random.Generator
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        dtype = case.get("dtype", "float64")
        inputs, hidden = case["input_size"], case["hidden_size"]
        lead = (case["batch"],) if "batch" in case else ()
        params = gate_params(rng, inputs, hidden, dtype)
        xs = rng.normal(size=(case["steps"], *lead, inputs)).astype(dtype)
        if not case.get("initial_state"):
            return (xs, params), {}  # h0 and c0 left to their defaults
        shape = (hidden,) if case["initial_state"] == "shared" else (*lead, hidden)
        return (xs, params, rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)), {}

    def outputs(self, equations: lstm_equations.Equations, case: PreparedCase) -> Any:
        return lstm_equations.table(equations, *case.args, **case.kwargs)

    def evidence(
        self,
        check: Check,
        cases: Sequence[PreparedCase],
        values: Sequence[StudentValue],
        outcomes: Sequence[CaseOutcome],
        ground: Ground,
    ) -> tuple[Evidence, ...]:
        index = first_wrong_index(outcomes)
        reference = table_rows(cases[index].expected) or {}
        student = table_rows(values[index].value) if values[index].ok else None
        return (GateTableEvidence(cases[index].label, TABLE_KEYS, student, reference, outcomes[index].locus),)
