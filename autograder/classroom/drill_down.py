"""Who is behind each figure of the class report: the students of each misconception, and per
check the students whose code crashed the probe, hung, hit a limit or could not be used. Read
from the typed results (diagnoses and failure kinds), never from text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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


@dataclass
class DrillTally:
    """The drill-down aggregated as results are read, one at a time: the students' names behind
    each misconception and trouble (what the report lists), not their results. `merge` appends
    another tally of the students after these."""

    misconceptions: dict[str, dict[str, None]] = field(default_factory=dict)  # an ordered set each
    troubles: dict[tuple[str, FailureKind], list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    grader_errors: list[str] = field(default_factory=list)

    def add(self, student: str, result: SubmissionResult) -> None:
        for index, outcome in enumerate(result.outcomes):
            self.order.setdefault(outcome.check_id, index)
            self.names.setdefault(outcome.check_id, outcome.name)
            for misconception in outcome.misconceptions:
                self.misconceptions.setdefault(misconception, {})[student] = None
            for kind in sorted({f.kind for f in outcome.failures if f.kind in TROUBLE}):
                self.troubles.setdefault((outcome.check_id, kind), []).append(student)
        if result.grader_error is not None:
            self.grader_errors.append(student)

    def merge(self, other: DrillTally) -> None:
        for misconception, students in other.misconceptions.items():
            self.misconceptions.setdefault(misconception, {}).update(students)
        for key, more in other.troubles.items():
            self.troubles.setdefault(key, []).extend(more)
        for check_id, name in other.names.items():
            self.names.setdefault(check_id, name)
        for check_id, index in other.order.items():
            self.order.setdefault(check_id, index)
        self.grader_errors.extend(other.grader_errors)

    def drill_down(self) -> DrillDown:
        order, names = self.order, self.names
        return DrillDown(
            misconceptions=tuple(
                (m, tuple(students))
                for m, students in sorted(self.misconceptions.items(), key=lambda i: (-len(i[1]), i[0]))
            ),
            troubles=tuple(
                CheckTrouble(check_id, names[check_id], kind, tuple(students))
                for (check_id, kind), students in sorted(
                    self.troubles.items(), key=lambda i: (order[i[0][0]], i[0][1])
                )
            ),
            grader_errors=tuple(self.grader_errors),
        )


def drill_down(results: Mapping[str, SubmissionResult]) -> DrillDown:
    tally = DrillTally()
    for student, result in results.items():
        tally.add(student, result)
    return tally.drill_down()


def feedback_link(student: str) -> str:
    """Where a student's feedback page is, from the class report beside the feedback folder."""
    return f"feedback/{quote(student, safe='')}/feedback.html"
