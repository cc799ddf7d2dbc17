"""The programmatic API: what the CLI calls, usable from a notebook or a test without a subprocess."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from autograder.course import Course, open_course
from autograder.grading.grader import (
    Grader,
    SubmissionError,
    check_submission_path,
    grade_or_fail,
    load_grader,
    unusable_submission_result,
)
from autograder.reports.gradescope import to_gradescope
from autograder.results.model import SubmissionResult

FORMATS = ("text", "json", "markdown", "html")


def grade(
    submissions: Sequence[Path],
    *,
    course: Course | None = None,
    live_frameworks: bool = False,
    sandbox: bool | None = None,
) -> list[SubmissionResult]:
    """Grade each submission (a folder or a notebook) of `course` (default: the current directory)."""
    grader = load_grader(course or open_course(), live_frameworks=live_frameworks)
    return [_graded(path, grader, sandbox) for path in submissions]


def usable_paths(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The paths that are submissions (a folder or a notebook), and why each other one is not."""
    usable, problems = [], []
    for path in paths:
        try:
            check_submission_path(path)
            usable.append(path)
        except SubmissionError as error:
            problems.append(str(error))
    return usable, problems


def _graded(path: Path, grader: Grader, sandbox: bool | None) -> SubmissionResult:
    """One submission's result; one that cannot be read (a malformed notebook, say) is that
    submission's zero with the reason, and the others are still graded."""
    try:
        return grade_or_fail(path, grader, sandbox=sandbox)
    except SubmissionError as error:
        return unusable_submission_result(
            path.stem if path.suffix == ".ipynb" else path.name, grader.rubric, str(error)
        )


def render(results: Sequence[SubmissionResult], output_format: str, *, summary: bool = False) -> str:
    if output_format == "json":
        documents = [to_gradescope(result) for result in results]
        return json.dumps(documents[0] if len(documents) == 1 else documents, indent=1)
    if output_format == "markdown":
        from autograder.reports.markdown import render_markdown

        return "\n\n".join(render_markdown(result) for result in results)
    if output_format == "html":
        from autograder.reports.html import render_html

        return "\n".join(render_html(result) for result in results)
    from autograder.reports.text import render_summary_table, render_text

    if summary:
        return render_summary_table(results)
    return "\n".join(render_text(result) for result in results)
