"""Naming a mistake from the generated catalogue: one change to the equations that reproduces the
student's value on EVERY case it is tried on (a failing case first, the cheapest first; a candidate
is dropped at its first disagreement, a gradient's at its first wrong row)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from autograder.diagnosis.gradient_edits import Candidate, kept
from autograder.kinds.cases import PreparedCase, StudentValue
from autograder.kinds.compare import matches, within
from autograder.results.model import CaseOutcome, Diagnosis

Agree = Callable[[Any, Candidate], bool]


def as_float_array(value: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """A student's array (or nested list) of the expected shape as float64, else None."""
    if isinstance(value, list | tuple):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return None
    if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.kind not in "fiu":
        return None
    array = value.astype(np.float64)
    return array if np.all(np.isfinite(array)) else None


def rows_agree(student: np.ndarray, rows: Iterator[np.ndarray], atol: float, rtol: float) -> bool:
    """The candidate's rows, k = T down to 0, each close to the student's."""
    k = student.shape[0] - 1
    for row in rows:
        if k < 0 or np.shape(row) != student[k].shape or not within(student[k], row, atol, rtol).all():
            return False
        k -= 1
    return bool(k == -1)


def whole_agrees(atol: float, rtol: float) -> Agree:
    """A candidate whose single output is the student's whole value (a dict of arrays)."""
    return lambda got, candidate: all(matches(got, output, atol, rtol) for output in candidate.rows())


def gradient_agrees(atol: float, rtol: float, shape: tuple[int, ...]) -> Agree:
    """A candidate whose rows, from k = T down, are the student's."""

    def agree(got: Any, candidate: Candidate) -> bool:
        student = as_float_array(got, shape)
        return student is not None and rows_agree(student, candidate.rows(), atol, rtol)

    return agree


def kept_candidates(
    candidates_of: Callable[[PreparedCase], Sequence[Candidate]], case: PreparedCase
) -> list[Candidate]:
    """The case's generated candidates, each computing its rows once for every submission."""
    return [kept(candidate) for candidate in candidates_of(case)]


def generated_diagnoses(
    cases: Sequence[PreparedCase],
    values: Sequence[StudentValue],
    outcomes: Sequence[CaseOutcome],
    candidates_of: Callable[[PreparedCase], Sequence[Candidate]],
    agree_on: Callable[[PreparedCase], Agree],
    cost: Callable[[PreparedCase], float],
) -> tuple[Diagnosis, ...]:
    """Each generated mistake that reproduces every case with a value (none if it fails one)."""
    usable = [i for i, got in enumerate(values) if got.ok]
    failing = sorted((i for i in usable if not outcomes[i].passed), key=lambda i: cost(cases[i]))
    if not failing:
        return ()
    order = failing + sorted((i for i in usable if outcomes[i].passed), key=lambda i: cost(cases[i]))
    alive: dict[str, str] | None = None
    for index in order:
        case, got = cases[index], values[index]
        made = case.derived("generated", functools.partial(kept_candidates, candidates_of, case))
        candidates = [c for c in made if alive is None or c.id in alive]
        agree = agree_on(case)
        agreeing = {c.id: c.says for c in candidates if agree(got.value, c)}
        alive = agreeing if alive is None else {k: v for k, v in alive.items() if k in agreeing}
        if not alive:
            return ()
    labels = tuple(cases[i].label for i in failing)
    assert alive is not None
    return tuple(
        Diagnosis(identifier, f"One change to the equations explains every case: {says}.", labels)
        for identifier, says in alive.items()
    )
