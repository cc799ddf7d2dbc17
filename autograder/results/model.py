"""Results are data down to the case: a submission's result is a tree of frozen outcomes.

    SubmissionResult ─ CheckOutcome ─ CaseOutcome ─ Failure
                                    ├ Diagnosis
                                    └ Evidence (the case it came from)

Scores and statuses are computed from the cases, never stored twice. A manual grade is kept
beside the automatic score, not over it. What went wrong is a typed `Failure`, which reports
read; no text is searched. Text is made only by the renderers (`autograder.reports`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Literal

Status = Literal["passed", "failed", "manual"]
Credit = Literal["all_or_nothing", "per_case", "per_key"]


class FailureKind(StrEnum):
    """Why a case got no value to judge (a readable but wrong value is not a failure)."""

    NOT_IMPLEMENTED = "not implemented"
    RAISED = "raised"
    TIMED_OUT = "timed out"
    PROBE_DIED = "probe died"
    MISSING = "missing"
    UNUSABLE_FILE = "unusable file"
    UNREADABLE_VALUE = "unreadable value"
    LIMIT_HIT = "limit hit"
    FORGED = "forged result"
    GRADER_ERROR = "grader error"


# Failures that are more than a wrong or unfinished answer: the class report lists them.
TROUBLE = frozenset(
    {
        FailureKind.TIMED_OUT,
        FailureKind.PROBE_DIED,
        FailureKind.UNUSABLE_FILE,
        FailureKind.LIMIT_HIT,
        FailureKind.FORGED,
        FailureKind.GRADER_ERROR,
    }
)


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    detail: str = ""  # the exception's message, the limit that was hit, the reason
    exception: str = ""  # for RAISED: the exception's type name
    where: str = ""  # for RAISED: the student's line the traceback ends in
    lineage: tuple[str, ...] = ()  # for RAISED: the built-in exception classes it is an instance of


@dataclass(frozen=True)
class Locus:
    """Where a value first leaves the reference: a step (1-based), a key (gate) and a unit."""

    step: int
    key: str
    unit: int
    along: str = "step"  # "step": a table's time step t; "row": a gradient's row k (read from T down)
    right: tuple[str, ...] = ()  # the keys that still agree with the reference at that step


@dataclass(frozen=True)
class CaseOutcome:
    label: str
    fraction: float
    message: str = ""  # "…: got X, expected Y" when the value is wrong
    failure: Failure | None = None
    hint: str = ""  # what to look at (e.g. a concept question's explanation)
    locus: Locus | None = None

    @property
    def passed(self) -> bool:
        return self.fraction >= 1.0


@dataclass(frozen=True)
class Diagnosis:
    """A known mistake whose output is the student's, on the cases listed."""

    misconception: str
    feedback: str
    cases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormulaFinding:
    """The formula behind a student's function, recovered by calling it at many sizes, beside the
    truth's, with what differs in the terms the exercise is made of (no name: a localisation)."""

    subject: str  # what the formula counts: "one layer, one direction (Keras)"
    student: str  # "3·H·(H+I) + H" (empty when no formula could be recovered)
    truth: str
    differences: tuple[str, ...]


@dataclass(frozen=True)
class GateTableEvidence:
    """One case's gate table beside the reference's (the first units of each key)."""

    case: str
    keys: tuple[str, ...]
    student: Mapping[str, list[list[float]]] | None
    reference: Mapping[str, list[list[float]]]
    first_wrong: Locus | None


@dataclass(frozen=True)
class GradientCurvesEvidence:
    """One case's gradient norms against k: the student's LSTM, the reference's, a vanilla RNN."""

    case: str
    k: tuple[int, ...]
    student_lstm: tuple[float, ...] | None
    reference_lstm: tuple[float, ...]
    reference_rnn: tuple[float, ...]


Evidence = GateTableEvidence | GradientCurvesEvidence


@dataclass(frozen=True)
class ManualGrade:
    score: float
    comment: str = ""


@dataclass(frozen=True)
class CheckOutcome:
    """What one check concluded about one submission."""

    check_id: str
    name: str
    part: str
    max_score: float
    visibility: str = "public"
    cases: tuple[CaseOutcome, ...] = ()
    credit: Credit = "per_case"
    diagnoses: tuple[Diagnosis, ...] = ()
    findings: tuple[FormulaFinding, ...] = ()  # where a wrong formula differs, when no mistake is named
    evidence: tuple[Evidence, ...] = ()
    manual: bool = False
    manual_grade: ManualGrade | None = None
    answer: str = ""  # a manual item's text, for the person grading it
    hints: tuple[str, ...] = ()  # a manual item's hints
    not_graded: Failure | None = None  # the whole check could not be judged (a grader error)

    @property
    def automatic_fraction(self) -> float:
        if self.manual or self.not_graded or not self.cases:
            return 0.0
        if self.credit == "all_or_nothing":
            return 1.0 if all(case.passed for case in self.cases) else 0.0
        return sum(case.fraction for case in self.cases) / len(self.cases)

    @cached_property  # frozen: computed once (a report reads it many times), never stored as a field
    def automatic_score(self) -> float:
        return round(self.max_score * self.automatic_fraction, 3)

    @property
    def score(self) -> float:
        if self.manual_grade is not None:
            return self.manual_grade.score
        return self.automatic_score

    @property
    def counts(self) -> bool:
        """Manual items count only once a grade has been entered."""
        return not self.manual or self.manual_grade is not None

    @property
    def status(self) -> Status:
        if not self.counts:
            return "manual"
        return "passed" if self.score >= self.max_score else "failed"

    @property
    def misconceptions(self) -> tuple[str, ...]:
        return tuple(d.misconception for d in self.diagnoses)

    @property
    def failures(self) -> tuple[Failure, ...]:
        found = tuple(case.failure for case in self.cases if case.failure is not None)
        return (self.not_graded, *found) if self.not_graded else found


@dataclass(frozen=True)
class GraderError:
    """The grader itself failed on this submission: the student is not to blame."""

    message: str
    traceback: str = ""  # for the instructor; never shown to the student


@dataclass(frozen=True)
class SubmissionResult:
    """Every check's outcome for one submission, plus how it was run."""

    submission: str
    outcomes: tuple[CheckOutcome, ...]
    isolation: str
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    grader_error: GraderError | None = None

    @cached_property  # frozen: computed once, never stored as a field
    def score(self) -> float:
        return round(sum(o.score for o in self.outcomes if o.counts), 6)

    @cached_property
    def max_score(self) -> float:
        return round(sum(o.max_score for o in self.outcomes if o.counts), 6)

    def by_part(self) -> dict[str, list[CheckOutcome]]:
        parts: dict[str, list[CheckOutcome]] = {}
        for outcome in self.outcomes:
            parts.setdefault(outcome.part, []).append(outcome)
        return parts

    @cached_property
    def troubles(self) -> tuple[FailureKind, ...]:
        """What went wrong beyond a wrong answer: a hang, a dead probe, a limit, an unusable file,
        a forged result, the grader's own failure."""
        kinds = {f.kind for o in self.outcomes for f in o.failures if f.kind in TROUBLE}
        if self.grader_error is not None:
            kinds.add(FailureKind.GRADER_ERROR)
        return tuple(sorted(kinds))


def with_manual_grades(result: SubmissionResult, grades: Mapping[str, ManualGrade]) -> SubmissionResult:
    """The result with each manual item's grade set beside its automatic score."""
    from dataclasses import replace

    outcomes = tuple(
        replace(o, manual_grade=grades[o.check_id]) if o.manual and o.check_id in grades else o
        for o in result.outcomes
    )
    return replace(result, outcomes=outcomes)


def number_text(value: float) -> str:
    """1.0 -> "1", 1.5 -> "1.5": scores as a person would write them."""
    return f"{value:g}"


def score_text(outcome: CheckOutcome) -> str:
    """ "1.5/2", or "-/4" for a manual item not graded yet."""
    if not outcome.counts:
        return f"-/{number_text(outcome.max_score)}"
    return f"{number_text(outcome.score)}/{number_text(outcome.max_score)}"


def status_text(outcome: CheckOutcome) -> str:
    return "manual (not graded)" if outcome.status == "manual" else outcome.status
