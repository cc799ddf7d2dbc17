"""Results are data: one frozen outcome per check, a submission's result is a tuple of them.

Scores are computed from the outcomes, never stored twice. Manual items (the written
explanation) count in neither score nor max score until a grade is entered.
Exporters (JSON, text, Markdown, HTML) are functions of these objects, in modules of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "manual"]

# rubric visibility -> Gradescope's visibility field
GRADESCOPE_VISIBILITY = {"public": "visible", "hidden": "after_published"}


@dataclass(frozen=True)
class CheckOutcome:
    """What one check concluded about one submission."""

    check_id: str
    name: str
    part: str
    max_score: float
    score: float
    status: Status
    feedback: str
    visibility: str = "public"
    misconceptions: tuple[str, ...] = ()
    manual: bool = False
    graded: bool = True
    # Structured evidence for the renderings (gate tables, gradient curves); plain lists and numbers.
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> bool:
        """Manual items count only once a grade has been entered."""
        return not self.manual or self.graded


@dataclass(frozen=True)
class SubmissionResult:
    """Every check's outcome for one submission, plus how it was run."""

    submission: str
    outcomes: tuple[CheckOutcome, ...]
    isolation: str
    seconds: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        return round(sum(o.score for o in self.outcomes if o.counts), 6)

    @property
    def max_score(self) -> float:
        return round(sum(o.max_score for o in self.outcomes if o.counts), 6)

    def by_part(self) -> dict[str, list[CheckOutcome]]:
        parts: dict[str, list[CheckOutcome]] = {}
        for outcome in self.outcomes:
            parts.setdefault(outcome.part, []).append(outcome)
        return parts


def to_gradescope(result: SubmissionResult) -> dict[str, Any]:
    """The result in Gradescope's results.json schema, with a few extra fields of our own."""
    tests = []
    for outcome in result.outcomes:
        entry: dict[str, Any] = {
            "name": outcome.name,
            "number": outcome.check_id,
            "score": outcome.score if outcome.counts else 0.0,
            "max_score": outcome.max_score if outcome.counts else 0.0,
            "status": "passed" if outcome.status == "passed" else "failed",
            "output": outcome.feedback,
            "visibility": GRADESCOPE_VISIBILITY.get(outcome.visibility, "visible"),
            "tags": [outcome.part, *outcome.misconceptions],
            "extra_data": {"manual": outcome.manual, "graded": outcome.graded, "status": outcome.status},
        }
        tests.append(entry)
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.seconds, 3),
        "output": "\n".join(result.notes),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"submission": result.submission, "isolation": result.isolation},
    }


def number_text(value: float) -> str:
    """1.0 -> "1", 1.5 -> "1.5": scores as a person would write them."""
    return f"{value:g}"


def score_text(outcome: CheckOutcome) -> str:
    """ "1.5/2", or "-/4" for a manual item not graded yet."""
    if not outcome.counts:
        return f"-/{number_text(outcome.max_score)}"
    return f"{number_text(outcome.score)}/{number_text(outcome.max_score)}"


def status_text(outcome: CheckOutcome) -> str:
    return "manual (not graded)" if outcome.manual and not outcome.graded else outcome.status
