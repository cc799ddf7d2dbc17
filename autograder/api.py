"""The programmatic API: what the CLI calls, usable from a notebook or a test without a subprocess."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.course import Course, open_course
from autograder.results.model import SubmissionResult

if TYPE_CHECKING:
    from autograder.grading.grader import Grader
    from autograder.sandbox import WarmSandbox

FORMATS = ("text", "json", "markdown", "html")


def grade(
    submissions: Sequence[Path],
    *,
    course: Course | None = None,
    live_frameworks: bool = False,
    sandbox: bool | None = None,
    warm: WarmSandbox | None = None,
) -> list[SubmissionResult]:
    """Grade each submission (a folder or a notebook) of `course` (default: the current directory):
    each in a fresh cold probe, or all through `warm` (see `early_sandbox`), given the grader's
    time limits here."""
    from autograder.grading.grader import load_grader

    grader = load_grader(course or open_course(), live_frameworks=live_frameworks)
    if warm is not None:
        warm.limits = grader.limits
    return [_graded(path, grader, sandbox, warm) for path in submissions]


@contextmanager
def early_sandbox(wanted: bool = True) -> Iterator[WarmSandbox | None]:
    """A warm sandbox started now, before the grader loads, so that its Python and numpy start
    while the rubric is read (`grade(..., warm=...)` then gives it the grader's time limits); None
    where this machine cannot run one (it takes root and bubblewrap), or if not `wanted`."""
    from autograder.sandbox.probe_run import SandboxError
    from autograder.sandbox.warm import WarmSandbox

    sandbox = None
    if wanted:
        with suppress(SandboxError):
            sandbox = WarmSandbox()
    try:
        yield sandbox
    finally:
        if sandbox is not None:
            sandbox.close()


def usable_paths(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The paths that are submissions (a folder or a notebook), and why each other one is not."""
    from autograder.grading.grader import SubmissionError, check_submission_path

    usable, problems = [], []
    for path in paths:
        try:
            check_submission_path(path)
            usable.append(path)
        except SubmissionError as error:
            problems.append(str(error))
    return usable, problems


def _graded(path: Path, grader: Grader, sandbox: bool | None, warm: WarmSandbox | None) -> SubmissionResult:
    """One submission's result; one that cannot be read (a malformed notebook, say) is that
    submission's zero with the reason, and the others are still graded."""
    from autograder.grading.grader import SubmissionError, grade_or_fail, unusable_submission_result

    try:
        return grade_or_fail(path, grader, sandbox=sandbox, warm=warm)
    except SubmissionError as error:
        return unusable_submission_result(
            path.stem if path.suffix == ".ipynb" else path.name, grader.rubric, str(error)
        )


def render(results: Sequence[SubmissionResult], output_format: str, *, summary: bool = False) -> str:
    if output_format == "json":
        from autograder.reports.gradescope import to_gradescope

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
