"""What diagnosis works out once per rubric and keeps (a prepared case's derived values, a
candidate's rows, the reference's formulas) changes no verdict: a grader that has diagnosed other
submissions first says exactly what a fresh one says, in whatever order they come; kept rows are
the rows, computed no further than a reader went; interpolation is exact for rational values."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_diagnosis_generalizes import outcome_of, reference

from autograder.course import Course
from autograder.diagnosis import count_formulas, memory_formulas
from autograder.diagnosis.formula import Polynomial, interpolate
from autograder.diagnosis.gradient_edits import Candidate, KeptRows, kept
from autograder.grading.grader import Grader, grade_submission, load_grader
from autograder.kinds.compare import within
from autograder.results.model import CheckOutcome
from autograder.sandbox import Limits, ProbeRun, WarmSandbox, probe_submission

SAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"
# Samples whose diagnosis reads generated candidates, known mistakes' outputs and formulas.
DIAGNOSED = (
    "mistake_gradient_of_h_without_tanh",
    "mistake_output_gate_without_bias",
    "mistake_three_gates_count",
    "mistake_one_byte_per_value",
    "mistake_swapped_gates",
    "mistake_retain_grad_rows",
)


def counted_rows(count: list[int], rows: int) -> Iterator[np.ndarray]:
    for k in range(rows):
        count[0] += 1
        yield np.full(3, float(k))


def test_kept_rows_are_the_rows_and_computed_only_as_far_as_read() -> None:
    made = [0]
    rows = KeptRows(lambda: counted_rows(made, 5))
    first = next(rows())
    assert made == [1] and first.tolist() == [0.0, 0.0, 0.0]
    whole = list(rows())
    assert [row[0] for row in whole] == [0.0, 1.0, 2.0, 3.0, 4.0] and made == [5]
    assert [row[0] for row in rows()] == [0.0, 1.0, 2.0, 3.0, 4.0] and made == [5]  # not again


def test_a_row_that_cannot_be_had_raises_for_every_reader() -> None:
    def failing() -> Iterator[np.ndarray]:
        yield np.zeros(2)
        raise FloatingPointError("overflow in row 1")

    rows = KeptRows(failing)
    for _ in range(2):
        reader = rows()
        assert next(reader).tolist() == [0.0, 0.0]
        with pytest.raises(FloatingPointError, match="row 1"):
            next(reader)


def test_an_interruption_while_a_row_is_made_is_not_kept() -> None:
    """Ctrl-C (or memory running out) while a row is computed says nothing about the rows: the next
    reader gets every row, computed again."""
    made = [0]
    interrupt = [True]

    def rows() -> Iterator[np.ndarray]:
        for k in range(3):
            made[0] += 1
            if k == 1 and interrupt[0]:
                interrupt[0] = False
                raise KeyboardInterrupt
            yield np.full(2, float(k))

    kept_rows = KeptRows(rows)
    reader = kept_rows()
    assert next(reader).tolist() == [0.0, 0.0]
    with pytest.raises(KeyboardInterrupt):
        next(reader)
    assert [row[0] for row in kept_rows()] == [0.0, 1.0, 2.0]


def test_kept_rows_read_from_many_threads_are_the_same_rows() -> None:
    made = [0]
    candidate = kept(Candidate("c", "says", lambda: counted_rows(made, 200)))
    seen: list[list[float]] = []

    def read() -> None:
        seen.append([float(row[0]) for row in candidate.rows()])

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [[float(k) for k in range(200)]] * 8 and made == [200]


class Recorded:
    """Stands in for a warm sandbox: each probe run once (a cold probe), then replayed to any grader
    that asks for the same calls of the same submission."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.runs: dict[tuple[str, tuple[str, ...]], ProbeRun] = {}

    def probe(self, submission: Path, calls: Sequence[dict[str, Any]], modules: Sequence[str]) -> ProbeRun:
        key = (submission.name, tuple(call["id"] for call in calls))
        if key not in self.runs:
            self.runs[key] = probe_submission(submission, calls, modules, self.limits)
        return self.runs[key]


def graded(grader: Grader, name: str, probes: Recorded) -> tuple[CheckOutcome, ...]:
    result = grade_submission(SAMPLES / name, grader, warm=cast(WarmSandbox, probes))
    return result.outcomes


def test_a_grader_that_diagnosed_others_first_says_what_a_fresh_one_says(course: Course) -> None:
    probes = Recorded(load_grader(course).limits)
    fresh = {name: graded(load_grader(course), name, probes) for name in DIAGNOSED}
    assert all(any(o.diagnoses or o.findings for o in outcomes) for outcomes in fresh.values())
    reused = load_grader(course)
    for name in (*reversed(DIAGNOSED), *DIAGNOSED):  # each twice, in two orders
        assert graded(reused, name, probes) == fresh[name], name


def test_kept_reference_formulas_read_as_recovered_ones(grader: Grader) -> None:
    """A wrong memory function judged twice with one grader (the reference's formulas kept after the
    first) gives the findings that recovering them afresh gives."""
    right = reference(grader, "c.training_memory")

    def extra_state(
        input_size: int,
        hidden_size: int,
        batch_size: int,
        seq_len: int,
        *,
        bytes_per_value: int = 4,
        optimizer: str = "sgd",
    ) -> dict[str, int]:
        """Keeps one more hidden-state vector per batch row (a mistake the catalogue does not hold)."""
        values = dict(
            right(
                input_size,
                hidden_size,
                batch_size,
                seq_len,
                bytes_per_value=bytes_per_value,
                optimizer=optimizer,
            )
        )
        extra = hidden_size * batch_size * bytes_per_value
        values["activations"] += extra
        values["total"] += extra
        return values

    first = outcome_of(grader, "c.training_memory", extra_state)
    again = outcome_of(grader, "c.training_memory", extra_state)
    assert first.findings and first.findings == again.findings
    check_sweep = grader.diagnostics["c.training_memory"][0]
    student = {memory_formulas.point_key(p): extra_state(**p) for p in memory_formulas.sweep_points()}
    assert memory_formulas.memory_findings(student, check_sweep.expected) == first.findings


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fractions(min_value=-50, max_value=50, max_denominator=12), min_size=9, max_size=9))
def test_interpolation_is_exact_for_rational_coefficients(coefficients: list[Fraction]) -> None:
    monomials = list(itertools.product(range(3), range(3)))
    truth = Polynomial(("H", "I"), {m: c for m, c in zip(monomials, coefficients, strict=True) if c})
    assert interpolate(("H", "I"), count_formulas.NODES, truth) == truth


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(allow_nan=True, allow_infinity=True)),
    hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(allow_nan=True, allow_infinity=True)),
    st.sampled_from([(1e-8, 1e-5), (0.0, 0.0), (1e-6, 0.0), (0.0, 1e-3)]),
)
def test_closeness_is_numpys_isclose(
    got: np.ndarray, expected: np.ndarray, tolerance: tuple[float, float]
) -> None:
    """Judging's own closeness test says what `np.isclose` says, NaN, infinities and overflow included."""
    size = min(got.size, expected.size)
    got, expected = got[:size], expected[:size]
    with np.errstate(all="ignore"):
        assert (
            within(got, expected, *tolerance).tolist()
            == np.isclose(got, expected, rtol=tolerance[1], atol=tolerance[0]).tolist()
        )
