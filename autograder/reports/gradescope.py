"""A result in Gradescope's results.json schema, with a few extra fields of our own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.reports.feedback import grader_error_text, result_feedback
from autograder.results.model import SubmissionResult

# rubric visibility -> Gradescope's visibility field
GRADESCOPE_VISIBILITY = {"public": "visible", "hidden": "after_published"}


def to_gradescope(result: SubmissionResult, feedback: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The results.json document; every test's output and the document as a whole stay bounded
    (see the caps in `autograder.reports.feedback`). `feedback`: `result_feedback(result)`, if
    the caller has it already."""
    tests = []
    feedback = result_feedback(result) if feedback is None else feedback
    for outcome in result.outcomes:
        tests.append(
            {
                "name": outcome.name,
                "number": outcome.check_id,
                "score": outcome.score if outcome.counts else 0.0,
                "max_score": outcome.max_score if outcome.counts else 0.0,
                "status": "passed" if outcome.status == "passed" else "failed",
                "output": feedback[outcome.check_id],
                "visibility": GRADESCOPE_VISIBILITY.get(outcome.visibility, "visible"),
                "tags": [outcome.part, *outcome.misconceptions],
                "extra_data": {
                    "manual": outcome.manual,
                    "graded": outcome.counts,
                    "status": outcome.status,
                    "failures": sorted({f.kind.value for f in outcome.failures}),
                },
            }
        )
    notes = list(result.notes)
    if result.grader_error is not None:
        notes.insert(0, grader_error_text(result.grader_error))
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.seconds, 3),
        "output": "\n".join(notes),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "submission": result.submission,
            "isolation": result.isolation,
            "troubles": [kind.value for kind in result.troubles],
        },
    }
