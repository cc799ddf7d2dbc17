"""Who is behind each figure of the class report: the students of each misconception, and per
check the students whose code crashed the probe, hung, hit a limit or could not be used. Read
from the typed results (diagnoses and failure kinds), never from text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from autograder.results.model import TROUBLE, FailureKind, SubmissionResult


@dataclass(frozen=True)
class CheckTrouble:
    check_id: str
    name: str
    kind: FailureKind
    students: tuple[str, ...]


@dataclass(frozen=True)
class DrillDown:
    misconceptions: tuple[tuple[str, tuple[str, ...]], ...]  # most common first
    troubles: tuple[CheckTrouble, ...]  # by check, then kind
    grader_errors: tuple[str, ...]  # the grader failed on these: not the students' doing


def drill_down(results: Mapping[str, SubmissionResult]) -> DrillDown:
    misconceptions: dict[str, list[str]] = {}
    troubles: dict[tuple[str, FailureKind], list[str]] = {}
    names: dict[str, str] = {}
    order: dict[str, int] = {}
    for student, result in results.items():
        for index, outcome in enumerate(result.outcomes):
            order.setdefault(outcome.check_id, index)
            names.setdefault(outcome.check_id, outcome.name)
            for misconception in dict.fromkeys(outcome.misconceptions):
                misconceptions.setdefault(misconception, [])
                if student not in misconceptions[misconception]:
                    misconceptions[misconception].append(student)
            for kind in sorted({f.kind for f in outcome.failures if f.kind in TROUBLE}):
                troubles.setdefault((outcome.check_id, kind), []).append(student)
    return DrillDown(
        misconceptions=tuple(
            (m, tuple(students))
            for m, students in sorted(misconceptions.items(), key=lambda i: (-len(i[1]), i[0]))
        ),
        troubles=tuple(
            CheckTrouble(check_id, names[check_id], kind, tuple(students))
            for (check_id, kind), students in sorted(
                troubles.items(), key=lambda i: (order[i[0][0]], i[0][1])
            )
        ),
        grader_errors=tuple(s for s, r in results.items() if r.grader_error is not None),
    )


def feedback_link(student: str) -> str:
    """Where a student's feedback page is, from the class report beside the feedback folder."""
    return f"feedback/{quote(student, safe='')}/feedback.html"
