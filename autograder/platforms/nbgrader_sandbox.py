"""nbgrader's autograde step with the scores decided outside the student's reach.

nbgrader normally runs the student's cells and then the test cells in one kernel: whatever the
student's code does to that kernel (replace a checking function, import the reference, patch
numpy) happens before the test cells run, so it can decide the score. `SandboxedGrade` takes the
place of nbgrader's `Execute` preprocessor in `Autograde.autograde_preprocessors` (the generated
nbgrader_config.py sets it): it turns the sanitized notebook into the exercise modules, grades
them with the same sandbox and checks as `autograder grade`, and writes each test cell's outcome as
that cell's output: the feedback as text, the partial credit as the cell's value, which nbgrader's
SaveAutoGrades reads. No kernel starts; no student code runs in nbgrader's process.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.course import open_course
from autograder.grading.grader import Grader, SubmissionError, grade_or_fail, load_grader
from autograder.platforms.notebooks import grade_id
from autograder.reports.feedback import check_feedback
from autograder.results.model import CheckOutcome, SubmissionResult

COURSE_VARIABLE = "AUTOGRADER_COURSE"  # set by the nbgrader_config.py that `autograder nbgrader` writes


@functools.cache
def course_grader(root: str) -> Grader:
    """One grader per nbgrader process and course: loading it costs more than grading a notebook."""
    return load_grader(open_course(Path(root)))


def grade_notebook(notebook: Any, grader: Grader) -> SubmissionResult | str:
    """The notebook graded in the sandbox, or why it could not be read as a submission."""
    with tempfile.TemporaryDirectory(prefix="nbgrader-sandbox-") as scratch:
        path = Path(scratch) / "submission.ipynb"
        path.write_text(json.dumps(notebook), encoding="utf-8")
        try:
            return grade_or_fail(path, grader)
        except SubmissionError as error:
            return str(error).replace(str(path), "the notebook")


def output(**fields: Any) -> Any:
    """One cell output, as the node nbgrader's grade reading expects (attribute access)."""
    return nbformat.from_dict(fields)  # type: ignore[no-untyped-call]


def credit_outputs(outcome: CheckOutcome | None, reason: str = "") -> list[Any]:
    """A test cell's outputs: what the check said, then its score as the cell's value (nbgrader's
    partial credit). A cell the grader did not recognise gets an error output: zero, and visible."""
    if outcome is None:
        return [
            output(
                output_type="error",
                ename="NotGraded",
                evalue=reason or "this cell is not a check of the rubric",
                traceback=[],
            )
        ]
    text = f"{outcome.name}: {outcome.score:g}/{outcome.max_score:g}\n{check_feedback(outcome)}\n"
    return [
        output(output_type="stream", name="stdout", text=text),
        output(
            output_type="execute_result",
            data={"text/plain": repr(float(outcome.score))},
            metadata={},
            execution_count=1,
        ),
    ]


class SandboxedGrade(NbGraderPreprocessor):  # type: ignore[misc]
    """Replaces nbgrader's Execute in autograde: scores from the sandbox, written as cell outputs."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        root = os.environ.get(COURSE_VARIABLE)
        if not root:
            raise RuntimeError(
                f"{COURSE_VARIABLE} is not set: use the nbgrader_config.py of `autograder nbgrader`"
            )
        grader = course_grader(root)
        graded = grade_notebook(nb, grader)
        by_cell: dict[str, CheckOutcome] = {}
        reason = graded if isinstance(graded, str) else ""
        if isinstance(graded, SubmissionResult):
            by_cell = {grade_id(outcome.check_id): outcome for outcome in graded.outcomes}
            if graded.grader_error is not None:
                self.log.error("autograder failed on this notebook: %s", graded.grader_error.traceback)
        for cell in nb.cells:
            info = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and info.get("grade") and not info.get("solution"):
                cell.outputs = credit_outputs(by_cell.get(info.get("grade_id", "")), reason)
                cell.execution_count = 1
        return nb, resources
